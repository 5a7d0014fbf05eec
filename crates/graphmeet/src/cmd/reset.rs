//! `graphmeet reset --yes`: delete everything on the server.

use anyhow::Context as _;
use serde::Serialize;

use crate::args::{GlobalArgs, ResetArgs, UsageError};
use crate::connect;
use crate::output::{print, Render};

/// `graphmeet reset --yes`.
pub async fn exec(global: &GlobalArgs, args: ResetArgs) -> anyhow::Result<()> {
    if !args.yes {
        return Err(UsageError(
            "reset deletes every tenant, user, app, credential, consent, policy, meeting and \
             audit entry of the server; run it again with --yes to confirm"
                .into(),
        )
        .into());
    }
    let client = connect::admin(global)?;
    client
        .reset()
        .await
        .with_context(|| format!("resetting the server at {}", client.base_url()))?;
    print(
        &Reset {
            server: client.base_url().to_string(),
            reset: true,
        },
        global.output,
    )
}

/// The outcome of `reset`.
#[derive(Debug, Serialize)]
pub struct Reset {
    /// The server that was reset.
    pub server: String,
    /// Always true: a failure is an error instead.
    pub reset: bool,
}

impl Render for Reset {
    fn table(&self) -> String {
        format!("reset the server at {}: its state is empty\n", self.server)
    }
}
