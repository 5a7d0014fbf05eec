//! PowerShell's `-like` wildcards, as `Get-CsApplicationAccessPolicy -Filter` applies them.
//!
//! Semantics copied from PowerShell's `WildcardPattern`
//! (<https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_wildcards>):
//! `*` is any run of characters (none included), `?` exactly one character, `[abc]` one of a set
//! and `[a-z]` one of a range (the two mix: `[a-cx]`), and a backtick makes the next character
//! literal (`` `* ``, `` `[ ``). Matching ignores case, as `-like` does.
//!
//! The matcher never recurses and never backtracks more than one `*` at a time: it is the greedy
//! two-pointer algorithm, `O(pattern × text)` in the worst case and linear for the patterns
//! people write, whatever the input. Runs of `*` collapse into one.

/// A pattern that PowerShell would refuse ("The specified wildcard character pattern is not
/// valid"): a `[` with no closing `]`, or an empty set `[]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The specified wildcard character pattern is not valid: {0}")]
pub struct WildcardError(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// One literal character, already case-folded.
    Literal(char),
    /// `?`.
    One,
    /// `*` (consecutive ones collapsed).
    Star,
    /// `[…]`: inclusive ranges; a single character is a range of one.
    Set(Vec<(char, char)>),
}

/// A compiled `-like` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WildcardPattern {
    items: Vec<Item>,
}

/// The simple case folding `-like` compares with: the lowercase form when it is one character.
fn fold(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

impl Item {
    /// Whether this single-character item matches `c` (`folded` is `fold(c)`).
    fn matches(&self, c: char, folded: char) -> bool {
        match self {
            Item::Literal(l) => *l == folded,
            Item::One => true,
            Item::Star => false,
            Item::Set(ranges) => {
                let up = upper(c);
                ranges.iter().any(|&(lo, hi)| {
                    (lo..=hi).contains(&c) || (lo..=hi).contains(&folded) || (lo..=hi).contains(&up)
                })
            }
        }
    }
}

impl WildcardPattern {
    /// Compiles `pattern`.
    pub fn new(pattern: &str) -> Result<Self, WildcardError> {
        let invalid = || WildcardError(pattern.to_owned());
        let mut items: Vec<Item> = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            let item = match c {
                '*' => {
                    if items.last() == Some(&Item::Star) {
                        continue;
                    }
                    Item::Star
                }
                '?' => Item::One,
                // A trailing backtick escapes nothing and stands for itself.
                '`' => Item::Literal(fold(chars.next().unwrap_or('`'))),
                '[' => {
                    let mut members: Vec<char> = Vec::new();
                    let mut ranges: Vec<(char, char)> = Vec::new();
                    // Whether the previous member was written as `-` and may start a range.
                    let mut pending_dash = false;
                    let mut closed = false;
                    while let Some(m) = chars.next() {
                        let (m, escaped) = match m {
                            ']' => {
                                closed = true;
                                break;
                            }
                            '`' => (chars.next().ok_or_else(invalid)?, true),
                            other => (other, false),
                        };
                        if m == '-' && !escaped && !members.is_empty() && !pending_dash {
                            pending_dash = true;
                            continue;
                        }
                        if pending_dash {
                            pending_dash = false;
                            if let Some(lo) = members.pop() {
                                ranges.push((lo.min(m), lo.max(m)));
                                continue;
                            }
                        }
                        members.push(m);
                    }
                    if !closed {
                        return Err(invalid());
                    }
                    if pending_dash {
                        // `[a-]`: the dash is a member.
                        members.push('-');
                    }
                    ranges.extend(members.into_iter().map(|m| (m, m)));
                    if ranges.is_empty() {
                        return Err(invalid());
                    }
                    Item::Set(ranges)
                }
                other => Item::Literal(fold(other)),
            };
            items.push(item);
        }
        Ok(WildcardPattern { items })
    }

    /// Whether `text` matches the whole pattern, ignoring case.
    pub fn is_match(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let folded: Vec<char> = text.iter().copied().map(fold).collect();
        let p = &self.items;
        let (mut pi, mut ti) = (0usize, 0usize);
        // After the last `*` seen: where the pattern resumes, and the text position it was
        // tried at. On a mismatch the star swallows one more character and matching resumes.
        let mut star: Option<(usize, usize)> = None;
        while ti < text.len() {
            match p.get(pi) {
                Some(Item::Star) => {
                    star = Some((pi + 1, ti));
                    pi += 1;
                }
                Some(item) if item.matches(text[ti], folded[ti]) => {
                    pi += 1;
                    ti += 1;
                }
                _ => match star {
                    Some((resume, tried)) => {
                        pi = resume;
                        ti = tried + 1;
                        star = Some((resume, tried + 1));
                    }
                    None => return false,
                },
            }
        }
        p[pi.min(p.len())..].iter().all(|item| *item == Item::Star)
    }
}

/// `text -like pattern`: `false` for a pattern PowerShell would refuse.
pub fn like(pattern: &str, text: &str) -> bool {
    WildcardPattern::new(pattern).is_ok_and(|p| p.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn star_and_question_mark() {
        assert!(like("Tag:Meet*", "Tag:Meetings-App"));
        assert!(like("*app", "Meetings-App"));
        assert!(like("m?etings*", "Meetings-App"));
        assert!(like("*", ""));
        assert!(like("**", "anything"));
        assert!(like("", ""));
        assert!(!like("", "x"));
        assert!(!like("?", ""));
        assert!(like("a*b*c", "aXXbYYc"));
        assert!(!like("a*b*c", "aXXbYY"));
        assert!(!like("Other*", "Meetings-App"));
        assert!(like("*-*", "Meetings-App"));
    }

    #[test]
    fn matching_ignores_case_like_powershell() {
        assert!(like("MEETINGS-APP", "meetings-app"));
        assert!(like("ärger*", "ÄRGERLICH"));
        assert!(like("[A-C]*", "bravo"));
        assert!(like("[a-c]*", "Bravo"));
    }

    #[test]
    fn sets_and_ranges() {
        assert!(like("[abc]x", "bx"));
        assert!(!like("[abc]x", "dx"));
        assert!(like("p[0-9][0-9]", "p42"));
        assert!(!like("p[0-9]", "pa"));
        assert!(like("[a-cx]", "x"));
        assert!(like("[a-]", "-"));
        assert!(like("[-a]", "-"));
        assert!(
            like("[z-a]", "m"),
            "a reversed range reads as its sorted form"
        );
        assert!(like("[*?]", "*"));
        assert!(!like("[*?]", "a"));
    }

    #[test]
    fn backtick_escapes_the_next_character() {
        assert!(like("a`*", "a*"));
        assert!(!like("a`*", "ab"));
        assert!(like("`?", "?"));
        assert!(!like("`?", "x"));
        assert!(like("`[x`]", "[x]"));
        assert!(like("[`]]", "]"));
        assert!(like("a`", "a`"), "a trailing backtick is itself");
    }

    #[test]
    fn invalid_patterns_are_errors_and_match_nothing() {
        assert!(WildcardPattern::new("[abc").is_err());
        assert!(WildcardPattern::new("[]").is_err());
        assert!(WildcardPattern::new("[`").is_err());
        assert_eq!(
            WildcardPattern::new("x[").unwrap_err().to_string(),
            "The specified wildcard character pattern is not valid: x["
        );
        assert!(!like("[abc", "[abc"));
        assert!(like("]", "]"), "a lone ']' is a literal");
    }

    #[test]
    fn sixty_thousand_stars_neither_overflow_nor_slow_down() {
        let pattern = "*".repeat(60_000);
        let started = Instant::now();
        assert!(like(&pattern, "Meetings-App"));
        assert!(like(&format!("{pattern}x"), "abcx"));
        assert!(!like(&format!("{pattern}x"), &"a".repeat(10_000)));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn the_backtracking_attack_pattern_answers_at_once() {
        let pattern = format!("{}b", "*a".repeat(18));
        let name = "a".repeat(36);
        let started = Instant::now();
        assert!(!like(&pattern, &name));
        assert!(like(&pattern, &format!("{name}b")));
        // Much longer inputs of the same shape stay polynomial.
        let pattern = format!("{}b", "*a".repeat(2_000));
        assert!(!like(&pattern, &"a".repeat(4_000)));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
