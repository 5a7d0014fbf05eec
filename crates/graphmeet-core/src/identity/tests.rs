//! Unit tests of the identity platform's private rules: scopes, audiences, assertions, refresh tokens.

use super::scope::{check_delegated_scope, check_scope};

use super::*;
use graphmeet_wire::{GRAPH_APP_ID, GRAPH_RESOURCE_URI};

#[test]
fn graph_scopes_in_both_forms_are_accepted() {
    assert_eq!(
        check_scope("https://graph.microsoft.com/.default", "t")
            .ok()
            .as_deref(),
        Some(GRAPH_RESOURCE_URI)
    );
    assert_eq!(
        check_scope("00000003-0000-0000-c000-000000000000/.default", "t")
            .ok()
            .as_deref(),
        Some(GRAPH_APP_ID)
    );
    assert_eq!(
        check_scope("https://graph.microsoft.com//.default", "t")
            .ok()
            .as_deref(),
        Some(GRAPH_RESOURCE_URI)
    );
    // First-party resources keep the form asked for.
    assert_eq!(
        check_scope("https://management.core.windows.net//.default", "t")
            .ok()
            .as_deref(),
        Some("https://management.core.windows.net/")
    );
    assert!(matches!(
        check_scope(
            "https://management.azure.com/.default https://graph.microsoft.com/.default",
            "t"
        ),
        Err(IdentityError::InvalidScope(_))
    ));
}

#[test]
fn scope_rules() {
    assert!(matches!(
        check_scope("https://graph.microsoft.com/User.Read", "t"),
        Err(IdentityError::ScopeNotDefault(_))
    ));
    assert!(matches!(
        check_scope("https://foo.example/.default", "t"),
        Err(IdentityError::ResourceNotFound { .. })
    ));
    assert!(matches!(
        check_scope("/.default", "t"),
        Err(IdentityError::InvalidScope(_))
    ));
    assert!(matches!(
        check_scope(
            "https://graph.microsoft.com/.default 00000003-0000-0000-c000-000000000000/.default",
            "t"
        ),
        Err(IdentityError::InvalidScope(_))
    ));
}

#[test]
fn delegated_scopes_answer_short_names_and_the_openid_scopes() {
    let d = check_delegated_scope(
        "https://graph.microsoft.com/onlinemeetings.readwrite openid profile offline_access",
        "t",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.granted, ["OnlineMeetings.ReadWrite"]);
    assert!(d.openid && d.profile && d.offline_access && !d.email);
    assert_eq!(
        d.response_scope(),
        "OnlineMeetings.ReadWrite profile openid email"
    );
    let arm = check_delegated_scope("https://management.azure.com//.default openid", "t")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(arm.audience, "https://management.azure.com/");
    assert_eq!(arm.granted, ["user_impersonation"]);
    assert!(matches!(
        check_delegated_scope(
            "User.Read https://management.azure.com/user_impersonation",
            "t"
        ),
        Err(IdentityError::InvalidScope(_))
    ));
}

#[test]
fn uti_is_22_characters() {
    assert_eq!(opaque(16).len(), 22);
}
