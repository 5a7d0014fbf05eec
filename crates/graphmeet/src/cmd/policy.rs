//! `graphmeet policy …`: Teams application access policies and their grants, named after
//! the `*-CsApplicationAccessPolicy` cmdlets.

use anyhow::Context as _;
use graphmeet_wire::admin::{GrantPolicy, NewPolicy, SetPolicy};
use graphmeet_wire::cmdlet;

use crate::args::{
    guid, parse_app_ids, GlobalArgs, GrantTargetArgs, PolicyCommand, TenantArg, UsageError,
};
use crate::connect;
use crate::output::{in_tenant, print, Explanation, PolicyRemoved};

/// The `--tenant` of a policy verb.
fn policy_tenant(cmd: &mut PolicyCommand) -> &mut TenantArg {
    match cmd {
        PolicyCommand::New { tenant, .. }
        | PolicyCommand::Set { tenant, .. }
        | PolicyCommand::Get { tenant, .. }
        | PolicyCommand::Remove { tenant, .. }
        | PolicyCommand::Grant { tenant, .. }
        | PolicyCommand::Revoke { tenant, .. }
        | PolicyCommand::Grants { tenant, .. }
        | PolicyCommand::Explain { tenant, .. } => tenant,
    }
}

/// Runs a `policy` verb.
pub async fn exec(global: &GlobalArgs, mut cmd: PolicyCommand) -> anyhow::Result<()> {
    // The server would take its only tenant too; asking here names the tenants when there
    // are several.
    let tenant = policy_tenant(&mut cmd);
    let mut early = None;
    if tenant.tenant.is_none() {
        let client = connect::admin(global)?;
        tenant.tenant = Some(connect::tenant_or_only(&client, None).await?);
        early = Some(client);
    }
    // One client per run: the one made for the tenant, or one made after the flags are checked.
    let client_once = || match early {
        Some(client) => Ok(client),
        None => connect::admin(global),
    };
    match cmd {
        PolicyCommand::New {
            identity,
            app_ids,
            description,
            tenant,
        } => {
            let app_ids = parse_app_ids("--app-ids", &app_ids)?;
            let client = client_once()?;
            let where_ = in_tenant(tenant.tenant.as_deref());
            let body = NewPolicy {
                tenant: tenant.tenant,
                // `Tag:Name` names the policy `Name`, as in every other verb.
                identity: cmdlet::strip_tag(&identity).to_owned(),
                app_ids,
                description,
            };
            let policy = client
                .new_policy(&body)
                .await
                .with_context(|| format!("creating policy '{identity}'{where_}"))?;
            print(&policy, global.output)
        }
        PolicyCommand::Set {
            identity,
            add_app_ids,
            remove_app_ids,
            replace_app_ids,
            description,
            tenant,
        } => {
            let some = |flag: &str, values: &[String]| -> Result<Option<Vec<String>>, UsageError> {
                if values.is_empty() {
                    Ok(None)
                } else {
                    parse_app_ids(flag, values).map(Some)
                }
            };
            let body = SetPolicy {
                add_app_ids: some("--add-app-ids", &add_app_ids)?,
                remove_app_ids: some("--remove-app-ids", &remove_app_ids)?,
                replace_app_ids: some("--replace-app-ids", &replace_app_ids)?,
                description,
                tenant: tenant.tenant,
            };
            let client = client_once()?;
            let policy = client.set_policy(&identity, &body).await.with_context(|| {
                format!(
                    "changing policy '{identity}'{}",
                    in_tenant(body.tenant.as_deref())
                )
            })?;
            print(&policy, global.output)
        }
        PolicyCommand::Get { identity, tenant } => {
            let client = client_once()?;
            let tenant = tenant.tenant;
            let policies = client
                .get_policies(tenant.as_deref(), identity.as_deref())
                .await
                .with_context(|| match &identity {
                    Some(identity) => {
                        format!(
                            "getting policy '{identity}'{}",
                            in_tenant(tenant.as_deref())
                        )
                    }
                    None => format!("listing policies{}", in_tenant(tenant.as_deref())),
                })?;
            print(&policies, global.output)
        }
        PolicyCommand::Remove { identity, tenant } => {
            let client = client_once()?;
            let tenant = tenant.tenant;
            client
                .remove_policy(&identity, tenant.as_deref())
                .await
                .with_context(|| {
                    format!(
                        "removing policy '{identity}'{}",
                        in_tenant(tenant.as_deref())
                    )
                })?;
            print(
                &PolicyRemoved {
                    identity,
                    removed: true,
                },
                global.output,
            )
        }
        PolicyCommand::Grant {
            policy_name,
            target,
            rank,
            tenant,
        } => {
            if rank.is_some() && target.group.is_none() {
                return Err(UsageError(
                    "--rank applies to a group grant only (with --group)".into(),
                )
                .into());
            }
            let (mut body, whom) = grant_body(target)?;
            body.tenant = tenant.tenant;
            body.policy_name = Some(policy_name.clone());
            body.rank = rank;
            let client = client_once()?;
            let grant = client.grant_policy(&body).await.with_context(|| {
                format!(
                    "granting policy '{policy_name}' to {whom}{}",
                    in_tenant(body.tenant.as_deref())
                )
            })?;
            print(&grant, global.output)
        }
        PolicyCommand::Revoke { target, tenant } => {
            let (mut body, whom) = grant_body(target)?;
            body.tenant = tenant.tenant;
            let client = client_once()?;
            let grant = client.grant_policy(&body).await.with_context(|| {
                format!(
                    "revoking the policy grant of {whom}{}",
                    in_tenant(body.tenant.as_deref())
                )
            })?;
            print(&grant, global.output)
        }
        PolicyCommand::Grants { tenant } => {
            let client = client_once()?;
            let tenant = tenant.tenant;
            let grants = client
                .list_policy_grants(tenant.as_deref())
                .await
                .with_context(|| {
                    format!("listing policy grants{}", in_tenant(tenant.as_deref()))
                })?;
            print(&grants, global.output)
        }
        PolicyCommand::Explain { app, user, tenant } => {
            let app = guid("--app", "application id", &app)?;
            let client = client_once()?;
            let tenant = tenant.tenant;
            let decision = client
                .explain_policy(tenant.as_deref(), &app, &user)
                .await
                .with_context(|| {
                    format!(
                        "explaining access of app '{app}' for user '{user}'{}",
                        in_tenant(tenant.as_deref())
                    )
                })?;
            print(&Explanation(decision), global.output)
        }
    }
}

/// The target part of a grant body (no policy, no tenant), and the target in words.
fn grant_body(target: GrantTargetArgs) -> Result<(GrantPolicy, String), UsageError> {
    let mut body = GrantPolicy::default();
    let whom = match (target.identity, target.group, target.global) {
        (Some(user), None, false) => {
            let whom = format!("user '{user}'");
            body.user = Some(user);
            whom
        }
        (None, Some(group), false) => {
            let group = guid("--group", "group id", &group)?;
            let whom = format!("group '{group}'");
            body.group = Some(group);
            whom
        }
        (None, None, true) => {
            body.global = true;
            "the whole tenant (global)".to_owned()
        }
        // clap enforces exactly one; this guards against the flags drifting apart.
        _ => {
            return Err(UsageError(
                "give exactly one of --identity USER, --group GROUP_ID or --global".into(),
            ))
        }
    };
    Ok((body, whom))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    const A: &str = "11111111-2222-3333-4444-555555555555";

    #[test]
    fn tags_are_stripped_from_policy_names() {
        assert_eq!(cmdlet::strip_tag("Tag:P"), "P");
        assert_eq!(cmdlet::strip_tag("tag:P:Q"), "P:Q");
        assert_eq!(cmdlet::strip_tag("P"), "P");
        assert_eq!(cmdlet::strip_tag("Other:P"), "Other:P");
    }

    #[test]
    fn grant_targets_are_exactly_one() {
        let target = |identity: Option<&str>, group: Option<&str>, global| GrantTargetArgs {
            identity: identity.map(str::to_owned),
            group: group.map(str::to_owned),
            global,
        };
        let (body, whom) = grant_body(target(Some("alice@x"), None, false)).unwrap();
        assert_eq!(body.user.as_deref(), Some("alice@x"));
        assert_eq!(whom, "user 'alice@x'");
        let (body, _) = grant_body(target(None, Some(&A.to_ascii_uppercase()), false)).unwrap();
        assert_eq!(body.group.as_deref(), Some(A));
        let (body, _) = grant_body(target(None, None, true)).unwrap();
        assert!(body.global && body.user.is_none() && body.group.is_none());
        assert!(grant_body(target(Some("u"), None, true)).is_err());
        assert!(grant_body(target(None, None, false)).is_err());
        let err = grant_body(target(None, Some("g"), false)).unwrap_err();
        assert!(err.to_string().contains("'g'"), "{err}");
    }
}
