//! `graphmeet user …`: create, change, list and delete users.

use anyhow::Context as _;
use graphmeet_wire::admin::{CreateUser, UpdateUser};

use crate::args::{GlobalArgs, UserCommand};
use crate::connect;
use crate::output::{print, Deleted};

/// Runs a `user` verb.
pub async fn exec(global: &GlobalArgs, cmd: UserCommand) -> anyhow::Result<()> {
    let client = connect::admin(global)?;
    match cmd {
        UserCommand::Delete { user } => {
            client
                .delete_user(&user)
                .await
                .with_context(|| format!("deleting user '{user}'"))?;
            print(&Deleted::new("user", user), global.output)
        }
        UserCommand::Create {
            tenant,
            upn,
            display_name,
            password,
            account,
        } => {
            let tenant = connect::tenant_or_only(&client, tenant).await?;
            let body = CreateUser {
                tenant: tenant.clone(),
                upn: upn.clone(),
                display_name,
                password,
                account_enabled: account.account_enabled,
                user_type: account.user_type,
                teams_license: account.teams_license,
                audio_conferencing: account.audio_conferencing,
                mail: account.mail,
            };
            let user = client
                .create_user(&body)
                .await
                .with_context(|| format!("creating user '{upn}' in tenant '{tenant}'"))?;
            print(&user, global.output)
        }
        UserCommand::Update {
            user,
            display_name,
            account,
        } => {
            let body = UpdateUser {
                display_name,
                account_enabled: account.account_enabled,
                user_type: account.user_type,
                teams_license: account.teams_license,
                audio_conferencing: account.audio_conferencing,
                mail: account.mail,
            };
            let user_view = client
                .update_user(&user, &body)
                .await
                .with_context(|| format!("updating user '{user}'"))?;
            print(&user_view, global.output)
        }
        UserCommand::List { tenant } => {
            let tenant = connect::tenant_or_only(&client, tenant).await?;
            let users = client
                .list_users(&tenant)
                .await
                .with_context(|| format!("listing the users of tenant '{tenant}'"))?;
            print(&users, global.output)
        }
    }
}
