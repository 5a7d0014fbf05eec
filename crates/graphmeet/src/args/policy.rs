//! `graphmeet policy …` (the *-CsApplicationAccessPolicy cmdlets) and the targets of a grant.

use super::*;

/// `graphmeet policy …`, named after the Teams PowerShell cmdlets.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Create a policy listing the apps it allows (New-CsApplicationAccessPolicy).
    New {
        /// The policy's name (`Name` or `Tag:Name`).
        #[arg(long, value_name = "POLICY")]
        identity: String,
        /// Application (client) ids, comma-separated; may repeat.
        #[arg(long, required = true, value_name = "APP_ID[,APP_ID…]")]
        app_ids: Vec<String>,
        /// A description.
        #[arg(long)]
        description: Option<String>,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Change a policy's apps (one of --add-app-ids, --remove-app-ids, --replace-app-ids)
    /// and/or its description (Set-CsApplicationAccessPolicy).
    #[command(group(
        ArgGroup::new("change")
            .args(["add_app_ids", "remove_app_ids", "replace_app_ids", "description"])
            .required(true)
            .multiple(true)
    ))]
    Set {
        /// The policy (`Name` or `Tag:Name`).
        #[arg(long, value_name = "POLICY")]
        identity: String,
        /// Application ids to add (-AppIds @{Add=…}), comma-separated; may repeat.
        #[arg(
            long,
            value_name = "APP_ID[,APP_ID…]",
            conflicts_with_all = ["remove_app_ids", "replace_app_ids"]
        )]
        add_app_ids: Vec<String>,
        /// Application ids to remove (-AppIds @{Remove=…}), comma-separated; may repeat.
        #[arg(
            long,
            value_name = "APP_ID[,APP_ID…]",
            conflicts_with = "replace_app_ids"
        )]
        remove_app_ids: Vec<String>,
        /// The complete new list of application ids (-AppIds @{Replace=…}), comma-separated;
        /// may repeat.
        #[arg(long, value_name = "APP_ID[,APP_ID…]")]
        replace_app_ids: Vec<String>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Show one policy, or every policy of the tenant (Get-CsApplicationAccessPolicy).
    Get {
        /// The policy (`Name` or `Tag:Name`) [default: every policy]
        #[arg(long, value_name = "POLICY")]
        identity: Option<String>,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Remove a policy; its grants end (Remove-CsApplicationAccessPolicy).
    Remove {
        /// The policy (`Name` or `Tag:Name`).
        #[arg(long, value_name = "POLICY")]
        identity: String,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Grant a policy to a user, a group or the whole tenant; the target's previous grant
    /// ends (Grant-CsApplicationAccessPolicy).
    Grant {
        /// The policy (`Name` or `Tag:Name`).
        #[arg(long, value_name = "POLICY")]
        policy_name: String,
        /// Whom to grant it to.
        #[command(flatten)]
        target: GrantTargetArgs,
        /// The group grant's rank: among a user's groups the lowest rank wins [default: 1]
        #[arg(long)]
        rank: Option<i64>,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// End a user's, a group's or the global grant
    /// (Grant-CsApplicationAccessPolicy -PolicyName $null).
    Revoke {
        /// Whose grant to end.
        #[command(flatten)]
        target: GrantTargetArgs,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// List the live grants.
    Grants {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Explain whether an app may act for a user now, and why; exits 0 whether allowed or
    /// denied.
    Explain {
        /// The application (client) id.
        #[arg(long, value_name = "APP_ID")]
        app: String,
        /// The user, by object id or UPN.
        #[arg(long, value_name = "USER")]
        user: String,
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
    },
}

/// Exactly one target of a grant: `-Identity`, `-Group` or `-Global`.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct GrantTargetArgs {
    /// A user, by object id or UPN (-Identity).
    #[arg(long, value_name = "USER")]
    pub identity: Option<String>,
    /// A group, by object id (-Group).
    #[arg(long, value_name = "GROUP_ID")]
    pub group: Option<String>,
    /// The whole tenant (-Global).
    #[arg(long)]
    pub global: bool,
}
