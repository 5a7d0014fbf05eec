//! The command line's tests: its shape, the value parsers and the checks of flag values.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use chrono::SecondsFormat;
use clap::CommandFactory;

#[test]
fn the_command_line_is_well_formed() {
    Cli::command().debug_assert();
}

#[test]
fn roles_may_repeat_and_globals_go_anywhere() {
    let cli = Cli::try_parse_from([
        "graphmeet",
        "consent",
        "grant",
        "--tenant",
        "t",
        "--app-id",
        "a",
        "--roles",
        "A,B",
        "--roles",
        "C",
        "--output",
        "json",
    ])
    .unwrap();
    assert_eq!(cli.global.output, OutputFormat::Json);
    match cli.command {
        Command::Consent(ConsentCommand::Grant { roles, .. }) => {
            assert_eq!(roles, ["A,B", "C"]);
        }
        other => panic!("{other:?}"),
    }
}

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("graphmeet").chain(args.iter().copied()))
}

#[test]
fn policy_set_takes_one_app_id_change_and_or_a_description() {
    let ok = parse(&[
        "policy",
        "set",
        "--identity",
        "P",
        "--add-app-ids",
        "a,b",
        "--add-app-ids",
        "c",
        "--description",
        "d",
        "--tenant",
        "t",
    ])
    .unwrap();
    match ok.command {
        Command::Policy(PolicyCommand::Set {
            add_app_ids,
            description,
            tenant,
            ..
        }) => {
            assert_eq!(add_app_ids, ["a,b", "c"]);
            assert_eq!(description.as_deref(), Some("d"));
            assert_eq!(tenant.tenant.as_deref(), Some("t"));
        }
        other => panic!("{other:?}"),
    }
    assert!(parse(&["policy", "set", "--identity", "P", "--description", "d"]).is_ok());
    for pair in [
        ["--add-app-ids", "--remove-app-ids"],
        ["--add-app-ids", "--replace-app-ids"],
        ["--remove-app-ids", "--replace-app-ids"],
    ] {
        let err = parse(&[
            "policy",
            "set",
            "--identity",
            "P",
            pair[0],
            "a",
            pair[1],
            "b",
        ])
        .unwrap_err();
        assert_eq!(err.exit_code(), 2, "{pair:?}");
    }
    let err = parse(&["policy", "set", "--identity", "P"]).unwrap_err();
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn policy_grant_takes_exactly_one_target() {
    let cli = parse(&[
        "policy",
        "grant",
        "--policy-name",
        "P",
        "--group",
        "g",
        "--rank",
        "3",
    ])
    .unwrap();
    match cli.command {
        Command::Policy(PolicyCommand::Grant { target, rank, .. }) => {
            assert_eq!(target.group.as_deref(), Some("g"));
            assert_eq!(rank, Some(3));
            assert!(target.identity.is_none() && !target.global);
        }
        other => panic!("{other:?}"),
    }
    for bad in [
        &["policy", "grant", "--policy-name", "P"][..],
        &[
            "policy",
            "grant",
            "--policy-name",
            "P",
            "--identity",
            "u",
            "--global",
        ],
        &[
            "policy",
            "grant",
            "--policy-name",
            "P",
            "--identity",
            "u",
            "--group",
            "g",
        ],
        &["policy", "revoke"],
        &["policy", "revoke", "--group", "g", "--global"],
        &["policy", "new", "--identity", "P"],
    ] {
        assert_eq!(parse(bad).unwrap_err().exit_code(), 2, "{bad:?}");
    }
    assert!(parse(&["policy", "revoke", "--global", "--tenant", "t"]).is_ok());
}

#[test]
fn lockout_flags_default_to_entras_and_take_seconds_or_durations() {
    let serve = |args: &[&str]| match parse(args).map(|c| c.command) {
        Ok(Command::Serve(serve)) => Ok((serve.lockout_threshold, serve.lockout_duration)),
        Ok(other) => panic!("{other:?}"),
        Err(e) => Err(e),
    };
    // (Unless the environment sets them.)
    if std::env::var_os("GRAPHMEET_LOCKOUT_THRESHOLD").is_none()
        && std::env::var_os("GRAPHMEET_LOCKOUT_DURATION").is_none()
    {
        assert_eq!(
            serve(&["serve"]).unwrap(),
            (10, chrono::Duration::seconds(60))
        );
    }
    assert_eq!(
        serve(&[
            "serve",
            "--lockout-threshold",
            "0",
            "--lockout-duration",
            "5"
        ])
        .unwrap(),
        (0, chrono::Duration::seconds(5))
    );
    assert_eq!(
        serve(&["serve", "--lockout-duration", "2m"]).unwrap().1,
        chrono::Duration::minutes(2)
    );
    for bad in ["0", "-3", "soon", "2d"] {
        let err = serve(&["serve", "--lockout-duration", bad]).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{bad}");
    }
    assert_eq!(
        serve(&["serve", "--lockout-threshold", "-1"])
            .unwrap_err()
            .exit_code(),
        2
    );
}

#[test]
fn app_update_needs_a_boolean_setting() {
    let cli = parse(&[
        "app",
        "update",
        "--app-id",
        "a",
        "--allow-public-client",
        "true",
    ])
    .unwrap();
    match cli.command {
        Command::App(AppCommand::Update {
            app_id,
            allow_public_client,
        }) => {
            assert_eq!(app_id, "a");
            assert_eq!(allow_public_client, Some(true));
        }
        other => panic!("{other:?}"),
    }
    for bad in [
        &["app", "update", "--app-id", "a"][..],
        &["app", "update", "--app-id", "a", "--allow-public-client"],
        &[
            "app",
            "update",
            "--app-id",
            "a",
            "--allow-public-client",
            "maybe",
        ],
    ] {
        assert_eq!(parse(bad).unwrap_err().exit_code(), 2, "{bad:?}");
    }
    match parse(&[
        "app",
        "create",
        "--tenant",
        "t",
        "--name",
        "n",
        "--allow-public-client",
    ])
    .unwrap()
    .command
    {
        Command::App(AppCommand::Create {
            allow_public_client,
            ..
        }) => assert!(allow_public_client),
        other => panic!("{other:?}"),
    }
}

#[test]
fn out_conflicts_with_pem() {
    let err = Cli::try_parse_from([
        "graphmeet",
        "app",
        "add-cert",
        "--app-id",
        "a",
        "--pem",
        "x",
        "--out",
        "y",
    ])
    .unwrap_err();
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn cs_takes_lines_or_a_file_but_not_both_nor_neither() {
    let cli = parse(&[
        "cs",
        "Get-CsApplicationAccessPolicy",
        "Get-CsOnlineUser -Identity x",
    ])
    .unwrap();
    match cli.command {
        Command::Admin(AdminVerb::Cs(args)) => {
            assert_eq!(args.lines.len(), 2);
            assert!(args.file.is_none() && args.tenant.is_none());
        }
        other => panic!("{other:?}"),
    }
    let cli = parse(&["cs", "--file", "s.ps1", "--tenant", "t"]).unwrap();
    match cli.command {
        Command::Admin(AdminVerb::Cs(args)) => {
            assert_eq!(args.file, Some(PathBuf::from("s.ps1")));
            assert_eq!(args.tenant.as_deref(), Some("t"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(parse(&["cs"]).unwrap_err().exit_code(), 2);
    assert_eq!(
        parse(&["cs", "--file", "s.ps1", "Get-CsOnlineUser"])
            .unwrap_err()
            .exit_code(),
        2
    );
}

#[test]
fn audit_flags_parse_and_bad_ones_are_usage_errors() {
    let cli = parse(&[
        "audit",
        "--decision",
        "denied",
        "--since",
        "2026-03-01T10:00:00+01:00",
        "--limit",
        "5",
        "--output",
        "json",
    ])
    .unwrap();
    assert_eq!(cli.global.output, OutputFormat::Json);
    match cli.command {
        Command::Admin(AdminVerb::Audit(args)) => {
            assert_eq!(args.decision, Some(DecisionArg::Denied));
            assert_eq!(
                args.since
                    .unwrap()
                    .to_rfc3339_opts(SecondsFormat::Secs, true),
                "2026-03-01T09:00:00Z"
            );
            assert_eq!(args.limit, Some(5));
        }
        other => panic!("{other:?}"),
    }
    for bad in [
        &["audit", "--decision", "maybe"][..],
        &["audit", "--since", "yesterday"],
        &["audit", "--limit", "0"],
    ] {
        assert_eq!(parse(bad).unwrap_err().exit_code(), 2, "{bad:?}");
    }
}

#[test]
fn since_takes_a_time_or_a_duration_back_from_now() {
    let before = Utc::now();
    let since = parse_since("1h").unwrap();
    let after = Utc::now();
    assert!(since >= before - chrono::Duration::hours(1));
    assert!(since <= after - chrono::Duration::hours(1));
    assert_eq!(
        parse_since("2026-03-01T09:00:00Z").unwrap(),
        DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z").unwrap()
    );
    let err = parse_since("soon").unwrap_err();
    assert!(err.contains("'soon'"), "{err}");
}

#[test]
fn the_noun_extensions_parse() {
    assert!(matches!(
        parse(&["tenant", "delete", "--tenant", "t"])
            .unwrap()
            .command,
        Command::Tenant(TenantCommand::Delete { .. })
    ));
    assert!(matches!(
        parse(&["app", "remove-cert", "--app-id", "a", "--key-id", "k"])
            .unwrap()
            .command,
        Command::App(AppCommand::RemoveCert { .. })
    ));
    match parse(&[
        "consent", "revoke", "--tenant", "t", "--app-id", "a", "--roles", "A,B", "--roles", "C",
    ])
    .unwrap()
    .command
    {
        Command::Consent(ConsentCommand::Revoke { roles, .. }) => {
            assert_eq!(roles, ["A,B", "C"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        parse(&["consent", "revoke", "--tenant", "t", "--app-id", "a"])
            .unwrap_err()
            .exit_code(),
        2
    );
    assert_eq!(
        parse(&["reset"]).unwrap().global.output,
        OutputFormat::Table
    );
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[test]
fn roles_split_on_commas_and_repeat() {
    assert_eq!(
        parse_roles(&strings(&[
            "OnlineMeetings.ReadWrite.All, User.Read.All",
            "Calendars.Read"
        ]))
        .unwrap(),
        strings(&[
            "OnlineMeetings.ReadWrite.All",
            "User.Read.All",
            "Calendars.Read"
        ])
    );
}

#[test]
fn duplicate_roles_are_dropped() {
    assert_eq!(
        parse_roles(&strings(&["A,B", "A"])).unwrap(),
        strings(&["A", "B"])
    );
}

#[test]
fn empty_roles_are_usage_errors() {
    assert!(parse_roles(&[]).is_err());
    assert!(parse_roles(&strings(&[""])).is_err());
    let err = parse_roles(&strings(&["A,,B"])).unwrap_err();
    assert!(err.to_string().contains("A,,B"), "{err}");
}

const A: &str = "11111111-2222-3333-4444-555555555555";
const B: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

#[test]
fn app_ids_split_repeat_dedupe_and_canonicalise() {
    let upper = B.to_ascii_uppercase();
    assert_eq!(
        parse_app_ids("--app-ids", &strings(&[&format!("{A}, {upper}"), A])).unwrap(),
        strings(&[A, B])
    );
}

#[test]
fn bad_app_ids_are_usage_errors_naming_the_value() {
    let err = parse_app_ids("--app-ids", &strings(&[&format!("{A},not-a-guid")])).unwrap_err();
    assert!(err.to_string().contains("'not-a-guid'"), "{err}");
    assert!(err.to_string().contains("--app-ids"), "{err}");
    let err = parse_app_ids("--add-app-ids", &strings(&[&format!("{A},,{B}")])).unwrap_err();
    assert!(err.to_string().contains("empty entry"), "{err}");
    assert!(parse_app_ids("--app-ids", &[]).is_err());
}
