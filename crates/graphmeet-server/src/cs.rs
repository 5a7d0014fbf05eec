//! `POST /admin/cs`: the Teams PowerShell lines an admin copies from Microsoft's docs
//! (`New-`, `Set-`, `Get-`, `Remove-`, `Grant-CsApplicationAccessPolicy`, `Get-CsOnlineUser`),
//! run verbatim against a tenant, with output in PowerShell's list layout.
//!
//! Parsing is `graphmeet_wire::cmdlet`'s; this module only carries the statements out, one
//! after the other, stopping at the first that fails (as a terminating error would).

use crate::admin::{AdminFailure, AdminJson};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use graphmeet_core::directory::{AppIdsChange, DirectoryError};
use graphmeet_core::exchange::{self, NewExchangePolicy};
use graphmeet_core::policy::ExchangeAccessRight;
use graphmeet_core::{GrantTarget, Tenant};
use graphmeet_wire::admin::{RunScript, ScriptOutput};
use graphmeet_wire::cmdlet::{self, Cmdlet};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The route, merged into the admin routes (behind the admin key).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(run_script))
}

fn app_ids(ids: &[String]) -> Result<Vec<Uuid>, DirectoryError> {
    ids.iter()
        .map(|id| {
            Uuid::parse_str(id.trim()).map_err(|_| {
                DirectoryError::Invalid(format!("'{id}' is not a valid application id (a GUID)"))
            })
        })
        .collect()
}

fn change(apps: &cmdlet::AppIdsChange) -> Result<AppIdsChange, DirectoryError> {
    Ok(match apps {
        cmdlet::AppIdsChange::Add(ids) => AppIdsChange::Add(app_ids(ids)?),
        cmdlet::AppIdsChange::Remove(ids) => AppIdsChange::Remove(app_ids(ids)?),
        cmdlet::AppIdsChange::Replace(ids) => AppIdsChange::Replace(app_ids(ids)?),
    })
}

/// PowerShell's `-like` (`*`, `?`, `[a-z]`, backtick escapes), ignoring case.
fn like(pattern: &str, text: &str) -> bool {
    cmdlet::wildcard::like(pattern, text)
}

struct Runner<'a> {
    state: &'a AppState,
    tenant: Tenant,
    out: Vec<Vec<(String, String)>>,
    notes: Vec<String>,
    /// The session id Exchange's `Get-` cmdlets print first.
    runspace: Uuid,
}

impl Runner<'_> {
    fn tid(&self) -> String {
        self.tenant.id.to_string()
    }

    async fn grant_target(
        &self,
        target: &cmdlet::GrantTarget,
    ) -> Result<GrantTarget, DirectoryError> {
        Ok(match target {
            cmdlet::GrantTarget::User(user) => {
                GrantTarget::User(self.state.directory.user_in(&self.tenant, user).await?.id)
            }
            cmdlet::GrantTarget::Group { group, rank } => {
                let id = Uuid::parse_str(group).map_err(|_| {
                    DirectoryError::Invalid(format!("-Group '{group}': give the group's object id"))
                })?;
                GrantTarget::Group {
                    id,
                    rank: rank.unwrap_or(1),
                }
            }
            cmdlet::GrantTarget::Global => GrantTarget::Global,
        })
    }

    async fn grant(
        &mut self,
        target: GrantTarget,
        policy: Option<&str>,
    ) -> Result<(), DirectoryError> {
        let tid = self.tid();
        match policy.filter(|p| !p.is_empty()) {
            Some(name) => {
                self.state
                    .directory
                    .grant_policy(&tid, cmdlet::strip_tag(name), target)
                    .await?;
            }
            None => {
                self.state.directory.revoke_policy(&tid, target).await?;
            }
        }
        Ok(())
    }

    async fn run(&mut self, c: &Cmdlet) -> Result<(), DirectoryError> {
        if c.what_if() {
            self.notes.push(format!(
                "What if: Performing the operation \"{}\" on target \"{}\".",
                c.name(),
                cmdlet::to_powershell(c)
            ));
            return Ok(());
        }
        let tid = self.tid();
        let dir = &self.state.directory;
        match c {
            Cmdlet::NewPolicy {
                identity,
                app_ids: ids,
                description,
                ..
            } => {
                let p = dir
                    .create_policy(
                        &tid,
                        identity,
                        &app_ids(ids)?,
                        description.as_deref().unwrap_or_default(),
                    )
                    .await?;
                self.out.push(policy_record(&p));
            }
            Cmdlet::SetPolicy {
                identity,
                apps,
                description,
                ..
            } => {
                let apps = apps.as_ref().map(change).transpose()?;
                dir.set_policy(&tid, identity, apps, description.as_deref())
                    .await?;
            }
            Cmdlet::GetPolicy {
                identity, filter, ..
            } => {
                let policies = match identity {
                    Some(name) => vec![dir.policy(&tid, name).await?],
                    None => dir.policies(&tid).await?,
                };
                for p in policies {
                    if filter
                        .as_deref()
                        .is_none_or(|f| like(f, &format!("Tag:{}", p.name)) || like(f, &p.name))
                    {
                        self.out.push(policy_record(&p));
                    }
                }
            }
            Cmdlet::RemovePolicy { identity, .. } => dir.remove_policy(&tid, identity).await?,
            Cmdlet::GrantPolicy {
                target,
                policy_name,
                ..
            } => {
                let target = self.grant_target(target).await?;
                self.grant(target, policy_name.as_deref()).await?;
            }
            Cmdlet::GrantToEveryUser { policy_name, .. } => {
                for user in dir.users(&self.tenant).await? {
                    self.grant(GrantTarget::User(user.id), policy_name.as_deref())
                        .await?;
                }
            }
            Cmdlet::NewExchangePolicy {
                access_right,
                app_ids,
                scope,
                description,
                ..
            } => {
                let access_right = ExchangeAccessRight::parse(access_right).ok_or_else(|| {
                    DirectoryError::Invalid(format!("-AccessRight {access_right}"))
                })?;
                let new = NewExchangePolicy {
                    app_ids: app_ids.clone(),
                    scope: scope.clone(),
                    access_right,
                    description: description.clone(),
                };
                for p in dir.new_exchange_policies(&self.tenant, &new).await? {
                    self.out.push(exchange::facts(&p).record());
                }
            }
            Cmdlet::GetExchangePolicy { identity } => {
                for p in dir
                    .exchange_policies(&self.tenant, identity.as_deref())
                    .await?
                {
                    // Get- prints the session's RunspaceId first.
                    let mut record = vec![("RunspaceId".to_owned(), self.runspace.to_string())];
                    record.extend(exchange::facts(&p).record());
                    self.out.push(record);
                }
            }
            Cmdlet::SetExchangePolicy {
                identity,
                description,
                ..
            } => {
                dir.set_exchange_policy_description(
                    &self.tenant,
                    identity,
                    description.as_deref().unwrap_or_default(),
                )
                .await?;
            }
            Cmdlet::RemoveExchangePolicy { identity, .. } => {
                dir.remove_exchange_policy(&self.tenant, identity).await?;
            }
            Cmdlet::TestExchangePolicy { identity, app_id } => {
                let app = Uuid::parse_str(app_id.trim()).map_err(|_| {
                    DirectoryError::Invalid(format!(
                        "Cannot bind parameter 'AppId'. '{app_id}' is not a valid application id (a GUID)."
                    ))
                })?;
                let (user, decision) = self
                    .state
                    .access
                    .test_exchange(&self.tenant, app, &graphmeet_core::UserRef::parse(identity))
                    .ok_or_else(|| {
                        DirectoryError::NotFound(format!(
                            "The operation couldn't be performed because object '{identity}' couldn't be found."
                        ))
                    })?;
                let alias = user.upn.split('@').next().unwrap_or(&user.upn).to_owned();
                self.out.push(cmdlet::exchange::test_record(
                    app,
                    &alias,
                    user.id,
                    decision.allowed(),
                ));
            }
            Cmdlet::GetOnlineUser { identity } => {
                let users = match identity {
                    Some(u) => vec![dir.user_in(&self.tenant, u).await?],
                    None => dir.users(&self.tenant).await?,
                };
                let grants = dir.grants(&self.tenant).await?;
                for user in users {
                    let policy = grants
                        .iter()
                        .find(|g| g.revoked_at.is_none() && g.target == GrantTarget::User(user.id))
                        .map(|g| g.policy_name.clone())
                        .unwrap_or_default();
                    self.out.push(vec![
                        ("Identity".to_owned(), user.id.to_string()),
                        ("UserPrincipalName".to_owned(), user.upn.clone()),
                        ("DisplayName".to_owned(), user.display_name.clone()),
                        ("ApplicationAccessPolicy".to_owned(), policy),
                    ]);
                }
            }
        }
        Ok(())
    }
}

fn policy_record(p: &graphmeet_core::AccessPolicy) -> Vec<(String, String)> {
    let ids: Vec<String> = p.current_app_ids().iter().map(Uuid::to_string).collect();
    cmdlet::policy_record(&p.name, &ids, &p.description)
}

#[utoipa::path(post, path = "/admin/cs", tag = "policies", description = "Runs Teams PowerShell statements (New-, Set-, Get-, Remove-, Grant-CsApplicationAccessPolicy, Get-CsOnlineUser) verbatim against a tenant.", request_body = RunScript, responses((status = 200, description = "The output, in PowerShell's list layout", body = ScriptOutput)))]
pub(crate) async fn run_script(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<RunScript>,
) -> Result<Json<ScriptOutput>, AdminFailure> {
    let statements =
        cmdlet::parse_statements(&body.script).map_err(|e| AdminFailure::invalid(e.to_string()))?;
    let tenant = state
        .directory
        .tenant_or_only(body.tenant.as_deref())
        .await?;
    let mut runner = Runner {
        state: &state,
        tenant,
        out: Vec::new(),
        notes: Vec::new(),
        runspace: Uuid::new_v4(),
    };
    for (done, statement) in statements.iter().enumerate() {
        if let Err(e) = runner.run(&statement.cmdlet).await {
            let failure = AdminFailure::from(e);
            return Err(failure.at_statement(statement.cmdlet.name(), statement.line, done));
        }
    }
    let mut output = runner.notes.join("\n");
    let listed = cmdlet::format_list(&runner.out);
    if !listed.is_empty() {
        if !output.is_empty() {
            output.push_str("\n\n");
        }
        output.push_str(&listed);
    }
    Ok(Json(ScriptOutput {
        output,
        executed: statements.len() as u64,
    }))
}

#[cfg(test)]
mod tests {
    use super::like;

    #[test]
    fn like_matches_powershell_wildcards() {
        assert!(like("Tag:Meet*", "Tag:Meetings-App"));
        assert!(like("*app", "Meetings-App"));
        assert!(like("m?etings*", "Meetings-App"));
        assert!(!like("Other*", "Meetings-App"));
    }
}
