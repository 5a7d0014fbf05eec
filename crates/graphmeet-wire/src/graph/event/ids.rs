//! Event ids, iCalUIds, change keys and web links in Exchange's formats, and the timestamps
//! an event carries.

use super::*;
use crate::graph::timezone::format_local;
use base64::Engine;
use chrono::{DateTime, Utc};
use uuid::Uuid;

fn exchange_b64(bytes: &[u8]) -> String {
    // Exchange's ids are base64 with `-` for `/` and `_` for `+`, padding kept.
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .replace('/', "-")
        .replace('+', "_")
}

/// A new event id in `mailbox`'s store: `AAMkA…` (the header) followed by the mailbox guid and a random
/// entry id, 152 characters ending `AAA=`, as work-account ids are.
pub fn new_event_id(mailbox: Uuid) -> String {
    let mut bytes = Vec::with_capacity(113);
    bytes.extend_from_slice(&[0x00, 0x03, 0x24, 0x00]);
    bytes.extend_from_slice(mailbox.hyphenated().to_string().as_bytes());
    bytes.extend_from_slice(&[0x00, 0x46, 0x00, 0x00, 0x00, 0x00]);
    bytes.extend_from_slice(mailbox.as_bytes());
    bytes.extend_from_slice(&[0x07, 0x00]);
    let mut entry = [0u8; 47];
    rand::Rng::fill(&mut rand::thread_rng(), &mut entry[..]);
    bytes.extend_from_slice(&entry);
    bytes.extend_from_slice(&[0x00, 0x00]);
    exchange_b64(&bytes)
}

/// The mailbox an event id was issued in, if it is one of ours.
pub fn event_id_mailbox(id: &str) -> Option<Uuid> {
    let standard = id.replace('-', "/").replace('_', "+");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(standard)
        .ok()?;
    if bytes.len() != 113 || bytes[..4] != [0x00, 0x03, 0x24, 0x00] {
        return None;
    }
    Uuid::parse_str(std::str::from_utf8(bytes.get(4..40)?).ok()?).ok()
}

/// A new `iCalUId`: Outlook's GlobalObjectId, 112 upper-case hex digits.
pub fn new_ical_uid(created: DateTime<Utc>) -> String {
    // FILETIME: 100 ns ticks since 1601-01-01, little-endian.
    let ticks = (created.timestamp() + 11_644_473_600) * 10_000_000
        + i64::from(created.timestamp_subsec_nanos() / 100);
    let mut random = [0u8; 16];
    rand::Rng::fill(&mut rand::thread_rng(), &mut random[..]);
    let mut out = String::from("040000008200E00074C5B7101A82E00800000000");
    for b in ticks.to_le_bytes() {
        out.push_str(&format!("{b:02X}"));
    }
    out.push_str("000000000000000010000000");
    for b in random {
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// The `changeKey` of a mailbox's `n`th change: 22 bytes (the mailbox's replica guid and a
/// 48-bit change number), base64.
pub fn change_key(mailbox: Uuid, n: u64) -> String {
    let mut bytes = Vec::with_capacity(22);
    bytes.extend_from_slice(mailbox.as_bytes());
    bytes.extend_from_slice(&n.to_be_bytes()[2..]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The change number a `changeKey` carries.
pub fn change_number(key: &str) -> u64 {
    base64::engine::general_purpose::STANDARD
        .decode(key)
        .ok()
        .filter(|b| b.len() == 22)
        .map(|b| {
            let mut n = [0u8; 8];
            n[2..].copy_from_slice(&b[16..]);
            u64::from_be_bytes(n)
        })
        .unwrap_or(0)
}

/// The event's `webLink` in Outlook on the web.
pub fn web_link(id: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("https://outlook.office365.com/owa/?itemid={encoded}&exvsurl=1&path=/calendar/item")
}

/// A timestamp as `createdDateTime` writes it: UTC, seven fractional digits, `Z`.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    format!("{}Z", format_local(t.naive_utc()))
}

/// A UTC instant as the stored `start`/`end`.
pub fn utc_when(t: DateTime<Utc>) -> DateTimeTimeZone {
    DateTimeTimeZone {
        date_time: format_local(t.naive_utc()),
        time_zone: Some("UTC".to_owned()),
    }
}
