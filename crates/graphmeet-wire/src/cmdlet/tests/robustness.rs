//! Random and mutated lines never panic, and the size and nesting limits hold.

use super::*;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "New-CsApplicationAccessPolicy",
    "Set-CsApplicationAccessPolicy",
    "Get-CsApplicationAccessPolicy",
    "Remove-CsApplicationAccessPolicy",
    "Grant-CsApplicationAccessPolicy",
    "Get-CsOnlineUser",
    " -Identity ",
    " -AppIds ",
    " -Description ",
    " -PolicyName ",
    " -Group ",
    " -Rank ",
    " -Global",
    " -PassThru",
    " -WhatIf",
    " -Confirm:$false",
    " -Force",
    " -P",
    " -",
    "-",
    "\u{2013}",
    " | ",
    "|",
    "\"",
    "'",
    "`",
    "`\n",
    "\n",
    "\r\n",
    ";",
    ",",
    ", ",
    "@(",
    "@{",
    "(",
    ")",
    "}",
    "{",
    "=",
    "Add=",
    "Remove=",
    "Replace=",
    "$null",
    "$true",
    "$x",
    "$",
    "#",
    "<#",
    "#>",
    "Tag:",
    "Meetings-App",
    "2f1c3a44-8b6d-4e2a-9c1f-5d7e3b9a0c21",
    "`u{",
    "`u{1F600}",
    "\u{201C}",
    "\u{2019}",
    "é",
    "\0",
    " ",
    "\t",
    "2",
    "-1",
    "99999999999",
    ":",
    "@",
    "&",
    ">",
    "\u{FEFF}",
];

const SEEDS: &[&str] = &[
    "New-CsApplicationAccessPolicy -Identity Meetings-App -AppIds \"2f1c3a44-8b6d-4e2a-9c1f-5d7e3b9a0c21\"-Description \"Meetings app\"",
    "Set-CsApplicationAccessPolicy -Identity \"ASimplePolicy\" -AppIds @{Add=\"5817674c-81d9-4adb-bfb2-8f6a442e4622\"}",
    "Set-CsApplicationAccessPolicy -Identity P -AppIds @{Replace=@('5817674c-81d9-4adb-bfb2-8f6a442e4622')}",
    "Grant-CsApplicationAccessPolicy -PolicyName Meetings-App -Identity \"6c4e1f2a-0d3b-4c5e-8f7a-9b1c2d3e4f50\"",
    "Grant-CsApplicationAccessPolicy -Group G -PolicyName P -Rank 2 -PassThru",
    "Get-CsOnlineUser | Grant-CsApplicationAccessPolicy -PolicyName Meetings-App",
    "Get-CsApplicationAccessPolicy -Filter 'Tag:*'; Remove-CsApplicationAccessPolicy P -WhatIf # bye",
];

fn mutate(rng: &mut XorShift, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(4) {
            0 if !chars.is_empty() => {
                chars.remove(at.min(chars.len() - 1));
            }
            1 => {
                let frag = FRAGMENTS[rng.below(FRAGMENTS.len())];
                for (k, c) in frag.chars().enumerate() {
                    chars.insert(at + k, c);
                }
            }
            2 if !chars.is_empty() => {
                let i = at.min(chars.len() - 1);
                chars[i] = char::from_u32(rng.below(0x250) as u32).unwrap_or('?');
            }
            _ => {
                let end = (at + rng.below(8)).min(chars.len());
                let piece: Vec<char> = chars[at.min(end)..end].to_vec();
                let to = rng.below(chars.len() + 1);
                for (k, c) in piece.into_iter().enumerate() {
                    chars.insert(to + k, c);
                }
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn stress_random_and_mutated_lines_never_panic_and_ok_results_round_trip() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let (mut ok, mut failed) = (0usize, 0usize);
    for n in 0..20_000 {
        let line = match n % 3 {
            0 => {
                let seed = SEEDS[rng.below(SEEDS.len())];
                mutate(&mut rng, seed)
            }
            1 => {
                let mut s = String::new();
                for _ in 0..rng.below(12) {
                    s.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
                }
                s
            }
            _ => (0..rng.below(40))
                .map(|_| char::from_u32(rng.below(0x80) as u32).unwrap_or(' '))
                .collect(),
        };
        let result = std::panic::catch_unwind(|| parse_script(&line));
        match result {
            Ok(Ok(cmdlets)) => {
                ok += 1;
                for c in cmdlets {
                    let rendered = to_powershell(&c);
                    assert_eq!(
                        parse_line(&rendered),
                        Ok(c),
                        "round trip of {line:?} via {rendered:?}"
                    );
                }
            }
            Ok(Err(e)) => {
                failed += 1;
                assert!(
                    e.line >= 1 && e.column >= 1 && !e.message.is_empty(),
                    "{line:?}: {e:?}"
                );
            }
            Err(_) => panic!("parser panicked on {line:?}"),
        }
    }
    assert_eq!(ok + failed, 20_000);
    assert!(
        ok > 100,
        "the mutations should keep some lines valid ({ok})"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let src = format!("Get-CsOnlineUser {}", "@(".repeat(10_000));
    let e = err(&src);
    assert_eq!(e.kind, CmdletErrorKind::LimitExceeded);
    assert!(e.message.contains("64"), "{}", e.message);
    assert_eq!((e.line, e.column), (1, 18 + 2 * MAX_NESTING));
}

#[test]
fn nesting_up_to_the_limit_parses_on_a_small_stack() {
    // The deepest accepted nesting, parsed on a thread with a quarter of the default stack.
    let src = format!(
        "New-CsApplicationAccessPolicy -Identity P -AppIds {}\"{A}\"{}",
        "@(".repeat(MAX_NESTING),
        ")".repeat(MAX_NESTING)
    );
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || parse_line(&src))
        .unwrap();
    assert_eq!(handle.join().unwrap(), Ok(new_policy("P", &[A], None)));
}

#[test]
fn a_script_over_64_kib_is_refused_with_the_limit_and_where() {
    let line = "Get-CsApplicationAccessPolicy -Identity P\n";
    let src = line.repeat(MAX_SCRIPT_BYTES / line.len() + 1);
    let e = err(&src);
    assert_eq!(e.kind, CmdletErrorKind::LimitExceeded);
    assert!(e.message.contains("65536 bytes"), "{}", e.message);
    let lines_before = MAX_SCRIPT_BYTES / line.len();
    assert_eq!(e.line, lines_before + 1);
    assert_eq!(e.column, MAX_SCRIPT_BYTES - lines_before * line.len() + 1);
    // Exactly at the limit is fine.
    let at_limit = format!(
        "{}{}",
        "Get-CsOnlineUser\n",
        " ".repeat(MAX_SCRIPT_BYTES - 17)
    );
    assert_eq!(at_limit.len(), MAX_SCRIPT_BYTES);
    assert!(parse_script(&at_limit).is_ok());
}

#[test]
fn a_token_over_4_kib_is_refused_where_it_starts() {
    let long = "x".repeat(MAX_TOKEN_BYTES + 1);
    for (src, column) in [
        (format!("Get-CsOnlineUser {long}"), 18),
        (format!("Get-CsOnlineUser '{long}'"), 18),
        (format!("Get-CsOnlineUser \"{long}\""), 18),
        (format!("Get-CsOnlineUser ab\"{long}\""), 18),
        (format!("Get-CsOnlineUser -{long}"), 18),
        (format!("Get-CsOnlineUser ${long}"), 18),
        (format!("\n  {long}"), 3),
    ] {
        let e = err(&src);
        assert_eq!(e.kind, CmdletErrorKind::LimitExceeded, "{e}");
        assert!(e.message.contains("4096 bytes"), "{}", e.message);
        assert_eq!(e.column, column, "{e}");
    }
    let fits = "x".repeat(MAX_TOKEN_BYTES);
    assert_eq!(
        one(&format!("Get-CsOnlineUser '{fits}'")),
        Cmdlet::GetOnlineUser {
            identity: Some(fits)
        }
    );
}

#[test]
fn sixty_thousand_stars_in_a_filter_stay_within_the_token_limit_rule() {
    let e = err(&format!(
        "Get-CsApplicationAccessPolicy -Filter '{}'",
        "*".repeat(60_000)
    ));
    assert_eq!(e.kind, CmdletErrorKind::LimitExceeded);
}
