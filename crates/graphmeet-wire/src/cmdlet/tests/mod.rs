//! One test per cmdlet form and per PowerShell quirk, named after the rule; one file per
//! cmdlet family or concern, the helpers here.

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

const USER: &str = "6c4e1f2a-0d3b-4c5e-8f7a-9b1c2d3e4f50";

fn set(apps: Option<AppIdsChange>, description: Option<&str>) -> Cmdlet {
    Cmdlet::SetPolicy {
        identity: "ASimplePolicy".into(),
        apps,
        description: description.map(Into::into),
        common: CommonParams::default(),
    }
}

mod errors;
mod get_remove;
mod grant;
mod policy;
mod render;
mod robustness;
mod syntax;
