//! `Grant-CsApplicationAccessPolicy` in every parameter set, and `Get-CsOnlineUser`.

use super::*;

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
