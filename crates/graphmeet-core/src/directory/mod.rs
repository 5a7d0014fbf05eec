//! Administration of the directory: tenants, users, groups, app registrations, their
//! credentials, and admin consent. Ids are made here; the rules Entra applies to input
//! (domain syntax, a UPN's domain belonging to its tenant, who may consent) are checked here.
//!
//! This file owns the [`Directory`] service, its errors and tenants; each other resource has its
//! file: `users`, `groups`, `apps` (registrations, credentials, consent), `policies`
//! (application access policies and their grants).

mod apps;
mod groups;
mod policies;
mod users;

use crate::clock::Clock;
use crate::crypto::{self};
use crate::index::DirectoryIndex;
use crate::model::*;
use crate::store::{Store, StoreError};
use std::sync::Arc;
use uuid::Uuid;

pub use apps::{
    canonical_roles, Credentials, NewApp, NewCertificate, NewSecret, MIN_GIVEN_SECRET_LEN,
};
pub use policies::AppIdsChange;
pub use users::UserChanges;

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
}

impl Directory {
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

    /// Every tenant, oldest first.
    pub async fn tenants(&self) -> Result<Vec<Tenant>, DirectoryError> {
        Ok(self.store.list_tenants().await?)
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

#[cfg(test)]
mod tests;
