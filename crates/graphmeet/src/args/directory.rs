//! The directory's nouns: `tenant`, `user`, `app`, `consent`, `keys` and `group`.

use super::*;

/// `graphmeet tenant …`.
#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Delete a tenant with everything in it: users, groups, apps, consents, policies,
    /// meetings.
    Delete {
        /// The tenant, by id or domain.
        #[arg(long)]
        tenant: String,
    },
    /// Create a tenant.
    Create {
        /// The tenant's name.
        #[arg(long)]
        name: String,
        /// Its initial domain [default: NAME.onmicrosoft.com]
        #[arg(long)]
        domain: Option<String>,
    },
    /// List every tenant.
    List,
}

/// `graphmeet user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Delete a user with its meetings, group memberships and policy grants.
    Delete {
        /// The user, by object id or UPN.
        #[arg(long, value_name = "USER")]
        user: String,
    },
    /// Create a user.
    Create {
        /// The tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
        /// The user principal name, e.g. alice@contoso.onmicrosoft.com.
        #[arg(long)]
        upn: String,
        /// The display name [default: the UPN's alias]
        #[arg(long)]
        display_name: Option<String>,
        /// A password for delegated sign-in (grant_type=password); read from
        /// GRAPHMEET_USER_PASSWORD so it stays out of shell history.
        #[arg(long, env = "GRAPHMEET_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[command(flatten)]
        account: AccountArgs,
    },
    /// Change a user's display name or account state (enabled, member or guest, licences,
    /// mail); what is not given stays.
    Update {
        /// The user, by object id or UPN.
        #[arg(long)]
        user: String,
        /// The display name.
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        account: AccountArgs,
    },
    /// List a tenant's users.
    List {
        /// The tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
    },
}

/// A user's account state: what Teams checks before the user may organise a meeting.
#[derive(Debug, Clone, Default, Args)]
pub struct AccountArgs {
    /// Whether the account is enabled (accountEnabled) [default for a new user: true]
    #[arg(long, value_name = "BOOL")]
    pub account_enabled: Option<bool>,
    /// member or guest (userType) [default for a new user: member]
    #[arg(long, value_name = "TYPE", value_parser = ["member", "guest", "Member", "Guest"])]
    pub user_type: Option<String>,
    /// Whether the user has a licence with Microsoft Teams [default for a new user: true]
    #[arg(long, value_name = "BOOL")]
    pub teams_license: Option<bool>,
    /// Whether the user has an Audio Conferencing licence (dial-in details on their meetings)
    /// [default for a new user: true]
    #[arg(long, value_name = "BOOL")]
    pub audio_conferencing: Option<bool>,
    /// The primary email address; "" for none [default for a new user: the UPN]
    #[arg(long, value_name = "ADDRESS")]
    pub mail: Option<String>,
}

/// `graphmeet app …`.
#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// List an app's client secrets (never their values) and certificates, with their
    /// validity.
    Credentials {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
    },
    /// Remove a client secret; it gets no token from then on.
    RemoveSecret {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// The secret's key id (see `app credentials`).
        #[arg(long)]
        key_id: String,
    },
    /// Remove a certificate credential.
    RemoveCert {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// The certificate's key id (see `app credentials`).
        #[arg(long)]
        key_id: String,
    },
    /// Delete an app registration with its credentials and service principals; policies keep
    /// listing its id.
    Delete {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
    },
    /// Register an application.
    Create {
        /// The home tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
        /// The display name.
        #[arg(long)]
        name: String,
        /// Let other tenants consent to the app.
        #[arg(long)]
        multi_tenant: bool,
        /// Allow public client flows: the app may use the password grant without a client
        /// secret (Entra's isFallbackPublicClient; off by default, as in Entra).
        #[arg(long)]
        allow_public_client: bool,
    },
    /// Change an app registration's settings.
    Update {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// Allow public client flows (true) or require a client secret on the password grant
        /// (false).
        #[arg(long, value_name = "true|false", required = true, action = clap::ArgAction::Set, value_parser = BoolishValueParser::new())]
        allow_public_client: Option<bool>,
    },
    /// List every app registration.
    List,
    /// Add a client secret; it is printed once and cannot be shown again.
    AddSecret {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// A label for the secret.
        #[arg(long)]
        name: Option<String>,
        /// Days until the secret expires [default: 730]
        #[arg(long)]
        days: Option<i64>,
    },
    /// Add a certificate credential: register --pem, or have the server generate one and
    /// write its private key to --out.
    AddCert {
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// A certificate (PEM) to register; any private key in the file is not sent.
        #[arg(long, value_name = "FILE")]
        pem: Option<PathBuf>,
        /// Days of validity of a generated certificate [default: 365]
        #[arg(long)]
        days: Option<i64>,
        /// Where to write a generated certificate and its private key (mode 0600)
        /// [default: ./APP_ID.pem]
        #[arg(long, value_name = "FILE", conflicts_with = "pem")]
        out: Option<PathBuf>,
    },
}

/// `graphmeet consent …`.
#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Remove Graph app roles from an app in a tenant; the service principal stays.
    Revoke {
        /// The tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// Graph application permissions to remove, comma-separated; may repeat.
        #[arg(long, required = true, value_name = "ROLE[,ROLE…]")]
        roles: Vec<String>,
    },
    /// Grant admin consent for Graph app roles to an app in a tenant.
    Grant {
        /// The consenting tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
        /// Graph application permissions, comma-separated; may repeat
        /// (e.g. OnlineMeetings.ReadWrite.All).
        #[arg(long, required = true, value_name = "ROLE[,ROLE…]")]
        roles: Vec<String>,
    },
}

/// `graphmeet keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new token-signing key; older keys stay published.
    Rotate,
}

/// `graphmeet group …`.
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// List a tenant's security groups.
    List {
        /// The tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
    },
    /// List a group's members.
    Members {
        /// The group's object id.
        #[arg(long, value_name = "GROUP_ID")]
        group: String,
    },
    /// Delete a group with its memberships and policy grants.
    Delete {
        /// The group's object id.
        #[arg(long, value_name = "GROUP_ID")]
        group: String,
    },
    /// Create a security group.
    Create {
        /// The tenant, by id or domain [default: the server's only tenant]
        #[arg(long)]
        tenant: Option<String>,
        /// The group's display name.
        #[arg(long)]
        name: String,
    },
    /// Add a user to a group.
    AddMember {
        /// The group's object id.
        #[arg(long, value_name = "GROUP_ID")]
        group: String,
        /// The user's object id.
        #[arg(long, value_name = "USER_ID")]
        user: String,
    },
    /// Remove a user from a group.
    RemoveMember {
        /// The group's object id.
        #[arg(long, value_name = "GROUP_ID")]
        group: String,
        /// The user's object id.
        #[arg(long, value_name = "USER_ID")]
        user: String,
    },
}
