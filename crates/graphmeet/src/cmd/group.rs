//! `graphmeet group …`: security groups and their members.

use anyhow::Context as _;
use graphmeet_wire::admin::{CreateGroup, GroupView};
use serde::Serialize;

use crate::args::{guid, GlobalArgs, GroupCommand};
use crate::connect;
use crate::output::{print, table, Deleted, MemberChange, Render};

/// Runs a `group` verb.
pub async fn exec(global: &GlobalArgs, cmd: GroupCommand) -> anyhow::Result<()> {
    match cmd {
        GroupCommand::List { tenant } => {
            let client = connect::admin(global)?;
            let tenant = connect::tenant_or_only(&client, tenant).await?;
            let groups = client
                .list_groups(&tenant)
                .await
                .with_context(|| format!("listing the groups of tenant '{tenant}'"))?;
            print(&Groups(groups), global.output)
        }
        GroupCommand::Members { group } => {
            let group = guid("--group", "group id", &group)?;
            let client = connect::admin(global)?;
            let members = client
                .list_group_members(&group)
                .await
                .with_context(|| format!("listing the members of group '{group}'"))?;
            print(&members, global.output)
        }
        GroupCommand::Delete { group } => {
            let group = guid("--group", "group id", &group)?;
            let client = connect::admin(global)?;
            client
                .delete_group(&group)
                .await
                .with_context(|| format!("deleting group '{group}'"))?;
            print(&Deleted::new("group", group), global.output)
        }
        GroupCommand::Create { tenant, name } => {
            let client = connect::admin(global)?;
            let tenant = connect::tenant_or_only(&client, tenant).await?;
            let body = CreateGroup {
                tenant: tenant.clone(),
                display_name: name.clone(),
            };
            let group = client
                .create_group(&body)
                .await
                .with_context(|| format!("creating group '{name}' in tenant '{tenant}'"))?;
            print(&group, global.output)
        }
        GroupCommand::AddMember { group, user } => {
            let group = guid("--group", "group id", &group)?;
            let user = guid("--user", "user id", &user)?;
            let client = connect::admin(global)?;
            client
                .add_group_member(&group, &user)
                .await
                .with_context(|| format!("adding user '{user}' to group '{group}'"))?;
            print(
                &MemberChange {
                    group_id: group,
                    user_id: user,
                    member: true,
                },
                global.output,
            )
        }
        GroupCommand::RemoveMember { group, user } => {
            let group = guid("--group", "group id", &group)?;
            let user = guid("--user", "user id", &user)?;
            let client = connect::admin(global)?;
            client
                .remove_group_member(&group, &user)
                .await
                .with_context(|| format!("removing user '{user}' from group '{group}'"))?;
            print(
                &MemberChange {
                    group_id: group,
                    user_id: user,
                    member: false,
                },
                global.output,
            )
        }
    }
}

/// The groups of `group list`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Groups(pub Vec<GroupView>);

impl Render for Groups {
    fn table(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|g| vec![g.id.clone(), g.display_name.clone()])
            .collect();
        table(&["ID", "NAME"], &rows)
    }
}
