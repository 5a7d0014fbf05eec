//! Every error kind, with the position and PowerShell's text.

use super::*;

#[track_caller]
fn assert_err(src: &str, kind: CmdletErrorKind, line: usize, column: usize, message: &str) {
    let e = err(src);
    assert_eq!(e.kind, kind, "{src:?}: {e}");
    assert_eq!((e.line, e.column), (line, column), "{src:?}: {e}");
    assert!(
        e.message.contains(message),
        "{src:?}: {:?} lacks {message:?}",
        e.message
    );
}

#[test]
fn error_unknown_cmdlet_names_it() {
    assert_err(
        "Get-CsOnlineUser\n  New-CsFoo -Identity x",
        CmdletErrorKind::UnknownCmdlet,
        2,
        3,
        "The term 'New-CsFoo' is not recognized as a name of a cmdlet",
    );
}

#[test]
fn error_unknown_parameter_names_it() {
    assert_err(
        &format!("New-CsApplicationAccessPolicy -Identity P -AppIds {A} -Foo 1"),
        CmdletErrorKind::UnknownParameter,
        1,
        88,
        "A parameter cannot be found that matches parameter name 'Foo'.",
    );
}

#[test]
fn error_ambiguous_abbreviation_lists_matches() {
    assert_err(
        "Grant-CsApplicationAccessPolicy -P X -Global",
        CmdletErrorKind::AmbiguousParameter,
        1,
        33,
        "Parameter cannot be processed because the parameter name 'P' is ambiguous. Possible matches include: -PolicyName -PassThru.",
    );
}

#[test]
fn error_missing_mandatory_parameter_names_it() {
    assert_err(
        "New-CsApplicationAccessPolicy -Identity P",
        CmdletErrorKind::MissingMandatoryParameter,
        1,
        1,
        "Cannot process command because of one or more missing mandatory parameters: AppIds.",
    );
    assert_err(
        "Remove-CsApplicationAccessPolicy",
        CmdletErrorKind::MissingMandatoryParameter,
        1,
        1,
        "missing mandatory parameters: Identity.",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -Global",
        CmdletErrorKind::MissingMandatoryParameter,
        1,
        1,
        "missing mandatory parameters: PolicyName.",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -PolicyName P",
        CmdletErrorKind::MissingMandatoryParameter,
        1,
        1,
        "-Identity <user>, -Group <group> or -Global",
    );
}

#[test]
fn error_identity_with_global_is_a_parameter_set_conflict() {
    assert_err(
        &format!("Grant-CsApplicationAccessPolicy -Identity {USER} -PolicyName P -Global"),
        CmdletErrorKind::ParameterSetConflict,
        1,
        94,
        "Parameter set cannot be resolved using the specified named parameters.",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -Group G -Global -PolicyName P",
        CmdletErrorKind::ParameterSetConflict,
        1,
        42,
        "Parameter set cannot be resolved",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -PolicyName P -Global -Rank 1",
        CmdletErrorKind::ParameterSetConflict,
        1,
        55,
        "Parameter set cannot be resolved",
    );
    assert_err(
        "Get-CsApplicationAccessPolicy -Identity P -Filter x",
        CmdletErrorKind::ParameterSetConflict,
        1,
        43,
        "Parameter set cannot be resolved",
    );
    assert_err(
        "Get-CsOnlineUser | Grant-CsApplicationAccessPolicy -PolicyName P -Global",
        CmdletErrorKind::ParameterSetConflict,
        1,
        66,
        "Parameter set cannot be resolved",
    );
}

#[test]
fn error_unterminated_strings_point_at_the_opening_quote() {
    assert_err(
        "New-CsApplicationAccessPolicy -Identity P -AppIds x -Description \"oops",
        CmdletErrorKind::UnterminatedString,
        1,
        66,
        "The string is missing the terminator: \".",
    );
    assert_err(
        "Get-CsOnlineUser\nGet-CsOnlineUser -Identity 'oops\n\n",
        CmdletErrorKind::UnterminatedString,
        2,
        28,
        "The string is missing the terminator: '.",
    );
    assert_err(
        "Get-CsOnlineUser <# open",
        CmdletErrorKind::UnterminatedString,
        1,
        18,
        "'#>'",
    );
}

#[test]
fn error_bad_hashtable_key_names_it() {
    assert_err(
        &format!(r#"Set-CsApplicationAccessPolicy -Identity P -AppIds @{{Append="{A}"}}"#),
        CmdletErrorKind::BadHashtableKey,
        1,
        53,
        "the hashtable key 'Append' is not valid. A list modifier accepts only the keys Add, Remove and Replace.",
    );
}

#[test]
fn error_missing_value_after_a_parameter() {
    assert_err(
        "New-CsApplicationAccessPolicy -Identity P -AppIds -Description d",
        CmdletErrorKind::MissingArgument,
        1,
        43,
        "Missing an argument for parameter 'AppIds'. Specify a parameter of type 'System.Management.Automation.PSListModifier' and try again.",
    );
    assert_err(
        "Get-CsOnlineUser -Identity",
        CmdletErrorKind::MissingArgument,
        1,
        18,
        "Missing an argument for parameter 'Identity'. Specify a parameter of type 'System.String'",
    );
    assert_err(
        "Get-CsOnlineUser -Identity\nx",
        CmdletErrorKind::MissingArgument,
        1,
        18,
        "Missing an argument for parameter 'Identity'",
    );
}

#[test]
fn error_non_guid_app_id_names_the_value() {
    assert_err(
        &format!(r#"New-CsApplicationAccessPolicy -Identity P -AppIds "{A}","not-a-guid""#),
        CmdletErrorKind::InvalidAppId,
        1,
        90,
        "'not-a-guid' is not a valid app id",
    );
    assert_err(
        r#"Set-CsApplicationAccessPolicy -Identity P -AppIds @{Add="2f1c3a44-…"}"#,
        CmdletErrorKind::InvalidAppId,
        1,
        57,
        "'2f1c3a44-…' is not a valid app id",
    );
}

#[test]
fn error_duplicate_parameter() {
    assert_err(
        "Get-CsOnlineUser -Identity a -Ident b",
        CmdletErrorKind::DuplicateParameter,
        1,
        30,
        "parameter 'Identity' is specified more than once",
    );
}

#[test]
fn error_extra_positional_argument() {
    assert_err(
        "Remove-CsApplicationAccessPolicy P Q",
        CmdletErrorKind::PositionalArgument,
        1,
        36,
        "A positional parameter cannot be found that accepts argument 'Q'.",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -PolicyName P -Global $true",
        CmdletErrorKind::PositionalArgument,
        1,
        55,
        "accepts argument 'True'",
    );
}

#[test]
fn error_bad_values() {
    assert_err(
        "Grant-CsApplicationAccessPolicy -Group G -PolicyName P -Rank first",
        CmdletErrorKind::InvalidArgument,
        1,
        62,
        "Cannot convert value \"first\" to type \"System.Int32\"",
    );
    assert_err(
        "Remove-CsApplicationAccessPolicy -Identity $null",
        CmdletErrorKind::InvalidArgument,
        1,
        44,
        "because it is null",
    );
    assert_err(
        "Remove-CsApplicationAccessPolicy -Identity 'Tag:'",
        CmdletErrorKind::InvalidArgument,
        1,
        44,
        "because it is an empty string",
    );
    assert_err(
        "Remove-CsApplicationAccessPolicy -Identity a,b",
        CmdletErrorKind::InvalidArgument,
        1,
        44,
        "Cannot convert 'System.Object[]' to the type 'System.String'",
    );
    assert_err(
        &format!("Set-CsApplicationAccessPolicy -Identity P -AppIds @{{Add='{A}'; Remove='{B}'}}"),
        CmdletErrorKind::InvalidArgument,
        1,
        97,
        "'Remove' cannot be combined with 'Add'",
    );
    assert_err(
        "Grant-CsApplicationAccessPolicy -PolicyName P -Global:yes",
        CmdletErrorKind::InvalidArgument,
        1,
        55,
        "-Global:$true or -Global:$false",
    );
}

#[test]
fn error_other_pipelines_are_refused() {
    assert_err(
        "Get-CsApplicationAccessPolicy | Remove-CsApplicationAccessPolicy",
        CmdletErrorKind::UnsupportedPipeline,
        1,
        31,
        "Only the pipeline 'Get-CsOnlineUser | Grant-CsApplicationAccessPolicy",
    );
    assert_err(
        "Get-CsOnlineUser | Grant-CsApplicationAccessPolicy -PolicyName P | Get-CsOnlineUser",
        CmdletErrorKind::UnsupportedPipeline,
        1,
        66,
        "Only the pipeline",
    );
    assert_err(
        "Get-CsOnlineUser |",
        CmdletErrorKind::Syntax,
        1,
        19,
        "An empty pipe element is not allowed.",
    );
}

#[test]
fn error_unsupported_powershell() {
    assert_err(
        "$p = 'x'",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        1,
        "Variables are not supported",
    );
    assert_err(
        "Get-CsOnlineUser -Identity $user",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        28,
        "'$user'",
    );
    assert_err(
        "Get-CsOnlineUser -Identity \"$user\"",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        29,
        "Variable expansion is not supported: '$user'",
    );
    assert_err(
        "Get-CsOnlineUser | Select-Object Identity",
        CmdletErrorKind::UnknownCmdlet,
        1,
        20,
        "The term 'Select-Object' is not recognized",
    );
    assert_err(
        "Get-CsOnlineUser | ForEach-Object { $_ }",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        35,
        "Script blocks",
    );
    assert_err(
        "Get-CsOnlineUser > out.txt",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        18,
        "Redirection",
    );
    assert_err(
        "Get-CsOnlineUser @args",
        CmdletErrorKind::UnsupportedSyntax,
        1,
        18,
        "splatting",
    );
    assert_err(
        "Set-CsApplicationAccessPolicy -Identity P -AppIds @{Add='x'",
        CmdletErrorKind::Syntax,
        1,
        51,
        "Missing closing '}' in hash literal.",
    );
    assert_err(
        "Get-CsOnlineUser )",
        CmdletErrorKind::Syntax,
        1,
        18,
        "Unexpected token ')'",
    );
}

#[test]
fn error_display_includes_position() {
    let e = err("New-CsFoo");
    assert!(e.to_string().ends_with("(At line:1 char:1)"), "{e}");
}
