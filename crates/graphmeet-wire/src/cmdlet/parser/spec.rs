//! The parameter tables of every cmdlet graphmeet reads (names, aliases, types, as the
//! modules declare them) and PowerShell's name resolution: exact name or alias, else an
//! unambiguous prefix.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Switch,
    Value(&'static str),
}

#[derive(Debug)]
pub(super) struct ParamDef {
    pub(super) name: &'static str,
    pub(super) aliases: &'static [&'static str],
    pub(super) kind: Kind,
}

pub(super) const fn value(name: &'static str, type_name: &'static str) -> ParamDef {
    ParamDef {
        name,
        aliases: &[],
        kind: Kind::Value(type_name),
    }
}

pub(super) const fn switch(name: &'static str) -> ParamDef {
    ParamDef {
        name,
        aliases: &[],
        kind: Kind::Switch,
    }
}

pub(super) const WHAT_IF: ParamDef = ParamDef {
    name: "WhatIf",
    aliases: &["wi"],
    kind: Kind::Switch,
};
pub(super) const CONFIRM: ParamDef = ParamDef {
    name: "Confirm",
    aliases: &["cf"],
    kind: Kind::Switch,
};
pub(super) const STRING: &str = "System.String";
pub(super) const LIST_MODIFIER: &str = "System.Management.Automation.PSListModifier";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CmdId {
    New,
    Set,
    Get,
    Remove,
    Grant,
    GetUser,
    ExchangeNew,
    ExchangeGet,
    ExchangeSet,
    ExchangeRemove,
    ExchangeTest,
}

pub(super) struct CmdSpec {
    pub(super) name: &'static str,
    pub(super) id: CmdId,
    /// In the order PowerShell lists ambiguous matches.
    pub(super) params: &'static [ParamDef],
}

pub(super) const POLICY_WRITE_PARAMS: &[ParamDef] = &[
    value("Identity", STRING),
    value("AppIds", LIST_MODIFIER),
    value("Description", STRING),
    switch("Force"),
    value("MsftInternalProcessingMode", STRING),
    WHAT_IF,
    CONFIRM,
];

pub(super) const SPECS: &[CmdSpec] = &[
    CmdSpec {
        name: "New-CsApplicationAccessPolicy",
        id: CmdId::New,
        params: POLICY_WRITE_PARAMS,
    },
    CmdSpec {
        name: "Set-CsApplicationAccessPolicy",
        id: CmdId::Set,
        params: POLICY_WRITE_PARAMS,
    },
    CmdSpec {
        name: "Get-CsApplicationAccessPolicy",
        id: CmdId::Get,
        params: &[
            value("Identity", STRING),
            value("Filter", STRING),
            value("MsftInternalProcessingMode", STRING),
        ],
    },
    CmdSpec {
        name: "Remove-CsApplicationAccessPolicy",
        id: CmdId::Remove,
        params: &[
            value("Identity", STRING),
            switch("Force"),
            value("MsftInternalProcessingMode", STRING),
            WHAT_IF,
            CONFIRM,
        ],
    },
    CmdSpec {
        name: "Grant-CsApplicationAccessPolicy",
        id: CmdId::Grant,
        params: &[
            value("Identity", STRING),
            value("PolicyName", STRING),
            value("Group", STRING),
            value("Rank", "System.Int32"),
            switch("Global"),
            switch("PassThru"),
            value("MsftInternalProcessingMode", STRING),
            WHAT_IF,
            CONFIRM,
        ],
    },
    CmdSpec {
        name: "Get-CsOnlineUser",
        id: CmdId::GetUser,
        params: &[value("Identity", STRING)],
    },
    // Exchange Online's application access policy (ExchangeOnlineManagement module).
    CmdSpec {
        name: "New-ApplicationAccessPolicy",
        id: CmdId::ExchangeNew,
        params: &[
            value("AccessRight", "ApplicationAccessPolicyRight"),
            value("AppId", "System.String[]"),
            value("PolicyScopeGroupId", "RecipientIdParameter"),
            value("Description", STRING),
            CONFIRM,
            WHAT_IF,
        ],
    },
    CmdSpec {
        name: "Get-ApplicationAccessPolicy",
        id: CmdId::ExchangeGet,
        params: &[value("Identity", "ApplicationAccessPolicyIdParameter")],
    },
    CmdSpec {
        name: "Set-ApplicationAccessPolicy",
        id: CmdId::ExchangeSet,
        params: &[
            value("Identity", "ApplicationAccessPolicyIdParameter"),
            value("Description", STRING),
            CONFIRM,
            WHAT_IF,
        ],
    },
    CmdSpec {
        name: "Remove-ApplicationAccessPolicy",
        id: CmdId::ExchangeRemove,
        params: &[
            value("Identity", "ApplicationAccessPolicyIdParameter"),
            CONFIRM,
            WHAT_IF,
        ],
    },
    CmdSpec {
        name: "Test-ApplicationAccessPolicy",
        id: CmdId::ExchangeTest,
        params: &[
            value("Identity", "RecipientIdParameter"),
            value("AppId", STRING),
        ],
    },
];

pub(super) fn find_spec(name: &str) -> Option<&'static CmdSpec> {
    let bare = match name.split_once('\\') {
        Some((module, cmd))
            if module.eq_ignore_ascii_case("MicrosoftTeams")
                || module.eq_ignore_ascii_case("ExchangeOnlineManagement") =>
        {
            cmd
        }
        _ => name,
    };
    SPECS.iter().find(|s| s.name.eq_ignore_ascii_case(bare))
}

/// Resolves a parameter name as typed: exact name or alias, else an unambiguous prefix.
pub(super) fn resolve(
    spec: &'static CmdSpec,
    typed: &str,
    pos: Pos,
) -> Result<&'static ParamDef, CmdletError> {
    let lower = typed.to_lowercase();
    if let Some(def) = spec.params.iter().find(|p| {
        p.name.eq_ignore_ascii_case(&lower)
            || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(&lower))
    }) {
        return Ok(def);
    }
    let matches: Vec<&'static ParamDef> = spec
        .params
        .iter()
        .filter(|p| p.name.to_lowercase().starts_with(&lower))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(CmdletError::at(
            pos,
            K::UnknownParameter,
            format!("A parameter cannot be found that matches parameter name '{typed}'."),
        )),
        many => Err(CmdletError::at(
            pos,
            K::AmbiguousParameter,
            format!(
                "Parameter cannot be processed because the parameter name '{typed}' is ambiguous. Possible matches include: {}.",
                many.iter()
                    .map(|p| format!("-{}", p.name))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        )),
    }
}
