//! `graphmeet exchange-policy …` (the *-ApplicationAccessPolicy cmdlets).

use super::*;

/// `graphmeet exchange-policy …`, named after Exchange Online's cmdlets.
#[derive(Debug, Subcommand)]
pub enum ExchangePolicyCommand {
    /// New-ApplicationAccessPolicy: restrict (or deny) app-only mailbox access of apps to a
    /// mail-enabled security group.
    New {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
        /// App ids, comma-separated, or * for every app.
        #[arg(
            long,
            required = true,
            value_delimiter = ',',
            value_name = "APP_ID[,…]"
        )]
        app_ids: Vec<String>,
        /// The group (object id or name).
        #[arg(long, value_name = "GROUP")]
        scope: String,
        /// RestrictAccess or DenyAccess.
        #[arg(long, value_name = "RIGHT")]
        access_right: String,
        /// A description [default: Exchange's generated one].
        #[arg(long)]
        description: Option<String>,
    },
    /// Get-ApplicationAccessPolicy: the tenant's live policies.
    Get {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
        /// A policy's Identity (an unknown one lists all, as Exchange does).
        #[arg(long)]
        identity: Option<String>,
    },
    /// Set-ApplicationAccessPolicy: change a policy's description.
    Set {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
        /// The policy's Identity.
        #[arg(long)]
        identity: String,
        /// The new description.
        #[arg(long)]
        description: String,
    },
    /// Remove-ApplicationAccessPolicy.
    Remove {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
        /// The policy's Identity.
        #[arg(long)]
        identity: String,
    },
    /// Test-ApplicationAccessPolicy: may the app reach the user's mailbox?
    Test {
        /// The tenant.
        #[command(flatten)]
        tenant: TenantArg,
        /// The mailbox's user: object id or UPN.
        #[arg(long)]
        identity: String,
        /// The application (client) id.
        #[arg(long)]
        app_id: String,
    },
}
