//! Printing results: aligned tables and `key: value` lines for people, JSON for scripts.

use graphmeet_wire::admin::{
    AppView, CertificateView, KeyRotated, SecretCreated, ServicePrincipalView, TenantView, UserView,
};
use serde::Serialize;

use crate::cli::OutputFormat;

/// Something the CLI can print both as a table (or `key: value` lines) and as JSON.
pub trait Render: Serialize {
    /// The people-facing form, ending with a newline.
    fn table(&self) -> String;
}

/// The text to print for `value` in `format`.
pub fn render<T: Render + ?Sized>(value: &T, format: OutputFormat) -> anyhow::Result<String> {
    Ok(match format {
        OutputFormat::Table => value.table(),
        OutputFormat::Json => {
            let mut text = serde_json::to_string_pretty(value)?;
            text.push('\n');
            text
        }
    })
}

/// Aligned columns: a header row, then one row per item, separated by two spaces. The last
/// column is not padded, so lines carry no trailing blanks.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header_cells: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header_cells).chain(rows) {
        let mut line = String::new();
        for (i, width) in widths.iter().enumerate() {
            let cell = row.get(i).map(String::as_str).unwrap_or("");
            if i + 1 == columns {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                let pad = width - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `key: value` lines with the values aligned.
pub fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (key, value) in pairs {
        let pad = width - key.chars().count();
        out.push_str(key);
        out.push(':');
        out.extend(std::iter::repeat_n(' ', pad + 1));
        out.push_str(value);
        out.push('\n');
    }
    out
}

fn tenant_row(t: &TenantView) -> Vec<String> {
    vec![
        t.id.clone(),
        t.display_name.clone(),
        t.domains.join(","),
        t.created_at.clone(),
    ]
}

impl Render for TenantView {
    fn table(&self) -> String {
        fields(&[
            ("id", self.id.clone()),
            ("display_name", self.display_name.clone()),
            ("domains", self.domains.join(", ")),
            ("created_at", self.created_at.clone()),
        ])
    }
}

impl Render for Vec<TenantView> {
    fn table(&self) -> String {
        let rows: Vec<_> = self.iter().map(tenant_row).collect();
        table(&["ID", "NAME", "DOMAINS", "CREATED"], &rows)
    }
}

impl Render for UserView {
    fn table(&self) -> String {
        fields(&[
            ("id", self.id.clone()),
            ("tenant_id", self.tenant_id.clone()),
            ("upn", self.upn.clone()),
            ("display_name", self.display_name.clone()),
        ])
    }
}

impl Render for Vec<UserView> {
    fn table(&self) -> String {
        let rows: Vec<_> = self
            .iter()
            .map(|u| vec![u.id.clone(), u.upn.clone(), u.display_name.clone()])
            .collect();
        table(&["ID", "UPN", "DISPLAY NAME"], &rows)
    }
}

impl Render for AppView {
    fn table(&self) -> String {
        fields(&[
            ("app_id", self.app_id.clone()),
            ("object_id", self.object_id.clone()),
            ("home_tenant_id", self.home_tenant_id.clone()),
            ("display_name", self.display_name.clone()),
            ("sign_in_audience", self.sign_in_audience.clone()),
        ])
    }
}

impl Render for Vec<AppView> {
    fn table(&self) -> String {
        let rows: Vec<_> = self
            .iter()
            .map(|a| {
                vec![
                    a.app_id.clone(),
                    a.display_name.clone(),
                    a.home_tenant_id.clone(),
                    a.sign_in_audience.clone(),
                ]
            })
            .collect();
        table(&["APP ID", "NAME", "HOME TENANT", "AUDIENCE"], &rows)
    }
}

impl Render for SecretCreated {
    fn table(&self) -> String {
        fields(&[
            ("key_id", self.key_id.clone()),
            ("secret_text", self.secret_text.clone()),
            ("hint", self.hint.clone()),
            ("end_date_time", self.end_date_time.clone()),
        ])
    }
}

/// A certificate credential as the CLI prints it: the server's view without the private key,
/// which went to a file instead, and that file's path.
#[derive(Debug, Serialize)]
pub struct CertificateAdded {
    /// The server's view, `private_pem` removed.
    #[serde(flatten)]
    pub certificate: CertificateView,
    /// Where the generated certificate and private key were written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_pem_path: Option<String>,
}

impl Render for CertificateAdded {
    fn table(&self) -> String {
        let c = &self.certificate;
        let mut pairs = vec![
            ("key_id", c.key_id.clone()),
            ("display_name", c.display_name.clone()),
            ("thumbprint", c.thumbprint.clone()),
            ("thumbprint_sha256", c.thumbprint_sha256.clone()),
            ("start_date_time", c.start_date_time.clone()),
            ("end_date_time", c.end_date_time.clone()),
        ];
        if let Some(path) = &self.private_pem_path {
            pairs.push(("private_pem_path", path.clone()));
        }
        fields(&pairs)
    }
}

impl Render for ServicePrincipalView {
    fn table(&self) -> String {
        fields(&[
            ("id", self.id.clone()),
            ("tenant_id", self.tenant_id.clone()),
            ("app_id", self.app_id.clone()),
            ("app_roles", self.app_roles.join(", ")),
        ])
    }
}

impl Render for KeyRotated {
    fn table(&self) -> String {
        fields(&[
            ("kid", self.kid.clone()),
            ("published", self.published.join(", ")),
        ])
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn table_aligns_columns() {
        let out = table(
            &["ID", "NAME", "X"],
            &[row(&["1", "contoso", "a"]), row(&["1234", "é", ""])],
        );
        assert_eq!(out, "ID    NAME     X\n1     contoso  a\n1234  é\n");
    }

    #[test]
    fn empty_table_is_its_header() {
        assert_eq!(table(&["A", "B"], &[]), "A  B\n");
    }

    #[test]
    fn short_rows_are_padded_and_long_rows_cut() {
        let out = table(&["A", "B"], &[row(&["x"]), row(&["1", "2", "3"])]);
        assert_eq!(out, "A  B\nx\n1  2\n");
    }

    #[test]
    fn fields_align_values() {
        let out = fields(&[("id", "1".into()), ("display_name", "Contoso".into())]);
        assert_eq!(out, "id:           1\ndisplay_name: Contoso\n");
    }

    #[test]
    fn json_is_the_complete_object() {
        let tenant = TenantView {
            id: "t".into(),
            display_name: "Contoso".into(),
            domains: vec!["contoso.onmicrosoft.com".into()],
            created_at: "2025-01-01T00:00:00Z".into(),
        };
        let text = render(&vec![tenant.clone()], OutputFormat::Json).unwrap();
        let back: Vec<TenantView> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, vec![tenant]);
    }

    #[test]
    fn certificate_json_drops_the_private_key_and_names_the_file() {
        let added = CertificateAdded {
            certificate: CertificateView {
                key_id: "k".into(),
                display_name: "CN=x".into(),
                thumbprint: "AA".into(),
                thumbprint_sha256: "BB".into(),
                start_date_time: "s".into(),
                end_date_time: "e".into(),
                private_pem: None,
            },
            private_pem_path: Some("./a.pem".into()),
        };
        let value: serde_json::Value =
            serde_json::from_str(&render(&added, OutputFormat::Json).unwrap()).unwrap();
        assert_eq!(value["private_pem_path"], "./a.pem");
        assert_eq!(value["thumbprint"], "AA");
        assert!(value.get("private_pem").is_none());
    }
}
