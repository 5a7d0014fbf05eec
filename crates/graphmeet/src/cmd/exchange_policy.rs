//! `graphmeet exchange-policy …`: Exchange Online's application access policies, named after
//! its cmdlets, through the admin API; output as the cmdlets print it.

use anyhow::Context as _;
use graphmeet_wire::admin_exchange::{
    ExchangePolicyView, ExchangeTestView, NewExchangePolicyBody, RemoveExchangePolicyBody,
    SetExchangePolicyBody,
};
use graphmeet_wire::cmdlet;
use serde::Serialize;

use crate::args::{ExchangePolicyCommand, GlobalArgs};
use crate::connect;
use crate::output::{print, Render};

/// Policies, in the cmdlets' list layout.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Policies(pub Vec<ExchangePolicyView>);

impl Render for Policies {
    fn table(&self) -> String {
        let records: Vec<Vec<(String, String)>> = self
            .0
            .iter()
            .map(|p| {
                [
                    ("ScopeName", p.scope_name.clone()),
                    ("Identity", p.identity.clone()),
                    ("AppId", p.app_id.clone()),
                    ("ScopeIdentityRaw", p.scope_identity_raw.clone()),
                    ("Description", p.description.clone()),
                    ("AccessRight", p.access_right.clone()),
                    ("ShardType", "All".to_owned()),
                    ("IsValid", "True".to_owned()),
                    ("ObjectState", "Unchanged".to_owned()),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect()
            })
            .collect();
        let text = cmdlet::format_list(&records);
        if text.is_empty() {
            "no Exchange application access policies\n".to_owned()
        } else {
            format!("{text}\n")
        }
    }
}

/// Test-ApplicationAccessPolicy's record, then what a Graph call gets now.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Tested(pub ExchangeTestView);

impl Render for Tested {
    fn table(&self) -> String {
        let t = &self.0;
        let record = vec![
            ("AppId".to_owned(), t.app_id.clone()),
            ("Mailbox".to_owned(), t.mailbox.clone()),
            ("MailboxId".to_owned(), t.mailbox_id.clone()),
            ("MailboxSid".to_owned(), t.mailbox_sid.clone()),
            (
                "AccessCheckResult".to_owned(),
                t.access_check_result.clone(),
            ),
        ];
        format!(
            "{}\n\ngraph calls now: {}\n",
            cmdlet::format_list(&[record]),
            t.graph_reason
        )
    }
}

/// Done, with nothing to show.
#[derive(Debug, Serialize)]
pub struct Removed {
    /// The policy's identity.
    pub identity: String,
    /// Always true.
    pub removed: bool,
}

impl Render for Removed {
    fn table(&self) -> String {
        format!("removed {}\n", self.identity)
    }
}

/// Runs an `exchange-policy` verb.
pub async fn exec(global: &GlobalArgs, cmd: ExchangePolicyCommand) -> anyhow::Result<()> {
    let client = connect::admin(global)?;
    match cmd {
        ExchangePolicyCommand::New {
            tenant,
            app_ids,
            scope,
            access_right,
            description,
        } => {
            let made = client
                .new_exchange_policies(&NewExchangePolicyBody {
                    tenant: tenant.tenant,
                    app_ids,
                    scope: scope.clone(),
                    access_right,
                    description,
                })
                .await
                .with_context(|| format!("creating an Exchange policy scoped to '{scope}'"))?;
            print(&Policies(made), global.output)
        }
        ExchangePolicyCommand::Get { tenant, identity } => {
            let list = client
                .exchange_policies(tenant.tenant.as_deref(), identity.as_deref())
                .await
                .context("listing Exchange application access policies")?;
            print(&Policies(list), global.output)
        }
        ExchangePolicyCommand::Set {
            tenant,
            identity,
            description,
        } => {
            let p = client
                .set_exchange_policy(&SetExchangePolicyBody {
                    tenant: tenant.tenant,
                    identity: identity.clone(),
                    description,
                })
                .await
                .with_context(|| format!("changing Exchange policy '{identity}'"))?;
            print(&Policies(vec![p]), global.output)
        }
        ExchangePolicyCommand::Remove { tenant, identity } => {
            client
                .remove_exchange_policy(&RemoveExchangePolicyBody {
                    tenant: tenant.tenant,
                    identity: identity.clone(),
                })
                .await
                .with_context(|| format!("removing Exchange policy '{identity}'"))?;
            print(
                &Removed {
                    identity,
                    removed: true,
                },
                global.output,
            )
        }
        ExchangePolicyCommand::Test {
            tenant,
            identity,
            app_id,
        } => {
            let t = client
                .test_exchange_policy(tenant.tenant.as_deref(), &identity, &app_id)
                .await
                .with_context(|| format!("testing app '{app_id}' for mailbox '{identity}'"))?;
            print(&Tested(t), global.output)
        }
    }
}
