//! `graphmeet requests`: the server's request inspector, once or `--follow`ing.

use std::io::Write as _;

use anyhow::Context as _;

use crate::args::{GlobalArgs, OutputFormat, RequestsArgs};
use crate::{connect, output};

/// How many new requests `--follow` reads at a time.
const PAGE: usize = 500;

/// The inspector's last records, then (with `--follow`) the new ones, one line (or one JSON
/// object) each.
pub async fn exec(global: &GlobalArgs, args: RequestsArgs) -> anyhow::Result<()> {
    let client = connect::admin(global)?;
    let surface = args.surface.as_deref();
    let first = client
        .requests(surface, 0, args.limit.max(1))
        .await
        .context("reading the server's recent requests")?;
    if !args.follow {
        return output::print(&first, global.output);
    }
    let mut after = 0;
    let mut batch = first;
    loop {
        let mut stdout = std::io::stdout().lock();
        for record in &batch {
            let line = match global.output {
                OutputFormat::Table => output::request_line(record),
                OutputFormat::Json => format!("{}\n", serde_json::to_string(record)?),
            };
            stdout
                .write_all(line.as_bytes())
                .context("writing to stdout")?;
            after = after.max(record.seq);
        }
        stdout.flush().context("writing to stdout")?;
        drop(stdout);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        batch = client
            .requests(surface, after, PAGE)
            .await
            .context("reading the server's recent requests")?;
    }
}
