//! Exporting the directory as a seed: every tenant with its objects and fixed ids, lists sorted
//! by natural key, secrets and passwords left out, certificates as public PEM.

use crate::directory::{Directory, DirectoryError};
use crate::model::*;
use graphmeet_wire::admin::{
    Seed, SeedApp, SeedCertificate, SeedConsent, SeedGrant, SeedGroup, SeedPolicy, SeedTenant,
    SeedUser,
};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

impl Directory {
    /// The whole directory and its policies as a seed: fixed ids, lists sorted by natural key,
    /// no secrets or passwords, certificates as public PEM.
    pub async fn export_seed(&self) -> Result<Seed, DirectoryError> {
        let mut tenants = self.store.list_tenants().await?;
        tenants.sort_by(|a, b| {
            a.domains
                .first()
                .cmp(&b.domains.first())
                .then(a.id.cmp(&b.id))
        });
        let apps = self.store.list_apps().await?;
        let mut out = Vec::with_capacity(tenants.len());
        for tenant in &tenants {
            out.push(self.export_tenant(tenant, &apps).await?);
        }
        Ok(Seed {
            tenants: out,
            ..Seed::default()
        })
    }

    pub(super) async fn export_tenant(
        &self,
        tenant: &Tenant,
        apps: &[App],
    ) -> Result<SeedTenant, DirectoryError> {
        let store = &self.store;
        let mut users = store.list_users(tenant.id).await?;
        users.sort_by(|a, b| a.upn.cmp(&b.upn).then(a.id.cmp(&b.id)));
        let upns: HashMap<Uuid, String> = users.iter().map(|u| (u.id, u.upn.clone())).collect();

        let mut groups = store.list_groups(tenant.id).await?;
        groups.sort_by(|a, b| a.display_name.cmp(&b.display_name).then(a.id.cmp(&b.id)));
        let mut name_uses: BTreeMap<&str, usize> = BTreeMap::new();
        for g in &groups {
            *name_uses.entry(g.display_name.as_str()).or_default() += 1;
        }
        // A group is named by its name where that is unique in the tenant, else by its id.
        let group_refs: HashMap<Uuid, String> = groups
            .iter()
            .map(|g| {
                let unique = name_uses.get(g.display_name.as_str()) == Some(&1);
                let name = if unique && Uuid::parse_str(&g.display_name).is_err() {
                    g.display_name.clone()
                } else {
                    g.id.to_string()
                };
                (g.id, name)
            })
            .collect();
        let mut seed_groups = Vec::with_capacity(groups.len());
        for g in &groups {
            let mut members: Vec<String> = store
                .list_group_members(g.id)
                .await?
                .into_iter()
                .map(|u| u.upn)
                .collect();
            members.sort();
            seed_groups.push(SeedGroup {
                id: Some(g.id),
                name: g.display_name.clone(),
                members,
            });
        }

        let mut own_apps: Vec<&App> = apps
            .iter()
            .filter(|a| a.home_tenant_id == tenant.id)
            .collect();
        own_apps.sort_by(|a, b| {
            a.display_name
                .cmp(&b.display_name)
                .then(a.app_id.cmp(&b.app_id))
        });
        let mut seed_apps = Vec::with_capacity(own_apps.len());
        for app in own_apps {
            let mut certificates = store.list_certificates(app.app_id).await?;
            certificates.sort_by(|a, b| a.thumbprint_sha1.cmp(&b.thumbprint_sha1));
            seed_apps.push(SeedApp {
                app_id: Some(app.app_id),
                name: app.display_name.clone(),
                multi_tenant: app.multi_tenant,
                allow_public_client: app.allow_public_client.then_some(true),
                secrets: Vec::new(),
                certificates: certificates
                    .iter()
                    .map(|c| SeedCertificate {
                        pem: certificate_pem(&c.der),
                    })
                    .collect(),
            });
        }

        // The home tenant's role-less service principal comes with the app: not a consent.
        let home_of: HashMap<Uuid, Uuid> =
            apps.iter().map(|a| (a.app_id, a.home_tenant_id)).collect();
        let mut consents: Vec<SeedConsent> = store
            .list_service_principals(tenant.id)
            .await?
            .into_iter()
            .filter(|sp| !(sp.app_roles.is_empty() && home_of.get(&sp.app_id) == Some(&tenant.id)))
            .map(|sp| {
                let mut roles = sp.app_roles;
                roles.sort();
                SeedConsent {
                    app: sp.app_id,
                    roles,
                }
            })
            .collect();
        consents.sort_by_key(|c| c.app);

        let mut policies: Vec<SeedPolicy> = store
            .list_policies(tenant.id)
            .await?
            .into_iter()
            .filter(|p| p.removed_at.is_none())
            .map(|p| {
                let mut app_ids = p.current_app_ids();
                app_ids.sort();
                SeedPolicy {
                    app_ids,
                    description: Some(p.description).filter(|d| !d.is_empty()),
                    name: p.name,
                }
            })
            .collect();
        policies.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.name.cmp(&b.name))
        });

        let mut grants: Vec<((u8, String), SeedGrant)> = Vec::new();
        for grant in store.list_policy_grants(tenant.id).await? {
            if grant.revoked_at.is_some() {
                continue;
            }
            let policy = grant.policy_name.clone();
            let entry = match grant.target {
                GrantTarget::Global => (
                    (0, String::new()),
                    SeedGrant {
                        policy,
                        global: true,
                        ..SeedGrant::default()
                    },
                ),
                GrantTarget::Group { id, rank } => {
                    let name = group_refs
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| id.to_string());
                    (
                        (1, name.clone()),
                        SeedGrant {
                            policy,
                            group: Some(name),
                            rank: Some(rank),
                            ..SeedGrant::default()
                        },
                    )
                }
                GrantTarget::User(id) => {
                    let upn = upns.get(&id).cloned().unwrap_or_else(|| id.to_string());
                    (
                        (2, upn.clone()),
                        SeedGrant {
                            policy,
                            user: Some(upn),
                            ..SeedGrant::default()
                        },
                    )
                }
            };
            grants.push(entry);
        }
        grants.sort_by(|a, b| a.0.cmp(&b.0));

        Ok(SeedTenant {
            meetings: Vec::new(),
            id: Some(tenant.id),
            name: tenant.display_name.clone(),
            domain: tenant.domains.first().cloned(),
            users: users
                .into_iter()
                .map(|u| {
                    let account = &u.account;
                    let default = Account::default();
                    SeedUser {
                        id: Some(u.id),
                        display_name: Some(u.display_name),
                        password: None,
                        account_enabled: (account.enabled != default.enabled)
                            .then_some(account.enabled),
                        user_type: (account.user_type != default.user_type)
                            .then(|| account.user_type.as_str().to_owned()),
                        teams_license: (account.teams_license != default.teams_license)
                            .then_some(account.teams_license),
                        audio_conferencing: (account.audio_conferencing
                            != default.audio_conferencing)
                            .then_some(account.audio_conferencing),
                        mail: (account.mail.as_deref() != Some(u.upn.as_str()))
                            .then(|| account.mail.clone().unwrap_or_default()),
                        upn: u.upn,
                    }
                })
                .collect(),
            groups: seed_groups,
            apps: seed_apps,
            consents,
            policies,
            grants: grants.into_iter().map(|(_, g)| g).collect(),
            exchange_policies: self.export_exchange_policies(tenant).await?,
        })
    }
}

/// A DER certificate as PEM with `\n` line ends, the same text every time.
pub fn certificate_pem(der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new("CERTIFICATE", der.to_vec()),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}
