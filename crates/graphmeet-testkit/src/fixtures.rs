//! Typed fixture builders on the admin API: tenants, users, groups, apps with a secret and admin
//! consent, Teams application access policies and their grants.
//!
//! Each builder names what a test usually needs and defaults the rest as an admin would; each
//! `create` calls the admin API once per object (through [`AdminClient`]) and returns the
//! server's view of it, so a test states its setup in its own terms:
//!
//! ```no_run
//! # async fn example() {
//! let server = graphmeet_testkit::TestServer::start().await;
//! let contoso = server.new_tenant("Contoso").domain("contoso.example").create().await;
//! let alice = contoso.user("alice").create().await;
//! let app = contoso
//!     .app("Scheduler")
//!     .consent(&["OnlineMeetings.ReadWrite.All"])
//!     .create()
//!     .await;
//! let policy = contoso.policy("Schedulers").app(&app.view.app_id).create().await;
//! policy.grant_to_user(&alice.id).await;
//! let client = server.client(&app.view.app_id, app.credential());
//! # }
//! ```
//!
//! Every failure panics with the admin API's answer: a fixture that cannot be made ends the
//! test.

use graphmeet_client::{AdminClient, ClientCredential};
use graphmeet_wire::admin::{
    AddSecret, AppView, CreateApp, CreateGroup, CreateTenant, CreateUser, GrantConsent,
    GrantPolicy, GrantView, GroupView, NewPolicy, PolicyView, SecretCreated, UserView,
};

/// The Graph permission an app needs to create meetings as an application.
pub const ONLINE_MEETINGS_READ_WRITE_ALL: &str = "OnlineMeetings.ReadWrite.All";

fn fail(what: &str, err: impl std::fmt::Display) -> ! {
    panic!("the fixture {what} could not be made: {err}")
}

/// A tenant to be created (see [`crate::TestServer::new_tenant`]).
#[must_use = "a builder does nothing until `create`"]
pub struct TenantBuilder<'a> {
    admin: &'a AdminClient,
    body: CreateTenant,
}

impl<'a> TenantBuilder<'a> {
    /// A tenant named `display_name`, with the server's default domain.
    pub fn new(admin: &'a AdminClient, display_name: &str) -> TenantBuilder<'a> {
        TenantBuilder {
            admin,
            body: CreateTenant {
                display_name: display_name.to_owned(),
                domain: None,
            },
        }
    }

    /// Its verified domain (`contoso.onmicrosoft.com`), which user names end in.
    pub fn domain(mut self, domain: &str) -> Self {
        self.body.domain = Some(domain.to_owned());
        self
    }

    /// Creates it (`POST /admin/tenants`).
    pub async fn create(self) -> TenantFixture<'a> {
        let view = self
            .admin
            .create_tenant(&self.body)
            .await
            .unwrap_or_else(|e| fail(&format!("tenant {}", self.body.display_name), e));
        let domain = view
            .domains
            .first()
            .cloned()
            .unwrap_or_else(|| view.id.clone());
        TenantFixture {
            admin: self.admin,
            id: view.id,
            domain,
        }
    }
}

/// A tenant that exists, to make users, apps and policies in.
#[derive(Clone)]
pub struct TenantFixture<'a> {
    admin: &'a AdminClient,
    /// The tenant id.
    pub id: String,
    /// Its first domain: `alias` in [`TenantFixture::user`] becomes `alias@domain`.
    pub domain: String,
}

impl<'a> TenantFixture<'a> {
    /// A tenant that exists already (e.g. the dev tenant), by id and domain.
    pub fn existing(admin: &'a AdminClient, id: String, domain: String) -> TenantFixture<'a> {
        TenantFixture { admin, id, domain }
    }

    /// A user: `name` is a UPN, or an alias of the tenant's domain when it has no `@`. Licensed
    /// for Teams, enabled, a member, with no password, unless the builder says otherwise.
    pub fn user(&self, name: &str) -> UserBuilder<'a> {
        let upn = if name.contains('@') {
            name.to_owned()
        } else {
            format!("{name}@{}", self.domain)
        };
        UserBuilder {
            admin: self.admin,
            body: CreateUser {
                tenant: self.id.clone(),
                upn,
                ..CreateUser::default()
            },
        }
    }

    /// A security group named `display_name` (`POST /admin/groups`) with `members` (object ids).
    pub async fn group(&self, display_name: &str, members: &[&str]) -> GroupView {
        let what = format!("group {display_name}");
        let group = self
            .admin
            .create_group(&CreateGroup {
                tenant: self.id.clone(),
                display_name: display_name.to_owned(),
            })
            .await
            .unwrap_or_else(|e| fail(&what, e));
        for member in members {
            self.admin
                .add_group_member(&group.id, member)
                .await
                .unwrap_or_else(|e| fail(&what, e));
        }
        group
    }

    /// An app registered in this tenant, with a client secret, and no consent until the
    /// builder asks for it.
    pub fn app(&self, display_name: &str) -> AppBuilder<'a> {
        AppBuilder {
            admin: self.admin,
            tenant: self.id.clone(),
            body: CreateApp {
                tenant: self.id.clone(),
                display_name: display_name.to_owned(),
                multi_tenant: false,
                allow_public_client: false,
            },
            secret: true,
            roles: Vec::new(),
        }
    }

    /// A Teams application access policy named `identity` in this tenant, listing no app
    /// until the builder adds some (`New-CsApplicationAccessPolicy`).
    pub fn policy(&self, identity: &str) -> PolicyBuilder<'a> {
        PolicyBuilder {
            admin: self.admin,
            tenant: self.id.clone(),
            body: NewPolicy {
                tenant: Some(self.id.clone()),
                identity: identity.to_owned(),
                app_ids: Vec::new(),
                description: None,
            },
        }
    }

    /// Grants admin consent for `roles` to `app_id` (its own or another tenant's app) in this
    /// tenant (`POST /admin/consents`).
    pub async fn consent(&self, app_id: &str, roles: &[&str]) {
        self.admin
            .grant_consent(&GrantConsent {
                tenant: self.id.clone(),
                app_id: app_id.to_owned(),
                roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            })
            .await
            .unwrap_or_else(|e| fail(&format!("consent for {app_id}"), e));
    }
}

/// A user to be created (see [`TenantFixture::user`]).
#[must_use = "a builder does nothing until `create`"]
pub struct UserBuilder<'a> {
    admin: &'a AdminClient,
    body: CreateUser,
}

impl UserBuilder<'_> {
    /// The display name (default: the UPN's alias, as the server chooses).
    pub fn display_name(mut self, name: &str) -> Self {
        self.body.display_name = Some(name.to_owned());
        self
    }

    /// A password, so the user can sign in (ROPC and the authorization-code flow).
    pub fn password(mut self, password: &str) -> Self {
        self.body.password = Some(password.to_owned());
        self
    }

    /// Whether the user has a Teams licence (default yes; an organizer without one gets
    /// Graph's 403).
    pub fn teams_license(mut self, licensed: bool) -> Self {
        self.body.teams_license = Some(licensed);
        self
    }

    /// Whether the account is enabled (default yes).
    pub fn account_enabled(mut self, enabled: bool) -> Self {
        self.body.account_enabled = Some(enabled);
        self
    }

    /// `Member` (default) or `Guest`.
    pub fn user_type(mut self, user_type: &str) -> Self {
        self.body.user_type = Some(user_type.to_owned());
        self
    }

    /// Creates the user (`POST /admin/users`).
    pub async fn create(self) -> UserView {
        self.admin
            .create_user(&self.body)
            .await
            .unwrap_or_else(|e| fail(&format!("user {}", self.body.upn), e))
    }
}

/// An app registration to be created (see [`TenantFixture::app`]).
#[must_use = "a builder does nothing until `create`"]
pub struct AppBuilder<'a> {
    admin: &'a AdminClient,
    tenant: String,
    body: CreateApp,
    secret: bool,
    roles: Vec<String>,
}

impl AppBuilder<'_> {
    /// Multi-tenant (`AzureADMultipleOrgs`): other tenants may consent to it.
    pub fn multi_tenant(mut self) -> Self {
        self.body.multi_tenant = true;
        self
    }

    /// "Allow public client flows" on (ROPC and the device-code flow).
    pub fn public_client(mut self) -> Self {
        self.body.allow_public_client = true;
        self
    }

    /// No client secret.
    pub fn without_secret(mut self) -> Self {
        self.secret = false;
        self
    }

    /// Admin consent in the home tenant for these Graph application permissions (app roles),
    /// e.g. [`ONLINE_MEETINGS_READ_WRITE_ALL`].
    pub fn consent(mut self, roles: &[&str]) -> Self {
        self.roles = roles.iter().map(|r| (*r).to_owned()).collect();
        self
    }

    /// Registers the app, adds its secret and grants the consent asked for.
    pub async fn create(self) -> AppFixture {
        let what = format!("app {}", self.body.display_name);
        let view = self
            .admin
            .create_app(&self.body)
            .await
            .unwrap_or_else(|e| fail(&what, e));
        let secret = if self.secret {
            Some(
                self.admin
                    .add_secret(&view.app_id, &AddSecret::default())
                    .await
                    .unwrap_or_else(|e| fail(&what, e)),
            )
        } else {
            None
        };
        if !self.roles.is_empty() {
            self.admin
                .grant_consent(&GrantConsent {
                    tenant: self.tenant.clone(),
                    app_id: view.app_id.clone(),
                    roles: self.roles.clone(),
                })
                .await
                .unwrap_or_else(|e| fail(&what, e));
        }
        AppFixture { view, secret }
    }
}

/// An app registration the server made.
#[derive(Debug, Clone)]
pub struct AppFixture {
    /// The app as the admin API shows it (`app_id` is the client id).
    pub view: AppView,
    /// Its client secret, unless made [`AppBuilder::without_secret`].
    pub secret: Option<SecretCreated>,
}

impl AppFixture {
    /// The client id.
    pub fn app_id(&self) -> &str {
        &self.view.app_id
    }

    /// The secret's value.
    ///
    /// # Panics
    ///
    /// When the app was made without one.
    pub fn secret_text(&self) -> &str {
        match &self.secret {
            Some(secret) => &secret.secret_text,
            None => panic!("the app {} has no client secret", self.view.app_id),
        }
    }

    /// Its client secret as a `graphmeet-client` credential.
    pub fn credential(&self) -> ClientCredential {
        ClientCredential::secret(self.secret_text())
    }
}

/// A Teams application access policy to be created (see [`TenantFixture::policy`]).
#[must_use = "a builder does nothing until `create`"]
pub struct PolicyBuilder<'a> {
    admin: &'a AdminClient,
    tenant: String,
    body: NewPolicy,
}

impl<'a> PolicyBuilder<'a> {
    /// Lists `app_id` in the policy (`-AppIds`).
    pub fn app(mut self, app_id: &str) -> Self {
        self.body.app_ids.push(app_id.to_owned());
        self
    }

    /// Its description.
    pub fn description(mut self, description: &str) -> Self {
        self.body.description = Some(description.to_owned());
        self
    }

    /// Creates it (`POST /admin/policies`).
    pub async fn create(self) -> PolicyFixture<'a> {
        let view = self
            .admin
            .new_policy(&self.body)
            .await
            .unwrap_or_else(|e| fail(&format!("policy {}", self.body.identity), e));
        PolicyFixture {
            admin: self.admin,
            tenant: self.tenant,
            view,
        }
    }
}

/// A policy that exists, to grant.
pub struct PolicyFixture<'a> {
    admin: &'a AdminClient,
    tenant: String,
    /// The policy as the admin API shows it.
    pub view: PolicyView,
}

impl PolicyFixture<'_> {
    async fn grant(&self, user: Option<&str>, group: Option<&str>, global: bool) -> GrantView {
        self.admin
            .grant_policy(&GrantPolicy {
                tenant: Some(self.tenant.clone()),
                policy_name: Some(self.view.name.clone()),
                user: user.map(str::to_owned),
                group: group.map(str::to_owned),
                rank: None,
                global,
            })
            .await
            .unwrap_or_else(|e| fail(&format!("grant of {}", self.view.name), e))
    }

    /// Grants it to a user, by object id or UPN (`Grant-CsApplicationAccessPolicy -Identity`).
    pub async fn grant_to_user(&self, user: &str) -> GrantView {
        self.grant(Some(user), None, false).await
    }

    /// Grants it to a group, by object id (`-Group`), at the lowest rank.
    pub async fn grant_to_group(&self, group: &str) -> GrantView {
        self.grant(None, Some(group), false).await
    }

    /// Grants it to the whole tenant (`-Global`).
    pub async fn grant_global(&self) -> GrantView {
        self.grant(None, None, true).await
    }
}
