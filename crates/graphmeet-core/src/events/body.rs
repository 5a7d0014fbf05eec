//! The event body: HTML escaping, the text and preview of an HTML body, the Teams join block an
//! online event's body carries, and the stored JSON of an event.

use super::{EventError, StoredEvent};

use crate::model::{Tenant, User};
use crate::store::StoreError;
use graphmeet_wire::graph::event::{Event, OnlineMeetingInfo};
use graphmeet_wire::graph::OnlineMeeting;

pub(super) fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The body as Exchange stores a given one: an HTML document.
pub(super) fn html_document(content_type: &str, content: &str) -> String {
    if content.is_empty() {
        return String::new();
    }
    let inner = if content_type == "html" {
        content.to_owned()
    } else {
        html_escape(content)
            .replace("\r\n", "\n")
            .replace('\n', "<br>\r\n")
    };
    format!("<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n</head>\r\n<body>\r\n{inner}\r\n</body>\r\n</html>\r\n")
}

/// The text of an HTML body, for `bodyPreview`: tags dropped, whitespace folded as a browser
/// folds it, a line break for each `<br>` and block element.
pub(super) fn text_of(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::new();
    let mut in_tag = false;
    let mut in_head = false;
    for (i, c) in html.char_indices() {
        let rest = &lower[i..];
        if c == '<' {
            in_head |= rest.starts_with("<head");
            if rest.starts_with("</head") {
                in_head = false;
            }
            if ["<br", "<div", "</div", "<p", "</p"]
                .iter()
                .any(|t| rest.starts_with(t))
            {
                out.push('\n');
            }
            in_tag = true;
            continue;
        }
        if c == '>' {
            in_tag = false;
            continue;
        }
        if in_tag || in_head {
            continue;
        }
        out.push(if c.is_whitespace() { ' ' } else { c });
    }
    let text = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    text.split('\n')
        .map(|line| {
            line.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\r\n")
}

pub(super) fn preview(html: &str) -> String {
    text_of(html).chars().take(255).collect()
}

pub(super) const RULE: &str =
    "________________________________________________________________________________";

/// The Teams join block Exchange appends to an online event's body.
pub(super) fn join_block(meeting: &OnlineMeeting, org: &User, tenant: &Tenant) -> String {
    let join_url = meeting.join_web_url.clone().unwrap_or_default();
    let thread = meeting
        .chat_info
        .as_ref()
        .and_then(|c| c.thread_id.clone())
        .unwrap_or_default();
    let mut dial = String::new();
    if let Some(audio) = &meeting.audio_conferencing {
        if let (Some(toll), Some(conference)) = (&audio.toll_number, &audio.conference_id) {
            let spaced: String = conference
                .chars()
                .collect::<Vec<_>>()
                .chunks(3)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join(" ");
            dial = format!(
                "<div style=\"margin-bottom:4px\"><a href=\"tel:{toll},,{conference}#\">{toll}</a> &nbsp;&nbsp;United States (Toll)</div>\r\n<div style=\"margin-bottom:12px\">Conference ID: {spaced}#</div>\r\n<div style=\"margin-bottom:12px\"><a href=\"https://dialin.teams.microsoft.com/{}?id={conference}\">Local numbers</a></div>\r\n",
                org.id
            );
        }
    }
    format!(
        "<div>\r\n<div style=\"width:100%\"><span style=\"white-space:nowrap\">{RULE}</span></div>\r\n<div class=\"me-email-text\" lang=\"en-US\">\r\n<div style=\"margin-bottom:24px\"><a class=\"me-email-headline\" href=\"{join_url}\">Join\r\n Microsoft Teams Meeting</a></div>\r\n{dial}<div><a href=\"https://aka.ms/JoinTeamsMeeting\">Learn More</a> | <a href=\"https://teams.microsoft.com/meetingOptions/?organizerId={}&amp;tenantId={}&amp;threadId={}&amp;messageId=0&amp;language=en-US\">Meeting options</a></div>\r\n</div>\r\n<div style=\"width:100%\"><span style=\"white-space:nowrap\">{RULE}</span></div>\r\n</div>\r\n",
        org.id,
        tenant.id,
        thread.replace(':', "_"),
    )
}

pub(super) fn with_join_block(body_html: &str, block: &str) -> String {
    if body_html.is_empty() {
        return html_document("html", block);
    }
    match body_html.rfind("</body>") {
        Some(at) => format!("{}{block}{}", &body_html[..at], &body_html[at..]),
        None => format!("{body_html}{block}"),
    }
}

pub(super) fn online_info(meeting: &OnlineMeeting) -> OnlineMeetingInfo {
    let audio = meeting.audio_conferencing.as_ref();
    OnlineMeetingInfo {
        join_url: meeting.join_web_url.clone().unwrap_or_default(),
        conference_id: audio.and_then(|a| a.conference_id.clone()),
        toll_number: audio.and_then(|a| a.toll_number.clone()),
    }
}

pub(super) fn parse(stored: &StoredEvent) -> Result<Event, EventError> {
    serde_json::from_str(&stored.document)
        .map_err(|e| EventError::Store(StoreError::Backend(format!("event document: {e}"))))
}

pub(super) fn encode(event: &Event) -> Result<String, EventError> {
    serde_json::to_string(event)
        .map_err(|e| EventError::Store(StoreError::Backend(format!("event document: {e}"))))
}
