//! Administration of the directory: tenants, users, groups, app registrations, their
//! credentials, and admin consent. Ids are made here; the rules Entra applies to input
//! (domain syntax, a UPN's domain belonging to its tenant, who may consent) are checked here.

use crate::clock::Clock;
use crate::crypto::{self, KeyAndCertificate};
use crate::index::DirectoryIndex;
use crate::model::*;
use crate::store::{Store, StoreError};
use chrono::Duration;
use std::sync::Arc;
use uuid::Uuid;

/// Microsoft Graph application permissions (app roles) that admin consent may grant.
pub const GRAPH_APP_ROLES: &[&str] = &[
    "OnlineMeetings.ReadWrite.All",
    "OnlineMeetings.Read.All",
    "OnlineMeetingArtifact.Read.All",
    "OnlineMeetingRecording.Read.All",
    "OnlineMeetingTranscript.Read.All",
    "Calendars.ReadWrite",
    "Calendars.Read",
    "User.Read.All",
    "User.ReadBasic.All",
];

/// Why an administrative change was refused.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// A record the change refers to does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The input breaks a rule; the text says which.
    #[error("{0}")]
    Invalid(String),
    /// A uniqueness rule would be broken.
    #[error("{0}")]
    Conflict(String),
    /// Key material could not be made or read.
    #[error(transparent)]
    Crypto(#[from] crypto::CryptoError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for DirectoryError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => Self::Conflict(what),
            StoreError::NotFound(what) => Self::NotFound(what.to_owned()),
            other => Self::Store(other),
        }
    }
}

/// Changes to a user's display name and account state: what is `None` stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    /// The display name.
    pub display_name: Option<String>,
    /// `accountEnabled`.
    pub enabled: Option<bool>,
    /// `userType`.
    pub user_type: Option<UserType>,
    /// A licence with the Teams service plan.
    pub teams_license: Option<bool>,
    /// The Audio Conferencing licence.
    pub audio_conferencing: Option<bool>,
    /// `mail`: `Some(None)` removes the mailbox address.
    pub mail: Option<Option<String>>,
}

impl TryFrom<&graphmeet_wire::admin::UpdateUser> for UserChanges {
    type Error = DirectoryError;

    /// The admin API's and the seed's form; an unknown `user_type` is refused, an empty `mail`
    /// removes the address.
    fn try_from(u: &graphmeet_wire::admin::UpdateUser) -> Result<Self, DirectoryError> {
        let user_type = match u.user_type.as_deref() {
            Some(t) => Some(UserType::parse(t).ok_or_else(|| {
                DirectoryError::Invalid(format!("user_type must be Member or Guest, not '{t}'"))
            })?),
            None => None,
        };
        Ok(Self {
            display_name: u.display_name.clone(),
            enabled: u.account_enabled,
            user_type,
            teams_license: u.teams_license,
            audio_conferencing: u.audio_conferencing,
            mail: u
                .mail
                .as_ref()
                .map(|m| Some(m.trim().to_owned()).filter(|m| !m.is_empty())),
        })
    }
}

impl UserChanges {
    /// Applies the changes to `user`, checking each value.
    pub fn apply(&self, user: &mut User) -> Result<(), DirectoryError> {
        if let Some(name) = &self.display_name {
            let name = name.trim();
            if name.is_empty() {
                return Err(DirectoryError::Invalid(
                    "a user's display name cannot be empty".to_owned(),
                ));
            }
            user.display_name = name.to_owned();
        }
        if let Some(mail) = &self.mail {
            user.account.mail = match mail.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(m) => {
                    let valid = m.split_once('@').is_some_and(|(local, domain)| {
                        !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                    }) && !m.contains(char::is_whitespace);
                    if !valid {
                        return Err(DirectoryError::Invalid(format!(
                            "'{m}' is not an email address"
                        )));
                    }
                    Some(m.to_owned())
                }
            };
        }
        let account = &mut user.account;
        account.enabled = self.enabled.unwrap_or(account.enabled);
        account.user_type = self.user_type.unwrap_or(account.user_type);
        account.teams_license = self.teams_license.unwrap_or(account.teams_license);
        account.audio_conferencing = self
            .audio_conferencing
            .unwrap_or(account.audio_conferencing);
        Ok(())
    }
}

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

/// Administrative operations on the directory.
#[derive(Clone)]
pub struct Directory {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The in-memory index the services decide on: every write catches it up before it
    /// returns, so the next request sees the change.
    pub(crate) index: Option<Arc<DirectoryIndex>>,
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// The domain a tenant gets when none is given: `{name}.onmicrosoft.com`, from the letters and
/// digits of its name, lower-cased.
pub fn default_domain(display_name: &str) -> String {
    format!("{}.onmicrosoft.com", slug(display_name.trim()))
}

fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if s.is_empty() {
        "tenant".to_owned()
    } else {
        s.chars().take(27).collect()
    }
}

impl Directory {
    /// Administration over `store`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            index: None,
        }
    }

    /// The same, keeping `index` current with every write.
    pub fn with_index(mut self, index: Arc<DirectoryIndex>) -> Self {
        self.index = Some(index);
        self
    }

    /// The same administration without catching the index up after each write, for bulk work
    /// that catches up once at its end ([`Directory::catch_up`]).
    pub(crate) fn deferring_index(&self) -> Self {
        Self {
            index: None,
            ..self.clone()
        }
    }

    /// Brings the index up to date with the store (a failure is logged: the background poll
    /// tries again).
    pub async fn catch_up(&self) {
        if let Some(index) = &self.index {
            if let Err(e) = index.catch_up().await {
                tracing::warn!(error = %e, "could not catch the directory index up");
            }
        }
    }

    /// Passes a store write's result on, after catching the index up when it succeeded.
    async fn written<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if result.is_ok() {
            self.catch_up().await;
        }
        result
    }

    /// Resolves a tenant given by id or by domain.
    pub async fn tenant(&self, id_or_domain: &str) -> Result<Tenant, DirectoryError> {
        crate::identity::resolve_tenant(self.store.as_ref(), id_or_domain)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("tenant {id_or_domain}")))
    }

    /// Creates a tenant. Without a domain, `{name}.onmicrosoft.com` is used.
    pub async fn create_tenant(
        &self,
        display_name: &str,
        domain: Option<&str>,
        id: Option<Uuid>,
    ) -> Result<Tenant, DirectoryError> {
        let display_name = display_name.trim();
        if display_name.is_empty() {
            return Err(DirectoryError::Invalid(
                "a tenant needs a display name".to_owned(),
            ));
        }
        let domain = domain
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| default_domain(display_name));
        if !valid_domain(&domain) {
            return Err(DirectoryError::Invalid(format!(
                "'{domain}' is not a valid domain name"
            )));
        }
        let tenant = Tenant {
            id: id.unwrap_or_else(Uuid::new_v4),
            display_name: display_name.to_owned(),
            domains: vec![domain],
            created_at: self.clock.now(),
        };
        self.written(self.store.create_tenant(&tenant).await)
            .await?;
        Ok(tenant)
    }

    /// Creates a user, with a password for delegated sign-in if given; the UPN's domain must be
    /// one of the tenant's.
    pub async fn create_user(
        &self,
        tenant: &str,
        upn: &str,
        display_name: Option<&str>,
        password: Option<&str>,
    ) -> Result<User, DirectoryError> {
        self.create_user_with_id(tenant, upn, display_name, password, None)
            .await
    }

    /// [`Directory::create_user`] with a fixed object id (random when `None`).
    pub async fn create_user_with_id(
        &self,
        tenant: &str,
        upn: &str,
        display_name: Option<&str>,
        password: Option<&str>,
        id: Option<Uuid>,
    ) -> Result<User, DirectoryError> {
        let changes = UserChanges {
            display_name: display_name.map(str::to_owned),
            ..UserChanges::default()
        };
        self.create_user_with(tenant, upn, password, id, &changes)
            .await
    }

    /// [`Directory::create_user_with_id`] with an account state other than the default
    /// (an enabled member with a Teams and an Audio Conferencing licence, mail = UPN).
    pub async fn create_user_with(
        &self,
        tenant: &str,
        upn: &str,
        password: Option<&str>,
        id: Option<Uuid>,
        account: &UserChanges,
    ) -> Result<User, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        let user = self.new_user(&tenant, upn, password, id, account)?;
        self.written(self.store.create_user(&user).await).await?;
        Ok(user)
    }

    /// Changes a user's display name or account state; what `changes` leaves out stays.
    pub async fn update_user(
        &self,
        id_or_upn: &str,
        changes: &UserChanges,
    ) -> Result<User, DirectoryError> {
        let mut user = self.user(id_or_upn).await?;
        changes.apply(&mut user)?;
        if !self.written(self.store.update_user(&user).await).await? {
            return Err(DirectoryError::NotFound(format!("user {id_or_upn}")));
        }
        Ok(user)
    }

    /// A user of `tenant` as the rules allow it (a UPN on one of the tenant's domains, a
    /// password of 8 characters or more), not yet stored.
    pub(crate) fn new_user(
        &self,
        tenant: &Tenant,
        upn: &str,
        password: Option<&str>,
        id: Option<Uuid>,
        changes: &UserChanges,
    ) -> Result<User, DirectoryError> {
        let password_hash = match password {
            Some(p) if p.chars().count() < 8 => {
                return Err(DirectoryError::Invalid(
                    "a password needs at least 8 characters".to_owned(),
                ))
            }
            Some(p) => Some(crypto::hash_password(p)?),
            None => None,
        };
        let upn = upn.trim().to_ascii_lowercase();
        let Some((local, domain)) = upn.split_once('@') else {
            return Err(DirectoryError::Invalid(format!(
                "'{upn}' is not a user principal name (alias@domain)"
            )));
        };
        if local.is_empty() || local.contains(char::is_whitespace) {
            return Err(DirectoryError::Invalid(format!(
                "'{upn}' is not a user principal name (alias@domain)"
            )));
        }
        if !tenant.domains.iter().any(|d| d == domain) {
            return Err(DirectoryError::Invalid(format!(
                "the domain of '{upn}' is not a verified domain of tenant {} ({})",
                tenant.id,
                tenant.domains.join(", ")
            )));
        }
        let mut user = User {
            id: id.unwrap_or_else(Uuid::new_v4),
            tenant_id: tenant.id,
            display_name: local.to_owned(),
            account: Account {
                mail: Some(upn.clone()),
                ..Account::default()
            },
            upn,
            password_hash,
            created_at: self.clock.now(),
        };
        changes.apply(&mut user)?;
        Ok(user)
    }

    /// Creates a security group.
    pub async fn create_group(
        &self,
        tenant: &str,
        display_name: &str,
    ) -> Result<Group, DirectoryError> {
        self.create_group_with_id(tenant, display_name, None).await
    }

    /// [`Directory::create_group`] with a fixed object id (random when `None`).
    pub async fn create_group_with_id(
        &self,
        tenant: &str,
        display_name: &str,
        id: Option<Uuid>,
    ) -> Result<Group, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        let display_name = display_name.trim();
        if display_name.is_empty() {
            return Err(DirectoryError::Invalid(
                "a group needs a display name".to_owned(),
            ));
        }
        let group = Group {
            id: id.unwrap_or_else(Uuid::new_v4),
            tenant_id: tenant.id,
            display_name: display_name.to_owned(),
            created_at: self.clock.now(),
        };
        self.store.create_group(&group).await?;
        Ok(group)
    }

    /// Adds a user of the group's tenant to the group.
    pub async fn add_group_member(
        &self,
        group_id: Uuid,
        user_id: Uuid,
    ) -> Result<(), DirectoryError> {
        let group = self
            .store
            .get_group(group_id)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("group {group_id}")))?;
        self.store
            .get_user(user_id)
            .await?
            .filter(|u| u.tenant_id == group.tenant_id)
            .ok_or_else(|| {
                DirectoryError::NotFound(format!("user {user_id} in tenant {}", group.tenant_id))
            })?;
        Ok(self
            .written(self.store.add_group_member(group_id, user_id).await)
            .await?)
    }

    /// Removes a user from a group; returns whether the user was a member.
    pub async fn remove_group_member(
        &self,
        group_id: Uuid,
        user_id: Uuid,
    ) -> Result<bool, DirectoryError> {
        self.store
            .get_group(group_id)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("group {group_id}")))?;
        Ok(self
            .written(self.store.remove_group_member(group_id, user_id).await)
            .await?)
    }

    /// The tenant an admin command names, or the only tenant when it names none.
    pub async fn tenant_or_only(&self, tenant: Option<&str>) -> Result<Tenant, DirectoryError> {
        match tenant {
            Some(t) => self.tenant(t).await,
            None => {
                let mut all = self.store.list_tenants().await?;
                match all.len() {
                    1 => Ok(all.remove(0)),
                    0 => Err(DirectoryError::NotFound(
                        "tenant (the server has none)".to_owned(),
                    )),
                    n => Err(DirectoryError::Invalid(format!(
                        "the server has {n} tenants: name one with --tenant"
                    ))),
                }
            }
        }
    }

    /// A user given by object id or UPN, within a tenant.
    pub async fn user_in(&self, tenant: &Tenant, id_or_upn: &str) -> Result<User, DirectoryError> {
        let user = match Uuid::parse_str(id_or_upn) {
            Ok(id) => self.store.get_user(id).await?,
            Err(_) => {
                self.store
                    .find_user_by_upn(&id_or_upn.to_ascii_lowercase())
                    .await?
            }
        };
        user.filter(|u| u.tenant_id == tenant.id).ok_or_else(|| {
            DirectoryError::NotFound(format!("user {id_or_upn} in tenant {}", tenant.id))
        })
    }

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

    async fn add_certificate_der(
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
    /// A user given by object id or UPN, in any tenant (UPNs are unique across tenants).
    pub async fn user(&self, id_or_upn: &str) -> Result<User, DirectoryError> {
        let id_or_upn = id_or_upn.trim();
        let user = match Uuid::parse_str(id_or_upn) {
            Ok(id) => self.store.get_user(id).await?,
            Err(_) => self.store.find_user_by_upn(id_or_upn).await?,
        };
        user.ok_or_else(|| DirectoryError::NotFound(format!("user {id_or_upn}")))
    }

    /// A group by object id.
    pub async fn group(&self, group_id: Uuid) -> Result<Group, DirectoryError> {
        self.store
            .get_group(group_id)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("group {group_id}")))
    }

    /// The groups of a tenant, oldest first.
    pub async fn groups(&self, tenant: &str) -> Result<Vec<Group>, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        Ok(self.store.list_groups(tenant.id).await?)
    }

    /// The direct members of a group.
    pub async fn group_members(&self, group_id: Uuid) -> Result<Vec<User>, DirectoryError> {
        self.group(group_id).await?;
        Ok(self.store.list_group_members(group_id).await?)
    }

    /// Deletes a tenant with everything in it, the apps registered in it included (and so
    /// their service principals in other tenants).
    pub async fn delete_tenant(&self, tenant: &str) -> Result<Tenant, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        if !self
            .written(self.store.delete_tenant(tenant.id).await)
            .await?
        {
            return Err(DirectoryError::NotFound(format!("tenant {}", tenant.id)));
        }
        Ok(tenant)
    }

    /// Deletes a user (by object id or UPN) with its meetings, group memberships and policy
    /// grants, as Entra removes a deleted user's memberships and assignments and Teams stops
    /// its meetings.
    pub async fn delete_user(&self, id_or_upn: &str) -> Result<User, DirectoryError> {
        let user = self.user(id_or_upn).await?;
        if !self.written(self.store.delete_user(user.id).await).await? {
            return Err(DirectoryError::NotFound(format!("user {id_or_upn}")));
        }
        Ok(user)
    }

    /// Deletes a group with its memberships and the policy grants made to it.
    pub async fn delete_group(&self, group_id: Uuid) -> Result<Group, DirectoryError> {
        let group = self.group(group_id).await?;
        if !self
            .written(self.store.delete_group(group_id).await)
            .await?
        {
            return Err(DirectoryError::NotFound(format!("group {group_id}")));
        }
        Ok(group)
    }

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

    /// Every tenant, oldest first.
    pub async fn tenants(&self) -> Result<Vec<Tenant>, DirectoryError> {
        Ok(self.store.list_tenants().await?)
    }

    /// The users of a tenant, oldest first.
    pub async fn users(&self, tenant: &Tenant) -> Result<Vec<User>, DirectoryError> {
        Ok(self.store.list_users(tenant.id).await?)
    }

    /// Every app registration, oldest first.
    pub async fn apps(&self) -> Result<Vec<App>, DirectoryError> {
        Ok(self.store.list_apps().await?)
    }

    /// Every grant of a tenant, ended ones included, oldest first.
    pub async fn grants(&self, tenant: &Tenant) -> Result<Vec<PolicyGrant>, DirectoryError> {
        Ok(self.store.list_policy_grants(tenant.id).await?)
    }

    /// Audit entries matching the query, newest first.
    pub async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, DirectoryError> {
        Ok(self.store.query_audit(query).await?)
    }

    /// Empties the directory, policies, meetings and audit log; signing keys stay.
    pub async fn reset(&self) -> Result<(), DirectoryError> {
        Ok(self.written(self.store.reset().await).await?)
    }
}

/// How `Set-CsApplicationAccessPolicy -AppIds` changes the list (PowerShell's list modifier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppIdsChange {
    /// `@{Add=…}`.
    Add(Vec<Uuid>),
    /// `@{Remove=…}`.
    Remove(Vec<Uuid>),
    /// `@{Replace=…}` or a plain list.
    Replace(Vec<Uuid>),
}

impl Directory {
    /// Creates an application access policy (`New-CsApplicationAccessPolicy`).
    pub async fn create_policy(
        &self,
        tenant: &str,
        name: &str,
        app_ids: &[Uuid],
        description: &str,
    ) -> Result<AccessPolicy, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        let name = name.trim();
        if name.is_empty() {
            return Err(DirectoryError::Invalid(
                "a policy needs a name (-Identity)".to_owned(),
            ));
        }
        let now = self.clock.now();
        let mut apps: Vec<PolicyApp> = Vec::with_capacity(app_ids.len());
        for app in app_ids {
            if !apps.iter().any(|a| a.app_id == *app) {
                apps.push(PolicyApp {
                    app_id: *app,
                    added_at: now,
                    removed_at: None,
                });
            }
        }
        let policy = AccessPolicy {
            id: Uuid::new_v4(),
            tenant_id: tenant.id,
            name: name.to_owned(),
            description: description.to_owned(),
            created_at: now,
            removed_at: None,
            apps,
        };
        self.written(self.store.create_policy(&policy).await)
            .await?;
        Ok(policy)
    }

    /// The live policy `name` of a tenant.
    pub async fn policy(&self, tenant: &str, name: &str) -> Result<AccessPolicy, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        self.store
            .get_policy(tenant.id, name)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("policy {name}")))
    }

    /// The live policies of a tenant.
    pub async fn policies(&self, tenant: &str) -> Result<Vec<AccessPolicy>, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        Ok(self
            .store
            .list_policies(tenant.id)
            .await?
            .into_iter()
            .filter(|p| p.removed_at.is_none())
            .collect())
    }

    /// Changes a policy's apps and/or description (`Set-CsApplicationAccessPolicy`).
    pub async fn set_policy(
        &self,
        tenant: &str,
        name: &str,
        apps: Option<AppIdsChange>,
        description: Option<&str>,
    ) -> Result<AccessPolicy, DirectoryError> {
        let tenant_rec = self.tenant(tenant).await?;
        let current = self
            .store
            .get_policy(tenant_rec.id, name)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("policy {name}")))?;
        if let Some(description) = description {
            self.written(
                self.store
                    .set_policy_description(tenant_rec.id, &current.name, description)
                    .await,
            )
            .await?;
        }
        let (add, remove) = match apps {
            None => (Vec::new(), Vec::new()),
            Some(AppIdsChange::Add(add)) => (add, Vec::new()),
            Some(AppIdsChange::Remove(remove)) => (Vec::new(), remove),
            Some(AppIdsChange::Replace(new)) => {
                let listed = current.current_app_ids();
                let remove = listed
                    .iter()
                    .filter(|a| !new.contains(a))
                    .copied()
                    .collect();
                (new, remove)
            }
        };
        Ok(self
            .written(
                self.store
                    .change_policy_apps(
                        tenant_rec.id,
                        &current.name,
                        &add,
                        &remove,
                        self.clock.now(),
                    )
                    .await,
            )
            .await?)
    }

    /// Removes a policy and ends its grants (`Remove-CsApplicationAccessPolicy`).
    pub async fn remove_policy(&self, tenant: &str, name: &str) -> Result<(), DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        Ok(self
            .written(
                self.store
                    .remove_policy(tenant.id, name, self.clock.now())
                    .await,
            )
            .await?)
    }

    /// Grants a policy to a user, a group or the whole tenant (`Grant-CsApplicationAccessPolicy`);
    /// the target's previous grant ends.
    pub async fn grant_policy(
        &self,
        tenant: &str,
        policy_name: &str,
        target: GrantTarget,
    ) -> Result<PolicyGrant, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        let policy = self
            .store
            .get_policy(tenant.id, policy_name)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("policy {policy_name}")))?;
        self.check_target(&tenant, target).await?;
        let grant = PolicyGrant {
            tenant_id: tenant.id,
            target,
            policy_id: policy.id,
            policy_name: policy.name,
            granted_at: self.clock.now(),
            revoked_at: None,
        };
        self.written(self.store.grant_policy(&grant).await).await?;
        Ok(grant)
    }

    /// Ends a target's grant (`Grant-CsApplicationAccessPolicy -PolicyName $null`); returns
    /// whether it had one.
    pub async fn revoke_policy(
        &self,
        tenant: &str,
        target: GrantTarget,
    ) -> Result<bool, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        self.check_target(&tenant, target).await?;
        Ok(self
            .written(
                self.store
                    .revoke_policy_grant(tenant.id, target, self.clock.now())
                    .await,
            )
            .await?)
    }

    async fn check_target(
        &self,
        tenant: &Tenant,
        target: GrantTarget,
    ) -> Result<(), DirectoryError> {
        match target {
            GrantTarget::User(user) => {
                self.store
                    .get_user(user)
                    .await?
                    .filter(|u| u.tenant_id == tenant.id)
                    .ok_or_else(|| {
                        DirectoryError::NotFound(format!("user {user} in tenant {}", tenant.id))
                    })?;
            }
            GrantTarget::Group { id, .. } => {
                self.store
                    .get_group(id)
                    .await?
                    .filter(|g| g.tenant_id == tenant.id)
                    .ok_or_else(|| {
                        DirectoryError::NotFound(format!("group {id} in tenant {}", tenant.id))
                    })?;
            }
            GrantTarget::Global => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_syntax() {
        assert!(valid_domain("contoso.onmicrosoft.com"));
        assert!(!valid_domain("contoso"));
        assert!(!valid_domain("-a.com"));
        assert!(!valid_domain("a..com"));
        assert!(!valid_domain("a b.com"));
    }

    #[test]
    fn slug_makes_a_domain_label() {
        assert_eq!(slug("Contoso Dev!"), "contosodev");
        assert_eq!(slug("!!!"), "tenant");
    }
}
