//! Canonical PowerShell lines and PowerShell's `Format-List` layout.

use super::lexer::is_double_quote;
use super::{AppIdsChange, Cmdlet, CommonParams, GrantTarget};

/// A canonical PowerShell line for `cmdlet`: parameters in a fixed order, names spelled out,
/// app ids and descriptions double-quoted (as the docs write them), other values bare when
/// that is safe and double-quoted with backtick escapes otherwise. Parsing the line gives
/// `cmdlet` back.
pub fn to_powershell(cmdlet: &Cmdlet) -> String {
    let mut out = String::from(cmdlet.name());
    let mut arg = |name: &str, value: Option<String>| {
        out.push_str(" -");
        out.push_str(name);
        if let Some(v) = value {
            out.push(' ');
            out.push_str(&v);
        }
    };
    match cmdlet {
        Cmdlet::NewPolicy {
            identity,
            app_ids,
            description,
            common,
        } => {
            arg("Identity", Some(policy(identity)));
            arg("AppIds", Some(id_list(app_ids)));
            if let Some(d) = description {
                arg("Description", Some(quoted(d)));
            }
            push_common(&mut arg, common);
        }
        Cmdlet::SetPolicy {
            identity,
            apps,
            description,
            common,
        } => {
            arg("Identity", Some(policy(identity)));
            if let Some(change) = apps {
                let (key, ids) = match change {
                    AppIdsChange::Add(ids) => ("Add", ids),
                    AppIdsChange::Remove(ids) => ("Remove", ids),
                    AppIdsChange::Replace(ids) => ("Replace", ids),
                };
                arg("AppIds", Some(format!("@{{{key}={}}}", id_list(ids))));
            }
            if let Some(d) = description {
                arg("Description", Some(quoted(d)));
            }
            push_common(&mut arg, common);
        }
        Cmdlet::GetPolicy {
            identity,
            filter,
            common,
        } => {
            if let Some(i) = identity {
                arg("Identity", Some(policy(i)));
            }
            if let Some(f) = filter {
                arg("Filter", Some(quoted(f)));
            }
            push_common(&mut arg, common);
        }
        Cmdlet::RemovePolicy { identity, common } => {
            arg("Identity", Some(policy(identity)));
            push_common(&mut arg, common);
        }
        Cmdlet::NewExchangePolicy {
            access_right,
            app_ids,
            scope,
            description,
            common,
        } => {
            arg("AccessRight", Some(access_right.clone()));
            arg("AppId", Some(app_ids.join(",")));
            arg("PolicyScopeGroupId", Some(quoted(scope)));
            if let Some(d) = description {
                arg("Description", Some(quoted(d)));
            }
            push_common(&mut arg, common);
        }
        Cmdlet::GetExchangePolicy { identity } => {
            if let Some(i) = identity {
                arg("Identity", Some(quoted(i)));
            }
        }
        Cmdlet::SetExchangePolicy {
            identity,
            description,
            common,
        } => {
            arg("Identity", Some(quoted(identity)));
            if let Some(d) = description {
                arg("Description", Some(quoted(d)));
            }
            push_common(&mut arg, common);
        }
        Cmdlet::RemoveExchangePolicy { identity, common } => {
            arg("Identity", Some(quoted(identity)));
            push_common(&mut arg, common);
        }
        Cmdlet::TestExchangePolicy { identity, app_id } => {
            arg("Identity", Some(quoted(identity)));
            arg("AppId", Some(app_id.clone()));
        }
        Cmdlet::GrantPolicy {
            target,
            policy_name,
            pass_thru,
            common,
        } => {
            match target {
                GrantTarget::User(user) => arg("Identity", Some(bare_or_quoted(user))),
                GrantTarget::Group { group, .. } => arg("Group", Some(bare_or_quoted(group))),
                GrantTarget::Global => {}
            }
            arg("PolicyName", Some(policy_or_null(policy_name.as_deref())));
            match target {
                GrantTarget::Group {
                    rank: Some(rank), ..
                } => arg("Rank", Some(rank.to_string())),
                GrantTarget::Global => arg("Global", None),
                _ => {}
            }
            if *pass_thru {
                arg("PassThru", None);
            }
            push_common(&mut arg, common);
        }
        Cmdlet::GrantToEveryUser {
            policy_name,
            pass_thru,
            common,
        } => {
            // The name pushed above is Grant-…; the pipeline starts with Get-CsOnlineUser.
            arg("PolicyName", Some(policy_or_null(policy_name.as_deref())));
            if *pass_thru {
                arg("PassThru", None);
            }
            push_common(&mut arg, common);
            return format!("Get-CsOnlineUser | {out}");
        }
        Cmdlet::GetOnlineUser { identity } => {
            if let Some(i) = identity {
                arg("Identity", Some(bare_or_quoted(i)));
            }
        }
    }
    out
}

fn push_common(arg: &mut impl FnMut(&str, Option<String>), common: &CommonParams) {
    if let Some(mode) = &common.msft_internal_processing_mode {
        arg("MsftInternalProcessingMode", Some(bare_or_quoted(mode)));
    }
    if common.force {
        arg("Force", None);
    }
    if common.what_if {
        arg("WhatIf", None);
    }
    match common.confirm {
        Some(true) => arg("Confirm", None),
        Some(false) => arg("Confirm:$false", None),
        None => {}
    }
}

/// A policy name; one that itself starts with `Tag:` gets a second prefix, since parsing strips
/// one.
fn policy(name: &str) -> String {
    if name
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("tag:"))
    {
        bare_or_quoted(&format!("Tag:{name}"))
    } else {
        bare_or_quoted(name)
    }
}

fn policy_or_null(name: Option<&str>) -> String {
    name.map_or_else(|| "$null".to_string(), policy)
}

fn id_list(ids: &[String]) -> String {
    if ids.is_empty() {
        return "@()".into();
    }
    ids.iter()
        .map(|id| quoted(id))
        .collect::<Vec<_>>()
        .join(",")
}

/// Bare when PowerShell reads the text back as the same bareword, else double-quoted.
fn bare_or_quoted(s: &str) -> String {
    let mut chars = s.chars();
    let safe = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '@' | '/' | '+')
        });
    if safe {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// A double-quoted string with backtick escapes for what would otherwise be read differently.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '`' | '$' => {
                out.push('`');
                out.push(c);
            }
            c if is_double_quote(c) => {
                out.push('`');
                out.push(c);
            }
            '\0' => out.push_str("`0"),
            '\u{07}' => out.push_str("`a"),
            '\u{08}' => out.push_str("`b"),
            '\u{1b}' => out.push_str("`e"),
            '\u{0c}' => out.push_str("`f"),
            '\n' => out.push_str("`n"),
            '\r' => out.push_str("`r"),
            '\t' => out.push_str("`t"),
            '\u{0b}' => out.push_str("`v"),
            c if c.is_control() => out.push_str(&format!("`u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// PowerShell's list layout (`Format-List`, as `Get-CsApplicationAccessPolicy` prints it): one
/// block per record, `Name : value` lines with the names padded to the block's longest name, a
/// value's further lines indented under its first, blocks separated by one blank line. No
/// leading or trailing blank lines; each line ends with `\n`; no trailing spaces.
pub fn format_list(records: &[Vec<(String, String)>]) -> String {
    let mut out = String::new();
    for (n, record) in records.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let width = record
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        let indent = " ".repeat(width + 3);
        for (key, value) in record {
            let mut line = format!("{key:<width$} :");
            let mut lines = value.lines();
            if let Some(first) = lines.next() {
                line.push(' ');
                line.push_str(first);
            }
            out.push_str(line.trim_end());
            out.push('\n');
            for more in lines {
                let more = format!("{indent}{more}");
                out.push_str(more.trim_end());
                out.push('\n');
            }
        }
    }
    out
}

/// A collection as PowerShell shows it in a list: `{a, b}`; `{}` when empty.
pub fn format_collection(items: &[String]) -> String {
    format!("{{{}}}", items.join(", "))
}

/// The record `Get-CsApplicationAccessPolicy` prints for a policy: `Identity` (`Tag:{name}`),
/// `AppIds` (`{a, b}`) and `Description`.
pub fn policy_record(name: &str, app_ids: &[String], description: &str) -> Vec<(String, String)> {
    vec![
        ("Identity".to_string(), format!("Tag:{name}")),
        ("AppIds".to_string(), format_collection(app_ids)),
        ("Description".to_string(), description.to_string()),
    ]
}
