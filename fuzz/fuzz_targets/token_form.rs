//! Fuzzes the token endpoint's form parser (`graphmeet_wire::TokenForm::parse`): on any bytes
//! it must return a form or AADSTS9000411 / AADSTS9002324 (never panic or hang), and an
//! accepted form holds each name once, no empty value, and at most one client credential.

#![no_main]

use graphmeet_wire::token::{TokenForm, CLIENT_CREDENTIAL_PARAMETERS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| match TokenForm::parse(data) {
    Ok(form) => {
        let params = form.params();
        for (i, (name, value)) in params.iter().enumerate() {
            assert!(!value.is_empty());
            assert!(params[..i].iter().all(|(n, _)| n != name), "{name} twice");
            assert_eq!(form.get(name), Some(value.as_str()));
        }
        let credentials = params
            .iter()
            .filter(|(n, _)| CLIENT_CREDENTIAL_PARAMETERS.contains(&n.as_str()))
            .count();
        assert!(credentials <= 1);
    }
    Err(e) => {
        let aadsts = e.to_aadsts();
        assert_eq!((aadsts.status, aadsts.error), (400, "invalid_request"));
        assert!(matches!(aadsts.code, 9000411 | 9002324), "{aadsts}");
    }
});
