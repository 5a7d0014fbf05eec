//! The landing page behind a meeting's `joinWebUrl` when the join host is this server: a small
//! HTML page with the meeting's subject, organizer and times (there is no Teams client here to
//! hand the join to).

use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use graphmeet_wire::graph::OnlineMeeting;

/// `/l/meetup-join/{thread}/{message}`.
pub fn router() -> Router<AppState> {
    Router::new().route("/l/meetup-join/{thread}/{message}", get(landing_page))
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head><body><main>{body}</main></body></html>",
        escape(title)
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

async fn landing_page(
    State(state): State<AppState>,
    Path((thread, message)): Path<(String, String)>,
) -> Response {
    let not_found = || {
        page(StatusCode::NOT_FOUND, "Meeting not found", "<h1>Meeting not found</h1><p>This meeting link does not belong to a meeting on this server.</p>")
    };
    if thread.contains('\0') {
        return not_found();
    }
    let key = graphmeet_core::conversation_key(&thread, &message);
    let stored = match state.meetings.by_thread_id(&key).await {
        Ok(Some(m)) => m,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "join page lookup failed");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                "<h1>Try again later</h1>",
            );
        }
    };
    let Ok(meeting) = serde_json::from_str::<OnlineMeeting>(&stored.document) else {
        return not_found();
    };
    let subject = meeting
        .subject
        .clone()
        .unwrap_or_else(|| "(no subject)".to_owned());
    let organizer = meeting
        .participants
        .as_ref()
        .and_then(|p| p.organizer.as_ref())
        .and_then(|o| o.upn.clone())
        .unwrap_or_default();
    let time = |t: Option<graphmeet_wire::graph::GraphDateTime>| {
        t.map(|t| t.as_utc().format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    let join_id = meeting
        .join_meeting_id_settings
        .as_ref()
        .and_then(|s| s.join_meeting_id.clone())
        .unwrap_or_default();
    let body = format!(
        "<h1>{}</h1><dl><dt>Organizer</dt><dd>{}</dd><dt>Starts</dt><dd>{}</dd><dt>Ends</dt><dd>{}</dd><dt>Meeting ID</dt><dd>{}</dd></dl><p>This is a graphmeet meeting: join it in a Microsoft Teams tenant to talk.</p>",
        escape(&subject),
        escape(&organizer),
        escape(&time(meeting.start_date_time)),
        escape(&time(meeting.end_date_time)),
        escape(&join_id)
    );
    page(StatusCode::OK, &subject, &body)
}
