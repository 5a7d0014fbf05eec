//! The meeting resources a subscription's `resource` may name, parsed into [`ResourcePath`]
//! (C.7).

use crate::graph::ids::percent_decode;

/// What a subscription's `resource` names, parsed (C.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourcePath {
    /// `communications/onlineMeetings(joinWebUrl='{joinWebUrl}')/meetingCallEvents`, with the
    /// joinWebUrl decoded back to its stored form.
    MeetingCallEvents {
        /// The meeting's `joinWebUrl`.
        join_web_url: String,
    },
    /// Transcripts (`getAllTranscripts`, or one meeting's `transcripts`).
    Transcripts(ResourceScope),
    /// Recordings (`getAllRecordings`, or one meeting's `recordings`).
    Recordings(ResourceScope),
}

/// Whose artifacts a transcript or recording subscription covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceScope {
    /// `communications/onlineMeetings/getAll…`: every meeting of the tenant.
    Tenant,
    /// `users/{userId}/onlineMeetings/getAll…`: the user's meetings (the segment as written).
    Organizer(String),
    /// `communications/onlineMeetings/{onlineMeetingId}/transcripts|recordings`.
    Meeting(String),
}

impl ResourcePath {
    /// Reads a subscription's `resource` (relative, a leading `/` allowed, segments matched
    /// case-insensitively as Graph does); `None` for a resource graphmeet does not serve.
    pub fn parse(resource: &str) -> Option<Self> {
        let r = resource.trim().trim_start_matches('/');
        let lower = r.to_ascii_lowercase();
        const CALL_EVENTS_PREFIX: &str = "communications/onlinemeetings(joinweburl='";
        const CALL_EVENTS_SUFFIX: &str = "')/meetingcallevents";
        if lower.starts_with(CALL_EVENTS_PREFIX) && lower.ends_with(CALL_EVENTS_SUFFIX) {
            let inner = &r[CALL_EVENTS_PREFIX.len()..r.len() - CALL_EVENTS_SUFFIX.len()];
            // The doc example encodes the URL once more (`%3a` → `%253a`): undo what was added.
            let mut url = inner.replace("''", "'");
            for _ in 0..3 {
                if url.starts_with("https://") || url.starts_with("http://") {
                    if url.contains("%25") {
                        url = percent_decode(&url);
                        continue;
                    }
                    break;
                }
                url = percent_decode(&url);
            }
            return Some(Self::MeetingCallEvents { join_web_url: url });
        }
        let segments: Vec<&str> = r.split('/').collect();
        let seg = |i: usize| segments.get(i).map(|s| s.to_ascii_lowercase());
        let kind = |name: &str, scope: ResourceScope| match name {
            "getalltranscripts" | "transcripts" => Some(Self::Transcripts(scope)),
            "getallrecordings" | "recordings" => Some(Self::Recordings(scope)),
            _ => None,
        };
        match (segments.len(), seg(0).as_deref(), seg(1).as_deref()) {
            (3, Some("communications"), Some("onlinemeetings")) => {
                let last = seg(2)?;
                if last.starts_with("getall") {
                    kind(&last, ResourceScope::Tenant)
                } else {
                    None
                }
            }
            (4, Some("communications"), Some("onlinemeetings")) => {
                let last = seg(3)?;
                if last.starts_with("getall") || segments[2].is_empty() {
                    return None;
                }
                kind(&last, ResourceScope::Meeting(segments[2].to_owned()))
            }
            (4, Some("users"), _) if seg(2).as_deref() == Some("onlinemeetings") => {
                let last = seg(3)?;
                if !last.starts_with("getall") || segments[1].is_empty() {
                    return None;
                }
                kind(&last, ResourceScope::Organizer(percent_decode(segments[1])))
            }
            _ => None,
        }
    }
}
