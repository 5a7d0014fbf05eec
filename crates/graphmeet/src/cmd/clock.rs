//! `graphmeet clock`: the server's time, and moving its virtual clock (`serve --clock manual`).

use anyhow::Context as _;

use crate::args::{ClockArgs, GlobalArgs};
use crate::connect;

/// Shows the time, or moves it by `--advance` or to `--set`.
pub async fn exec(global: &GlobalArgs, args: ClockArgs) -> anyhow::Result<()> {
    let client = connect::admin(global)?;
    let now = match (args.advance, args.set) {
        (None, None) => client.clock().await,
        (advance, set) => client.move_clock(advance.as_deref(), set.as_deref()).await,
    }
    .context("the server's clock")?;
    println!("{} ({})", now.now, now.mode);
    Ok(())
}
