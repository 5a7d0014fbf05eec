//! Printing results: aligned tables and `key: value` lines for people, JSON for scripts; the
//! views of the wire types and of the outcomes more than one noun prints.
//!
//! A leaf: it reads only [`crate::args`]. This file has the `Render` trait and the layouts
//! (tables, `key: value` lines); the views are split by what they show (`directory`,
//! `policy`, `meeting`, `requests`) and re-exported here.

use anyhow::Context as _;
use serde::Serialize;
use std::io::Write as _;

use crate::args::OutputFormat;

mod directory;
mod meeting;
mod policy;
mod requests;

pub use directory::*;
pub use meeting::*;
pub use policy::*;
pub use requests::*;

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

/// Prints a result on stdout in the chosen format.
pub fn print<T: Render + ?Sized>(value: &T, format: OutputFormat) -> anyhow::Result<()> {
    write_stdout(&render(value, format)?)
}

/// Writes text to stdout and flushes it.
pub fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("writing to stdout")
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

/// `-` for an empty cell, so columns stay readable.
pub fn or_dash(value: &str) -> String {
    if value.is_empty() {
        "-".to_owned()
    } else {
        value.to_owned()
    }
}

/// `" in tenant 'T'"`, or nothing when the server's only tenant is meant.
pub fn in_tenant(tenant: Option<&str>) -> String {
    tenant
        .map(|t| format!(" in tenant '{t}'"))
        .unwrap_or_default()
}

/// The outcome of a deletion (the server answers 204).
#[derive(Debug, Serialize)]
pub struct Deleted {
    /// What was deleted: `tenant`, `user`, `group`, `app`, `secret` or `certificate`.
    pub kind: &'static str,
    /// It, as named on the command line.
    pub id: String,
    /// Always true: a failure is an error instead.
    pub deleted: bool,
}

impl Deleted {
    /// The deletion of `kind` `id`.
    pub fn new(kind: &'static str, id: String) -> Deleted {
        Deleted {
            kind,
            id,
            deleted: true,
        }
    }
}

impl Render for Deleted {
    fn table(&self) -> String {
        format!("deleted {} '{}'\n", self.kind, self.id)
    }
}

#[cfg(test)]
mod tests;
