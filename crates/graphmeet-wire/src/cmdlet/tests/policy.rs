//! `New-` and `Set-CsApplicationAccessPolicy`, and the value syntax their
//! parameters exercise (quotes, lists, hashtables, continuations).

use super::*;

#[test]
fn new_policy_with_all_parameters() {
    let c = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds "{A}","{B}" -Description "Meetings app" -MsftInternalProcessingMode Default -Force -WhatIf -Confirm:$false"#
    ));
    assert_eq!(
        c,
        Cmdlet::NewPolicy {
            identity: "Meetings-App".into(),
            app_ids: ids(&[A, B]),
            description: Some("Meetings app".into()),
            common: CommonParams {
                what_if: true,
                confirm: Some(false),
                force: true,
                msft_internal_processing_mode: Some("Default".into()),
            },
        }
    );
    assert!(c.what_if());
}

#[test]
fn seed_line_without_space_before_next_parameter_is_verbatim_accepted() {
    let c = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds "{A}"-Description "Meetings app""#
    ));
    assert_eq!(c, new_policy("Meetings-App", &[A], Some("Meetings app")));
}

#[test]
fn closing_single_quote_also_ends_the_value_before_a_parameter() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy -Identity 'Meetings-App'-AppIds '{A}'-Description 'x'"
    ));
    assert_eq!(c, new_policy("Meetings-App", &[A], Some("x")));
}

#[test]
fn identity_quoted_and_unquoted_are_the_same() {
    let bare = one(&format!(
        "New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds {A}"
    ));
    let dq = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity "Meetings-App" -AppIds "{A}""#
    ));
    let sq = one(&format!(
        "New-CsApplicationAccessPolicy -Identity 'Meetings-App' -AppIds '{A}'"
    ));
    assert_eq!(bare, new_policy("Meetings-App", &[A], None));
    assert_eq!(bare, dq);
    assert_eq!(bare, sq);
}

#[test]
fn identity_tag_prefix_is_stripped() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy -Identity Tag:Meetings-App -AppIds {A}"
    ));
    assert_eq!(c, new_policy("Meetings-App", &[A], None));
    let c = one(&format!(
        "New-CsApplicationAccessPolicy -Identity 'tag:Meetings App' -AppIds {A}"
    ));
    assert_eq!(c, new_policy("Meetings App", &[A], None));
    assert_eq!(strip_tag("TAG:x"), "x");
    assert_eq!(strip_tag("Tagx"), "Tagx");
}

#[test]
fn identity_is_positional_in_new() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy Meetings-App -AppIds {A}"
    ));
    assert_eq!(c, new_policy("Meetings-App", &[A], None));
}

#[test]
fn comma_lists_allow_spaces_and_newlines_after_commas() {
    let want = new_policy("P", &[A, B], None);
    assert_eq!(
        one(&format!(
            r#"New-CsApplicationAccessPolicy -Identity P -AppIds "{A}" , "{B}""#
        )),
        want
    );
    assert_eq!(
        one(&format!(
            "New-CsApplicationAccessPolicy -Identity P -AppIds {A},{B}"
        )),
        want
    );
    assert_eq!(
        one(&format!(
            "New-CsApplicationAccessPolicy -Identity P -AppIds {A}, {B}"
        )),
        want
    );
    assert_eq!(
        one(&format!(
            "New-CsApplicationAccessPolicy -Identity P -AppIds \"{A}\",\n    \"{B}\""
        )),
        want
    );
}

#[test]
fn backtick_at_end_of_line_continues_the_line() {
    let want = new_policy("P", &[A, B], Some("d"));
    let src = format!(
        "New-CsApplicationAccessPolicy `\n  -Identity P `\r\n  -AppIds \"{A}\", `\n  \"{B}\" `  \n  -Description d"
    );
    assert_eq!(one(&src), want);
}

#[test]
fn array_subexpression_lists_app_ids() {
    let want = new_policy("P", &[A, B], None);
    assert_eq!(
        one(&format!(
            r#"New-CsApplicationAccessPolicy -Identity P -AppIds @("{A}","{B}")"#
        )),
        want
    );
    assert_eq!(
        one(&format!(
            "New-CsApplicationAccessPolicy -Identity P -AppIds @(\n \"{A}\"\n \"{B}\"\n)"
        )),
        want
    );
    assert_eq!(
        one(&format!(
            r#"New-CsApplicationAccessPolicy -Identity P -AppIds ("{A}","{B}")"#
        )),
        want
    );
}

#[test]
fn double_quoted_strings_process_backtick_escapes() {
    let c = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity P -AppIds {A} -Description "say `"hi`" `` `$5 a`tb`nc `u{{e9}} ""q"" $null$true""#
    ));
    assert_eq!(
        c,
        new_policy("P", &[A], Some("say \"hi\" ` $5 a\tb\nc é \"q\" True"))
    );
}

#[test]
fn single_quoted_strings_are_literal_with_doubled_quote_escape() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy -Identity P -AppIds {A} -Description 'it''s `n $x'"
    ));
    assert_eq!(c, new_policy("P", &[A], Some("it's `n $x")));
}

#[test]
fn typographic_dashes_and_quotes_from_docs_pages_are_accepted() {
    let c = one(&format!(
        "New-CsApplicationAccessPolicy \u{2013}Identity \u{201C}Meetings-App\u{201D} \u{2014}AppIds \u{2018}{A}\u{2019} -Description \u{201C}Contoso\u{2019}s app\u{201D}"
    ));
    assert_eq!(
        c,
        new_policy("Meetings-App", &[A], Some("Contoso\u{2019}s app"))
    );
}

#[test]
fn bareword_absorbs_adjacent_quoted_piece() {
    let c = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity Tag:"Meetings App" -AppIds {A}"#
    ));
    assert_eq!(c, new_policy("Meetings App", &[A], None));
}

#[test]
fn new_accepts_list_modifier_add_as_the_list() {
    let c = one(&format!(
        r#"New-CsApplicationAccessPolicy -Identity P -AppIds @{{Add="{A}"}}"#
    ));
    assert_eq!(c, new_policy("P", &[A], None));
}

// ---- Set-CsApplicationAccessPolicy ----

#[test]
fn set_hashtable_add_adds() {
    let c = one(&format!(
        r#"Set-CsApplicationAccessPolicy -Identity "ASimplePolicy" -AppIds @{{Add="{A}"}}"#
    ));
    assert_eq!(c, set(Some(AppIdsChange::Add(ids(&[A]))), None));
}

#[test]
fn set_hashtable_remove_removes_several() {
    let c = one(&format!(
        r#"Set-CsApplicationAccessPolicy -Identity ASimplePolicy -AppIds @{{Remove="{A}","{B}"}}"#
    ));
    assert_eq!(c, set(Some(AppIdsChange::Remove(ids(&[A, B]))), None));
}

#[test]
fn set_hashtable_replace_with_array_replaces() {
    let c = one(&format!(
        r#"Set-CsApplicationAccessPolicy -Identity ASimplePolicy -AppIds @{{Replace=@("{A}")}}"#
    ));
    assert_eq!(c, set(Some(AppIdsChange::Replace(ids(&[A]))), None));
}

#[test]
fn set_hashtable_keys_are_case_insensitive_and_spaced_entries_allowed() {
    let c = one(&format!(
        "Set-CsApplicationAccessPolicy -Identity ASimplePolicy -AppIds @{{ aDD = '{A}' ; }}"
    ));
    assert_eq!(c, set(Some(AppIdsChange::Add(ids(&[A]))), None));
    let c = one(&format!(
        "Set-CsApplicationAccessPolicy -Identity ASimplePolicy -AppIds @{{\n  REMOVE =\n \"{A}\"\n}}"
    ));
    assert_eq!(c, set(Some(AppIdsChange::Remove(ids(&[A]))), None));
}

#[test]
fn set_plain_list_means_replace() {
    let c = one(&format!(
        r#"Set-CsApplicationAccessPolicy -Identity ASimplePolicy -AppIds "{A}","{B}""#
    ));
    assert_eq!(c, set(Some(AppIdsChange::Replace(ids(&[A, B]))), None));
}

#[test]
fn set_with_all_parameters() {
    let c = one(&format!(
        r#"Set-CsApplicationAccessPolicy -Identity Tag:ASimplePolicy -AppIds @{{Add="{A}"}} -Description "new" -MsftInternalProcessingMode x -Force -WhatIf -Confirm"#
    ));
    assert_eq!(
        c,
        Cmdlet::SetPolicy {
            identity: "ASimplePolicy".into(),
            apps: Some(AppIdsChange::Add(ids(&[A]))),
            description: Some("new".into()),
            common: CommonParams {
                what_if: true,
                confirm: Some(true),
                force: true,
                msft_internal_processing_mode: Some("x".into()),
            },
        }
    );
}

#[test]
fn set_description_only_and_null_description_clears() {
    assert_eq!(
        one("Set-CsApplicationAccessPolicy -Identity ASimplePolicy -Description 'd'"),
        set(None, Some("d"))
    );
    assert_eq!(
        one("Set-CsApplicationAccessPolicy -Identity ASimplePolicy -Description $null"),
        set(None, Some(""))
    );
}
