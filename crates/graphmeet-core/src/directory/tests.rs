//! Unit tests of the directory's input rules: domain syntax and default domains.

use super::*;

#[test]
fn domain_syntax() {
    assert!(valid_domain("contoso.onmicrosoft.com"));
    assert!(!valid_domain("contoso"));
    assert!(!valid_domain("-a.com"));
    assert!(!valid_domain("a..com"));
    assert!(!valid_domain("a b.com"));
}

#[test]
fn slug_makes_a_domain_label() {
    assert_eq!(slug("Contoso Dev!"), "contosodev");
    assert_eq!(slug("!!!"), "tenant");
}
