//! App registrations: create and register, secrets and certificates, admin consent and its
//! revocation.

use super::{Directory, DirectoryError, GRAPH_APP_ROLES};

use crate::crypto::{self, KeyAndCertificate};
use crate::model::*;
use crate::store::StoreError;
use chrono::Duration;
use uuid::Uuid;

/// A new client secret: the stored credential and the value, shown once.
#[derive(Debug, Clone)]
pub struct NewSecret {
    /// The stored credential (hash only).
    pub credential: SecretCredential,
    /// The secret value; it is not stored and cannot be read again.
    pub value: String,
}

/// A generated certificate credential: the stored credential and the PEM with the private key.
#[derive(Debug, Clone)]
pub struct NewCertificate {
    /// The stored credential.
    pub credential: CertificateCredential,
    /// Certificate and private key, PEM; the key is not stored.
    pub pem: String,
}

/// The settings of a new app registration ([`Directory::register_app`]); the default is what
/// the portal makes: a random client id, single tenant, public client flows off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NewApp {
    /// A fixed application (client) id; random when `None`.
    pub app_id: Option<Uuid>,
    /// Whether other tenants may consent to the app (`AzureADMultipleOrgs`).
    pub multi_tenant: bool,
    /// "Allow public client flows" (`isFallbackPublicClient`): the password grant without a
    /// client secret.
    pub allow_public_client: bool,
}

/// The fewest characters a client secret given by the administrator (rather than generated)
/// may have.
pub const MIN_GIVEN_SECRET_LEN: usize = 16;

impl Directory {
    /// Registers an app in its home tenant and creates its service principal there, as the
    /// portal does; public client flows are off. See [`Directory::register_app`] for the
    /// other settings.
    pub async fn create_app(
        &self,
        home_tenant: &str,
        display_name: &str,
        multi_tenant: bool,
    ) -> Result<(App, ServicePrincipal), DirectoryError> {
        self.register_app(
            home_tenant,
            display_name,
            &NewApp {
                multi_tenant,
                ..NewApp::default()
            },
        )
        .await
    }

    /// Registers an app with the given settings in its home tenant and creates its service
    /// principal there, as the portal does.
    pub async fn register_app(
        &self,
        home_tenant: &str,
        display_name: &str,
        settings: &NewApp,
    ) -> Result<(App, ServicePrincipal), DirectoryError> {
        let tenant = self.tenant(home_tenant).await?;
        let display_name = display_name.trim();
        if display_name.is_empty() {
            return Err(DirectoryError::Invalid(
                "an app needs a display name".to_owned(),
            ));
        }
        let now = self.clock.now();
        let app = App {
            app_id: settings.app_id.unwrap_or_else(Uuid::new_v4),
            object_id: Uuid::new_v4(),
            home_tenant_id: tenant.id,
            display_name: display_name.to_owned(),
            multi_tenant: settings.multi_tenant,
            allow_public_client: settings.allow_public_client,
            created_at: now,
        };
        self.written(self.store.create_app(&app).await).await?;
        let sp = self
            .written(
                self.store
                    .grant_consent(tenant.id, app.app_id, Uuid::new_v4(), &[], now)
                    .await,
            )
            .await?;
        Ok((app, sp))
    }

    /// Turns "Allow public client flows" on or off for an app: with it on, the
    /// resource-owner password grant needs no client secret. Returns the app as stored.
    pub async fn set_allow_public_client(
        &self,
        app_id: Uuid,
        allow: bool,
    ) -> Result<App, DirectoryError> {
        let mut app = self.app(app_id).await?;
        if app.allow_public_client != allow {
            app.allow_public_client = allow;
            self.written(self.store.update_app(&app).await)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound(_) => DirectoryError::NotFound(format!("app {app_id}")),
                    other => other.into(),
                })?;
        }
        Ok(app)
    }

    /// An app registration by application (client) id.
    pub async fn app(&self, app_id: Uuid) -> Result<App, DirectoryError> {
        self.store
            .get_app(app_id)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("app {app_id}")))
    }

    /// Adds a client secret valid for `lifetime`; the value is returned once.
    pub async fn add_secret(
        &self,
        app_id: Uuid,
        display_name: &str,
        lifetime: Duration,
    ) -> Result<NewSecret, DirectoryError> {
        self.add_secret_with_value(app_id, display_name, lifetime, None)
            .await
    }

    /// [`Directory::add_secret`] with a given value (random when `None`), so that test suites
    /// get reproducible credentials. A given value must have at least
    /// [`MIN_GIVEN_SECRET_LEN`] characters; it is stored as its hash, like any secret.
    pub async fn add_secret_with_value(
        &self,
        app_id: Uuid,
        display_name: &str,
        lifetime: Duration,
        value: Option<&str>,
    ) -> Result<NewSecret, DirectoryError> {
        self.app(app_id).await?;
        if lifetime <= Duration::zero() {
            return Err(DirectoryError::Invalid(
                "a secret's lifetime must be positive".to_owned(),
            ));
        }
        let value = match value {
            Some(v) if v.chars().count() < MIN_GIVEN_SECRET_LEN || v.trim() != v => {
                return Err(DirectoryError::Invalid(format!(
                    "a given secret value needs at least {MIN_GIVEN_SECRET_LEN} characters and no surrounding spaces"
                )))
            }
            Some(v) => v.to_owned(),
            None => crypto::generate_client_secret(),
        };
        let now = self.clock.now();
        let credential = SecretCredential {
            key_id: Uuid::new_v4(),
            app_id,
            display_name: display_name.to_owned(),
            hint: value.chars().take(3).collect(),
            hash: crypto::hash_secret(&value),
            start: now,
            end: now + lifetime,
        };
        self.written(self.store.add_secret(&credential).await)
            .await?;
        Ok(NewSecret { credential, value })
    }

    /// Generates an RSA key and certificate, valid for `lifetime`, and adds the certificate.
    pub async fn add_generated_certificate(
        &self,
        app_id: Uuid,
        lifetime: Duration,
    ) -> Result<NewCertificate, DirectoryError> {
        let app = self.app(app_id).await?;
        let now = self.clock.now();
        let material = KeyAndCertificate::generate(
            &app.display_name,
            now - Duration::minutes(5),
            now + lifetime,
        )?;
        let credential = self.add_certificate_der(app_id, &material.cert_der).await?;
        Ok(NewCertificate {
            credential,
            pem: material.to_pem(),
        })
    }

    /// Adds a certificate given as PEM (any private key in the text is ignored).
    pub async fn add_certificate_pem(
        &self,
        app_id: Uuid,
        pem: &str,
    ) -> Result<CertificateCredential, DirectoryError> {
        let parsed = crypto::parse_certificate_pem(pem)
            .map_err(|e| DirectoryError::Invalid(e.to_string()))?;
        self.add_certificate_der(app_id, &parsed.der).await
    }

    pub(super) async fn add_certificate_der(
        &self,
        app_id: Uuid,
        der: &[u8],
    ) -> Result<CertificateCredential, DirectoryError> {
        self.app(app_id).await?;
        let parsed = crypto::parse_certificate_der(der)
            .map_err(|e| DirectoryError::Invalid(e.to_string()))?;
        let credential = CertificateCredential {
            key_id: Uuid::new_v4(),
            app_id,
            display_name: parsed.subject.clone(),
            thumbprint_sha1: hex::encode_upper(crypto::sha1(der)),
            thumbprint_sha256: hex::encode_upper(crypto::sha256(der)),
            der: der.to_vec(),
            start: parsed.not_before,
            end: parsed.not_after,
        };
        self.written(self.store.add_certificate(&credential).await)
            .await?;
        Ok(credential)
    }

    /// Grants admin consent in `tenant` for the app's Graph `roles`, creating the service
    /// principal when the tenant has none. Another tenant may consent only to a multi-tenant
    /// app.
    pub async fn grant_consent(
        &self,
        tenant: &str,
        app_id: Uuid,
        roles: &[String],
    ) -> Result<ServicePrincipal, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        let app = self.app(app_id).await?;
        if app.home_tenant_id != tenant.id && !app.multi_tenant {
            return Err(DirectoryError::Invalid(format!(
                "app {app_id} is single-tenant (registered in {}); tenant {} cannot consent to it",
                app.home_tenant_id, tenant.id
            )));
        }
        let canonical = canonical_roles(roles)?;
        Ok(self
            .written(
                self.store
                    .grant_consent(
                        tenant.id,
                        app_id,
                        Uuid::new_v4(),
                        &canonical,
                        self.clock.now(),
                    )
                    .await,
            )
            .await?)
    }
}

/// The Graph app roles named (ignoring case), spelled as Graph spells them, duplicates dropped;
/// an unknown role is invalid.
pub fn canonical_roles(roles: &[String]) -> Result<Vec<String>, DirectoryError> {
    let mut canonical: Vec<String> = Vec::with_capacity(roles.len());
    for role in roles {
        let known = GRAPH_APP_ROLES
            .iter()
            .find(|r| r.eq_ignore_ascii_case(role.trim()))
            .ok_or_else(|| {
                DirectoryError::Invalid(format!(
                    "'{role}' is not a Microsoft Graph application permission graphmeet knows ({})",
                    GRAPH_APP_ROLES.join(", ")
                ))
            })?;
        if !canonical.iter().any(|c| c == known) {
            canonical.push((*known).to_owned());
        }
    }
    Ok(canonical)
}

/// An app's credentials: client secrets (hashes only) and certificates.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Client secrets, oldest first.
    pub secrets: Vec<SecretCredential>,
    /// Certificates, oldest first.
    pub certificates: Vec<CertificateCredential>,
}

impl Directory {
    /// Deletes an app registration with its credentials and its service principals in every
    /// tenant; policies keep listing its id.
    pub async fn delete_app(&self, app_id: Uuid) -> Result<App, DirectoryError> {
        let app = self.app(app_id).await?;
        if !self.written(self.store.delete_app(app_id).await).await? {
            return Err(DirectoryError::NotFound(format!("app {app_id}")));
        }
        Ok(app)
    }

    /// The secrets and certificates of an app.
    pub async fn credentials(&self, app_id: Uuid) -> Result<Credentials, DirectoryError> {
        self.app(app_id).await?;
        Ok(Credentials {
            secrets: self.store.list_secrets(app_id).await?,
            certificates: self.store.list_certificates(app_id).await?,
        })
    }

    /// Removes one client secret of an app; it gets no token from then on.
    pub async fn remove_secret(&self, app_id: Uuid, key_id: Uuid) -> Result<(), DirectoryError> {
        self.app(app_id).await?;
        if !self
            .written(self.store.delete_secret(app_id, key_id).await)
            .await?
        {
            return Err(DirectoryError::NotFound(format!(
                "secret {key_id} of app {app_id}"
            )));
        }
        Ok(())
    }

    /// Removes one certificate of an app.
    pub async fn remove_certificate(
        &self,
        app_id: Uuid,
        key_id: Uuid,
    ) -> Result<(), DirectoryError> {
        self.app(app_id).await?;
        if !self
            .written(self.store.delete_certificate(app_id, key_id).await)
            .await?
        {
            return Err(DirectoryError::NotFound(format!(
                "certificate {key_id} of app {app_id}"
            )));
        }
        Ok(())
    }

    /// Revokes Graph app roles granted by admin consent in a tenant; the service principal
    /// stays (Entra keeps the enterprise application), its tokens lose the roles.
    pub async fn revoke_consent(
        &self,
        tenant: &str,
        app_id: Uuid,
        roles: &[String],
    ) -> Result<ServicePrincipal, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        if roles.is_empty() {
            return Err(DirectoryError::Invalid(
                "name the app roles to revoke".to_owned(),
            ));
        }
        let roles = canonical_roles(roles)?;
        self.written(self.store.revoke_consent(tenant.id, app_id, &roles).await)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => DirectoryError::NotFound(format!(
                    "service principal of app {app_id} in tenant {}",
                    tenant.id
                )),
                other => other.into(),
            })
    }

    /// Every app registration, oldest first.
    pub async fn apps(&self) -> Result<Vec<App>, DirectoryError> {
        Ok(self.store.list_apps().await?)
    }
}
