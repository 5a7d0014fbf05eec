//! Rendering: canonical PowerShell lines, the parse → render round trip, Format-List.

use super::*;

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
