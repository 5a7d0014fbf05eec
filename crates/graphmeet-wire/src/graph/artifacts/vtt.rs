//! The transcript's content: WebVTT with or without voice tags, the metadata WebVTT, and the
//! format a request negotiates (`$format`, `Accept`; spec B.4).

use crate::graph::GraphError;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// One spoken line of a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptCue {
    /// The cue identifier line (`{guid}/{n}-0`, as Teams numbers its cues [inf]).
    pub id: String,
    /// From the start of transcription.
    pub start: Duration,
    /// From the start of transcription.
    pub end: Duration,
    /// When it was said.
    pub start_at: DateTime<Utc>,
    /// When it ended.
    pub end_at: DateTime<Utc>,
    /// The speaker's display name.
    pub speaker: String,
    /// What was said.
    pub text: String,
    /// The spoken language (`en-us`).
    pub language: String,
}

/// `hh:mm:ss.mmm` (negative offsets keep their sign: transcription began mid-conversation).
pub(super) fn vtt_time(offset: Duration) -> String {
    let sign = if offset < Duration::zero() { "-" } else { "" };
    let ms = offset.num_milliseconds().unsigned_abs();
    format!(
        "{sign}{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// Escapes the characters WebVTT cue text reserves.
fn vtt_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("-->", "--&gt;")
        .replace(['\r', '\n'], " ")
}

/// A speaker name inside `<v …>`: no `>` or line breaks.
fn vtt_voice(name: &str) -> String {
    name.replace(['>', '\r', '\n'], " ").replace('&', "&amp;")
}

/// The transcript's WebVTT (`text/vtt`): with `<v Speaker>` spans when `attributed`, bare
/// text otherwise (the unattributed format).
pub fn render_vtt(cues: &[TranscriptCue], attributed: bool) -> String {
    let mut out = String::from("WEBVTT\n");
    for cue in cues {
        out.push('\n');
        out.push_str(&cue.id);
        out.push('\n');
        out.push_str(&format!(
            "{} --> {}\n",
            vtt_time(cue.start),
            vtt_time(cue.end)
        ));
        if attributed {
            out.push_str(&format!(
                "<v {}>{}</v>\n",
                vtt_voice(&cue.speaker),
                vtt_escape(&cue.text)
            ));
        } else {
            out.push_str(&vtt_escape(&cue.text));
            out.push('\n');
        }
    }
    out
}

/// Seven digits and `+00:00`, as the metadata cues write times.
fn with_offset(at: DateTime<Utc>) -> String {
    let ticks = at.timestamp_subsec_nanos() / 100;
    format!("{}.{ticks:07}+00:00", at.format("%Y-%m-%dT%H:%M:%S"))
}

/// `…/metadataContent`: WebVTT whose cue payloads are JSON (spec B.4).
pub fn render_metadata_vtt(cues: &[TranscriptCue]) -> String {
    let mut out = String::from("WEBVTT\n");
    for cue in cues {
        let payload = json!({
            "startDateTime": with_offset(cue.start_at),
            "endDateTime": with_offset(cue.end_at),
            "speakerName": cue.speaker,
            "spokenText": cue.text,
            "spokenLanguage": cue.language,
        });
        out.push('\n');
        out.push_str(&format!(
            "{} --> {}\n",
            vtt_time(cue.start),
            vtt_time(cue.end)
        ));
        out.push_str(&payload.to_string());
        out.push('\n');
    }
    out
}

/// The content formats of `…/transcripts/{id}/content`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranscriptFormat {
    /// `text/vtt`, with speakers.
    Vtt,
    /// `application/vnd.microsoft.graph.transcript+text`: the unattributed WebVTT.
    Unattributed,
}

/// The unattributed transcript's media type.
pub const UNATTRIBUTED_MEDIA_TYPE: &str = "application/vnd.microsoft.graph.transcript+text";

impl TranscriptFormat {
    /// The format a request asks for: `$format` wins over `Accept`; no `Accept` (or `*/*`,
    /// or one naming `text/vtt`) is WebVTT. Anything else is Graph's 400, Kiota's
    /// `application/octet-stream, application/json` included (spec B.4).
    pub fn negotiate(format: Option<&str>, accept: Option<&str>) -> Result<Self, GraphError> {
        let asked = match format {
            Some(f) => f.trim(),
            None => accept.map(str::trim).unwrap_or(""),
        };
        if asked.is_empty() {
            return Ok(Self::Vtt);
        }
        let types: Vec<String> = asked
            .split(',')
            .map(|t| {
                t.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .collect();
        if types.iter().any(|t| t == "text/vtt") {
            return Ok(Self::Vtt);
        }
        if types.iter().any(|t| t == UNATTRIBUTED_MEDIA_TYPE) {
            return Ok(Self::Unattributed);
        }
        if format.is_none() && types.iter().all(|t| t == "*/*" || t == "text/*") {
            return Ok(Self::Vtt);
        }
        Err(GraphError::invalid_transcript_format(asked))
    }

    /// The `Content-Type` of the answer.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Vtt => "text/vtt",
            Self::Unattributed => UNATTRIBUTED_MEDIA_TYPE,
        }
    }
}
