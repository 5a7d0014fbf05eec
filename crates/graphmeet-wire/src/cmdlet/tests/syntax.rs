//! Names (abbreviations, aliases, case, module qualification) and scripts (comments,
//! semicolons, several lines).

use super::*;

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
