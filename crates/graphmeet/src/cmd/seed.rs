//! `graphmeet apply` and `graphmeet export`: the server's state as a seed file, in and out.

use anyhow::Context as _;
use graphmeet_wire::admin::{ApplySummary, Seed, SeedCounts};
use serde::Serialize;

use crate::args::{input_name, read_input, ApplyArgs, ExportArgs, GlobalArgs, OutputFormat};
use crate::connect;
use crate::output::{print, table, write_stdout, Render};

/// `graphmeet apply FILE`.
pub async fn apply(global: &GlobalArgs, args: ApplyArgs) -> anyhow::Result<()> {
    let path = &args.file;
    let text =
        read_input(path).with_context(|| format!("reading the seed {}", input_name(path)))?;
    let is_json = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    let seed = if is_json {
        Seed::from_json(&text)
    } else {
        Seed::from_toml(&text)
    }
    .with_context(|| format!("reading the seed {}", input_name(path)))?;
    let client = connect::admin(global)?;
    let summary = client
        .apply(&seed)
        .await
        .with_context(|| format!("applying the seed {}", input_name(path)))?;
    print(&Applied(summary.clone()), global.output)?;
    if !summary.generated_secrets.is_empty() {
        eprintln!("warning: save the generated secrets now: they cannot be shown again");
    }
    Ok(())
}

/// `graphmeet export [--out FILE]`.
pub async fn export(global: &GlobalArgs, args: ExportArgs) -> anyhow::Result<()> {
    let client = connect::admin(global)?;
    let text = match global.output {
        OutputFormat::Table => client.export_toml().await.context("exporting the seed")?,
        OutputFormat::Json => {
            let seed = client.export().await.context("exporting the seed")?;
            let mut text = serde_json::to_string_pretty(&seed)?;
            text.push('\n');
            text
        }
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text.as_bytes())
                .with_context(|| format!("writing the export to {}", path.display()))?;
            eprintln!("wrote the export to {}", path.display());
            Ok(())
        }
        None => write_stdout(&text),
    }
}

/// The summary of `apply`: counts per kind, then any generated secret.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Applied(pub ApplySummary);

impl Render for Applied {
    fn table(&self) -> String {
        let s = &self.0;
        let (created, updated, unchanged) = (
            kind_counts(&s.created),
            kind_counts(&s.updated),
            kind_counts(&s.unchanged),
        );
        let mut rows: Vec<Vec<String>> = created
            .iter()
            .zip(updated.iter().zip(unchanged.iter()))
            .map(|((name, c), ((_, u), (_, n)))| {
                vec![
                    (*name).to_owned(),
                    c.to_string(),
                    u.to_string(),
                    n.to_string(),
                ]
            })
            .collect();
        rows.push(vec![
            "total".to_owned(),
            s.created.total().to_string(),
            s.updated.total().to_string(),
            s.unchanged.total().to_string(),
        ]);
        let mut out = table(&["KIND", "CREATED", "UPDATED", "UNCHANGED"], &rows);
        if !s.generated_secrets.is_empty() {
            let rows: Vec<Vec<String>> = s
                .generated_secrets
                .iter()
                .map(|g| {
                    vec![
                        g.app_id.clone(),
                        g.key_id.clone(),
                        g.display_name.clone(),
                        g.secret_text.clone(),
                    ]
                })
                .collect();
            out.push_str("\ngenerated secrets (shown once):\n");
            out.push_str(&table(&["APP ID", "KEY ID", "NAME", "SECRET"], &rows));
        }
        out
    }
}

/// Each kind's name and count, in the order the summary prints them.
fn kind_counts(c: &SeedCounts) -> [(&'static str, u64); 10] {
    [
        ("tenants", c.tenants),
        ("users", c.users),
        ("groups", c.groups),
        ("members", c.members),
        ("apps", c.apps),
        ("secrets", c.secrets),
        ("certificates", c.certificates),
        ("consents", c.consents),
        ("policies", c.policies),
        ("grants", c.grants),
    ]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn apply_summaries_count_each_kind_and_show_generated_secrets() {
        let mut summary = ApplySummary::default();
        summary.created.tenants = 1;
        summary.unchanged.users = 2;
        summary
            .generated_secrets
            .push(graphmeet_wire::admin::GeneratedSecret {
                app_id: "a".into(),
                key_id: "k".into(),
                display_name: "ci".into(),
                secret_text: "s3cret".into(),
            });
        let out = Applied(summary).table();
        assert!(
            out.starts_with("KIND          CREATED  UPDATED  UNCHANGED\n"),
            "{out}"
        );
        assert!(
            out.contains("\ntenants       1        0        0\n"),
            "{out}"
        );
        assert!(
            out.contains("\nusers         0        0        2\n"),
            "{out}"
        );
        assert!(
            out.contains("\ntotal         1        0        2\n"),
            "{out}"
        );
        assert!(
            out.contains("generated secrets (shown once):\nAPP ID"),
            "{out}"
        );
        assert!(out.contains("s3cret"), "{out}");
    }
}
