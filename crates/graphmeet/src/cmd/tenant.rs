//! `graphmeet tenant …`: create, list and delete tenants.

use anyhow::Context as _;
use graphmeet_wire::admin::CreateTenant;

use crate::args::{GlobalArgs, TenantCommand};
use crate::connect;
use crate::output::{print, Deleted};

/// Runs a `tenant` verb.
pub async fn exec(global: &GlobalArgs, cmd: TenantCommand) -> anyhow::Result<()> {
    let client = connect::admin(global)?;
    match cmd {
        TenantCommand::Delete { tenant } => {
            client
                .delete_tenant(&tenant)
                .await
                .with_context(|| format!("deleting tenant '{tenant}'"))?;
            print(&Deleted::new("tenant", tenant), global.output)
        }
        TenantCommand::Create { name, domain } => {
            let body = CreateTenant {
                display_name: name.clone(),
                domain,
            };
            let tenant = client
                .create_tenant(&body)
                .await
                .with_context(|| format!("creating tenant '{name}'"))?;
            print(&tenant, global.output)
        }
        TenantCommand::List => {
            let tenants = client.list_tenants().await.context("listing tenants")?;
            print(&tenants, global.output)
        }
    }
}
