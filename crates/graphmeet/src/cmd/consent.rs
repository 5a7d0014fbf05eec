//! `graphmeet consent …`: grant and revoke admin consent for Graph application permissions.

use anyhow::Context as _;
use graphmeet_wire::admin::{GrantConsent, RevokeConsent};

use crate::args::{guid, parse_roles, ConsentCommand, GlobalArgs};
use crate::connect;
use crate::output::print;

/// Runs a `consent` verb.
pub async fn exec(global: &GlobalArgs, cmd: ConsentCommand) -> anyhow::Result<()> {
    match cmd {
        ConsentCommand::Revoke {
            tenant,
            app_id,
            roles,
        } => {
            let roles = parse_roles(&roles)?;
            let app_id = guid("--app-id", "application id", &app_id)?;
            let client = connect::admin(global)?;
            let tenant = connect::tenant_or_only(&client, tenant).await?;
            let body = RevokeConsent {
                tenant: tenant.clone(),
                app_id: app_id.clone(),
                roles,
            };
            let sp = client.revoke_consent(&body).await.with_context(|| {
                format!("revoking consent of app '{app_id}' in tenant '{tenant}'")
            })?;
            print(&sp, global.output)
        }
        ConsentCommand::Grant {
            tenant,
            app_id,
            roles,
        } => {
            let roles = parse_roles(&roles)?;
            let client = connect::admin(global)?;
            let tenant = connect::tenant_or_only(&client, tenant).await?;
            let body = GrantConsent {
                tenant: tenant.clone(),
                app_id: app_id.clone(),
                roles,
            };
            let sp = client.grant_consent(&body).await.with_context(|| {
                format!("granting consent to app '{app_id}' in tenant '{tenant}'")
            })?;
            print(&sp, global.output)
        }
    }
}
