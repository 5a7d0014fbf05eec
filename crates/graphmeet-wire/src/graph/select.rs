//! `$select` lists, read the one way every resource reads them: split at commas, each item
//! trimmed, empty items skipped, each matched to its property's canonical name in any case
//! (`$select=SUBJECT` names `subject`). What differs between resources is only which names
//! exist, the error for one that does not, and whether `*` means "every property" (meetings
//! and users, [`parse_select_or_all`]) or is just an unknown name (events, artifacts,
//! [`parse_select_list`]).

/// The canonical name of `name` (any case) among `properties`, looked up list by list.
pub fn canonical_name(properties: &[&[&'static str]], name: &str) -> Option<&'static str> {
    properties
        .iter()
        .flat_map(|list| list.iter())
        .find(|p| p.eq_ignore_ascii_case(name))
        .copied()
}

/// The items of a `$select` list as written: split at commas, trimmed, empty ones skipped.
fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Every item of `text` as its canonical name among `properties`, in the order given and
/// duplicates kept, or `unknown(item)` for the first item that names no property.
pub fn parse_select_list<E>(
    text: &str,
    properties: &[&[&'static str]],
    unknown: impl FnOnce(&str) -> E,
) -> Result<Vec<String>, E> {
    let mut names = Vec::new();
    for item in items(text) {
        match canonical_name(properties, item) {
            Some(name) => names.push(name.to_owned()),
            None => return Err(unknown(item)),
        }
    }
    Ok(names)
}

/// `$select` where `*` stands for every property: `None` when any item is `*` (the other items
/// are then not checked) or when there is no item at all; otherwise the canonical names, each
/// once, in the order first given.
pub fn parse_select_or_all<E>(
    text: &str,
    properties: &[&[&'static str]],
    unknown: impl FnOnce(&str) -> E,
) -> Result<Option<Vec<String>>, E> {
    if items(text).next().is_none() || items(text).any(|item| item == "*") {
        return Ok(None);
    }
    let mut names = parse_select_list(text, properties, unknown)?;
    let mut seen = std::collections::HashSet::new();
    names.retain(|name| seen.insert(name.clone()));
    Ok(Some(names))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const A: &[&str] = &["id", "subject"];
    const B: &[&str] = &["isBroadcast"];

    #[test]
    fn items_are_trimmed_matched_in_any_case_and_kept_in_order() {
        let names = parse_select_list(" SUBJECT ,, isbroadcast,id", &[A, B], str::to_owned);
        assert_eq!(names.unwrap(), ["subject", "isBroadcast", "id"]);
        assert_eq!(
            parse_select_list("id,Id", &[A], str::to_owned).unwrap(),
            ["id", "id"]
        );
        assert_eq!(
            parse_select_list("id,nope,other", &[A], str::to_owned),
            Err("nope".to_owned())
        );
        assert_eq!(
            parse_select_list("*", &[A], str::to_owned),
            Err("*".to_owned())
        );
        assert!(parse_select_list(" , ", &[A], str::to_owned)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_star_or_an_empty_list_is_every_property_and_names_are_kept_once() {
        assert_eq!(parse_select_or_all("*", &[A], str::to_owned), Ok(None));
        assert_eq!(
            parse_select_or_all("nope, *", &[A], str::to_owned),
            Ok(None)
        );
        assert_eq!(parse_select_or_all(" ,", &[A], str::to_owned), Ok(None));
        assert_eq!(
            parse_select_or_all("subject,ID,Subject", &[A], str::to_owned),
            Ok(Some(vec!["subject".to_owned(), "id".to_owned()]))
        );
        assert_eq!(
            parse_select_or_all("id,nope", &[A], str::to_owned),
            Err("nope".to_owned())
        );
    }
}
