//! Calendar events over HTTPS, on SQLite and PostgreSQL: the event resource, the Teams meeting
//! behind an online event, attendee copies and responses, paging, time zones, the query
//! options and the real errors (spec `events-artifacts-notifications.md` section A).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::*;
use reqwest::Method;
use serde_json::{json, Value};

const BOB: &str = "bob@graphmeetdev.onmicrosoft.com";
const EXTERNAL: &str = "someone@fabrikam.example";

async fn on_every_backend<F, Fut>(check: F)
where
    F: Fn(TestServer) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    graphmeet_testkit::on_every_backend(|url| async {
        let t = TestServer::start_on(url).await;
        check(t).await
    })
    .await;
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The dev app with the calendar permission next to the meetings one; Bob in the tenant.
struct Ctx {
    token: String,
    uid: String,
    upn: String,
    bob: String,
}

async fn grant(t: &TestServer, roles: &[&str]) -> String {
    let (status, body) = t
        .admin(
            Method::POST,
            "/admin/consents",
            Some(json!({"tenant": t.cred("tenant_id"), "app_id": t.cred("client_id"), "roles": roles})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    t.app_token().await
}

async fn setup(t: &TestServer) -> Ctx {
    let token = grant(t, &["OnlineMeetings.ReadWrite.All", "Calendars.ReadWrite"]).await;
    let (status, bob) = t
        .admin(
            Method::POST,
            "/admin/users",
            Some(json!({"tenant": t.cred("tenant_id"), "upn": BOB, "display_name": "Bob"})),
        )
        .await;
    assert_eq!(status, 201, "{bob}");
    Ctx {
        token,
        uid: t.cred("user_id"),
        upn: t.cred("user_upn"),
        bob: bob["id"].as_str().unwrap().to_owned(),
    }
}

/// A Graph call with extra headers; status, headers, JSON (Null when empty).
async fn call(
    t: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let url = if path.starts_with("https://") {
        path.to_owned()
    } else {
        t.url(path)
    };
    let mut req = t.http.request(method, url).bearer_auth(token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

fn online_event(subject: &str) -> Value {
    json!({
        "subject": subject,
        "body": {"contentType": "HTML", "content": "Does this time work for you?"},
        "start": {"dateTime": "2026-11-20T13:00:00", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2026-11-20T14:00:00", "timeZone": "Pacific Standard Time"},
        "location": {"displayName": "Cordova conference room"},
        "attendees": [
            {"emailAddress": {"address": BOB, "name": "Bob"}, "type": "required"},
            {"emailAddress": {"address": EXTERNAL, "name": "Someone"}, "type": "Optional"}
        ],
        "allowNewTimeProposals": true,
        "isOnlineMeeting": true,
        "onlineMeetingProvider": "teamsForBusiness"
    })
}

/// The property names of an entity, in order.
fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

const EVENT_KEYS: &[&str] = &[
    "@odata.context",
    "@odata.etag",
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "transactionId",
    "originalStartTimeZone",
    "originalEndTimeZone",
    "iCalUId",
    "reminderMinutesBeforeStart",
    "isReminderOn",
    "hasAttachments",
    "subject",
    "bodyPreview",
    "importance",
    "sensitivity",
    "isAllDay",
    "isCancelled",
    "isOrganizer",
    "responseRequested",
    "seriesMasterId",
    "showAs",
    "type",
    "webLink",
    "onlineMeetingUrl",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "allowNewTimeProposals",
    "isDraft",
    "hideAttendees",
    "recurrence",
    "responseStatus",
    "body",
    "start",
    "end",
    "location",
    "locations",
    "attendees",
    "organizer",
    "onlineMeeting",
];

#[tokio::test]
async fn an_online_event_gets_a_teams_meeting_that_follows_it_and_ends_with_it() {
    on_every_backend(|t| async move {
        let c = setup(&t).await;
        let base = format!("/v1.0/users/{}/events", c.uid);
        let (status, _, created) = call(&t, &c.token, Method::POST, &base, Some(online_event("Prep for customer meeting")), &[]).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(keys(&created), EVENT_KEYS, "property order of a real response");
        assert_eq!(created["@odata.context"], t.url(&format!("/v1.0/$metadata#users('{}')/events/$entity", c.uid)));
        let id = created["id"].as_str().unwrap().to_owned();
        assert!(id.starts_with("AAMkA") && id.ends_with("AAA=") && id.len() == 152, "{id}");
        let change_key = created["changeKey"].as_str().unwrap().to_owned();
        assert_eq!(created["@odata.etag"], format!("W/\"{change_key}\""));
        let ical = created["iCalUId"].as_str().unwrap().to_owned();
        assert!(ical.starts_with("040000008200E00074C5B7101A82E008") && ical.len() == 112, "{ical}");
        assert_eq!(created["webLink"], format!("https://outlook.office365.com/owa/?itemid={}&exvsurl=1&path=/calendar/item", encode(&id).replace("%20", "+")));
        assert_eq!(created["transactionId"], Value::Null);
        assert_eq!(created["seriesMasterId"], Value::Null);
        assert_eq!(created["onlineMeetingUrl"], Value::Null);
        assert_eq!(created["recurrence"], Value::Null);
        assert_eq!(created["categories"], json!([]));
        assert_eq!(created["originalStartTimeZone"], "Pacific Standard Time");
        assert_eq!(created["responseStatus"], json!({"response": "organizer", "time": "0001-01-01T00:00:00Z"}));
        // No Prefer header: UTC (13:00 PST is 21:00 UTC in November).
        assert_eq!(created["start"], json!({"dateTime": "2026-11-20T21:00:00.0000000", "timeZone": "UTC"}));
        assert_eq!(created["end"], json!({"dateTime": "2026-11-20T22:00:00.0000000", "timeZone": "UTC"}));
        assert_eq!(created["location"], json!({"displayName": "Cordova conference room", "locationType": "default", "uniqueId": "Cordova conference room", "uniqueIdType": "private"}));
        assert_eq!(created["locations"].as_array().unwrap().len(), 1);
        assert_eq!(created["attendees"][0], json!({"type": "required", "status": {"response": "none", "time": "0001-01-01T00:00:00Z"}, "emailAddress": {"name": "Bob", "address": BOB}}));
        assert_eq!(created["attendees"][1]["type"], "optional");
        assert_eq!(created["organizer"]["emailAddress"]["address"], c.upn.as_str());
        assert_eq!(created["isOnlineMeeting"], true);
        assert_eq!(created["onlineMeetingProvider"], "teamsForBusiness");
        let join_url = created["onlineMeeting"]["joinUrl"].as_str().unwrap().to_owned();
        assert!(join_url.contains("/l/meetup-join/19%3ameeting_"), "{join_url}");
        assert!(created["onlineMeeting"]["conferenceId"].as_str().unwrap().chars().all(|c| c.is_ascii_digit()));
        // The join block is in the body and its text in the preview.
        let body = created["body"]["content"].as_str().unwrap();
        assert_eq!(created["body"]["contentType"], "html");
        assert!(body.starts_with("<html>") && body.contains("Does this time work for you?"), "{body}");
        assert!(body.contains(&format!("<a class=\"me-email-headline\" href=\"{join_url}\">")), "{body}");
        assert!(body.contains("https://aka.ms/JoinTeamsMeeting"));
        let preview = created["bodyPreview"].as_str().unwrap();
        let conference = created["onlineMeeting"]["conferenceId"].as_str().unwrap();
        let spaced = format!("{} {} {}#", &conference[..3], &conference[3..6], &conference[6..]);
        assert!(preview.starts_with(&format!("Does this time work for you?\r\n{}\r\nJoin Microsoft Teams Meeting\r\n", "_".repeat(80))), "{preview:?}");
        assert!(preview.contains(&format!("\r\nConference ID: {spaced}\r\n")), "{preview:?}");
        assert!(preview.chars().count() <= 255);

        // The meeting, found as the docs say, owned by the organizer, at the event's times.
        let meetings = format!("/v1.0/users/{}/onlineMeetings", c.uid);
        let find = format!("{meetings}?$filter={}", encode(&format!("JoinWebUrl eq '{join_url}'")));
        let (status, _, found) = call(&t, &c.token, Method::GET, &find, None, &[]).await;
        assert_eq!(status, 200, "{found}");
        let meeting = &found["value"][0];
        assert_eq!(meeting["joinWebUrl"], join_url.as_str());
        assert_eq!(meeting["subject"], "Prep for customer meeting");
        assert_eq!(meeting["startDateTime"], "2026-11-20T21:00:00Z");
        assert_eq!(meeting["participants"]["organizer"]["identity"]["user"]["id"], c.uid.as_str());
        assert_eq!(meeting["participants"]["attendees"][0]["upn"], BOB);

        // Moving and renaming the event moves and renames the meeting.
        let (status, _, moved) = call(&t, &c.token, Method::PATCH, &format!("{base}/{id}"), Some(json!({
            "subject": "Prep (moved)",
            "start": {"dateTime": "2026-11-21T09:00:00", "timeZone": "Pacific Standard Time"},
            "end": {"dateTime": "2026-11-21T10:30:00", "timeZone": "Pacific Standard Time"},
            "isOnlineMeeting": false, "onlineMeetingProvider": "skypeForBusiness"
        })), &[]).await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(moved["id"], id.as_str());
        assert_ne!(moved["changeKey"], change_key.as_str(), "changeKey changes on every change");
        assert_eq!(moved["start"]["dateTime"], "2026-11-21T17:00:00.0000000");
        assert_eq!(moved["isOnlineMeeting"], true, "once online, an event stays online");
        assert_eq!(moved["onlineMeetingProvider"], "teamsForBusiness");
        assert_eq!(moved["onlineMeeting"]["joinUrl"], join_url.as_str());
        let (_, _, found) = call(&t, &c.token, Method::GET, &find, None, &[]).await;
        assert_eq!(found["value"][0]["subject"], "Prep (moved)");
        assert_eq!(found["value"][0]["startDateTime"], "2026-11-21T17:00:00Z");
        assert_eq!(found["value"][0]["endDateTime"], "2026-11-21T18:30:00Z");

        // Bob's copy: his own id, the same iCalUId, no response yet, the organizer's changes.
        let bob_events = format!("/v1.0/users/{}/events", c.bob);
        let (status, _, listed) = call(&t, &c.token, Method::GET, &bob_events, None, &[]).await;
        assert_eq!(status, 200, "{listed}");
        assert_eq!(listed["value"].as_array().unwrap().len(), 1, "{listed}");
        let copy = &listed["value"][0];
        let copy_id = copy["id"].as_str().unwrap().to_owned();
        assert_ne!(copy_id, id);
        assert_eq!(copy["iCalUId"], ical.as_str());
        assert_eq!(copy["isOrganizer"], false);
        assert_eq!(copy["responseStatus"], json!({"response": "none", "time": "0001-01-01T00:00:00Z"}));
        assert_eq!(copy["subject"], "Prep (moved)");
        assert_eq!(copy["onlineMeeting"]["joinUrl"], join_url.as_str());
        // Ids are per mailbox: the organizer's id is not found in Bob's.
        let (status, _, body) = call(&t, &c.token, Method::POST, &format!("{bob_events}/{id}/accept"), Some(json!({"sendResponse": true})), &[]).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["code"], "ErrorItemNotFound");
        assert_eq!(body["error"]["message"], "The specified object was not found in the store.");

        // Bob accepts: the organizer's copy records it.
        let (status, _, body) = call(&t, &c.token, Method::POST, &format!("{bob_events}/{copy_id}/accept"), Some(json!({"comment": "see you", "sendResponse": true})), &[]).await;
        assert_eq!(status, 202, "{body}");
        assert_eq!(body, Value::Null);
        let (_, _, mine) = call(&t, &c.token, Method::GET, &format!("{base}/{id}"), None, &[]).await;
        assert_eq!(mine["attendees"][0]["status"]["response"], "accepted");
        assert_ne!(mine["attendees"][0]["status"]["time"], "0001-01-01T00:00:00Z");
        assert_eq!(mine["attendees"][1]["status"]["response"], "none", "the external attendee is on the event only");
        let (_, _, copy) = call(&t, &c.token, Method::GET, &format!("{bob_events}/{copy_id}"), None, &[]).await;
        assert_eq!(copy["responseStatus"]["response"], "accepted");
        // The organizer cannot answer its own event; an attendee cannot cancel.
        let (status, _, body) = call(&t, &c.token, Method::POST, &format!("{base}/{id}/accept"), None, &[]).await;
        assert_eq!(status, 400, "{body}");
        let (status, _, body) = call(&t, &c.token, Method::POST, &format!("{bob_events}/{copy_id}/cancel"), Some(json!({"comment": "no"})), &[]).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["message"], "Your request can't be completed. You need to be an organizer to cancel a meeting.");

        // The organizer cancels: the event leaves the calendar, the meeting ends, Bob's copy
        // says so.
        let (status, _, body) = call(&t, &c.token, Method::POST, &format!("{base}/{id}/cancel"), Some(json!({"Comment": "Cancelling for this week due to all hands"})), &[]).await;
        assert_eq!(status, 202, "{body}");
        let (status, _, body) = call(&t, &c.token, Method::GET, &format!("{base}/{id}"), None, &[]).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["code"], "ErrorItemNotFound");
        assert!(body["error"]["innerError"]["request-id"].is_string(), "{body}");
        let (_, _, found) = call(&t, &c.token, Method::GET, &find, None, &[]).await;
        assert_eq!(found["value"], json!([]), "the Teams meeting ended with the event");
        let (_, _, copy) = call(&t, &c.token, Method::GET, &format!("{bob_events}/{copy_id}"), None, &[]).await;
        assert_eq!(copy["isCancelled"], true);
        assert_eq!(copy["subject"], "Canceled: Prep (moved)");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn paging_follows_next_links_through_250_events() {
    on_every_backend(|t| async move {
        let c = setup(&t).await;
        let base = format!("/v1.0/users/{}/events", c.upn);
        for i in 0..250 {
            let day = 1 + i / 10;
            let hour = 8 + i % 10;
            let (status, _, body) = call(&t, &c.token, Method::POST, &base, Some(json!({
                "subject": format!("event {i:03}"),
                "start": {"dateTime": format!("2026-01-{day:02}T{hour:02}:00:00"), "timeZone": "UTC"},
                "end": {"dateTime": format!("2026-01-{day:02}T{hour:02}:30:00"), "timeZone": "UTC"},
            })), &[]).await;
            assert_eq!(status, 201, "{body}");
        }
        // Default page: 10, in creation order, until no next link.
        let mut next = Some(t.url(&base));
        let mut seen = Vec::new();
        let mut pages = 0;
        while let Some(url) = next {
            let (status, _, page) = call(&t, &c.token, Method::GET, &url, None, &[]).await;
            assert_eq!(status, 200, "{page}");
            let value = page["value"].as_array().unwrap();
            assert!(value.len() <= 10);
            seen.extend(value.iter().map(|e| e["subject"].as_str().unwrap().to_owned()));
            next = page["@odata.nextLink"].as_str().map(str::to_owned);
            pages += 1;
        }
        assert_eq!(pages, 25);
        let want: Vec<String> = (0..250).map(|i| format!("event {i:03}")).collect();
        assert_eq!(seen, want);

        // calendarView with $top, $orderby and $select carries them into its next links.
        let view = format!(
            "/v1.0/users/{}/calendarView?startDateTime=2026-01-05T00:00:00Z&endDateTime=2026-01-25T00:00:00Z&$top=30&$orderby=start/dateTime%20desc&$select=subject,start",
            c.uid
        );
        let mut next = Some(t.url(&view));
        let mut seen = Vec::new();
        while let Some(url) = next {
            let (status, _, page) = call(&t, &c.token, Method::GET, &url, None, &[]).await;
            assert_eq!(status, 200, "{page}");
            assert_eq!(page["@odata.context"], t.url(&format!("/v1.0/$metadata#users('{}')/calendarView(subject,start)", c.uid)));
            for e in page["value"].as_array().unwrap() {
                assert_eq!(keys(e), ["@odata.etag", "id", "subject", "start"]);
                seen.push(e["subject"].as_str().unwrap().to_owned());
            }
            next = page["@odata.nextLink"].as_str().map(str::to_owned);
            if let Some(link) = &next {
                assert!(link.contains("$top=30") && link.contains("$skip="), "{link}");
            }
        }
        // Days 5 to 24: events 40..240, latest first.
        let want: Vec<String> = (40..240).rev().map(|i| format!("event {i:03}")).collect();
        assert_eq!(seen, want);
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn times_convert_across_a_daylight_saving_change() {
    on_every_backend(|t| async move {
        let c = setup(&t).await;
        let base = format!("/v1.0/users/{}/events", c.uid);
        let mut ids = Vec::new();
        // 09:00 in Los Angeles before (PST, UTC-8) and after (PDT, UTC-7) 2026-03-08.
        for day in ["2026-03-06", "2026-03-09"] {
            let (status, _, body) = call(&t, &c.token, Method::POST, &base, Some(json!({
                "subject": day,
                "start": {"dateTime": format!("{day}T09:00:00"), "timeZone": "Pacific Standard Time"},
                "end": {"dateTime": format!("{day}T10:00:00"), "timeZone": "America/Los_Angeles"},
            })), &[]).await;
            assert_eq!(status, 201, "{body}");
            assert_eq!(body["originalEndTimeZone"], "America/Los_Angeles");
            ids.push(body["id"].as_str().unwrap().to_owned());
        }
        let get = |i: usize, prefer: Option<&'static str>| {
            let (t, token, path) = (&t, c.token.clone(), format!("{base}/{}", ids[i]));
            async move {
                let headers: Vec<(&str, &str)> = prefer.map(|p| vec![("Prefer", p)]).unwrap_or_default();
                call(t, &token, Method::GET, &path, None, &headers).await
            }
        };
        let (_, headers, before) = get(0, None).await;
        assert_eq!(before["start"], json!({"dateTime": "2026-03-06T17:00:00.0000000", "timeZone": "UTC"}));
        assert!(!headers.contains_key("preference-applied"));
        let (_, _, after) = get(1, None).await;
        assert_eq!(after["start"], json!({"dateTime": "2026-03-09T16:00:00.0000000", "timeZone": "UTC"}));
        for i in 0..2 {
            let (status, headers, local) = get(i, Some("outlook.timezone=\"Pacific Standard Time\"")).await;
            assert_eq!(status, 200, "{local}");
            assert_eq!(local["start"]["dateTime"].as_str().unwrap()[11..], *"09:00:00.0000000");
            assert_eq!(local["start"]["timeZone"], "Pacific Standard Time");
            assert_eq!(headers["preference-applied"], "outlook.timezone=\"Pacific Standard Time\"");
        }
        // Berlin changes later (2026-03-29): both are CET there, UTC+1.
        let (_, _, berlin) = get(0, Some("outlook.timezone=\"W. Europe Standard Time\"")).await;
        assert_eq!(berlin["start"], json!({"dateTime": "2026-03-06T18:00:00.0000000", "timeZone": "W. Europe Standard Time"}));
        let (_, _, berlin) = get(1, Some("outlook.timezone=\"Europe/Berlin\"")).await;
        assert_eq!(berlin["start"], json!({"dateTime": "2026-03-09T17:00:00.0000000", "timeZone": "Europe/Berlin"}));
        // calendarView's window is read as written, not in the preferred zone.
        let view = format!("/v1.0/users/{}/calendarView?startDateTime=2026-03-09T08:30:00-07:00&endDateTime=2026-03-09T09:30:00-07:00", c.uid);
        let (status, _, page) = call(&t, &c.token, Method::GET, &view, None, &[("Prefer", "outlook.timezone=\"Tokyo Standard Time\"")]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["value"].as_array().unwrap().len(), 1);
        assert_eq!(page["value"][0]["start"], json!({"dateTime": "2026-03-10T01:00:00.0000000", "timeZone": "Tokyo Standard Time"}));

        // A zone Exchange does not know, in the body or the header.
        let (status, _, body) = call(&t, &c.token, Method::POST, &base, Some(json!({
            "subject": "x",
            "start": {"dateTime": "2026-03-06T09:00:00", "timeZone": "Greenwich Mean Time"},
            "end": {"dateTime": "2026-03-06T10:00:00", "timeZone": "UTC"},
        })), &[]).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["code"], "TimeZoneNotSupportedException");
        assert_eq!(body["error"]["message"], "A valid TimeZone value must be specified. The following TimeZone value is not supported: 'Greenwich Mean Time'.");
        let (status, _, body) = get(0, Some("outlook.timezone=\"Mars/Olympus\"")).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["code"], "TimeZoneNotSupportedException");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn calendar_view_needs_a_window_of_at_most_1825_days_and_returns_overlapping_events() {
    on_every_backend(|t| async move {
        let c = setup(&t).await;
        let base = format!("/v1.0/users/{}/events", c.uid);
        for (subject, start, end) in [
            ("before", "2026-05-01T08:00:00", "2026-05-01T09:00:00"),
            ("overlapping start", "2026-05-01T09:30:00", "2026-05-01T10:30:00"),
            ("inside", "2026-05-01T11:00:00", "2026-05-01T11:30:00"),
            ("overlapping end", "2026-05-01T11:45:00", "2026-05-01T13:00:00"),
            ("after", "2026-05-01T12:00:00", "2026-05-01T13:00:00"),
        ] {
            let (status, _, body) = call(&t, &c.token, Method::POST, &base, Some(json!({
                "subject": subject,
                "start": {"dateTime": start, "timeZone": "UTC"},
                "end": {"dateTime": end, "timeZone": "UTC"},
            })), &[]).await;
            assert_eq!(status, 201, "{body}");
        }
        let view = |q: &str| format!("/v1.0/users/{}/calendarView{q}", c.uid);
        let (status, _, page) = call(&t, &c.token, Method::GET, &view("?startDateTime=2026-05-01T10:00:00&endDateTime=2026-05-01T12:00:00"), None, &[]).await;
        assert_eq!(status, 200, "{page}");
        let subjects: Vec<&str> = page["value"].as_array().unwrap().iter().map(|e| e["subject"].as_str().unwrap()).collect();
        assert_eq!(subjects, ["overlapping start", "inside", "overlapping end"]);
        assert!(page.get("@odata.nextLink").is_none());
        // The calendar/calendarView path is the same view.
        let (status, _, same) = call(&t, &c.token, Method::GET, &format!("/v1.0/users/{}/calendar/calendarView?startDateTime=2026-05-01T10:00:00Z&endDateTime=2026-05-01T12:00:00Z", c.uid), None, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(same["value"].as_array().unwrap().len(), 3);

        for q in ["", "?startDateTime=2026-05-01T10:00:00"] {
            let (status, _, body) = call(&t, &c.token, Method::GET, &view(q), None, &[]).await;
            assert_eq!(status, 400, "{body}");
            assert_eq!(body["error"]["code"], "ErrorInvalidParameter");
            assert_eq!(body["error"]["message"], "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.");
        }
        let (status, _, body) = call(&t, &c.token, Method::GET, &view("?startDateTime=2020-01-01T00:00:00Z&endDateTime=2025-01-02T00:00:00Z"), None, &[]).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["code"], "ErrorInvalidRequest");
        assert_eq!(body["error"]["message"], "Your request can't be completed. The range between the start and end dates is greater than the allowed range. Maximum number of days: 1825");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn select_filter_and_orderby_on_the_common_properties() {
    on_every_backend(|t| async move {
        let c = setup(&t).await;
        let base = format!("/v1.0/users/{}/events", c.uid);
        for (subject, importance, categories, online) in [
            ("Alpha review", "high", json!(["Red"]), true),
            ("Beta standup", "normal", json!([]), false),
            ("Gamma review", "low", json!(["Blue", "Red"]), false),
        ] {
            let (status, _, body) = call(&t, &c.token, Method::POST, &base, Some(json!({
                "subject": subject, "importance": importance, "categories": categories, "isOnlineMeeting": online,
                "start": {"dateTime": "2026-06-01T10:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2026-06-01T11:00:00", "timeZone": "UTC"},
            })), &[]).await;
            assert_eq!(status, 201, "{body}");
        }
        let list = |q: String| {
            let (t, token, path) = (&t, c.token.clone(), format!("{base}?{q}"));
            async move { call(t, &token, Method::GET, &path, None, &[]).await }
        };
        let subjects = |page: &Value| -> Vec<String> {
            page["value"].as_array().unwrap().iter().map(|e| e["subject"].as_str().unwrap().to_owned()).collect()
        };
        for (filter, want) in [
            ("importance eq 'high'", vec!["Alpha review"]),
            ("contains(subject,'review') and isOnlineMeeting eq false", vec!["Gamma review"]),
            ("categories/any(c:c eq 'red')", vec!["Alpha review", "Gamma review"]),
            ("startswith(subject,'Beta') or importance eq 'low'", vec!["Beta standup", "Gamma review"]),
            ("start/dateTime ge '2026-06-01T10:00:00' and onlineMeetingProvider eq 'teamsForBusiness'", vec!["Alpha review"]),
        ] {
            let (status, _, page) = list(format!("$filter={}", encode(filter))).await;
            assert_eq!(status, 200, "{filter}: {page}");
            assert_eq!(subjects(&page), want, "{filter}");
        }
        let (_, _, page) = list("$orderby=subject%20desc".to_owned()).await;
        assert_eq!(subjects(&page), ["Gamma review", "Beta standup", "Alpha review"]);
        let (_, _, page) = list("$select=subject,isOnlineMeeting,onlineMeetingProvider,onlineMeeting&$top=1".to_owned()).await;
        assert_eq!(page["@odata.context"], t.url(&format!("/v1.0/$metadata#users('{}')/events(subject,isOnlineMeeting,onlineMeetingProvider,onlineMeeting)", c.uid)));
        assert_eq!(keys(&page["value"][0]), ["@odata.etag", "id", "subject", "isOnlineMeeting", "onlineMeetingProvider", "onlineMeeting"]);
        assert!(page["@odata.nextLink"].as_str().unwrap().ends_with("$skip=1"), "{page}");
        let id = page["value"][0]["id"].as_str().unwrap().to_owned();
        let (status, _, one) = call(&t, &c.token, Method::GET, &format!("{base}/{id}?$select=subject"), None, &[]).await;
        assert_eq!(status, 200, "{one}");
        assert_eq!(one["@odata.context"], t.url(&format!("/v1.0/$metadata#users('{}')/events(subject)/$entity", c.uid)));
        assert_eq!(keys(&one), ["@odata.context", "@odata.etag", "id", "subject"]);
        for bad in ["$select=colour", "$filter=colour%20eq%20'x'", "$orderby=colour"] {
            let (status, _, body) = list(bad.to_owned()).await;
            assert_eq!(status, 400, "{bad}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains("Could not find a property named 'colour' on type 'microsoft.graph.event'."), "{body}");
        }
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn calendar_permission_users_and_mailboxes_are_checked_as_exchange_does() {
    on_every_backend(|t| async move {
        // The dev app holds no calendar permission yet.
        let token = t.app_token().await;
        let uid = t.cred("user_id");
        let (status, _, body) = call(&t, &token, Method::GET, &format!("/v1.0/users/{uid}/events"), None, &[]).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "ErrorAccessDenied");
        assert_eq!(body["error"]["message"], "Access is denied. Check credentials and try again.");
        // Calendars.Read reads but does not write.
        let read = grant(&t, &["Calendars.Read"]).await;
        let (status, _, body) = call(&t, &read, Method::GET, &format!("/v1.0/users/{uid}/events"), None, &[]).await;
        assert_eq!(status, 200, "{body}");
        let (status, _, body) = call(&t, &read, Method::POST, &format!("/v1.0/users/{uid}/events"), Some(json!({"subject": "x"})), &[]).await;
        assert_eq!(status, 403, "{body}");

        let c = setup(&t).await;
        // By UPN: the context names the UPN, its @ encoded.
        let (status, _, body) = call(&t, &c.token, Method::POST, &format!("/v1.0/users/{}/calendar/events", c.upn), Some(json!({
            "subject": "by upn", "start": {"dateTime": "2026-06-01T10:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2026-06-01T11:00:00", "timeZone": "UTC"}
        })), &[]).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["@odata.context"], t.url(&format!("/v1.0/$metadata#users('{}')/events/$entity", c.upn.replace('@', "%40"))));
        assert_eq!(body["isOnlineMeeting"], false);
        assert_eq!(body["onlineMeetingProvider"], "unknown");
        assert_eq!(body["onlineMeeting"], Value::Null);
        assert_eq!(body["body"], json!({"contentType": "html", "content": ""}));
        assert_eq!(body["location"], json!({"displayName": "", "locationType": "default", "uniqueIdType": "unknown", "address": {}, "coordinates": {}}));
        // Beta serves the same resource.
        let id = body["id"].as_str().unwrap();
        let (status, _, beta) = call(&t, &c.token, Method::GET, &format!("/beta/users/{}/events/{id}", c.uid), None, &[]).await;
        assert_eq!(status, 200, "{beta}");
        assert_eq!(beta["@odata.context"], t.url(&format!("/beta/$metadata#users('{}')/events/$entity", c.uid)));

        // No such user.
        let (status, _, body) = call(&t, &c.token, Method::GET, "/v1.0/users/nobody@graphmeetdev.onmicrosoft.com/events", None, &[]).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["code"], "ErrorInvalidUser");
        assert_eq!(body["error"]["message"], "The requested user 'nobody@graphmeetdev.onmicrosoft.com' is invalid.");
        // A guest's mailbox does not serve REST.
        let (_, guest) = t.admin(Method::POST, "/admin/users", Some(json!({"tenant": t.cred("tenant_id"), "upn": "guest_fabrikam.com#EXT#@graphmeetdev.onmicrosoft.com", "user_type": "Guest"}))).await;
        let (status, _, body) = call(&t, &c.token, Method::GET, &format!("/v1.0/users/{}/events", guest["id"].as_str().unwrap()), None, &[]).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["code"], "MailboxNotEnabledForRESTAPI");
        // An unknown event id.
        let (status, _, body) = call(&t, &c.token, Method::GET, &format!("/v1.0/users/{}/events/AAMkAGI1AAAt9AHjAAA=", c.uid), None, &[]).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["code"], "ErrorItemNotFound");
        // /me needs a delegated token.
        let (status, _, _) = call(&t, &c.token, Method::GET, "/v1.0/me/events", None, &[]).await;
        assert_eq!(status, 400);
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn an_organizer_teams_cannot_serve_gets_an_event_without_a_meeting() {
    on_every_backend(|t| async move {
        let c = setup(&t).await;
        let (status, carol) = t.admin(Method::POST, "/admin/users", Some(json!({"tenant": t.cred("tenant_id"), "upn": "carol@graphmeetdev.onmicrosoft.com", "teams_license": false}))).await;
        assert_eq!(status, 201, "{carol}");
        let carol = carol["id"].as_str().unwrap();
        let (status, _, body) = call(&t, &c.token, Method::POST, &format!("/v1.0/users/{carol}/events"), Some(online_event("no licence")), &[]).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["isOnlineMeeting"], false);
        assert_eq!(body["onlineMeetingProvider"], "unknown");
        assert_eq!(body["onlineMeeting"], Value::Null);
        // A provider the mailbox does not allow (Teams only): no meeting either.
        let mut skype = online_event("skype");
        skype["onlineMeetingProvider"] = json!("skypeForBusiness");
        let (status, _, body) = call(&t, &c.token, Method::POST, &format!("/v1.0/users/{}/events", c.uid), Some(skype), &[]).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["isOnlineMeeting"], false);
        assert_eq!(body["onlineMeeting"], Value::Null);
        // Going online later with a PATCH.
        let id = body["id"].as_str().unwrap();
        let (status, _, body) = call(&t, &c.token, Method::PATCH, &format!("/v1.0/users/{}/events/{id}", c.uid), Some(json!({"isOnlineMeeting": true, "onlineMeetingProvider": "teamsForBusiness"})), &[]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["isOnlineMeeting"], true);
        assert!(body["onlineMeeting"]["joinUrl"].as_str().unwrap().contains("meetup-join"));
        // Deleting the event ends the meeting (and cancels Bob's copy).
        let join_url = body["onlineMeeting"]["joinUrl"].as_str().unwrap().to_owned();
        let (status, _, _) = call(&t, &c.token, Method::DELETE, &format!("/v1.0/users/{}/events/{id}", c.uid), None, &[]).await;
        assert_eq!(status, 204);
        let find = format!("/v1.0/users/{}/onlineMeetings?$filter={}", c.uid, encode(&format!("JoinWebUrl eq '{join_url}'")));
        let (_, _, found) = call(&t, &c.token, Method::GET, &find, None, &[]).await;
        assert_eq!(found["value"], json!([]));
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn declining_removes_the_copy_and_proposals_follow_the_organizers_rule() {
    on_every_backend(|t| async move {
        let c = setup(&t).await;
        let mut body = online_event("proposals");
        body["allowNewTimeProposals"] = json!(false);
        let (status, _, created) = call(&t, &c.token, Method::POST, &format!("/v1.0/users/{}/events", c.uid), Some(body), &[]).await;
        assert_eq!(status, 201, "{created}");
        let bob_events = format!("/v1.0/users/{}/events", c.bob);
        let (_, _, listed) = call(&t, &c.token, Method::GET, &bob_events, None, &[]).await;
        let copy_id = listed["value"][0]["id"].as_str().unwrap().to_owned();
        let proposal = json!({"sendResponse": true, "proposedNewTime": {"start": {"dateTime": "2026-11-21T09:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2026-11-21T10:00:00", "timeZone": "UTC"}}});
        let (status, _, body) = call(&t, &c.token, Method::POST, &format!("{bob_events}/{copy_id}/tentativelyAccept"), Some(proposal), &[]).await;
        assert_eq!(status, 400, "{body}");
        let (status, _, body) = call(&t, &c.token, Method::POST, &format!("{bob_events}/{copy_id}/tentativelyAccept"), Some(json!({"sendResponse": false})), &[]).await;
        assert_eq!(status, 202, "{body}");
        let (_, _, organizer) = call(&t, &c.token, Method::GET, &format!("/v1.0/users/{}/events/{}", c.uid, created["id"].as_str().unwrap()), None, &[]).await;
        assert_eq!(organizer["attendees"][0]["status"]["response"], "none", "sendResponse false tells no one");
        let (status, _, _) = call(&t, &c.token, Method::POST, &format!("{bob_events}/{copy_id}/decline"), Some(json!({"comment": "busy", "sendResponse": true})), &[]).await;
        assert_eq!(status, 202);
        let (_, _, organizer) = call(&t, &c.token, Method::GET, &format!("/v1.0/users/{}/events/{}", c.uid, created["id"].as_str().unwrap()), None, &[]).await;
        assert_eq!(organizer["attendees"][0]["status"]["response"], "declined");
        let (_, _, listed) = call(&t, &c.token, Method::GET, &bob_events, None, &[]).await;
        assert_eq!(listed["value"], json!([]), "a declined event leaves the attendee's calendar");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_signed_in_user_keeps_their_own_calendar_on_me() {
    let t = TestServer::start().await;
    let tid = t.cred("tenant_id");
    let (status, user) = t.admin(Method::POST, "/admin/users", Some(json!({"tenant": tid, "upn": "dana@graphmeetdev.onmicrosoft.com", "password": "correct horse battery"}))).await;
    assert_eq!(status, 201, "{user}");
    let (status, _, body) = t
        .token_form(
            &tid,
            &[
                ("grant_type", "password"),
                ("client_id", &t.cred("client_id")),
                ("client_secret", &t.cred("client_secret")),
                ("username", "dana@graphmeetdev.onmicrosoft.com"),
                ("password", "correct horse battery"),
                ("scope", "https://graph.microsoft.com/Calendars.ReadWrite"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap().to_owned();
    let (status, _, created) = call(
        &t,
        &token,
        Method::POST,
        "/v1.0/me/events",
        Some(online_event("mine")),
        &[("Prefer", "outlook.timezone=\"Pacific Standard Time\"")],
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["start"]["dateTime"], "2026-11-20T13:00:00.0000000");
    assert_eq!(
        created["organizer"]["emailAddress"]["address"],
        "dana@graphmeetdev.onmicrosoft.com"
    );
    assert_eq!(
        created["@odata.context"],
        t.url(&format!(
            "/v1.0/$metadata#users('{}')/events/$entity",
            user["id"].as_str().unwrap()
        ))
    );
    let (status, _, listed) = call(
        &t,
        &token,
        Method::GET,
        "/v1.0/me/calendarView?startDateTime=2026-11-20T00:00:00Z&endDateTime=2026-11-21T00:00:00Z",
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["value"][0]["id"], created["id"]);
    // Another user's calendar is not the signed-in user's to read.
    let (status, _, body) = call(
        &t,
        &token,
        Method::GET,
        &format!("/v1.0/users/{}/events", t.cred("user_id")),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "ErrorAccessDenied");
    t.server.shutdown().await;
}
