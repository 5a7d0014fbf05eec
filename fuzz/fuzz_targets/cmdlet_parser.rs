//! Fuzzes the PowerShell cmdlet parser: on any UTF-8 input `parse_script` must return (never
//! panic, overflow the stack or hang), every cmdlet it accepts must survive render → parse
//! unchanged, and every `-Filter` it accepts must be matched by the `-like` wildcard matcher
//! without panicking.

#![no_main]

use graphmeet_wire::cmdlet::{parse_line, parse_script, to_powershell, wildcard, Cmdlet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cmdlets) = parse_script(src) {
        for cmdlet in cmdlets {
            if let Cmdlet::GetPolicy {
                filter: Some(filter),
                ..
            } = &cmdlet
            {
                let _ = wildcard::like(filter, "Tag:Meetings-App");
                let _ = wildcard::like(filter, filter);
            }
            let line = to_powershell(&cmdlet);
            assert_eq!(parse_line(&line), Ok(cmdlet), "round trip via {line:?}");
        }
    }
});
