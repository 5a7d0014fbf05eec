//! Users: create (with Entra's UPN rules), update, find by id or UPN, delete, list.

use super::{Directory, DirectoryError};

use crate::crypto::{self};
use crate::model::*;
use uuid::Uuid;

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

impl Directory {
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

    /// The users of a tenant, oldest first.
    pub async fn users(&self, tenant: &Tenant) -> Result<Vec<User>, DirectoryError> {
        Ok(self.store.list_users(tenant.id).await?)
    }
}
