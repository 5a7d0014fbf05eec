//! Parameter binding: positional values to their slots, each value converted to what the
//! cmdlet takes, and the [`Cmdlet`] built, with PowerShell's binding errors.

use super::*;

fn invalid(pos: Pos, message: String) -> CmdletError {
    CmdletError::at(pos, K::InvalidArgument, message)
}

/// The parameters of one command, being converted.
struct Args {
    named: Vec<Bound>,
}

impl Args {
    /// Binds the positional values to `candidates` in order, skipping those bound by name.
    fn new(raw: RawCommand, candidates: &[&str]) -> Result<Self, CmdletError> {
        let mut named = raw.named;
        for v in raw.positional {
            let slot = candidates.iter().find_map(|c| {
                let taken = named.iter().any(|b| b.def.name == *c);
                if taken {
                    None
                } else {
                    raw.spec.params.iter().find(|p| p.name == *c)
                }
            });
            let Some(def) = slot else {
                return Err(CmdletError::at(
                    v.pos,
                    K::PositionalArgument,
                    format!(
                        "A positional parameter cannot be found that accepts argument '{}'.",
                        v.describe()
                    ),
                ));
            };
            named.push(Bound {
                def,
                pos: v.pos,
                value: Some(v),
            });
        }
        Ok(Args { named })
    }

    fn get(&self, name: &str) -> Option<&Bound> {
        self.named.iter().find(|b| b.def.name == name)
    }

    fn pos(&self, name: &str) -> Option<Pos> {
        self.get(name).map(|b| b.pos)
    }

    /// A switch: absent → false, `-X` → true, `-X:$false` → false.
    fn switch(&self, name: &str) -> Result<Option<bool>, CmdletError> {
        let Some(b) = self.get(name) else {
            return Ok(None);
        };
        match &b.value {
            None => Ok(Some(true)),
            Some(Spanned {
                val: Val::Bool(v), ..
            }) => Ok(Some(*v)),
            Some(v) => Err(invalid(
                v.pos,
                format!(
                    "Cannot process argument transformation on parameter '{name}'. Cannot convert the \"{}\" value to type \"System.Management.Automation.SwitchParameter\": use -{name}:$true or -{name}:$false.",
                    v.describe()
                ),
            )),
        }
    }

    /// A string parameter; `$null` gives `None` when `null_ok`, an error otherwise.
    fn string(&self, name: &str, null_ok: bool) -> Result<Option<String>, CmdletError> {
        let Some(b) = self.get(name) else {
            return Ok(None);
        };
        let Some(v) = &b.value else {
            return Err(missing_argument(b.def, b.pos));
        };
        match &v.val {
            Val::Str(s) => Ok(Some(s.clone())),
            Val::Bool(x) => Ok(Some(if *x { "True" } else { "False" }.to_string())),
            Val::Null if null_ok => Ok(None),
            Val::Null => Err(invalid(
                v.pos,
                format!("Cannot bind argument to parameter '{name}' because it is null."),
            )),
            Val::List(_) | Val::Hash(_) => Err(invalid(
                v.pos,
                format!(
                    "Cannot convert '{}' to the type 'System.String' required by parameter '{name}'. Specified method is not supported.",
                    v.describe()
                ),
            )),
        }
    }

    /// A string parameter that must not be empty.
    fn non_empty(&self, name: &str) -> Result<Option<String>, CmdletError> {
        let s = self.string(name, false)?;
        if let (Some(s), Some(pos)) = (&s, self.pos(name)) {
            if s.trim().is_empty() {
                return Err(invalid(
                    self.get(name)
                        .and_then(|b| b.value.as_ref())
                        .map_or(pos, |v| v.pos),
                    format!(
                        "Cannot bind argument to parameter '{name}' because it is an empty string."
                    ),
                ));
            }
        }
        Ok(s)
    }

    /// A policy name: not empty, `Tag:` stripped.
    fn policy_name(&self, name: &str) -> Result<Option<String>, CmdletError> {
        let Some(s) = self.non_empty(name)? else {
            return Ok(None);
        };
        let stripped = strip_tag(&s).to_string();
        if stripped.trim().is_empty() {
            let pos = self
                .get(name)
                .and_then(|b| b.value.as_ref())
                .map_or(Pos { line: 1, column: 1 }, |v| v.pos);
            return Err(invalid(
                pos,
                format!(
                    "Cannot bind argument to parameter '{name}' because it is an empty string."
                ),
            ));
        }
        Ok(Some(stripped))
    }

    fn int(&self, name: &str) -> Result<Option<i64>, CmdletError> {
        let Some(b) = self.get(name) else {
            return Ok(None);
        };
        let Some(v) = &b.value else {
            return Err(missing_argument(b.def, b.pos));
        };
        let parsed = match &v.val {
            Val::Str(s) => s.trim().parse::<i32>().ok(),
            _ => None,
        };
        match parsed {
            Some(n) => Ok(Some(i64::from(n))),
            None => Err(invalid(
                v.pos,
                format!(
                    "Cannot process argument transformation on parameter '{name}'. Cannot convert value \"{}\" to type \"System.Int32\". Error: \"Input string was not in a correct format.\"",
                    v.describe()
                ),
            )),
        }
    }

    fn app_ids(&self) -> Result<Option<(AppIdsChange, Pos)>, CmdletError> {
        let Some(b) = self.get("AppIds") else {
            return Ok(None);
        };
        let Some(v) = &b.value else {
            return Err(missing_argument(b.def, b.pos));
        };
        let change = match &v.val {
            Val::Null => {
                return Err(invalid(
                    v.pos,
                    "Cannot bind argument to parameter 'AppIds' because it is null.".into(),
                ))
            }
            Val::Hash(entries) => {
                let mut found: Option<(AppIdsChange, &str)> = None;
                if entries.is_empty() {
                    return Err(invalid(
                        v.pos,
                        "The -AppIds hashtable is empty: use @{Add=…}, @{Remove=…} or @{Replace=…}."
                            .into(),
                    ));
                }
                for (key, key_pos, value) in entries {
                    let ids = app_id_list(value)?;
                    let change = match key.to_ascii_lowercase().as_str() {
                        "add" => AppIdsChange::Add(ids),
                        "remove" => AppIdsChange::Remove(ids),
                        "replace" => AppIdsChange::Replace(ids),
                        _ => {
                            return Err(CmdletError::at(
                                *key_pos,
                                K::BadHashtableKey,
                                format!("Cannot bind parameter 'AppIds': the hashtable key '{key}' is not valid. A list modifier accepts only the keys Add, Remove and Replace."),
                            ))
                        }
                    };
                    if let Some((_, first)) = &found {
                        return Err(invalid(
                            *key_pos,
                            format!("Cannot bind parameter 'AppIds': '{key}' cannot be combined with '{first}' in one hashtable. Use one of Add, Remove or Replace per Set-CsApplicationAccessPolicy line."),
                        ));
                    }
                    found = Some((change, key.as_str()));
                }
                match found {
                    Some((change, _)) => change,
                    None => AppIdsChange::Replace(Vec::new()),
                }
            }
            _ => AppIdsChange::Replace(app_id_list(v)?),
        };
        Ok(Some((change, v.pos)))
    }

    fn common(&self, cmd: CmdId) -> Result<CommonParams, CmdletError> {
        let has = |name: &str| -> bool {
            SPECS
                .iter()
                .find(|s| s.id == cmd)
                .is_some_and(|s| s.params.iter().any(|p| p.name == name))
        };
        Ok(CommonParams {
            what_if: has("WhatIf") && self.switch("WhatIf")?.unwrap_or(false),
            confirm: if has("Confirm") {
                self.switch("Confirm")?
            } else {
                None
            },
            force: has("Force") && self.switch("Force")?.unwrap_or(false),
            msft_internal_processing_mode: self.string("MsftInternalProcessingMode", true)?,
        })
    }
}

/// The app ids of a value, flattened, each one checked to be a GUID.
fn app_id_list(v: &Spanned) -> Result<Vec<String>, CmdletError> {
    let mut out = Vec::new();
    collect_ids(v, &mut out)?;
    Ok(out)
}

fn collect_ids(v: &Spanned, out: &mut Vec<String>) -> Result<(), CmdletError> {
    match &v.val {
        Val::List(items) => {
            for item in items {
                collect_ids(item, out)?;
            }
            Ok(())
        }
        Val::Str(s) => {
            let id = s.trim();
            if uuid::Uuid::try_parse(id).is_ok() {
                out.push(id.to_string());
                Ok(())
            } else {
                Err(CmdletError::at(
                    v.pos,
                    K::InvalidAppId,
                    format!("Cannot bind parameter 'AppIds': '{s}' is not a valid app id. App ids are application (client) ids, GUIDs such as 2f1c3a44-8b6d-4e2a-9c1f-5d7e3b9a0c21."),
                ))
            }
        }
        Val::Null => Err(invalid(
            v.pos,
            "Cannot bind argument to parameter 'AppIds' because it contains a null element.".into(),
        )),
        Val::Bool(_) | Val::Hash(_) => Err(CmdletError::at(
            v.pos,
            K::InvalidAppId,
            format!(
                "Cannot bind parameter 'AppIds': '{}' is not a valid app id. App ids are GUIDs.",
                v.describe()
            ),
        )),
    }
}

fn missing_mandatory(pos: Pos, names: &[&str], hint: &str) -> CmdletError {
    CmdletError::at(
        pos,
        K::MissingMandatoryParameter,
        format!(
            "Cannot process command because of one or more missing mandatory parameters: {}.{hint}",
            names.join(" ")
        ),
    )
}

fn set_conflict(pos: Pos) -> CmdletError {
    CmdletError::at(
        pos,
        K::ParameterSetConflict,
        "Parameter set cannot be resolved using the specified named parameters.",
    )
}

/// Converts a command's parameters into a [`Cmdlet`]. `piped` is the `Get-CsOnlineUser`
/// identity when the command is the second stage of `Get-CsOnlineUser | Grant-…`.
pub(super) fn bind(raw: RawCommand, piped: Option<Option<String>>) -> Result<Cmdlet, CmdletError> {
    let id = raw.spec.id;
    let cmd_pos = raw.pos;
    match id {
        CmdId::New | CmdId::Set => {
            let args = Args::new(raw, &["Identity"])?;
            let identity = args.policy_name("Identity")?;
            let apps = args.app_ids()?;
            let description = args.string("Description", true)?;
            let description = match (args.get("Description"), description) {
                (Some(_), None) => Some(String::new()),
                (_, d) => d,
            };
            let common = args.common(id)?;
            let mut missing = Vec::new();
            if identity.is_none() {
                missing.push("Identity");
            }
            if id == CmdId::New && apps.is_none() {
                missing.push("AppIds");
            }
            if !missing.is_empty() {
                return Err(missing_mandatory(cmd_pos, &missing, ""));
            }
            let Some(identity) = identity else {
                return Err(missing_mandatory(cmd_pos, &["Identity"], ""));
            };
            if id == CmdId::Set {
                return Ok(Cmdlet::SetPolicy {
                    identity,
                    apps: apps.map(|(c, _)| c),
                    description,
                    common,
                });
            }
            let app_ids = match apps {
                Some((AppIdsChange::Add(ids) | AppIdsChange::Replace(ids), pos)) => {
                    if ids.is_empty() {
                        return Err(invalid(
                            pos,
                            "Cannot bind argument to parameter 'AppIds' because it is an empty collection.".into(),
                        ));
                    }
                    ids
                }
                Some((AppIdsChange::Remove(_), pos)) => {
                    return Err(invalid(
                        pos,
                        "New-CsApplicationAccessPolicy -AppIds takes the list of app ids; @{Remove=…} has nothing to remove from.".into(),
                    ))
                }
                None => return Err(missing_mandatory(cmd_pos, &["AppIds"], "")),
            };
            Ok(Cmdlet::NewPolicy {
                identity,
                app_ids,
                description,
                common,
            })
        }
        CmdId::Get => {
            let args = Args::new(raw, &["Identity"])?;
            if let (Some(a), Some(b)) = (args.pos("Identity"), args.pos("Filter")) {
                return Err(set_conflict(a.max(b)));
            }
            Ok(Cmdlet::GetPolicy {
                identity: args.policy_name("Identity")?,
                filter: args.string("Filter", false)?,
                common: args.common(id)?,
            })
        }
        CmdId::Remove => {
            let args = Args::new(raw, &["Identity"])?;
            let Some(identity) = args.policy_name("Identity")? else {
                return Err(missing_mandatory(cmd_pos, &["Identity"], ""));
            };
            Ok(Cmdlet::RemovePolicy {
                identity,
                common: args.common(id)?,
            })
        }
        CmdId::GetUser => {
            let args = Args::new(raw, &["Identity"])?;
            Ok(Cmdlet::GetOnlineUser {
                identity: args.non_empty("Identity")?,
            })
        }
        CmdId::Grant => bind_grant(raw, piped),
        CmdId::ExchangeNew => {
            let args = Args::new(raw, &[])?;
            let access_right = args.non_empty("AccessRight")?;
            let scope = args.non_empty("PolicyScopeGroupId")?;
            let app_ids = match args.get("AppId") {
                Some(Bound { value: Some(v), .. }) => Some(string_list(v, "AppId")?),
                Some(b) => return Err(missing_argument(b.def, b.pos)),
                None => None,
            };
            let mut missing = Vec::new();
            if access_right.is_none() {
                missing.push("AccessRight");
            }
            if app_ids.is_none() {
                missing.push("AppId");
            }
            if scope.is_none() {
                missing.push("PolicyScopeGroupId");
            }
            let (Some(access_right), Some(app_ids), Some(scope)) = (access_right, app_ids, scope)
            else {
                return Err(missing_mandatory(cmd_pos, &missing, ""));
            };
            if !["RestrictAccess", "DenyAccess"]
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&access_right))
            {
                return Err(invalid(
                    args.pos("AccessRight").unwrap_or(cmd_pos),
                    format!("Cannot process argument transformation on parameter 'AccessRight'. Cannot convert value \"{access_right}\" to type \"ApplicationAccessPolicyRight\". The enumeration values are \"RestrictAccess,DenyAccess\"."),
                ));
            }
            Ok(Cmdlet::NewExchangePolicy {
                access_right,
                app_ids,
                scope,
                description: args.string("Description", true)?,
                common: args.common(id)?,
            })
        }
        CmdId::ExchangeGet => {
            let args = Args::new(raw, &["Identity"])?;
            Ok(Cmdlet::GetExchangePolicy {
                identity: args.string("Identity", true)?.filter(|s| !s.is_empty()),
            })
        }
        CmdId::ExchangeSet | CmdId::ExchangeRemove => {
            let args = Args::new(raw, &["Identity"])?;
            let Some(identity) = args.non_empty("Identity")? else {
                return Err(missing_mandatory(cmd_pos, &["Identity"], ""));
            };
            let common = args.common(id)?;
            if id == CmdId::ExchangeRemove {
                return Ok(Cmdlet::RemoveExchangePolicy { identity, common });
            }
            Ok(Cmdlet::SetExchangePolicy {
                identity,
                description: args.string("Description", true)?,
                common,
            })
        }
        CmdId::ExchangeTest => {
            let args = Args::new(raw, &["Identity"])?;
            let identity = args.non_empty("Identity")?;
            let app_id = args.non_empty("AppId")?;
            let (Some(identity), Some(app_id)) = (identity, app_id) else {
                let mut missing = Vec::new();
                if args.get("Identity").is_none() {
                    missing.push("Identity");
                }
                if args.get("AppId").is_none() {
                    missing.push("AppId");
                }
                return Err(missing_mandatory(cmd_pos, &missing, ""));
            };
            Ok(Cmdlet::TestExchangePolicy { identity, app_id })
        }
    }
}

/// The strings of a value (`a,b`, `@("a","b")`), flattened.
fn string_list(v: &Spanned, param: &str) -> Result<Vec<String>, CmdletError> {
    let mut out = Vec::new();
    fn walk(v: &Spanned, param: &str, out: &mut Vec<String>) -> Result<(), CmdletError> {
        match &v.val {
            Val::List(items) => items.iter().try_for_each(|i| walk(i, param, out)),
            Val::Str(s) => {
                out.extend(
                    s.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                );
                Ok(())
            }
            _ => Err(invalid(
                v.pos,
                format!(
                    "Cannot bind parameter '{param}': '{}' is not a string.",
                    v.describe()
                ),
            )),
        }
    }
    walk(v, param, &mut out)?;
    if out.is_empty() {
        return Err(invalid(
            v.pos,
            format!(
                "Cannot bind argument to parameter '{param}' because it is an empty collection."
            ),
        ));
    }
    Ok(out)
}

fn bind_grant(raw: RawCommand, piped: Option<Option<String>>) -> Result<Cmdlet, CmdletError> {
    let cmd_pos = raw.pos;
    let named = |name: &str| raw.named.iter().any(|b| b.def.name == name);
    let candidates: &[&str] = if piped.is_some() || named("Global") || named("Group") {
        &["PolicyName"]
    } else {
        &["Identity", "PolicyName"]
    };
    let args = Args::new(raw, candidates)?;
    let global = args.switch("Global")?.unwrap_or(false);
    // The parameters that pick a parameter set, in the order they were written.
    let mut chosen: Vec<Pos> = Vec::new();
    for (name, on) in [
        ("Identity", args.get("Identity").is_some()),
        ("Group", args.get("Group").is_some()),
        ("Global", global),
    ] {
        if let (true, Some(pos)) = (on, args.pos(name)) {
            chosen.push(pos);
        }
    }
    chosen.sort();
    if piped.is_some() {
        if let Some(pos) = chosen.first() {
            return Err(set_conflict(*pos));
        }
    } else if let Some(pos) = chosen.get(1) {
        return Err(set_conflict(*pos));
    }
    if let (Some(pos), None) = (args.pos("Rank"), args.get("Group")) {
        return Err(set_conflict(pos));
    }
    if args.get("PolicyName").is_none() {
        return Err(missing_mandatory(cmd_pos, &["PolicyName"], ""));
    }
    let policy_name = match args.string("PolicyName", true)? {
        Some(s) if s.is_empty() => None,
        Some(_) => args.policy_name("PolicyName")?,
        None => None,
    };
    let pass_thru = args.switch("PassThru")?.unwrap_or(false);
    let common = args.common(CmdId::Grant)?;
    if let Some(user) = piped {
        return Ok(match user {
            Some(user) => Cmdlet::GrantPolicy {
                target: GrantTarget::User(user),
                policy_name,
                pass_thru,
                common,
            },
            None => Cmdlet::GrantToEveryUser {
                policy_name,
                pass_thru,
                common,
            },
        });
    }
    let target = if let Some(user) = args.non_empty("Identity")? {
        GrantTarget::User(user)
    } else if let Some(group) = args.non_empty("Group")? {
        GrantTarget::Group {
            group,
            rank: args.int("Rank")?,
        }
    } else if global {
        GrantTarget::Global
    } else {
        return Err(missing_mandatory(
            cmd_pos,
            &["Identity"],
            " Grant-CsApplicationAccessPolicy needs -Identity <user>, -Group <group> or -Global.",
        ));
    };
    Ok(Cmdlet::GrantPolicy {
        target,
        policy_name,
        pass_thru,
        common,
    })
}
