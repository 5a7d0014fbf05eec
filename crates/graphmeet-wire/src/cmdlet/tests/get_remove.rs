//! `Get-` and `Remove-CsApplicationAccessPolicy`.

use super::*;

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
