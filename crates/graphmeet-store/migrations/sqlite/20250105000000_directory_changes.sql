-- The directory change log (sqlite). Keep in step with the other backend.
-- Every change to what authorization and the token endpoint read (tenants and domains, users,
-- memberships, apps and credentials, service principals and roles, signing keys, access
-- policies, their apps and grants) appends a row here, in the same transaction, by trigger.
-- Each server instance keeps an in-memory index of the directory and catches up by reading the
-- rows after the last sequence number it applied.
CREATE TABLE directory_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  TEXT,
    entity     TEXT    NOT NULL,
    entity_key TEXT    NOT NULL
);
CREATE TRIGGER tenants_changed_i AFTER INSERT ON tenants FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.id, 'tenant', NEW.id); END;
CREATE TRIGGER tenants_changed_u AFTER UPDATE ON tenants FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.id, 'tenant', NEW.id); END;
CREATE TRIGGER tenants_changed_d AFTER DELETE ON tenants FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (OLD.id, 'tenant', OLD.id); END;
CREATE TRIGGER tenant_domains_changed_i AFTER INSERT ON tenant_domains FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'tenant', NEW.tenant_id); END;
CREATE TRIGGER tenant_domains_changed_u AFTER UPDATE ON tenant_domains FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'tenant', NEW.tenant_id); END;
CREATE TRIGGER tenant_domains_changed_d AFTER DELETE ON tenant_domains FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (OLD.tenant_id, 'tenant', OLD.tenant_id); END;
CREATE TRIGGER users_changed_i AFTER INSERT ON users FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'user', NEW.id); END;
CREATE TRIGGER users_changed_u AFTER UPDATE ON users FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'user', NEW.id); END;
CREATE TRIGGER users_changed_d AFTER DELETE ON users FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (OLD.tenant_id, 'user', OLD.id); END;
CREATE TRIGGER group_members_changed_i AFTER INSERT ON group_members FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'member', NEW.user_id); END;
CREATE TRIGGER group_members_changed_u AFTER UPDATE ON group_members FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'member', NEW.user_id); END;
CREATE TRIGGER group_members_changed_d AFTER DELETE ON group_members FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'member', OLD.user_id); END;
CREATE TRIGGER apps_changed_i AFTER INSERT ON apps FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'app', NEW.app_id); END;
CREATE TRIGGER apps_changed_u AFTER UPDATE ON apps FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'app', NEW.app_id); END;
CREATE TRIGGER apps_changed_d AFTER DELETE ON apps FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'app', OLD.app_id); END;
CREATE TRIGGER secrets_changed_i AFTER INSERT ON secrets FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'app', NEW.app_id); END;
CREATE TRIGGER secrets_changed_u AFTER UPDATE ON secrets FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'app', NEW.app_id); END;
CREATE TRIGGER secrets_changed_d AFTER DELETE ON secrets FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'app', OLD.app_id); END;
CREATE TRIGGER certificates_changed_i AFTER INSERT ON certificates FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'app', NEW.app_id); END;
CREATE TRIGGER certificates_changed_u AFTER UPDATE ON certificates FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'app', NEW.app_id); END;
CREATE TRIGGER certificates_changed_d AFTER DELETE ON certificates FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'app', OLD.app_id); END;
CREATE TRIGGER service_principals_changed_i AFTER INSERT ON service_principals FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'sp', NEW.app_id); END;
CREATE TRIGGER service_principals_changed_u AFTER UPDATE ON service_principals FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'sp', NEW.app_id); END;
CREATE TRIGGER service_principals_changed_d AFTER DELETE ON service_principals FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (OLD.tenant_id, 'sp', OLD.app_id); END;
CREATE TRIGGER service_principal_app_roles_changed_i AFTER INSERT ON service_principal_app_roles FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) SELECT tenant_id, 'sp', app_id FROM service_principals WHERE id = NEW.service_principal_id; END;
CREATE TRIGGER service_principal_app_roles_changed_u AFTER UPDATE ON service_principal_app_roles FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) SELECT tenant_id, 'sp', app_id FROM service_principals WHERE id = NEW.service_principal_id; END;
CREATE TRIGGER service_principal_app_roles_changed_d AFTER DELETE ON service_principal_app_roles FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) SELECT tenant_id, 'sp', app_id FROM service_principals WHERE id = OLD.service_principal_id; END;
CREATE TRIGGER signing_keys_changed_i AFTER INSERT ON signing_keys FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'keys', NEW.kid); END;
CREATE TRIGGER signing_keys_changed_u AFTER UPDATE ON signing_keys FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'keys', NEW.kid); END;
CREATE TRIGGER signing_keys_changed_d AFTER DELETE ON signing_keys FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NULL, 'keys', OLD.kid); END;
CREATE TRIGGER access_policies_changed_i AFTER INSERT ON access_policies FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'policy', NEW.id); END;
CREATE TRIGGER access_policies_changed_u AFTER UPDATE ON access_policies FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'policy', NEW.id); END;
CREATE TRIGGER access_policies_changed_d AFTER DELETE ON access_policies FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (OLD.tenant_id, 'policy', OLD.id); END;
CREATE TRIGGER access_policy_apps_changed_i AFTER INSERT ON access_policy_apps FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) SELECT tenant_id, 'policy', id FROM access_policies WHERE id = NEW.policy_id; END;
CREATE TRIGGER access_policy_apps_changed_u AFTER UPDATE ON access_policy_apps FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) SELECT tenant_id, 'policy', id FROM access_policies WHERE id = NEW.policy_id; END;
CREATE TRIGGER access_policy_apps_changed_d AFTER DELETE ON access_policy_apps FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) SELECT tenant_id, 'policy', id FROM access_policies WHERE id = OLD.policy_id; END;
CREATE TRIGGER access_policy_grants_changed_i AFTER INSERT ON access_policy_grants FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'grant', NEW.target_kind || ':' || NEW.target_id); END;
CREATE TRIGGER access_policy_grants_changed_u AFTER UPDATE ON access_policy_grants FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (NEW.tenant_id, 'grant', NEW.target_kind || ':' || NEW.target_id); END;
CREATE TRIGGER access_policy_grants_changed_d AFTER DELETE ON access_policy_grants FOR EACH ROW BEGIN INSERT INTO directory_changes (tenant_id, entity, entity_key) VALUES (OLD.tenant_id, 'grant', OLD.target_kind || ':' || OLD.target_id); END;
