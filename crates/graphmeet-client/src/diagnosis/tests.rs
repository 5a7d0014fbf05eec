//! The diagnoses' tests: which failure gets which fix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn ctx<'a>(path_user: Option<&'a str>, user_lookup: bool) -> CallContext<'a> {
    CallContext {
        authority_host: "https://login.microsoftonline.com/",
        tenant: "contoso.onmicrosoft.com",
        app_id: "11111111-2222-3333-4444-555555555555",
        path_user,
        user_lookup,
        server_reason: None,
    }
}

#[test]
fn a_bare_403_names_the_organizers_prerequisites() {
    let d = diagnose_graph(403, "", None, &ctx(Some("u-1"), false)).unwrap();
    assert!(matches!(
        &d,
        Diagnosis::OrganizerNotEnabled { reason: None, .. }
    ));
    let text = d.to_string();
    assert!(
        text.contains("Teams licence") && text.contains("Get-MgUser -UserId u-1"),
        "{text}"
    );
    let mut with_reason = ctx(Some("u-1"), false);
    with_reason.server_reason =
        Some("denied: user u-1: the organizer is a guest of the tenant; only members can organise Teams meetings");
    let text = diagnose_graph(403, "", None, &with_reason)
        .unwrap()
        .to_string();
    assert!(
        text.starts_with(
            "the organizer cannot have Teams meetings (user u-1: the organizer is a guest"
        ),
        "{text}"
    );
    // A bare 403 on a user lookup, or with a message, is something else.
    assert_eq!(diagnose_graph(403, "", None, &ctx(Some("u-1"), true)), None);
}

#[test]
fn missing_policy_gives_the_two_cmdlets() {
    let d = diagnose_graph(
        403,
        "No application access policy found for this app 1111 on the user",
        None,
        &ctx(Some("aaaaaaaa-0000-0000-0000-000000000000"), false),
    )
    .unwrap();
    let [new, grant] = d.powershell().unwrap();
    assert_eq!(new, "New-CsApplicationAccessPolicy -Identity \"MeetingsApp-11111111\" -AppIds \"11111111-2222-3333-4444-555555555555\" -Description \"Lets app 11111111-2222-3333-4444-555555555555 create online meetings for the users it is granted to\"");
    assert_eq!(grant, "Grant-CsApplicationAccessPolicy -PolicyName \"MeetingsApp-11111111\" -Identity \"aaaaaaaa-0000-0000-0000-000000000000\"");
    assert!(d.to_string().contains("30 minutes"));
    // The older documented form and the capitalised doc text are recognised too.
    assert!(matches!(
        diagnose_graph(
            403,
            "App x is not authorized to Create meeting on behalf of user y",
            None,
            &ctx(Some("y"), false)
        ),
        Some(Diagnosis::MissingAccessPolicy { .. })
    ));
    assert!(matches!(
        diagnose_graph(
            403,
            "No Application Access Policy found for this app",
            None,
            &ctx(Some("y"), false)
        ),
        Some(Diagnosis::MissingAccessPolicy { .. })
    ));
}

#[test]
fn missing_role_gives_the_consent_url() {
    let d = diagnose_graph(
        403,
        "Missing role permissions on the request. API requires one of 'OnlineMeetings.ReadWrite.All'. Roles on the request ''.",
        None,
        &ctx(Some("u"), false),
    )
    .unwrap();
    assert_eq!(d.consent_url(), Some("https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=11111111-2222-3333-4444-555555555555"));
    assert!(d.to_string().contains("OnlineMeetings.ReadWrite.All"));
}

#[test]
fn not_found_depends_on_the_path() {
    assert_eq!(
        diagnose_graph(404, "x", None, &ctx(Some("a@b.c"), false)),
        Some(Diagnosis::UpnInPath {
            user: "a@b.c".into()
        })
    );
    assert_eq!(
        diagnose_graph(
            404,
            "x",
            None,
            &ctx(Some("aaaaaaaa-0000-0000-0000-000000000000"), false)
        ),
        None
    );
    assert!(matches!(
        diagnose_graph(404, "x", None, &ctx(Some("a@b.c"), true)),
        Some(Diagnosis::UnknownUser { .. })
    ));
}

#[test]
fn token_codes() {
    assert_eq!(aadsts_code("AADSTS7000215: Invalid"), Some(7000215));
    assert_eq!(aadsts_code("nope"), None);
    let d = |c| diagnose_token(Some(c), "https://h", "t", "a", Some("AB"));
    assert_eq!(
        d(7000215).unwrap().to_string(),
        "the client secret is wrong (use the secret's Value, not its ID)"
    );
    assert!(d(7000222)
        .unwrap()
        .to_string()
        .starts_with("the client secret has expired: create a new one"));
    assert_eq!(
        d(700016).unwrap().consent_url(),
        Some("https://h/t/adminconsent?client_id=a")
    );
    assert!(matches!(
        d(700027),
        Some(Diagnosis::CertificateNotRegistered { .. })
    ));
    assert_eq!(d(70011), None);
}
