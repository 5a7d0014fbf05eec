//! One test per cmdlet form and per PowerShell quirk, named after the rule.

use super::*;

const A: &str = "2f1c3a44-8b6d-4e2a-9c1f-5d7e3b9a0c21";
const B: &str = "5817674c-81d9-4adb-bfb2-8f6a442e4622";

fn one(src: &str) -> Cmdlet {
    match parse_line(src) {
        Ok(c) => c,
        Err(e) => panic!("{src:?} should parse: {e}"),
    }
}

fn err(src: &str) -> CmdletError {
    match parse_script(src) {
        Ok(c) => panic!("{src:?} should fail, parsed as {c:?}"),
        Err(e) => e,
    }
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn new_policy(identity: &str, app_ids: &[&str], description: Option<&str>) -> Cmdlet {
    Cmdlet::NewPolicy {
        identity: identity.into(),
        app_ids: ids(app_ids),
        description: description.map(Into::into),
        common: CommonParams::default(),
    }
}

fn grant(target: GrantTarget, policy: Option<&str>) -> Cmdlet {
    Cmdlet::GrantPolicy {
        target,
        policy_name: policy.map(Into::into),
        pass_thru: false,
        common: CommonParams::default(),
    }
}

// ---- New-CsApplicationAccessPolicy ----

#[test]
fn new_policy_with_all_parameters() {
    let c = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds "{A}","{B}" -Description "Meetings app" -MsftInternalProcessingMode Default -Force -WhatIf -Confirm:$false"#
    ));
    assert_eq!(
        c,
        Cmdlet::NewPolicy {
            identity: "Meetings-App".into(),
            app_ids: ids(&[A, B]),
            description: Some("Meetings app".into()),
            common: CommonParams {
                what_if: true,
                confirm: Some(false),
                force: true,
                msft_internal_processing_mode: Some("Default".into()),
            },
        }
    );
    assert!(c.what_if());
}

#[test]
fn seed_line_without_space_before_next_parameter_is_verbatim_accepted() {
    let c = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds "{A}"-Description "Meetings app""#
    ));
    assert_eq!(c, new_policy("Meetings-App", &[A], Some("Meetings app")));
}

#[test]
fn closing_single_quote_also_ends_the_value_before_a_parameter() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy -Identity 'Meetings-App'-AppIds '{A}'-Description 'x'"
    ));
    assert_eq!(c, new_policy("Meetings-App", &[A], Some("x")));
}

#[test]
fn identity_quoted_and_unquoted_are_the_same() {
    let bare = one(&format!(
        "New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds {A}"
    ));
    let dq = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity "Meetings-App" -AppIds "{A}""#
    ));
    let sq = one(&format!(
        "New-CsApplicationAccessPolicy -Identity 'Meetings-App' -AppIds '{A}'"
    ));
    assert_eq!(bare, new_policy("Meetings-App", &[A], None));
    assert_eq!(bare, dq);
    assert_eq!(bare, sq);
}

#[test]
fn identity_tag_prefix_is_stripped() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy -Identity Tag:Meetings-App -AppIds {A}"
    ));
    assert_eq!(c, new_policy("Meetings-App", &[A], None));
    let c = one(&format!(
        "New-CsApplicationAccessPolicy -Identity 'tag:Meetings App' -AppIds {A}"
    ));
    assert_eq!(c, new_policy("Meetings App", &[A], None));
    assert_eq!(strip_tag("TAG:x"), "x");
    assert_eq!(strip_tag("Tagx"), "Tagx");
}

#[test]
fn identity_is_positional_in_new() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy Meetings-App -AppIds {A}"
    ));
    assert_eq!(c, new_policy("Meetings-App", &[A], None));
}

#[test]
fn comma_lists_allow_spaces_and_newlines_after_commas() {
    let want = new_policy("P", &[A, B], None);
    assert_eq!(
        one(&format!(
            r#"New-CsApplicationAccessPolicy -Identity P -AppIds "{A}" , "{B}""#
        )),
        want
    );
    assert_eq!(
        one(&format!(
            "New-CsApplicationAccessPolicy -Identity P -AppIds {A},{B}"
        )),
        want
    );
    assert_eq!(
        one(&format!(
            "New-CsApplicationAccessPolicy -Identity P -AppIds {A}, {B}"
        )),
        want
    );
    assert_eq!(
        one(&format!(
            "New-CsApplicationAccessPolicy -Identity P -AppIds \"{A}\",\n    \"{B}\""
        )),
        want
    );
}

#[test]
fn backtick_at_end_of_line_continues_the_line() {
    let want = new_policy("P", &[A, B], Some("d"));
    let src = format!(
        "New-CsApplicationAccessPolicy `\n  -Identity P `\r\n  -AppIds \"{A}\", `\n  \"{B}\" `  \n  -Description d"
    );
    assert_eq!(one(&src), want);
}

#[test]
fn array_subexpression_lists_app_ids() {
    let want = new_policy("P", &[A, B], None);
    assert_eq!(
        one(&format!(
            r#"New-CsApplicationAccessPolicy -Identity P -AppIds @("{A}","{B}")"#
        )),
        want
    );
    assert_eq!(
        one(&format!(
            "New-CsApplicationAccessPolicy -Identity P -AppIds @(\n \"{A}\"\n \"{B}\"\n)"
        )),
        want
    );
    assert_eq!(
        one(&format!(
            r#"New-CsApplicationAccessPolicy -Identity P -AppIds ("{A}","{B}")"#
        )),
        want
    );
}

#[test]
fn double_quoted_strings_process_backtick_escapes() {
    let c = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity P -AppIds {A} -Description "say `"hi`" `` `$5 a`tb`nc `u{{e9}} ""q"" $null$true""#
    ));
    assert_eq!(
        c,
        new_policy("P", &[A], Some("say \"hi\" ` $5 a\tb\nc é \"q\" True"))
    );
}

#[test]
fn single_quoted_strings_are_literal_with_doubled_quote_escape() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy -Identity P -AppIds {A} -Description 'it''s `n $x'"
    ));
    assert_eq!(c, new_policy("P", &[A], Some("it's `n $x")));
}

#[test]
fn typographic_dashes_and_quotes_from_docs_pages_are_accepted() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy \u{2013}Identity \u{201C}Meetings-App\u{201D} \u{2014}AppIds \u{2018}{A}\u{2019} -Description \u{201C}Contoso\u{2019}s app\u{201D}"
    ));
    assert_eq!(
        c,
        new_policy("Meetings-App", &[A], Some("Contoso\u{2019}s app"))
    );
}

#[test]
fn bareword_absorbs_adjacent_quoted_piece() {
    let c = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity Tag:"Meetings App" -AppIds {A}"#
    ));
    assert_eq!(c, new_policy("Meetings App", &[A], None));
}

#[test]
fn new_accepts_list_modifier_add_as_the_list() {
    let c = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity P -AppIds @{{Add="{A}"}}"#
    ));
    assert_eq!(c, new_policy("P", &[A], None));
}

// ---- Set-CsApplicationAccessPolicy ----

fn set(apps: Option<AppIdsChange>, description: Option<&str>) -> Cmdlet {
    Cmdlet::SetPolicy {
        identity: "ASimplePolicy".into(),
        apps,
        description: description.map(Into::into),
        common: CommonParams::default(),
    }
}

#[test]
fn set_hashtable_add_adds() {
    let c = one(&format!(
        r#"Set-CsApplicationAccessPolicy -Identity "ASimplePolicy" -AppIds @{{Add="{A}"}}"#
    ));
    assert_eq!(c, set(Some(AppIdsChange::Add(ids(&[A]))), None));
}

#[test]
fn set_hashtable_remove_removes_several() {
    let c = one(&format!(
        r#"Set-CsApplicationAccessPolicy -Identity ASimplePolicy -AppIds @{{Remove="{A}","{B}"}}"#
    ));
    assert_eq!(c, set(Some(AppIdsChange::Remove(ids(&[A, B]))), None));
}

#[test]
fn set_hashtable_replace_with_array_replaces() {
    let c = one(&format!(
        r#"Set-CsApplicationAccessPolicy -Identity ASimplePolicy -AppIds @{{Replace=@("{A}")}}"#
    ));
    assert_eq!(c, set(Some(AppIdsChange::Replace(ids(&[A]))), None));
}

#[test]
fn set_hashtable_keys_are_case_insensitive_and_spaced_entries_allowed() {
    let c = one(&format!(
        "Set-CsApplicationAccessPolicy -Identity ASimplePolicy -AppIds @{{ aDD = '{A}' ; }}"
    ));
    assert_eq!(c, set(Some(AppIdsChange::Add(ids(&[A]))), None));
    let c = one(&format!(
        "Set-CsApplicationAccessPolicy -Identity ASimplePolicy -AppIds @{{\n  REMOVE =\n \"{A}\"\n}}"
    ));
    assert_eq!(c, set(Some(AppIdsChange::Remove(ids(&[A]))), None));
}

#[test]
fn set_plain_list_means_replace() {
    let c = one(&format!(
        r#"Set-CsApplicationAccessPolicy -Identity ASimplePolicy -AppIds "{A}","{B}""#
    ));
    assert_eq!(c, set(Some(AppIdsChange::Replace(ids(&[A, B]))), None));
}

#[test]
fn set_with_all_parameters() {
    let c = one(&format!(
        r#"Set-CsApplicationAccessPolicy -Identity Tag:ASimplePolicy -AppIds @{{Add="{A}"}} -Description "new" -MsftInternalProcessingMode x -Force -WhatIf -Confirm"#
    ));
    assert_eq!(
        c,
        Cmdlet::SetPolicy {
            identity: "ASimplePolicy".into(),
            apps: Some(AppIdsChange::Add(ids(&[A]))),
            description: Some("new".into()),
            common: CommonParams {
                what_if: true,
                confirm: Some(true),
                force: true,
                msft_internal_processing_mode: Some("x".into()),
            },
        }
    );
}

#[test]
fn set_description_only_and_null_description_clears() {
    assert_eq!(
        one("Set-CsApplicationAccessPolicy -Identity ASimplePolicy -Description 'd'"),
        set(None, Some("d"))
    );
    assert_eq!(
        one("Set-CsApplicationAccessPolicy -Identity ASimplePolicy -Description $null"),
        set(None, Some(""))
    );
}

// ---- Get / Remove ----

#[test]
fn get_policy_forms() {
    let all = Cmdlet::GetPolicy {
        identity: None,
        filter: None,
        common: CommonParams::default(),
    };
    assert_eq!(one("Get-CsApplicationAccessPolicy"), all);
    let named = Cmdlet::GetPolicy {
        identity: Some("Meetings-App".into()),
        filter: None,
        common: CommonParams::default(),
    };
    assert_eq!(
        one("Get-CsApplicationAccessPolicy -Identity Tag:Meetings-App"),
        named
    );
    assert_eq!(one("Get-CsApplicationAccessPolicy \"Meetings-App\""), named);
    assert_eq!(
        one("Get-CsApplicationAccessPolicy -Filter 'Tag:*Meet*'"),
        Cmdlet::GetPolicy {
            identity: None,
            filter: Some("Tag:*Meet*".into()),
            common: CommonParams::default(),
        }
    );
}

#[test]
fn remove_policy_named_and_positional() {
    let want = Cmdlet::RemovePolicy {
        identity: "Meetings-App".into(),
        common: CommonParams::default(),
    };
    assert_eq!(
        one("Remove-CsApplicationAccessPolicy -Identity Meetings-App"),
        want
    );
    assert_eq!(
        one("Remove-CsApplicationAccessPolicy 'Tag:Meetings-App'"),
        want
    );
    assert_eq!(
        one("Remove-CsApplicationAccessPolicy Meetings-App -Force -WhatIf -Confirm:$false -MsftInternalProcessingMode m"),
        Cmdlet::RemovePolicy {
            identity: "Meetings-App".into(),
            common: CommonParams {
                what_if: true,
                confirm: Some(false),
                force: true,
                msft_internal_processing_mode: Some("m".into()),
            },
        }
    );
}

// ---- Grant ----

const USER: &str = "6c4e1f2a-0d3b-4c5e-8f7a-9b1c2d3e4f50";

#[test]
fn grant_to_user() {
    let c = one(&format!(
        "Grant-CsApplicationAccessPolicy -PolicyName Meetings-App -Identity \"{USER}\""
    ));
    assert_eq!(
        c,
        grant(GrantTarget::User(USER.into()), Some("Meetings-App"))
    );
}

#[test]
fn grant_positional_identity_then_policy_name() {
    let c = one(&format!(
        "Grant-CsApplicationAccessPolicy {USER} Tag:Meetings-App"
    ));
    assert_eq!(
        c,
        grant(GrantTarget::User(USER.into()), Some("Meetings-App"))
    );
}

#[test]
fn grant_null_policy_name_revokes() {
    let c = one(&format!(
        "Grant-CsApplicationAccessPolicy -Identity {USER} -PolicyName $null"
    ));
    assert_eq!(c, grant(GrantTarget::User(USER.into()), None));
    let c = one(&format!(
        "Grant-CsApplicationAccessPolicy -Identity {USER} -PolicyName $NULL"
    ));
    assert_eq!(c, grant(GrantTarget::User(USER.into()), None));
}

#[test]
fn grant_global() {
    let c = one("Grant-CsApplicationAccessPolicy -PolicyName Meetings-App -Global");
    assert_eq!(c, grant(GrantTarget::Global, Some("Meetings-App")));
    let c = one("Grant-CsApplicationAccessPolicy Meetings-App -Global");
    assert_eq!(c, grant(GrantTarget::Global, Some("Meetings-App")));
}

#[test]
fn grant_group_with_rank_and_pass_thru() {
    let c = one("Grant-CsApplicationAccessPolicy -Group sales@contoso.com -PolicyName Meetings-App -Rank 2 -PassThru -WhatIf -Confirm:$false -MsftInternalProcessingMode m");
    assert_eq!(
        c,
        Cmdlet::GrantPolicy {
            target: GrantTarget::Group {
                group: "sales@contoso.com".into(),
                rank: Some(2),
            },
            policy_name: Some("Meetings-App".into()),
            pass_thru: true,
            common: CommonParams {
                what_if: true,
                confirm: Some(false),
                force: false,
                msft_internal_processing_mode: Some("m".into()),
            },
        }
    );
    let c = one("Grant-CsApplicationAccessPolicy -Group G -PolicyName P");
    assert_eq!(
        c,
        grant(
            GrantTarget::Group {
                group: "G".into(),
                rank: None
            },
            Some("P")
        )
    );
}

#[test]
fn grant_pass_thru_in_every_set() {
    for src in [
        format!("Grant-CsApplicationAccessPolicy -Identity {USER} -PolicyName P -PassThru"),
        "Grant-CsApplicationAccessPolicy -PolicyName P -Global -PassThru".to_string(),
        "Grant-CsApplicationAccessPolicy -Group G -PolicyName P -PassThru".to_string(),
    ] {
        let Cmdlet::GrantPolicy { pass_thru, .. } = one(&src) else {
            panic!("{src}");
        };
        assert!(pass_thru, "{src}");
    }
}

#[test]
fn grant_to_every_user_pipeline() {
    let want = Cmdlet::GrantToEveryUser {
        policy_name: Some("Meetings-App".into()),
        pass_thru: false,
        common: CommonParams::default(),
    };
    assert_eq!(
        one("Get-CsOnlineUser | Grant-CsApplicationAccessPolicy -PolicyName Meetings-App"),
        want
    );
    assert_eq!(
        one("get-csonlineuser|grant-csapplicationaccesspolicy Meetings-App"),
        want
    );
    assert_eq!(
        one("Get-CsOnlineUser |\n  Grant-CsApplicationAccessPolicy -PolicyName Meetings-App"),
        want
    );
}

#[test]
fn piped_single_user_is_a_user_grant() {
    let c = one(&format!(
        "Get-CsOnlineUser -Identity {USER} | Grant-CsApplicationAccessPolicy -PolicyName P"
    ));
    assert_eq!(c, grant(GrantTarget::User(USER.into()), Some("P")));
}

#[test]
fn get_online_user_forms() {
    assert_eq!(
        one("Get-CsOnlineUser"),
        Cmdlet::GetOnlineUser { identity: None }
    );
    assert_eq!(
        one("Get-CsOnlineUser alice@contoso.com"),
        Cmdlet::GetOnlineUser {
            identity: Some("alice@contoso.com".into())
        }
    );
    assert_eq!(
        one("Get-CsOnlineUser -Identity 'alice@contoso.com'"),
        Cmdlet::GetOnlineUser {
            identity: Some("alice@contoso.com".into())
        }
    );
}

// ---- names ----

#[test]
fn parameter_names_may_be_abbreviated_to_unambiguous_prefixes() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy -Id P -App {A} -Desc d -wh"
    ));
    let Cmdlet::NewPolicy {
        identity,
        app_ids,
        description,
        common,
    } = c
    else {
        panic!()
    };
    assert_eq!(
        (identity.as_str(), description.as_deref()),
        ("P", Some("d"))
    );
    assert_eq!(app_ids, ids(&[A]));
    assert!(common.what_if);
    let c = one("Grant-CsApplicationAccessPolicy -Po P -Gl -Pa");
    assert_eq!(
        c,
        Cmdlet::GrantPolicy {
            target: GrantTarget::Global,
            policy_name: Some("P".into()),
            pass_thru: true,
            common: CommonParams::default()
        }
    );
}

#[test]
fn confirm_and_whatif_aliases_work() {
    let c = one("Remove-CsApplicationAccessPolicy P -wi -cf:$false");
    assert!(c.what_if());
    assert_eq!(c.common().and_then(|c| c.confirm), Some(false));
}

#[test]
fn cmdlet_and_parameter_names_are_case_insensitive() {
    let c = one(&format!(
        r#"new-csapplicationaccesspolicy -IDENTITY P -appids "{A}" -description d"#
    ));
    assert_eq!(c, new_policy("P", &[A], Some("d")));
    let c = one("GRANT-CSAPPLICATIONACCESSPOLICY -policyname P -GLOBAL -passthru:$TRUE");
    let Cmdlet::GrantPolicy {
        pass_thru, target, ..
    } = c
    else {
        panic!()
    };
    assert!(pass_thru);
    assert_eq!(target, GrantTarget::Global);
}

#[test]
fn module_qualified_cmdlet_name_is_accepted() {
    let c = one("MicrosoftTeams\\Get-CsApplicationAccessPolicy");
    assert!(matches!(c, Cmdlet::GetPolicy { .. }));
}

#[test]
fn colon_binds_a_value_to_a_parameter() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy -Identity:P -AppIds:\"{A}\" -Description: d"
    ));
    assert_eq!(c, new_policy("P", &[A], Some("d")));
}

// ---- scripts ----

#[test]
fn comments_semicolons_and_blank_lines_are_ignored() {
    let src = format!(
        "# set up the meetings app\n\n<# block\ncomment #>\nNew-CsApplicationAccessPolicy -Identity P -AppIds {A}; # trailing comment\n  ;\n\n"
    );
    assert_eq!(
        parse_script(&src).unwrap(),
        vec![new_policy("P", &[A], None)]
    );
}

#[test]
fn hash_inside_a_bareword_is_not_a_comment() {
    let c = one("Get-CsOnlineUser user#1");
    assert_eq!(
        c,
        Cmdlet::GetOnlineUser {
            identity: Some("user#1".into())
        }
    );
}

#[test]
fn semicolon_separates_statements_on_one_line() {
    let src = format!("New-CsApplicationAccessPolicy -Identity P -AppIds {A}; Grant-CsApplicationAccessPolicy -PolicyName P -Global");
    let got = parse_script(&src).unwrap();
    assert_eq!(
        got,
        vec![
            new_policy("P", &[A], None),
            grant(GrantTarget::Global, Some("P"))
        ]
    );
}

#[test]
fn script_with_several_lines_keeps_order_and_positions() {
    let src = format!(
        "New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds \"{A}\" -Description \"Meetings app\"\r\n\
         Set-CsApplicationAccessPolicy -Identity Meetings-App -AppIds @{{Add=\"{B}\"}}\r\n\
         \r\n\
         \x20 Grant-CsApplicationAccessPolicy -PolicyName Meetings-App -Identity \"{USER}\"\r\n\
         Get-CsApplicationAccessPolicy\r\n\
         Remove-CsApplicationAccessPolicy -Identity Meetings-App\r\n"
    );
    let statements = parse_statements(&src).unwrap();
    let names: Vec<_> = statements.iter().map(|s| s.cmdlet.name()).collect();
    assert_eq!(
        names,
        [
            "New-CsApplicationAccessPolicy",
            "Set-CsApplicationAccessPolicy",
            "Grant-CsApplicationAccessPolicy",
            "Get-CsApplicationAccessPolicy",
            "Remove-CsApplicationAccessPolicy"
        ]
    );
    assert_eq!((statements[2].line, statements[2].column), (4, 3));
    assert_eq!(parse_script("").unwrap(), vec![]);
    assert_eq!(parse_script("  # nothing\n\n").unwrap(), vec![]);
}

#[test]
fn parse_line_wants_exactly_one_statement() {
    assert_eq!(parse_line("").unwrap_err().kind, CmdletErrorKind::Syntax);
    let e = parse_line("Get-CsOnlineUser; Get-CsApplicationAccessPolicy").unwrap_err();
    assert_eq!((e.line, e.column), (1, 19));
    let c: Cmdlet = "Get-CsOnlineUser".parse().unwrap();
    assert_eq!(c, Cmdlet::GetOnlineUser { identity: None });
}

// ---- errors ----

#[track_caller]
fn assert_err(src: &str, kind: CmdletErrorKind, line: usize, column: usize, message: &str) {
    let e = err(src);
    assert_eq!(e.kind, kind, "{src:?}: {e}");
    assert_eq!((e.line, e.column), (line, column), "{src:?}: {e}");
    assert!(
        e.message.contains(message),
        "{src:?}: {:?} lacks {message:?}",
        e.message
    );
}

#[test]
fn error_unknown_cmdlet_names_it() {
    assert_err(
        "Get-CsOnlineUser\n  New-CsFoo -Identity x",
        CmdletErrorKind::UnknownCmdlet,
        2,
        3,
        "The term 'New-CsFoo' is not recognized as a name of a cmdlet",
    );
}

#[test]
fn error_unknown_parameter_names_it() {
    assert_err(
        &format!("New-CsApplicationAccessPolicy -Identity P -AppIds {A} -Foo 1"),
        CmdletErrorKind::UnknownParameter,
        1,
        88,
        "A parameter cannot be found that matches parameter name 'Foo'.",
    );
}

#[test]
fn error_ambiguous_abbreviation_lists_matches() {
    assert_err(
        "Grant-CsApplicationAccessPolicy -P X -Global",
        CmdletErrorKind::AmbiguousParameter,
        1,
        33,
        "Parameter cannot be processed because the parameter name 'P' is ambiguous. Possible matches include: -PolicyName -PassThru.",
    );
}

#[test]
fn error_missing_mandatory_parameter_names_it() {
    assert_err(
        "New-CsApplicationAccessPolicy -Identity P",
        CmdletErrorKind::MissingMandatoryParameter,
        1,
        1,
        "Cannot process command because of one or more missing mandatory parameters: AppIds.",
    );
    assert_err(
        "Remove-CsApplicationAccessPolicy",
        CmdletErrorKind::MissingMandatoryParameter,
        1,
        1,
        "missing mandatory parameters: Identity.",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -Global",
        CmdletErrorKind::MissingMandatoryParameter,
        1,
        1,
        "missing mandatory parameters: PolicyName.",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -PolicyName P",
        CmdletErrorKind::MissingMandatoryParameter,
        1,
        1,
        "-Identity <user>, -Group <group> or -Global",
    );
}

#[test]
fn error_identity_with_global_is_a_parameter_set_conflict() {
    assert_err(
        &format!("Grant-CsApplicationAccessPolicy -Identity {USER} -PolicyName P -Global"),
        CmdletErrorKind::ParameterSetConflict,
        1,
        94,
        "Parameter set cannot be resolved using the specified named parameters.",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -Group G -Global -PolicyName P",
        CmdletErrorKind::ParameterSetConflict,
        1,
        42,
        "Parameter set cannot be resolved",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -PolicyName P -Global -Rank 1",
        CmdletErrorKind::ParameterSetConflict,
        1,
        55,
        "Parameter set cannot be resolved",
    );
    assert_err(
        "Get-CsApplicationAccessPolicy -Identity P -Filter x",
        CmdletErrorKind::ParameterSetConflict,
        1,
        43,
        "Parameter set cannot be resolved",
    );
    assert_err(
        "Get-CsOnlineUser | Grant-CsApplicationAccessPolicy -PolicyName P -Global",
        CmdletErrorKind::ParameterSetConflict,
        1,
        66,
        "Parameter set cannot be resolved",
    );
}

#[test]
fn error_unterminated_strings_point_at_the_opening_quote() {
    assert_err(
        "New-CsApplicationAccessPolicy -Identity P -AppIds x -Description \"oops",
        CmdletErrorKind::UnterminatedString,
        1,
        66,
        "The string is missing the terminator: \".",
    );
    assert_err(
        "Get-CsOnlineUser\nGet-CsOnlineUser -Identity 'oops\n\n",
        CmdletErrorKind::UnterminatedString,
        2,
        28,
        "The string is missing the terminator: '.",
    );
    assert_err(
        "Get-CsOnlineUser <# open",
        CmdletErrorKind::UnterminatedString,
        1,
        18,
        "'#>'",
    );
}

#[test]
fn error_bad_hashtable_key_names_it() {
    assert_err(
        &format!(r#"Set-CsApplicationAccessPolicy -Identity P -AppIds @{{Append="{A}"}}"#),
        CmdletErrorKind::BadHashtableKey,
        1,
        53,
        "the hashtable key 'Append' is not valid. A list modifier accepts only the keys Add, Remove and Replace.",
    );
}

#[test]
fn error_missing_value_after_a_parameter() {
    assert_err(
        "New-CsApplicationAccessPolicy -Identity P -AppIds -Description d",
        CmdletErrorKind::MissingArgument,
        1,
        43,
        "Missing an argument for parameter 'AppIds'. Specify a parameter of type 'System.Management.Automation.PSListModifier' and try again.",
    );
    assert_err(
        "Get-CsOnlineUser -Identity",
        CmdletErrorKind::MissingArgument,
        1,
        18,
        "Missing an argument for parameter 'Identity'. Specify a parameter of type 'System.String'",
    );
    assert_err(
        "Get-CsOnlineUser -Identity\nx",
        CmdletErrorKind::MissingArgument,
        1,
        18,
        "Missing an argument for parameter 'Identity'",
    );
}

#[test]
fn error_non_guid_app_id_names_the_value() {
    assert_err(
        &format!(r#"New-CsApplicationAccessPolicy -Identity P -AppIds "{A}","not-a-guid""#),
        CmdletErrorKind::InvalidAppId,
        1,
        90,
        "'not-a-guid' is not a valid app id",
    );
    assert_err(
        r#"Set-CsApplicationAccessPolicy -Identity P -AppIds @{Add="2f1c3a44-…"}"#,
        CmdletErrorKind::InvalidAppId,
        1,
        57,
        "'2f1c3a44-…' is not a valid app id",
    );
}

#[test]
fn error_duplicate_parameter() {
    assert_err(
        "Get-CsOnlineUser -Identity a -Ident b",
        CmdletErrorKind::DuplicateParameter,
        1,
        30,
        "parameter 'Identity' is specified more than once",
    );
}

#[test]
fn error_extra_positional_argument() {
    assert_err(
        "Remove-CsApplicationAccessPolicy P Q",
        CmdletErrorKind::PositionalArgument,
        1,
        36,
        "A positional parameter cannot be found that accepts argument 'Q'.",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -PolicyName P -Global $true",
        CmdletErrorKind::PositionalArgument,
        1,
        55,
        "accepts argument 'True'",
    );
}

#[test]
fn error_bad_values() {
    assert_err(
        "Grant-CsApplicationAccessPolicy -Group G -PolicyName P -Rank first",
        CmdletErrorKind::InvalidArgument,
        1,
        62,
        "Cannot convert value \"first\" to type \"System.Int32\"",
    );
    assert_err(
        "Remove-CsApplicationAccessPolicy -Identity $null",
        CmdletErrorKind::InvalidArgument,
        1,
        44,
        "because it is null",
    );
    assert_err(
        "Remove-CsApplicationAccessPolicy -Identity 'Tag:'",
        CmdletErrorKind::InvalidArgument,
        1,
        44,
        "because it is an empty string",
    );
    assert_err(
        "Remove-CsApplicationAccessPolicy -Identity a,b",
        CmdletErrorKind::InvalidArgument,
        1,
        44,
        "Cannot convert 'System.Object[]' to the type 'System.String'",
    );
    assert_err(
        &format!("Set-CsApplicationAccessPolicy -Identity P -AppIds @{{Add='{A}'; Remove='{B}'}}"),
        CmdletErrorKind::InvalidArgument,
        1,
        97,
        "'Remove' cannot be combined with 'Add'",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -PolicyName P -Global:yes",
        CmdletErrorKind::InvalidArgument,
        1,
        55,
        "-Global:$true or -Global:$false",
    );
}

#[test]
fn error_other_pipelines_are_refused() {
    assert_err(
        "Get-CsApplicationAccessPolicy | Remove-CsApplicationAccessPolicy",
        CmdletErrorKind::UnsupportedPipeline,
        1,
        31,
        "Only the pipeline 'Get-CsOnlineUser | Grant-CsApplicationAccessPolicy",
    );
    assert_err(
        "Get-CsOnlineUser | Grant-CsApplicationAccessPolicy -PolicyName P | Get-CsOnlineUser",
        CmdletErrorKind::UnsupportedPipeline,
        1,
        66,
        "Only the pipeline",
    );
    assert_err(
        "Get-CsOnlineUser |",
        CmdletErrorKind::Syntax,
        1,
        19,
        "An empty pipe element is not allowed.",
    );
}

#[test]
fn error_unsupported_powershell() {
    assert_err(
        "$p = 'x'",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        1,
        "Variables are not supported",
    );
    assert_err(
        "Get-CsOnlineUser -Identity $user",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        28,
        "'$user'",
    );
    assert_err(
        "Get-CsOnlineUser -Identity \"$user\"",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        29,
        "Variable expansion is not supported: '$user'",
    );
    assert_err(
        "Get-CsOnlineUser | Select-Object Identity",
        CmdletErrorKind::UnknownCmdlet,
        1,
        20,
        "The term 'Select-Object' is not recognized",
    );
    assert_err(
        "Get-CsOnlineUser | ForEach-Object { $_ }",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        35,
        "Script blocks",
    );
    assert_err(
        "Get-CsOnlineUser > out.txt",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        18,
        "Redirection",
    );
    assert_err(
        "Get-CsOnlineUser @args",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        18,
        "splatting",
    );
    assert_err(
        "Set-CsApplicationAccessPolicy -Identity P -AppIds @{Add='x'",
        CmdletErrorKind::Syntax,
        1,
        51,
        "Missing closing '}' in hash literal.",
    );
    assert_err(
        "Get-CsOnlineUser )",
        CmdletErrorKind::Syntax,
        1,
        18,
        "Unexpected token ')'",
    );
}

#[test]
fn error_display_includes_position() {
    let e = err("New-CsFoo");
    assert!(e.to_string().ends_with("(At line:1 char:1)"), "{e}");
}

// ---- rendering ----

#[test]
fn to_powershell_renders_canonical_lines() {
    assert_eq!(
        to_powershell(&new_policy("Meetings-App", &[A, B], Some("Meetings app"))),
        format!(
            r#"New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds "{A}","{B}" -Description "Meetings app""#
        )
    );
    assert_eq!(
        to_powershell(&set(Some(AppIdsChange::Add(ids(&[A]))), None)),
        format!(r#"Set-CsApplicationAccessPolicy -Identity ASimplePolicy -AppIds @{{Add="{A}"}}"#)
    );
    assert_eq!(
        to_powershell(&grant(GrantTarget::User(USER.into()), None)),
        format!("Grant-CsApplicationAccessPolicy -Identity {USER} -PolicyName $null")
    );
    assert_eq!(
        to_powershell(&Cmdlet::GrantToEveryUser {
            policy_name: Some("P Q".into()),
            pass_thru: true,
            common: CommonParams {
                confirm: Some(false),
                ..CommonParams::default()
            },
        }),
        r#"Get-CsOnlineUser | Grant-CsApplicationAccessPolicy -PolicyName "P Q" -PassThru -Confirm:$false"#
    );
    assert_eq!(
        Cmdlet::GetOnlineUser { identity: None }.to_string(),
        "Get-CsOnlineUser"
    );
}

fn round_trip_table() -> Vec<Cmdlet> {
    let all = CommonParams {
        what_if: true,
        confirm: Some(true),
        force: true,
        msft_internal_processing_mode: Some("Mode 1".into()),
    };
    let no_force = CommonParams {
        force: false,
        confirm: Some(false),
        ..all.clone()
    };
    vec![
        new_policy("Meetings-App", &[A], Some("Meetings app")),
        new_policy("Tag:Odd", &[A, B], None),
        new_policy(
            "with 'quotes' and \"doubles\" and `ticks` and $dollars",
            &[A],
            Some("line1\nline2\ttab\r\0 \u{1}\u{85} é \u{201C}smart\u{201D} \u{2019}"),
        ),
        Cmdlet::NewPolicy {
            identity: "x".into(),
            app_ids: ids(&[A]),
            description: Some(String::new()),
            common: all.clone(),
        },
        Cmdlet::NewPolicy {
            identity: "-dash".into(),
            app_ids: ids(&[A]),
            description: None,
            common: CommonParams::default(),
        },
        Cmdlet::NewPolicy {
            identity: "#hash".into(),
            app_ids: ids(&[A]),
            description: None,
            common: CommonParams::default(),
        },
        Cmdlet::NewPolicy {
            identity: "@at,comma;semi|pipe(paren){brace}=eq".into(),
            app_ids: ids(&[A]),
            description: None,
            common: CommonParams::default(),
        },
        set(Some(AppIdsChange::Add(ids(&[A, B]))), Some("d")),
        set(Some(AppIdsChange::Remove(ids(&[B]))), None),
        set(Some(AppIdsChange::Replace(ids(&[A]))), None),
        set(Some(AppIdsChange::Replace(vec![])), None),
        set(None, Some("")),
        Cmdlet::SetPolicy {
            identity: "p".into(),
            apps: None,
            description: None,
            common: all.clone(),
        },
        Cmdlet::GetPolicy {
            identity: None,
            filter: None,
            common: CommonParams::default(),
        },
        Cmdlet::GetPolicy {
            identity: Some("Meetings-App".into()),
            filter: None,
            common: CommonParams::default(),
        },
        Cmdlet::GetPolicy {
            identity: None,
            filter: Some("Tag:*".into()),
            common: CommonParams {
                msft_internal_processing_mode: Some("m".into()),
                ..CommonParams::default()
            },
        },
        Cmdlet::RemovePolicy {
            identity: "Meetings-App".into(),
            common: all.clone(),
        },
        grant(GrantTarget::User(USER.into()), Some("Meetings-App")),
        grant(GrantTarget::User("alice@contoso.com".into()), None),
        grant(GrantTarget::Global, Some("Tag:x")),
        grant(
            GrantTarget::Group {
                group: "Sales Team".into(),
                rank: Some(-3),
            },
            Some("p"),
        ),
        grant(
            GrantTarget::Group {
                group: "g".into(),
                rank: None,
            },
            None,
        ),
        Cmdlet::GrantPolicy {
            target: GrantTarget::Global,
            policy_name: None,
            pass_thru: true,
            common: no_force.clone(),
        },
        Cmdlet::GrantToEveryUser {
            policy_name: Some("Meetings-App".into()),
            pass_thru: false,
            common: CommonParams::default(),
        },
        Cmdlet::GrantToEveryUser {
            policy_name: None,
            pass_thru: true,
            common: no_force,
        },
        Cmdlet::GetOnlineUser { identity: None },
        Cmdlet::GetOnlineUser {
            identity: Some("sip:alice@contoso.com".into()),
        },
    ]
}

#[test]
fn round_trip_parse_of_rendered_line_is_identity() {
    for c in round_trip_table() {
        let line = to_powershell(&c);
        assert_eq!(parse_line(&line), Ok(c.clone()), "{line}");
    }
}

#[test]
fn round_trip_of_a_whole_rendered_script() {
    let table = round_trip_table();
    let script: String = table
        .iter()
        .map(|c| format!("{}\n", to_powershell(c)))
        .collect();
    assert_eq!(parse_script(&script).unwrap(), table);
}

#[test]
fn format_list_aligns_names_and_separates_records() {
    let records = vec![
        policy_record("Meetings-App", &ids(&[A, B]), "Meetings app"),
        policy_record("Empty", &[], ""),
    ];
    let want = format!(
        "Identity    : Tag:Meetings-App\n\
         AppIds      : {{{A}, {B}}}\n\
         Description : Meetings app\n\
         \n\
         Identity    : Tag:Empty\n\
         AppIds      : {{}}\n\
         Description :\n"
    );
    assert_eq!(format_list(&records), want);
    assert_eq!(format_list(&[]), "");
    let multi = vec![vec![
        ("Name".to_string(), "a\nb".to_string()),
        ("X".to_string(), "1".to_string()),
    ]];
    assert_eq!(format_list(&multi), "Name : a\n       b\nX    : 1\n");
}

// ---- robustness ----

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "New-CsApplicationAccessPolicy",
    "Set-CsApplicationAccessPolicy",
    "Get-CsApplicationAccessPolicy",
    "Remove-CsApplicationAccessPolicy",
    "Grant-CsApplicationAccessPolicy",
    "Get-CsOnlineUser",
    " -Identity ",
    " -AppIds ",
    " -Description ",
    " -PolicyName ",
    " -Group ",
    " -Rank ",
    " -Global",
    " -PassThru",
    " -WhatIf",
    " -Confirm:$false",
    " -Force",
    " -P",
    " -",
    "-",
    "\u{2013}",
    " | ",
    "|",
    "\"",
    "'",
    "`",
    "`\n",
    "\n",
    "\r\n",
    ";",
    ",",
    ", ",
    "@(",
    "@{",
    "(",
    ")",
    "}",
    "{",
    "=",
    "Add=",
    "Remove=",
    "Replace=",
    "$null",
    "$true",
    "$x",
    "$",
    "#",
    "<#",
    "#>",
    "Tag:",
    "Meetings-App",
    "2f1c3a44-8b6d-4e2a-9c1f-5d7e3b9a0c21",
    "`u{",
    "`u{1F600}",
    "\u{201C}",
    "\u{2019}",
    "é",
    "\0",
    " ",
    "\t",
    "2",
    "-1",
    "99999999999",
    ":",
    "@",
    "&",
    ">",
    "\u{FEFF}",
];

const SEEDS: &[&str] = &[
    "New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds \"2f1c3a44-8b6d-4e2a-9c1f-5d7e3b9a0c21\"-Description \"Meetings app\"",
    "Set-CsApplicationAccessPolicy -Identity \"ASimplePolicy\" -AppIds @{Add=\"5817674c-81d9-4adb-bfb2-8f6a442e4622\"}",
    "Set-CsApplicationAccessPolicy -Identity P -AppIds @{Replace=@('5817674c-81d9-4adb-bfb2-8f6a442e4622')}",
    "Grant-CsApplicationAccessPolicy -PolicyName Meetings-App -Identity \"6c4e1f2a-0d3b-4c5e-8f7a-9b1c2d3e4f50\"",
    "Grant-CsApplicationAccessPolicy -Group G -PolicyName P -Rank 2 -PassThru",
    "Get-CsOnlineUser | Grant-CsApplicationAccessPolicy -PolicyName Meetings-App",
    "Get-CsApplicationAccessPolicy -Filter 'Tag:*'; Remove-CsApplicationAccessPolicy P -WhatIf # bye",
];

fn mutate(rng: &mut XorShift, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(4) {
            0 if !chars.is_empty() => {
                chars.remove(at.min(chars.len() - 1));
            }
            1 => {
                let frag = FRAGMENTS[rng.below(FRAGMENTS.len())];
                for (k, c) in frag.chars().enumerate() {
                    chars.insert(at + k, c);
                }
            }
            2 if !chars.is_empty() => {
                let i = at.min(chars.len() - 1);
                chars[i] = char::from_u32(rng.below(0x250) as u32).unwrap_or('?');
            }
            _ => {
                let end = (at + rng.below(8)).min(chars.len());
                let piece: Vec<char> = chars[at.min(end)..end].to_vec();
                let to = rng.below(chars.len() + 1);
                for (k, c) in piece.into_iter().enumerate() {
                    chars.insert(to + k, c);
                }
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn stress_random_and_mutated_lines_never_panic_and_ok_results_round_trip() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let (mut ok, mut failed) = (0usize, 0usize);
    for n in 0..20_000 {
        let line = match n % 3 {
            0 => {
                let seed = SEEDS[rng.below(SEEDS.len())];
                mutate(&mut rng, seed)
            }
            1 => {
                let mut s = String::new();
                for _ in 0..rng.below(12) {
                    s.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
                }
                s
            }
            _ => (0..rng.below(40))
                .map(|_| char::from_u32(rng.below(0x80) as u32).unwrap_or(' '))
                .collect(),
        };
        let result = std::panic::catch_unwind(|| parse_script(&line));
        match result {
            Ok(Ok(cmdlets)) => {
                ok += 1;
                for c in cmdlets {
                    let rendered = to_powershell(&c);
                    assert_eq!(
                        parse_line(&rendered),
                        Ok(c),
                        "round trip of {line:?} via {rendered:?}"
                    );
                }
            }
            Ok(Err(e)) => {
                failed += 1;
                assert!(
                    e.line >= 1 && e.column >= 1 && !e.message.is_empty(),
                    "{line:?}: {e:?}"
                );
            }
            Err(_) => panic!("parser panicked on {line:?}"),
        }
    }
    assert_eq!(ok + failed, 20_000);
    assert!(
        ok > 100,
        "the mutations should keep some lines valid ({ok})"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let src = format!("Get-CsOnlineUser {}", "@(".repeat(10_000));
    let e = err(&src);
    assert_eq!(e.kind, CmdletErrorKind::LimitExceeded);
    assert!(e.message.contains("64"), "{}", e.message);
    assert_eq!((e.line, e.column), (1, 18 + 2 * MAX_NESTING));
}

#[test]
fn nesting_up_to_the_limit_parses_on_a_small_stack() {
    // The deepest accepted nesting, parsed on a thread with a quarter of the default stack.
    let src = format!(
        "New-CsApplicationAccessPolicy -Identity P -AppIds {}\"{A}\"{}",
        "@(".repeat(MAX_NESTING),
        ")".repeat(MAX_NESTING)
    );
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || parse_line(&src))
        .unwrap();
    assert_eq!(handle.join().unwrap(), Ok(new_policy("P", &[A], None)));
}

#[test]
fn a_script_over_64_kib_is_refused_with_the_limit_and_where() {
    let line = "Get-CsApplicationAccessPolicy -Identity P\n";
    let src = line.repeat(MAX_SCRIPT_BYTES / line.len() + 1);
    let e = err(&src);
    assert_eq!(e.kind, CmdletErrorKind::LimitExceeded);
    assert!(e.message.contains("65536 bytes"), "{}", e.message);
    let lines_before = MAX_SCRIPT_BYTES / line.len();
    assert_eq!(e.line, lines_before + 1);
    assert_eq!(e.column, MAX_SCRIPT_BYTES - lines_before * line.len() + 1);
    // Exactly at the limit is fine.
    let at_limit = format!(
        "{}{}",
        "Get-CsOnlineUser\n",
        " ".repeat(MAX_SCRIPT_BYTES - 17)
    );
    assert_eq!(at_limit.len(), MAX_SCRIPT_BYTES);
    assert!(parse_script(&at_limit).is_ok());
}

#[test]
fn a_token_over_4_kib_is_refused_where_it_starts() {
    let long = "x".repeat(MAX_TOKEN_BYTES + 1);
    for (src, column) in [
        (format!("Get-CsOnlineUser {long}"), 18),
        (format!("Get-CsOnlineUser '{long}'"), 18),
        (format!("Get-CsOnlineUser \"{long}\""), 18),
        (format!("Get-CsOnlineUser ab\"{long}\""), 18),
        (format!("Get-CsOnlineUser -{long}"), 18),
        (format!("Get-CsOnlineUser ${long}"), 18),
        (format!("\n  {long}"), 3),
    ] {
        let e = err(&src);
        assert_eq!(e.kind, CmdletErrorKind::LimitExceeded, "{e}");
        assert!(e.message.contains("4096 bytes"), "{}", e.message);
        assert_eq!(e.column, column, "{e}");
    }
    let fits = "x".repeat(MAX_TOKEN_BYTES);
    assert_eq!(
        one(&format!("Get-CsOnlineUser '{fits}'")),
        Cmdlet::GetOnlineUser {
            identity: Some(fits)
        }
    );
}

#[test]
fn sixty_thousand_stars_in_a_filter_stay_within_the_token_limit_rule() {
    let e = err(&format!(
        "Get-CsApplicationAccessPolicy -Filter '{}'",
        "*".repeat(60_000)
    ));
    assert_eq!(e.kind, CmdletErrorKind::LimitExceeded);
}
