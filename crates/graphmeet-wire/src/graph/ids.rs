//! Meeting ids, thread ids, `joinWebUrl`, join meeting ids, passcodes and conference ids.
//!
//! Formats: spec `graph-online-meetings.md` §2.7. A meeting id is standard base64 (`+/`, `=`
//! padding) of `1*{organizerOid}*{messageId}**{threadId}`; a private meeting's thread id is
//! `19:meeting_` + base64(lowercase GUID string, unpadded) + `@thread.v2`.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use rand::Rng;
use uuid::Uuid;

use super::error::GraphError;

/// The message id of a private (non-channel) meeting.
pub const PRIVATE_MESSAGE_ID: &str = "0";

/// The classic `joinWebUrl` host when none is configured.
pub const DEFAULT_JOIN_HOST: &str = "https://teams.microsoft.com";

/// A meeting id in its wire form (the standard base64 string).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MeetingId(String);

/// What a meeting id decodes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedMeetingId {
    /// The organizer's Entra object id.
    pub organizer: Uuid,
    /// The chat message id: `"0"` for private meetings, a millisecond timestamp for channel
    /// meetings.
    pub message_id: String,
    /// The chat thread id, e.g. `19:meeting_…@thread.v2`.
    pub thread_id: String,
    /// Which of the accepted id forms was sent.
    pub format: MeetingIdFormat,
}

/// The accepted forms of a meeting id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingIdFormat {
    /// The current base64 form, `MSo…` / `MSp…`.
    Standard,
    /// The legacy `{organizerOid}_{threadId}` form of older doc examples (message id `0`).
    Legacy,
}

/// Why a meeting id was rejected; each maps to Graph's 400 (see [`GraphError`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingIdError {
    /// Not decodable, or not of the `1*{oid}*{msg}**{thread}` shape (this includes the Teams
    /// JS SDK's `0#{thread}#0` form): 400 `Meeting Id is corrupted.`
    #[error("Meeting Id is corrupted.")]
    Corrupted,
    /// A raw thread id (`19:…@thread.v2`) was sent in place of a meeting id:
    /// 400 `Invalid meeting id {raw}.`
    #[error("Invalid meeting id {0}.")]
    RawThreadId(String),
}

impl MeetingIdError {
    /// The Graph error to answer with.
    pub fn to_graph_error(&self) -> GraphError {
        match self {
            MeetingIdError::Corrupted => GraphError::meeting_id_corrupted(),
            MeetingIdError::RawThreadId(raw) => GraphError::invalid_meeting_id(raw),
        }
    }
}

impl From<MeetingIdError> for GraphError {
    fn from(e: MeetingIdError) -> Self {
        e.to_graph_error()
    }
}

/// The thread id of a private meeting: `19:meeting_` + base64(lowercase hyphenated GUID, no
/// padding) + `@thread.v2` (48 base64 chars).
pub fn private_thread_id(thread_guid: Uuid) -> String {
    let guid = thread_guid.hyphenated().to_string();
    format!("19:meeting_{}@thread.v2", STANDARD_NO_PAD.encode(guid))
}

/// A new private meeting's thread GUID, drawn at `now` (the service's clock): a UUID version 7,
/// whose first 48 bits are the Unix time in milliseconds and whose other 74 are random.
///
/// Clients treat the GUID as opaque; what the order buys is where the stores put it. The thread
/// id, the join link and the meeting id are all keys of unique indexes, and a version 4 GUID
/// sends each insert to a random leaf of each of them: a batch of 32 meetings dirtied ~32 leaf
/// pages per index, each written whole to SQLite's WAL (and, on PostgreSQL, each a B-tree page
/// of its own to write back). Meetings drawn close in time share their keys' prefixes, so a
/// batch's inserts fall on one or two leaves of the thread-id and join-link indexes (and of the
/// meeting-id index, per organizer). 74 random bits keep the thread id, and so the join link,
/// unguessable.
pub fn thread_guid_at(now: chrono::DateTime<chrono::Utc>) -> Uuid {
    let seconds = u64::try_from(now.timestamp()).unwrap_or(0);
    Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        seconds,
        now.timestamp_subsec_nanos(),
    ))
}

/// The GUID inside a private meeting's thread id, if it is of that form.
pub fn thread_guid(thread_id: &str) -> Option<Uuid> {
    let inner = thread_id
        .strip_prefix("19:meeting_")?
        .strip_suffix("@thread.v2")?;
    let bytes = STANDARD_NO_PAD.decode(inner.trim_end_matches('=')).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    Uuid::parse_str(&text).ok()
}

fn looks_like_thread_id(s: &str) -> bool {
    s.starts_with("19:") && s.contains("@thread.")
}

impl MeetingId {
    /// The id of a private meeting organised by `organizer` on the thread made from
    /// `thread_guid` (message id `0`): 148 base64 chars starting `MSo` or `MSp`.
    pub fn new_private(organizer: Uuid, thread_guid: Uuid) -> Self {
        Self::encode(
            organizer,
            PRIVATE_MESSAGE_ID,
            &private_thread_id(thread_guid),
        )
    }

    /// Encodes any organizer / message id / thread id triple (channel meetings use a
    /// timestamp message id and a `@thread.tacv2` thread).
    pub fn encode(organizer: Uuid, message_id: &str, thread_id: &str) -> Self {
        let plain = format!("1*{}*{message_id}**{thread_id}", organizer.hyphenated());
        MeetingId(STANDARD.encode(plain))
    }

    /// The wire form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Decodes a meeting id from a (percent-decoded) path segment.
    ///
    /// Accepts the standard base64 form (padded or not) and the legacy
    /// `{organizerOid}_{threadId}` form. A raw thread id gives
    /// [`MeetingIdError::RawThreadId`]; anything else that does not decode to
    /// `1*{uuid}*{digits}**19:…` gives [`MeetingIdError::Corrupted`].
    pub fn parse(raw: &str) -> Result<DecodedMeetingId, MeetingIdError> {
        if looks_like_thread_id(raw) {
            return Err(MeetingIdError::RawThreadId(raw.to_owned()));
        }
        if let Some(decoded) = Self::parse_legacy(raw) {
            return Ok(decoded);
        }
        let bytes = STANDARD
            .decode(raw)
            .or_else(|_| STANDARD_NO_PAD.decode(raw))
            .map_err(|_| MeetingIdError::Corrupted)?;
        let text = String::from_utf8(bytes).map_err(|_| MeetingIdError::Corrupted)?;
        let rest = text.strip_prefix("1*").ok_or(MeetingIdError::Corrupted)?;
        let (oid, rest) = rest.split_once('*').ok_or(MeetingIdError::Corrupted)?;
        let (message_id, thread_id) = rest.split_once("**").ok_or(MeetingIdError::Corrupted)?;
        let organizer = parse_oid(oid).ok_or(MeetingIdError::Corrupted)?;
        if message_id.is_empty() || !message_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MeetingIdError::Corrupted);
        }
        if !looks_like_thread_id(thread_id) {
            return Err(MeetingIdError::Corrupted);
        }
        Ok(DecodedMeetingId {
            organizer,
            message_id: message_id.to_owned(),
            thread_id: thread_id.to_owned(),
            format: MeetingIdFormat::Standard,
        })
    }

    fn parse_legacy(raw: &str) -> Option<DecodedMeetingId> {
        let (oid, thread_id) = raw.split_once('_')?;
        let organizer = parse_oid(oid)?;
        if !looks_like_thread_id(thread_id) {
            return None;
        }
        Some(DecodedMeetingId {
            organizer,
            message_id: PRIVATE_MESSAGE_ID.to_owned(),
            thread_id: thread_id.to_owned(),
            format: MeetingIdFormat::Legacy,
        })
    }
}

/// Only the hyphenated 36-char form counts as an object id inside meeting ids.
fn parse_oid(text: &str) -> Option<Uuid> {
    if text.len() != 36 {
        return None;
    }
    Uuid::parse_str(text).ok()
}

impl std::fmt::Display for MeetingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for MeetingId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl DecodedMeetingId {
    /// The standard wire id for this meeting (legacy ids re-encode to the current form).
    pub fn to_meeting_id(&self) -> MeetingId {
        MeetingId::encode(self.organizer, &self.message_id, &self.thread_id)
    }
}

// ---- joinWebUrl -------------------------------------------------------------------------

/// .NET `HttpUtility.UrlEncode`: alphanumerics and `-_.!*()` stay, space becomes `+`, every
/// other byte becomes a **lowercase** `%xx` — the escapes of Teams' classic join URLs and of
/// `joinInformation`'s blob.
pub fn url_encode_lower(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'*'
            | b'('
            | b')' => out.push(b as char),
            b' ' => out.push('+'),
            _ => {
                let mut pair = [0u8; 2];
                // Two output bytes for one input byte: the slice is always the right size.
                let _ = hex::encode_to_slice([b], &mut pair);
                out.push('%');
                out.extend(pair.map(char::from));
            }
        }
    }
    out
}

/// Percent-decodes `%XX` (either case) and leaves everything else, including `+` and broken
/// escapes, as it is. Invalid UTF-8 is replaced.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hi = (bytes[i + 1] as char).to_digit(16);
            let lo = (bytes[i + 2] as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The classic `joinWebUrl`:
/// `{host_base}/l/meetup-join/{thread}/{messageId}?context=%7b%22Tid%22%3a%22{tenant}%22%2c%22Oid%22%3a%22{organizer}%22%7d`
/// with Teams' lowercase escapes (`19%3ameeting_…%40thread.v2`).
///
/// `host_base` is `https://teams.microsoft.com` for the real service ([`DEFAULT_JOIN_HOST`]) or
/// this server's own origin (e.g. `https://127.0.0.1:8443`); a trailing `/` is ignored.
pub fn join_web_url(
    host_base: &str,
    thread_id: &str,
    message_id: &str,
    tenant: Uuid,
    organizer: Uuid,
) -> String {
    let context = format!(
        "{{\"Tid\":\"{}\",\"Oid\":\"{}\"}}",
        tenant.hyphenated(),
        organizer.hyphenated()
    );
    format!(
        "{}/l/meetup-join/{}/{}?context={}",
        host_base.trim_end_matches('/'),
        url_encode_lower(thread_id),
        url_encode_lower(message_id),
        url_encode_lower(&context)
    )
}

/// The parts of a classic `joinWebUrl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinWebUrlParts {
    /// Everything before `/l/meetup-join/`, e.g. `https://teams.microsoft.com`.
    pub host_base: String,
    /// The decoded thread id, e.g. `19:meeting_…@thread.v2`.
    pub thread_id: String,
    /// The decoded message id (`0` for private meetings).
    pub message_id: String,
    /// The `Tid` of the context.
    pub tenant: Uuid,
    /// The `Oid` of the context.
    pub organizer: Uuid,
}

/// Reads a classic `joinWebUrl` back into its parts (for the server's landing page).
///
/// Accepts lowercase or uppercase escapes and the already-decoded form; extra query
/// parameters (`&anon=true`, …) and extra context keys are ignored. `None` when the URL is not
/// of the classic form or the context lacks a valid `Tid`/`Oid`.
pub fn parse_join_web_url(url: &str) -> Option<JoinWebUrlParts> {
    const MARKER: &str = "/l/meetup-join/";
    let at = url.find(MARKER)?;
    let host_base = &url[..at];
    let rest = &url[at + MARKER.len()..];
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, q),
        None => (rest, ""),
    };
    let query = query.split('#').next().unwrap_or_default();
    let mut segments = path.splitn(3, '/');
    let thread_id = percent_decode(segments.next()?);
    let message_id = percent_decode(segments.next()?);
    if !looks_like_thread_id(&thread_id) || message_id.is_empty() {
        return None;
    }
    let context = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "context")
        .map(|(_, v)| v.into_owned())?;
    let context: serde_json::Value = serde_json::from_str(&context).ok()?;
    let tenant = Uuid::parse_str(context.get("Tid")?.as_str()?).ok()?;
    let organizer = Uuid::parse_str(context.get("Oid")?.as_str()?).ok()?;
    Some(JoinWebUrlParts {
        host_base: host_base.to_owned(),
        thread_id,
        message_id,
        tenant,
        organizer,
    })
}

/// The `dialinUrl` of `audioConferencing`: `{host_base}/{tenant-ish guid}?id={conferenceId}`,
/// as `https://dialin.teams.microsoft.com/22f12fa0-…?id=291633251` (spec §2.4).
pub fn dialin_url(host_base: &str, guid: Uuid, conference_id: &str) -> String {
    format!(
        "{}/{}?id={}",
        host_base.trim_end_matches('/'),
        guid.hyphenated(),
        conference_id
    )
}

// ---- random codes -----------------------------------------------------------------------

fn digits(rng: &mut impl Rng, len: usize) -> String {
    let mut out = String::with_capacity(len);
    out.push(char::from(b'1' + rng.gen_range(0..9u8)));
    for _ in 1..len {
        out.push(char::from(b'0' + rng.gen_range(0..10u8)));
    }
    out
}

/// A `joinMeetingId`: 13 random digits, never starting with `0` (as `3446741591081`).
pub fn join_meeting_id(rng: &mut impl Rng) -> String {
    digits(rng, 13)
}

/// An `audioConferencing.conferenceId`: 9 random digits, never starting with `0` (as
/// `291633251`).
pub fn conference_id(rng: &mut impl Rng) -> String {
    digits(rng, 9)
}

/// A passcode: 8 characters of `[A-Za-z0-9]` with at least one lower-case letter, one
/// upper-case letter and one digit (as `ps3JH7YK`).
pub fn passcode(rng: &mut impl Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let code: String = (0..8)
            .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
            .collect();
        let mixed = code.bytes().any(|b| b.is_ascii_lowercase())
            && code.bytes().any(|b| b.is_ascii_uppercase())
            && code.bytes().any(|b| b.is_ascii_digit());
        if mixed {
            return code;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    const ORG: &str = "dc17674c-81d9-4adb-bfb2-8f6a442e4622";
    const TID: &str = "909c6581-5130-43e9-88f3-fcb3582cde37";
    const THREAD_GUID: &str = "0d4a5b2e-1c3f-4e6a-9b7d-2f8e1a6c3b90";

    fn uuid(s: &str) -> Uuid {
        Uuid::parse_str(s).unwrap()
    }

    #[test]
    fn thread_guids_carry_their_millisecond_and_differ_within_it() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-01T14:00:00.123456Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let a = thread_guid_at(now);
        let b = thread_guid_at(now);
        assert_eq!(a.get_version_num(), 7);
        assert_ne!(a, b, "74 random bits per GUID");
        let (secs, nanos) = a.get_timestamp().unwrap().to_unix();
        assert_eq!((secs, nanos), (now.timestamp() as u64, 123_000_000));
        // Drawn in the same millisecond, the thread ids share their first 16 base64 characters
        // (the first 12 of the GUID's text), so their index keys are neighbours.
        let (ta, tb) = (private_thread_id(a), private_thread_id(b));
        assert_eq!(ta[..27], tb[..27], "{ta} / {tb}");
        assert_eq!(thread_guid(&ta), Some(a));
    }

    #[test]
    fn private_thread_id_matches_the_spec_example() {
        assert_eq!(
            private_thread_id(uuid("5282078e-c37a-4a0f-928c-63ae2a9945d1")),
            "19:meeting_NTI4MjA3OGUtYzM3YS00YTBmLTkyOGMtNjNhZTJhOTk0NWQx@thread.v2"
        );
        assert_eq!(
            private_thread_id(uuid(THREAD_GUID)),
            "19:meeting_MGQ0YTViMmUtMWMzZi00ZTZhLTliN2QtMmY4ZTFhNmMzYjkw@thread.v2"
        );
        assert_eq!(
            thread_guid(&private_thread_id(uuid(THREAD_GUID))),
            Some(uuid(THREAD_GUID))
        );
        assert_eq!(thread_guid("19:abc@thread.tacv2"), None);
    }

    #[test]
    fn meeting_id_matches_the_spec_example_and_round_trips() {
        let id = MeetingId::new_private(uuid(ORG), uuid(THREAD_GUID));
        assert_eq!(id.as_str(), "MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZiMi04ZjZhNDQyZTQ2MjIqMCoqMTk6bWVldGluZ19NR1EwWVRWaU1tVXRNV016WmkwMFpUWmhMVGxpTjJRdE1tWTRaVEZoTm1Nellqa3dAdGhyZWFkLnYy");
        assert_eq!(id.as_str().len(), 148);
        assert!(!id.as_str().contains('='));
        let decoded = MeetingId::parse(id.as_str()).unwrap();
        assert_eq!(decoded.organizer, uuid(ORG));
        assert_eq!(decoded.message_id, "0");
        assert_eq!(decoded.thread_id, private_thread_id(uuid(THREAD_GUID)));
        assert_eq!(decoded.format, MeetingIdFormat::Standard);
        assert_eq!(decoded.to_meeting_id(), id);
    }

    #[test]
    fn ids_start_with_mso_or_msp_and_are_148_chars() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let id =
                MeetingId::new_private(Uuid::from_bytes(rng.gen()), Uuid::from_bytes(rng.gen()));
            assert_eq!(id.as_str().len(), 148);
            assert!(id.as_str().starts_with("MSo") || id.as_str().starts_with("MSp"));
            assert!(MeetingId::parse(id.as_str()).is_ok());
        }
    }

    #[test]
    fn channel_meeting_id_round_trips() {
        let id = MeetingId::encode(
            uuid(ORG),
            "1652377710493",
            "19:EyZAMF5-6biBkQpZsK9rVS8Xxyyx6NsuGEUSJtz7pXI1@thread.tacv2",
        );
        let d = MeetingId::parse(id.as_str()).unwrap();
        assert_eq!(d.message_id, "1652377710493");
        assert!(d.thread_id.ends_with("@thread.tacv2"));
    }

    #[test]
    fn corrupted_ids() {
        for raw in [
            "",
            "not base64 !!",
            "MSpkYzE3",                 // truncated
            "bm90IGEgbWVldGluZyBpZA==", // "not a meeting id"
            &STANDARD.encode("1*not-a-guid*0**19:meeting_x@thread.v2"),
            &STANDARD.encode(format!("1*{ORG}*x**19:meeting_x@thread.v2")),
            &STANDARD.encode(format!("1*{ORG}*0**nothread")),
            &STANDARD.encode(format!("2*{ORG}*0**19:meeting_x@thread.v2")),
        ] {
            assert_eq!(
                MeetingId::parse(raw),
                Err(MeetingIdError::Corrupted),
                "{raw}"
            );
        }
    }

    #[test]
    fn teams_js_sdk_meeting_id_is_corrupted() {
        let thread = private_thread_id(uuid(THREAD_GUID));
        let js = STANDARD.encode(format!("0#{thread}#0"));
        assert!(js.starts_with("MCMx"));
        assert_eq!(MeetingId::parse(&js), Err(MeetingIdError::Corrupted));
        assert_eq!(
            MeetingIdError::Corrupted.to_graph_error().message,
            "Meeting Id is corrupted."
        );
    }

    #[test]
    fn raw_thread_id_is_invalid_meeting_id() {
        let thread = private_thread_id(uuid(THREAD_GUID));
        let err = MeetingId::parse(&thread).unwrap_err();
        assert_eq!(err, MeetingIdError::RawThreadId(thread.clone()));
        let g = err.to_graph_error();
        assert_eq!(g.status, 400);
        assert_eq!(g.message, format!("Invalid meeting id {thread}."));
    }

    #[test]
    fn legacy_id_is_accepted() {
        let thread = private_thread_id(uuid(THREAD_GUID));
        let d = MeetingId::parse(&format!("{ORG}_{thread}")).unwrap();
        assert_eq!(d.organizer, uuid(ORG));
        assert_eq!(d.thread_id, thread);
        assert_eq!(d.message_id, "0");
        assert_eq!(d.format, MeetingIdFormat::Legacy);
        assert_eq!(
            d.to_meeting_id(),
            MeetingId::new_private(uuid(ORG), uuid(THREAD_GUID))
        );
    }

    #[test]
    fn join_web_url_has_exact_lowercase_escapes() {
        let thread = private_thread_id(uuid(THREAD_GUID));
        let url = join_web_url(DEFAULT_JOIN_HOST, &thread, "0", uuid(TID), uuid(ORG));
        assert_eq!(url, "https://teams.microsoft.com/l/meetup-join/19%3ameeting_MGQ0YTViMmUtMWMzZi00ZTZhLTliN2QtMmY4ZTFhNmMzYjkw%40thread.v2/0?context=%7b%22Tid%22%3a%22909c6581-5130-43e9-88f3-fcb3582cde37%22%2c%22Oid%22%3a%22dc17674c-81d9-4adb-bfb2-8f6a442e4622%22%7d");
        let local = join_web_url(
            "https://127.0.0.1:8443/",
            &thread,
            "0",
            uuid(TID),
            uuid(ORG),
        );
        assert!(local.starts_with("https://127.0.0.1:8443/l/meetup-join/19%3ameeting_"));
    }

    #[test]
    fn join_web_url_parses_back() {
        let thread = private_thread_id(uuid(THREAD_GUID));
        let url = join_web_url("https://127.0.0.1:8443", &thread, "0", uuid(TID), uuid(ORG));
        let parts = parse_join_web_url(&url).unwrap();
        assert_eq!(parts.host_base, "https://127.0.0.1:8443");
        assert_eq!(parts.thread_id, thread);
        assert_eq!(parts.message_id, "0");
        assert_eq!(parts.tenant, uuid(TID));
        assert_eq!(parts.organizer, uuid(ORG));
        // Upper-case escapes and extra parameters.
        let upper = url.replace("%3a", "%3A").replace("%7b", "%7B") + "&anon=true";
        assert_eq!(parse_join_web_url(&upper), Some(parts.clone()));
        // The Node client's raw, decoded form.
        assert_eq!(
            parse_join_web_url(&percent_decode(&url)).map(|p| p.organizer),
            Some(uuid(ORG))
        );
        assert_eq!(
            parse_join_web_url("https://teams.microsoft.com/meet/123?p=x"),
            None
        );
    }

    #[test]
    fn random_codes_have_the_real_shapes() {
        let mut rng = StdRng::seed_from_u64(42);
        for _ in 0..500 {
            let id = join_meeting_id(&mut rng);
            assert_eq!(id.len(), 13);
            assert!(id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0'));
            let c = conference_id(&mut rng);
            assert_eq!(c.len(), 9);
            assert!(c.bytes().all(|b| b.is_ascii_digit()) && !c.starts_with('0'));
            let p = passcode(&mut rng);
            assert_eq!(p.len(), 8);
            assert!(p.bytes().all(|b| b.is_ascii_alphanumeric()));
            assert!(p.bytes().any(|b| b.is_ascii_lowercase()));
            assert!(p.bytes().any(|b| b.is_ascii_uppercase()));
        }
        // Seeded: the same seed gives the same codes.
        let a = join_meeting_id(&mut StdRng::seed_from_u64(1));
        let b = join_meeting_id(&mut StdRng::seed_from_u64(1));
        assert_eq!(a, b);
    }

    #[test]
    fn dialin_url_shape() {
        assert_eq!(
            dialin_url(
                "https://dialin.teams.microsoft.com",
                uuid("22f12fa0-499f-435b-bc69-b8de580ba330"),
                "291633251"
            ),
            "https://dialin.teams.microsoft.com/22f12fa0-499f-435b-bc69-b8de580ba330?id=291633251"
        );
    }
}
