//! `graphmeet cs`: Teams PowerShell lines, run by the server verbatim, printed as PowerShell
//! prints them.

use anyhow::Context as _;
use graphmeet_client::admin::ScriptOutput;
use serde::Serialize;

use crate::args::{input_name, read_input, CsArgs, GlobalArgs, UsageError};
use crate::connect;
use crate::output::{in_tenant, print, Render};

/// `graphmeet cs 'LINE'…` or `graphmeet cs --file script.ps1`.
pub async fn exec(global: &GlobalArgs, args: CsArgs) -> anyhow::Result<()> {
    let script = match &args.file {
        Some(path) => read_input(path).with_context(|| format!("reading {}", input_name(path)))?,
        None => args.lines.join("\n"),
    };
    if script.trim().is_empty() {
        return Err(UsageError("the script is empty: give statements to run".into()).into());
    }
    let client = connect::admin(global)?;
    let out = client
        .run_cs(args.tenant.as_deref(), &script)
        .await
        .with_context(|| format!("running the script{}", in_tenant(args.tenant.as_deref())))?;
    print(&Script(out), global.output)
}

/// The answer of `cs`: the output text as PowerShell prints it; `{output, executed}` in JSON.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Script(pub ScriptOutput);

impl Render for Script {
    fn table(&self) -> String {
        let mut text = self.0.output.clone();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    use crate::args::OutputFormat;
    use crate::output::render;

    #[test]
    fn script_output_gets_a_final_newline_and_json_is_the_answer() {
        let out = ScriptOutput {
            output: "Identity : Tag:P".into(),
            executed: 1,
        };
        assert_eq!(Script(out.clone()).table(), "Identity : Tag:P\n");
        let json: serde_json::Value =
            serde_json::from_str(&render(&Script(out), OutputFormat::Json).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"output": "Identity : Tag:P", "executed": 1})
        );
        let empty = ScriptOutput {
            output: String::new(),
            executed: 1,
        };
        assert_eq!(Script(empty).table(), "");
    }
}
