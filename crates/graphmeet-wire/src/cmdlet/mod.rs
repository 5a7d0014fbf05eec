//! The Teams PowerShell cmdlets that manage application access policies, as tenant admins copy
//! them from Microsoft's docs: `New-`, `Set-`, `Get-`, `Remove-` and
//! `Grant-CsApplicationAccessPolicy`, and `Get-CsOnlineUser` (alone or piped into `Grant-…`).
//!
//! [`parse_script`] tokenizes a script the way PowerShell does in argument mode (single- and
//! double-quoted strings with their escapes, barewords, comma lists, `@(…)` arrays, `@{…}`
//! hashtables, `$null`/`$true`/`$false`, switches, `-Name:value`, backtick line continuations,
//! comments, `;` and newlines between statements, the typographic dashes and quotes that docs
//! pages and word processors produce) and binds the parameters the way PowerShell's binder does
//! (case-insensitive names, unambiguous prefixes, positional `-Identity`, parameter sets). Errors
//! carry PowerShell's wording and the line and column. [`to_powershell`] renders a canonical line
//! back, and [`format_list`] prints records in PowerShell's `Format-List` layout.
//!
//! Nothing here does I/O or applies anything: the result is a typed [`Cmdlet`].

pub(crate) mod lexer;
mod parser;
mod render;
#[cfg(test)]
mod tests;
pub mod wildcard;

use std::fmt;
use std::str::FromStr;

pub mod exchange;

pub use render::{format_collection, format_list, policy_record, to_powershell};

/// One parsed cmdlet call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmdlet {
    /// `New-CsApplicationAccessPolicy -Identity <name> -AppIds <list> [-Description <text>]`.
    NewPolicy {
        /// The policy name, without a `Tag:` prefix.
        identity: String,
        /// The app (client) ids, as written (each one is a GUID; at least one).
        app_ids: Vec<String>,
        /// `-Description`.
        description: Option<String>,
        /// `-WhatIf`, `-Confirm`, `-Force`, `-MsftInternalProcessingMode`.
        common: CommonParams,
    },
    /// `Set-CsApplicationAccessPolicy -Identity <name> [-AppIds …] [-Description <text>]`.
    SetPolicy {
        /// The policy name, without a `Tag:` prefix.
        identity: String,
        /// How `-AppIds` changes the list; `None` when `-AppIds` is absent.
        apps: Option<AppIdsChange>,
        /// `-Description`; `Some("")` for `-Description $null` or `""`.
        description: Option<String>,
        /// `-WhatIf`, `-Confirm`, `-Force`, `-MsftInternalProcessingMode`.
        common: CommonParams,
    },
    /// `Get-CsApplicationAccessPolicy [[-Identity] <name>] [-Filter <text>]`: no identity and no
    /// filter lists every policy of the tenant.
    GetPolicy {
        /// The policy name, without a `Tag:` prefix.
        identity: Option<String>,
        /// `-Filter`, a wildcard pattern on the identity (`Tag:*Meet*`), kept as written.
        filter: Option<String>,
        /// Only `-MsftInternalProcessingMode` applies to `Get-`.
        common: CommonParams,
    },
    /// `Remove-CsApplicationAccessPolicy [-Identity] <name>`.
    RemovePolicy {
        /// The policy name, without a `Tag:` prefix.
        identity: String,
        /// `-WhatIf`, `-Confirm`, `-Force`, `-MsftInternalProcessingMode`.
        common: CommonParams,
    },
    /// `Grant-CsApplicationAccessPolicy` in one of its parameter sets.
    GrantPolicy {
        /// `-Identity <user>`, `-Group <group> [-Rank <n>]` or `-Global`.
        target: GrantTarget,
        /// The policy name without a `Tag:` prefix; `None` for `$null` (revoke).
        policy_name: Option<String>,
        /// `-PassThru`.
        pass_thru: bool,
        /// `-WhatIf`, `-Confirm`, `-MsftInternalProcessingMode`.
        common: CommonParams,
    },
    /// `Get-CsOnlineUser | Grant-CsApplicationAccessPolicy -PolicyName <name|$null>`: a per-user
    /// grant to every user of the tenant.
    GrantToEveryUser {
        /// The policy name without a `Tag:` prefix; `None` for `$null` (revoke).
        policy_name: Option<String>,
        /// `-PassThru`.
        pass_thru: bool,
        /// `-WhatIf`, `-Confirm`, `-MsftInternalProcessingMode`.
        common: CommonParams,
    },
    /// `Get-CsOnlineUser [[-Identity] <user>]`.
    GetOnlineUser {
        /// The user (object id, UPN, SIP address…), as written.
        identity: Option<String>,
    },
    /// Exchange's `New-ApplicationAccessPolicy -AccessRight <right> -AppId <ids>
    /// -PolicyScopeGroupId <group> [-Description <text>]`.
    NewExchangePolicy {
        /// `RestrictAccess` or `DenyAccess`, as written.
        access_right: String,
        /// The app ids (or `*`), as written.
        app_ids: Vec<String>,
        /// The scope group (id, name or address), as written.
        scope: String,
        /// `-Description`.
        description: Option<String>,
        /// `-WhatIf`, `-Confirm`.
        common: CommonParams,
    },
    /// Exchange's `Get-ApplicationAccessPolicy [[-Identity] <policy>]`.
    GetExchangePolicy {
        /// The policy's identity, as written.
        identity: Option<String>,
    },
    /// Exchange's `Set-ApplicationAccessPolicy [-Identity] <policy> -Description <text>`.
    SetExchangePolicy {
        /// The policy's identity.
        identity: String,
        /// `-Description`.
        description: Option<String>,
        /// `-WhatIf`, `-Confirm`.
        common: CommonParams,
    },
    /// Exchange's `Remove-ApplicationAccessPolicy [-Identity] <policy>`.
    RemoveExchangePolicy {
        /// The policy's identity.
        identity: String,
        /// `-WhatIf`, `-Confirm`.
        common: CommonParams,
    },
    /// Exchange's `Test-ApplicationAccessPolicy [-Identity] <mailbox> -AppId <id>`.
    TestExchangePolicy {
        /// The mailbox (UPN, address or object id).
        identity: String,
        /// The app.
        app_id: String,
    },
}

impl Cmdlet {
    /// The cmdlet's PowerShell name (`Grant-CsApplicationAccessPolicy` for
    /// [`Cmdlet::GrantToEveryUser`]).
    pub fn name(&self) -> &'static str {
        match self {
            Cmdlet::NewPolicy { .. } => "New-CsApplicationAccessPolicy",
            Cmdlet::SetPolicy { .. } => "Set-CsApplicationAccessPolicy",
            Cmdlet::GetPolicy { .. } => "Get-CsApplicationAccessPolicy",
            Cmdlet::RemovePolicy { .. } => "Remove-CsApplicationAccessPolicy",
            Cmdlet::GrantPolicy { .. } | Cmdlet::GrantToEveryUser { .. } => {
                "Grant-CsApplicationAccessPolicy"
            }
            Cmdlet::GetOnlineUser { .. } => "Get-CsOnlineUser",
            Cmdlet::NewExchangePolicy { .. } => "New-ApplicationAccessPolicy",
            Cmdlet::GetExchangePolicy { .. } => "Get-ApplicationAccessPolicy",
            Cmdlet::SetExchangePolicy { .. } => "Set-ApplicationAccessPolicy",
            Cmdlet::RemoveExchangePolicy { .. } => "Remove-ApplicationAccessPolicy",
            Cmdlet::TestExchangePolicy { .. } => "Test-ApplicationAccessPolicy",
        }
    }

    /// The common parameters, when the cmdlet takes any.
    pub fn common(&self) -> Option<&CommonParams> {
        match self {
            Cmdlet::NewPolicy { common, .. }
            | Cmdlet::SetPolicy { common, .. }
            | Cmdlet::GetPolicy { common, .. }
            | Cmdlet::RemovePolicy { common, .. }
            | Cmdlet::GrantPolicy { common, .. }
            | Cmdlet::GrantToEveryUser { common, .. }
            | Cmdlet::NewExchangePolicy { common, .. }
            | Cmdlet::SetExchangePolicy { common, .. }
            | Cmdlet::RemoveExchangePolicy { common, .. } => Some(common),
            Cmdlet::GetOnlineUser { .. }
            | Cmdlet::GetExchangePolicy { .. }
            | Cmdlet::TestExchangePolicy { .. } => None,
        }
    }

    /// `-WhatIf` was given: report what would happen, change nothing.
    pub fn what_if(&self) -> bool {
        self.common().is_some_and(|c| c.what_if)
    }

    /// The cmdlet only reads (`Get-…`).
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            Cmdlet::GetPolicy { .. }
                | Cmdlet::GetOnlineUser { .. }
                | Cmdlet::GetExchangePolicy { .. }
                | Cmdlet::TestExchangePolicy { .. }
        )
    }
}

impl fmt::Display for Cmdlet {
    /// The canonical PowerShell line ([`to_powershell`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_powershell(self))
    }
}

impl FromStr for Cmdlet {
    type Err = CmdletError;

    /// Parses exactly one statement ([`parse_line`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_line(s)
    }
}

/// The common parameters the docs list for these cmdlets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommonParams {
    /// `-WhatIf`: don't apply, only say what would be done.
    pub what_if: bool,
    /// `-Confirm` (`Some(true)`) or `-Confirm:$false` (`Some(false)`); `None` when absent.
    pub confirm: Option<bool>,
    /// `-Force` (`New-`, `Set-`, `Remove-` only).
    pub force: bool,
    /// `-MsftInternalProcessingMode <x>`, kept as written.
    pub msft_internal_processing_mode: Option<String>,
}

/// How `Set-CsApplicationAccessPolicy -AppIds` changes a policy's apps (PowerShell's
/// `PSListModifier`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppIdsChange {
    /// `@{Add=…}`.
    Add(Vec<String>),
    /// `@{Remove=…}`.
    Remove(Vec<String>),
    /// `@{Replace=…}` or a plain list.
    Replace(Vec<String>),
}

/// Whom `Grant-CsApplicationAccessPolicy` grants to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantTarget {
    /// `-Identity <user>`: one user (object id, UPN…), as written.
    User(String),
    /// `-Group <group> [-Rank <n>]`.
    Group {
        /// The group (object id or name), as written.
        group: String,
        /// `-Rank`: orders this assignment among the user's group assignments.
        rank: Option<i64>,
    },
    /// `-Global`: every user without a per-user assignment.
    Global,
}

/// One statement of a script, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The cmdlet.
    pub cmdlet: Cmdlet,
    /// 1-based line of the statement's first token.
    pub line: usize,
    /// 1-based column (in characters) of the statement's first token.
    pub column: usize,
}

/// What kind of problem a [`CmdletError`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmdletErrorKind {
    /// The command name is not one of the supported cmdlets.
    UnknownCmdlet,
    /// No parameter of the cmdlet matches the name.
    UnknownParameter,
    /// The abbreviated name matches more than one parameter.
    AmbiguousParameter,
    /// A parameter that takes a value has none.
    MissingArgument,
    /// A mandatory parameter is absent.
    MissingMandatoryParameter,
    /// The parameters given belong to different parameter sets.
    ParameterSetConflict,
    /// The same parameter is given twice.
    DuplicateParameter,
    /// A value has no parameter to bind to.
    PositionalArgument,
    /// A quoted string (or block comment) has no end.
    UnterminatedString,
    /// A `-AppIds` hashtable has a key other than Add, Remove, Replace.
    BadHashtableKey,
    /// An app id is not a GUID.
    InvalidAppId,
    /// A value cannot be converted to the parameter's type (null, empty, not a number…).
    InvalidArgument,
    /// A pipeline other than `Get-CsOnlineUser | Grant-CsApplicationAccessPolicy`.
    UnsupportedPipeline,
    /// Valid PowerShell that graphmeet does not evaluate (variables, script blocks, `&`…).
    UnsupportedSyntax,
    /// Not valid PowerShell.
    Syntax,
    /// The script, one token or the nesting of arrays and hashtables exceeds graphmeet's
    /// bound ([`MAX_SCRIPT_BYTES`], [`MAX_TOKEN_BYTES`], [`MAX_NESTING`]).
    LimitExceeded,
}

/// The longest script accepted, in bytes of UTF-8 (64 KiB): far more than any admin's script,
/// small enough that no input can exhaust the server.
pub const MAX_SCRIPT_BYTES: usize = 64 * 1024;
/// The longest single token (a name, a quoted string, a bareword), in bytes of UTF-8.
pub const MAX_TOKEN_BYTES: usize = 4 * 1024;
/// How deep `@(…)`, `(…)` and `@{…}` may nest; deeper input is rejected, not recursed into.
pub const MAX_NESTING: usize = 64;

/// A parse or binding error, with PowerShell's wording and where it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (At line:{line} char:{column})")]
pub struct CmdletError {
    /// What kind of problem.
    pub kind: CmdletErrorKind,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// The message, worded like PowerShell's.
    pub message: String,
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl CmdletError {
    pub(crate) fn at(pos: Pos, kind: CmdletErrorKind, message: impl Into<String>) -> Self {
        CmdletError {
            kind,
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }
}

/// Parses a script: any number of statements separated by newlines or `;`, with comments and
/// blank lines. Stops at the first error.
pub fn parse_script(src: &str) -> Result<Vec<Cmdlet>, CmdletError> {
    Ok(parse_statements(src)?
        .into_iter()
        .map(|s| s.cmdlet)
        .collect())
}

/// Like [`parse_script`], keeping where each statement starts.
pub fn parse_statements(src: &str) -> Result<Vec<Statement>, CmdletError> {
    let tokens = lexer::tokenize(src)?;
    parser::Parser::new(tokens).script()
}

/// Parses exactly one statement (a trailing `;`, comments and blank lines are fine).
pub fn parse_line(src: &str) -> Result<Cmdlet, CmdletError> {
    let mut statements = parse_statements(src)?.into_iter();
    let Some(first) = statements.next() else {
        return Err(CmdletError::at(
            Pos { line: 1, column: 1 },
            CmdletErrorKind::Syntax,
            "The line contains no cmdlet.",
        ));
    };
    if let Some(second) = statements.next() {
        return Err(CmdletError::at(
            Pos {
                line: second.line,
                column: second.column,
            },
            CmdletErrorKind::Syntax,
            format!(
                "Expected one cmdlet but found a second statement ('{}').",
                second.cmdlet.name()
            ),
        ));
    }
    Ok(first.cmdlet)
}

/// A policy name without its `Tag:` prefix (compared case-insensitively): `Tag:Meetings-App` is
/// `Meetings-App`.
pub fn strip_tag(name: &str) -> &str {
    match name.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("tag:") => &name[4..],
        _ => name,
    }
}
