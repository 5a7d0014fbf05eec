//! `graphmeet keys …`: the token-signing keys.

use anyhow::Context as _;

use crate::args::{GlobalArgs, KeysCommand};
use crate::connect;
use crate::output::print;

/// Runs a `keys` verb.
pub async fn exec(global: &GlobalArgs, cmd: KeysCommand) -> anyhow::Result<()> {
    let client = connect::admin(global)?;
    match cmd {
        KeysCommand::Rotate => {
            let rotated = client
                .rotate_keys()
                .await
                .context("rotating the signing key")?;
            print(&rotated, global.output)
        }
    }
}
