//! `graphmeet doctor`: checks the app's setup in the order things break (credentials, token,
//! permissions, access policy) and says what to fix; `graphmeet onboard`: what a customer's
//! admins run to let the app in.

use graphmeet_client::{ClientError, Cloud, Diagnosis, Organizer};
use serde::Serialize;

use crate::args::{DoctorArgs, GlobalArgs, OnboardArgs};
use crate::connect::{self, App, NoCredentials, CREDENTIALS_HELP};
use crate::output::{print, Render};

/// The application permission the meetings API needs.
pub const MEETINGS_ROLE: &str = "OnlineMeetings.ReadWrite.All";

/// The application permission the calendar path needs.
pub const CALENDAR_ROLE: &str = "Calendars.ReadWrite";

/// The text of Exchange's application-access-policy 403.
const RAOP: &str = "[RAOP]";

/// A join meeting id no meeting has: the policy check's harmless lookup.
const NO_SUCH_JOIN_MEETING_ID: &str = "0000000000";

/// Some check failed: exit 1 (the checks already said what and why).
#[derive(Debug)]
pub struct ChecksFailed(pub usize);

impl std::fmt::Display for ChecksFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            1 => f.write_str("1 check failed"),
            n => write!(f, "{n} checks failed"),
        }
    }
}

impl std::error::Error for ChecksFailed {}

/// Prints one check's outcome: `✓ name: detail` or `✗ name: detail`, then `  fix: …` lines.
fn report(ok: bool, name: &str, detail: &str, fixes: &[String]) {
    let mark = if ok { '✓' } else { '✗' };
    println!("{mark} {name}: {detail}");
    for fix in fixes {
        let mut lines = fix.lines();
        if let Some(first) = lines.next() {
            println!("  fix: {first}");
        }
        for line in lines {
            println!("    {}", line.trim_start());
        }
    }
}

fn skipped(name: &str, why: &str) {
    println!("- {name}: skipped ({why})");
}

/// The roles claim of a JWT, read without verifying it (the token is ours, just issued).
pub fn token_roles(jwt: &str) -> Result<Vec<String>, String> {
    let payload = jwt
        .split('.')
        .nth(1)
        .ok_or("the access token is not a JWT")?;
    let bytes = graphmeet_wire::b64::url_decode_lenient(payload)
        .map_err(|err| format!("the token's payload is not base64url: {err}"))?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|err| format!("the token's payload is not JSON: {err}"))?;
    Ok(claims
        .get("roles")
        .and_then(serde_json::Value::as_array)
        .map(|roles| {
            roles
                .iter()
                .filter_map(serde_json::Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default())
}

/// The fix lines of a client error: its diagnosis, with the PowerShell lines as they are.
fn fixes_of(err: &ClientError) -> Vec<String> {
    match err.diagnosis() {
        Some(diagnosis) => vec![diagnosis.to_string()],
        None => Vec::new(),
    }
}

/// The error without its `fix:` part (which is printed as fix lines).
fn headline(err: &ClientError) -> String {
    let text = err.to_string();
    match text.split_once("\nfix: ") {
        Some((head, _)) => head.to_owned(),
        None => text,
    }
}

/// `graphmeet doctor`.
pub async fn exec(global: &GlobalArgs, args: DoctorArgs) -> anyhow::Result<()> {
    let mut failures = 0usize;

    // 1. Credentials.
    let app: App = match connect::app(global, &args.app) {
        Ok(app) => app,
        Err(err) => {
            let fixes = if err.downcast_ref::<NoCredentials>().is_some() {
                Vec::new()
            } else {
                vec![CREDENTIALS_HELP.to_owned()]
            };
            report(false, "credentials", &format!("{err:#}"), &fixes);
            skipped("token", "no credentials");
            skipped("permissions", "no token");
            skipped("access policy", "no token");
            return Err(ChecksFailed(1).into());
        }
    };
    let config = app.client.config();
    report(
        true,
        "credentials",
        &format!(
            "app {} with a {}, tenant {}, from {}",
            config.client_id,
            app.credential_kind(),
            app.tenant,
            app.source
        ),
        &[],
    );

    // 2. Token.
    let token = match app.client.access_token(&app.tenant).await {
        Ok(token) => {
            report(
                true,
                "token",
                &format!(
                    "app-only token issued by {} for tenant {}",
                    config.cloud.authority_host(),
                    app.tenant
                ),
                &[],
            );
            token
        }
        Err(err) => {
            report(false, "token", &headline(&err), &fixes_of(&err));
            skipped("permissions", "no token");
            skipped("access policy", "no token");
            return Err(ChecksFailed(1).into());
        }
    };

    // 3. Roles.
    let consent_url = config
        .cloud
        .admin_consent_url(&app.tenant, &config.client_id);
    match token_roles(token.secret()) {
        Ok(roles) if roles.iter().any(|r| r == MEETINGS_ROLE) => {
            report(
                true,
                "permissions",
                &format!("roles {}", roles.join(", ")),
                &[],
            );
        }
        Ok(roles) => {
            failures += 1;
            let has = if roles.is_empty() {
                "no application permission".to_owned()
            } else {
                format!("only {}", roles.join(", "))
            };
            report(
                false,
                "permissions",
                &format!("the token has {has}, not {MEETINGS_ROLE}"),
                &[format!(
                    "add the application permission {MEETINGS_ROLE} (Microsoft Graph) to the app registration, then have an administrator of the tenant grant admin consent at {consent_url}"
                )],
            );
        }
        Err(problem) => {
            failures += 1;
            report(false, "permissions", &problem, &[]);
        }
    }

    // 3b. The calendar path's permission.
    if args.calendar {
        match token_roles(token.secret()) {
            Ok(roles) if roles.iter().any(|r| r == CALENDAR_ROLE) => report(
                true,
                "calendar permission",
                &format!("the token has {CALENDAR_ROLE}"),
                &[],
            ),
            Ok(_) => {
                failures += 1;
                report(
                    false,
                    "calendar permission",
                    &format!("the token lacks {CALENDAR_ROLE}, which events with Teams meetings need"),
                    &[format!(
                        "add the application permission {CALENDAR_ROLE} (Microsoft Graph) to the app registration, then have an administrator of the tenant grant admin consent at {consent_url}"
                    )],
                );
            }
            Err(problem) => {
                failures += 1;
                report(false, "calendar permission", &problem, &[]);
            }
        }
    }

    // 4. Access policy, by a harmless real call.
    match &args.user {
        None => skipped("access policy", "give --user ID|UPN to check it"),
        Some(user) => {
            let organizer = Organizer::parse(user);
            match app
                .client
                .find_by_join_meeting_id(&app.tenant, &organizer, NO_SUCH_JOIN_MEETING_ID)
                .await
            {
                Ok(_) => report(
                    true,
                    "access policy",
                    &format!("the app may act for user {user}"),
                    &[],
                ),
                Err(err) => {
                    failures += 1;
                    let (check, detail) = match err.diagnosis() {
                        Some(Diagnosis::MissingAccessPolicy { .. }) => (
                            "access policy",
                            format!(
                                "no application access policy lets the app act for user {user}"
                            ),
                        ),
                        // The policy let the call through; the organizer's account did not.
                        Some(Diagnosis::OrganizerNotEnabled { .. }) => (
                            "organizer",
                            format!("user {user} cannot organise Teams meetings"),
                        ),
                        _ => ("access policy", headline(&err)),
                    };
                    report(false, check, &detail, &fixes_of(&err));
                }
            }
        }
    }

    // 5. Exchange's application access policy, by a harmless calendarView of one minute.
    if args.calendar {
        match &args.user {
            None => skipped("exchange policy", "give --user ID|UPN to check it"),
            Some(user) => {
                match app
                    .client
                    .calendar_view(
                        &app.tenant,
                        user,
                        "2000-01-01T00:00:00Z",
                        "2000-01-01T00:01:00Z",
                    )
                    .await
                {
                    Ok(_) => report(
                        true,
                        "exchange policy",
                        &format!("the app may reach the mailbox of {user}"),
                        &[],
                    ),
                    Err(err) => {
                        failures += 1;
                        let blocked = err.to_string().contains(RAOP);
                        let fixes = if blocked {
                            vec![format!(
                                "an Exchange application access policy keeps the app from this mailbox; in Exchange Online PowerShell check it with\nTest-ApplicationAccessPolicy -Identity {user} -AppId {}\nand add the mailbox to the policy's mail-enabled security group (Add-DistributionGroupMember -Identity <group> -Member {user}); changes can take an hour to reach Graph",
                                config.client_id
                            )]
                        } else {
                            fixes_of(&err)
                        };
                        let detail = if blocked {
                            format!(
                                "Exchange's application access policy blocks the mailbox of {user}"
                            )
                        } else {
                            headline(&err)
                        };
                        report(false, "exchange policy", &detail, &fixes);
                    }
                }
            }
        }
    }

    if failures > 0 {
        return Err(ChecksFailed(failures).into());
    }
    println!("all checks passed");
    Ok(())
}

/// What `graphmeet onboard` prints.
#[derive(Debug, Serialize)]
pub struct Onboarding {
    /// The customer's tenant.
    pub tenant: String,
    /// The app.
    pub app_id: String,
    /// The user the policy is granted to.
    pub user: String,
    /// The policy's name.
    pub policy_name: String,
    /// Where the tenant's administrator grants admin consent.
    pub consent_url: String,
    /// The PowerShell a Teams administrator runs, one line each.
    pub powershell: Vec<String>,
    /// For the calendar path: the Exchange Online PowerShell that restricts the app's mailbox
    /// access to the user (empty without `--calendar`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exchange_powershell: Vec<String>,
}

impl Render for Onboarding {
    fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "To let app {} create Teams meetings for {} in tenant {}:\n\n",
            self.app_id, self.user, self.tenant
        ));
        out.push_str(&format!(
            "1. An administrator of the tenant grants admin consent ({MEETINGS_ROLE}) at:\n\n   {}\n\n",
            self.consent_url
        ));
        out.push_str(
            "2. A Teams administrator runs, in PowerShell (Install-Module MicrosoftTeams first if needed):\n\n",
        );
        for line in &self.powershell {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&format!(
            "\nTo allow every user instead: Grant-CsApplicationAccessPolicy -PolicyName \"{}\" -Global\n\
             Policy changes can take up to 30 minutes to take effect; then check with:\n\
             graphmeet doctor --tenant {} --client-id {} --user {}\n",
            self.policy_name, self.tenant, self.app_id, self.user
        ));
        if !self.exchange_powershell.is_empty() {
            out.push_str(&format!(
                "\n3. The calendar path (events with Teams meetings) needs {CALENDAR_ROLE} in the same consent; an Exchange administrator then limits the app to the user's mailbox, in PowerShell (Install-Module ExchangeOnlineManagement first if needed):\n\n"
            ));
            for line in &self.exchange_powershell {
                out.push_str(line);
                out.push('\n');
            }
            out.push_str("\nThese changes can take more than an hour to reach Graph, even once Test-ApplicationAccessPolicy says Granted.\n");
        }
        out
    }
}

/// The policy name suggested when none is given (as the client's diagnosis suggests).
pub fn default_policy_name(app_id: &str) -> String {
    let short: String = app_id.chars().take(8).collect();
    format!("MeetingsApp-{short}")
}

/// `graphmeet onboard`: prints what the customer's admins run; no network call.
pub fn exec_onboard(global: &GlobalArgs, args: OnboardArgs) -> anyhow::Result<()> {
    print(&onboard(global, args)?, global.output)
}

/// What `onboard` prints.
pub fn onboard(global: &GlobalArgs, args: OnboardArgs) -> anyhow::Result<Onboarding> {
    let cloud = match &global.server {
        Some(server) => Cloud::graphmeet(server.as_str(), None)?,
        None => Cloud::microsoft(),
    };
    let policy_name = args
        .policy_name
        .clone()
        .unwrap_or_else(|| default_policy_name(&args.app_id));
    let cmdlets = Diagnosis::MissingAccessPolicy {
        app_id: args.app_id.clone(),
        user_id: args.user.clone(),
        policy_name: policy_name.clone(),
    }
    .powershell()
    .unwrap_or_default();
    let mut powershell = vec!["Connect-MicrosoftTeams".to_owned()];
    powershell.extend(cmdlets);
    let exchange_powershell = if args.calendar {
        let group = format!("{policy_name} mailboxes");
        vec![
            "Connect-ExchangeOnline".to_owned(),
            format!(
                "New-DistributionGroup -Name \"{group}\" -Type Security -Members \"{}\"",
                args.user
            ),
            format!(
                "New-ApplicationAccessPolicy -AppId {} -PolicyScopeGroupId \"{group}\" -AccessRight RestrictAccess -Description \"Restrict {policy_name} to the mailboxes of {group}\"",
                args.app_id
            ),
            format!(
                "Test-ApplicationAccessPolicy -Identity \"{}\" -AppId {}",
                args.user, args.app_id
            ),
        ]
    } else {
        Vec::new()
    };
    Ok(Onboarding {
        consent_url: cloud.admin_consent_url(&args.tenant, &args.app_id),
        tenant: args.tenant,
        app_id: args.app_id,
        user: args.user,
        policy_name,
        powershell,
        exchange_powershell,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn roles_come_from_the_payload() {
        let b64 = |v: &serde_json::Value| graphmeet_wire::b64::url_encode(v.to_string());
        let jwt = format!(
            "{}.{}.sig",
            b64(&serde_json::json!({"alg": "RS256"})),
            b64(&serde_json::json!({"roles": [MEETINGS_ROLE, "User.Read.All"]}))
        );
        assert_eq!(token_roles(&jwt).unwrap(), [MEETINGS_ROLE, "User.Read.All"]);
        let none = format!("x.{}.y", b64(&serde_json::json!({"aud": "g"})));
        assert!(token_roles(&none).unwrap().is_empty());
        assert!(token_roles("opaque").is_err());
    }

    #[test]
    fn checks_failed_reads_well() {
        assert_eq!(ChecksFailed(1).to_string(), "1 check failed");
        assert_eq!(ChecksFailed(2).to_string(), "2 checks failed");
    }
}
