//! The Graph online-meetings API over HTTPS, on SQLite and PostgreSQL: every operation, the
//! resource's shape, the envelope, and the real errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::*;
use reqwest::Method;
use serde_json::{json, Value};

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn join_id_of(meeting: &Value) -> String {
    meeting["joinMeetingIdSettings"]["joinMeetingId"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn on_every_backend<F, Fut>(check: F)
where
    F: Fn(TestServer) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    graphmeet_testkit::on_every_backend(|url| async {
        check(TestServer::start_on(url).await).await
    })
    .await;
}

#[tokio::test]
async fn meeting_lifecycle_on_every_backend() {
    on_every_backend(|t| async move {
        let token = t.app_token().await;
        let uid = t.cred("user_id");
        let tid = t.cred("tenant_id");
        let base = format!("/v1.0/users/{uid}/onlineMeetings");
        let (status, headers, created) = t
            .graph(
                Some(&token),
                Method::POST,
                &base,
                Some(json!({"@odata.type": "#microsoft.graph.onlineMeeting", "subject": "Planning", "startDateTime": "2026-12-01T14:30:34.244491-07:00", "endDateTime": "2026-12-01T22:00:00+00:00", "joinMeetingIdSettings": {"isPasscodeRequired": true}})),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
        assert!(headers.contains_key("request-id"));
        assert_eq!(headers["client-request-id"], headers["request-id"]);
        assert!(headers.contains_key("x-ms-ags-diagnostic"));
        assert_eq!(created["@odata.context"], t.url(&format!("/v1.0/$metadata#users('{uid}')/onlineMeetings/$entity")));
        assert_eq!(created["@odata.type"], "#microsoft.graph.onlineMeeting");
        assert_eq!(created["subject"], "Planning");
        assert_eq!(created["startDateTime"], "2026-12-01T21:30:34.244491Z");
        assert_eq!(created["endDateTime"], "2026-12-01T22:00:00Z");
        let id = created["id"].as_str().unwrap().to_owned();
        assert!(id.starts_with("MSo") || id.starts_with("MSp"), "{id}");
        assert_eq!(id.len(), 148);
        let join_url = created["joinWebUrl"].as_str().unwrap().to_owned();
        assert!(join_url.starts_with(&t.url("/l/meetup-join/19%3ameeting_")), "{join_url}");
        assert!(join_url.contains(&format!("%22Tid%22%3a%22{tid}%22%2c%22Oid%22%3a%22{uid}%22")), "{join_url}");
        let jm = &created["joinMeetingIdSettings"];
        let join_id = jm["joinMeetingId"].as_str().unwrap().to_owned();
        assert_eq!(join_id.len(), 13);
        assert!(join_id.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(jm["isPasscodeRequired"], true);
        assert_eq!(jm["passcode"].as_str().unwrap().len(), 8);
        let organizer = &created["participants"]["organizer"];
        assert_eq!(organizer["upn"], t.cred("user_upn").as_str());
        assert_eq!(organizer["identity"]["user"]["id"], uid.as_str());
        assert_eq!(organizer["identity"]["user"]["tenantId"], tid.as_str());
        assert_eq!(organizer["identity"]["user"]["identityProvider"], "AAD");
        assert_eq!(created["chatInfo"]["messageId"], "0");
        assert!(created["chatInfo"]["threadId"].as_str().unwrap().ends_with("@thread.v2"));
        assert!(created["audioConferencing"]["conferenceId"].as_str().is_some());
        assert_eq!(created["lobbyBypassSettings"]["scope"], "organization");
        assert!(created.get("externalId").is_some_and(Value::is_null), "nulls are serialised");
        assert!(created.get("recording").is_none(), "beta-only properties stay out of v1.0");

        // The join URL points at this server's landing page.
        let page = t.http.get(&join_url).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = page.text().await.unwrap();
        assert!(html.contains("<h1>Planning</h1>") && html.contains(&t.cred("user_upn")) && html.contains(&join_id_of(&created)), "{html}");

        let (status, _, got) = t.graph(Some(&token), Method::GET, &format!("{base}/{id}"), None).await;
        assert_eq!(status, 200);
        assert_eq!(got["id"], id.as_str());
        assert_eq!(got["joinWebUrl"], join_url.as_str());

        // $filter as msgraph-sdk encodes it: the exact joinWebUrl inside the quotes.
        let filter = format!("JoinWebUrl eq '{join_url}'");
        let (status, _, found) = t.graph(Some(&token), Method::GET, &format!("{base}?$filter={}", encode(&filter)), None).await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(found["@odata.context"], t.url(&format!("/v1.0/$metadata#users('{uid}')/onlineMeetings")));
        assert_eq!(found["value"].as_array().unwrap().len(), 1);
        assert_eq!(found["value"][0]["id"], id.as_str());
        // The documented form: the literal URL-encoded first.
        let filter = format!("JoinWebUrl eq '{}'", encode(&join_url));
        let (_, _, found) = t.graph(Some(&token), Method::GET, &format!("{base}?$filter={}", encode(&filter)), None).await;
        assert_eq!(found["value"][0]["id"], id.as_str());
        let filter = format!("joinMeetingIdSettings/joinMeetingId eq '{join_id}'");
        let (status, _, found) = t.graph(Some(&token), Method::GET, &format!("{base}?$filter={}", encode(&filter)), None).await;
        assert_eq!(status, 200);
        assert_eq!(found["value"][0]["id"], id.as_str());
        let (_, _, none) = t.graph(Some(&token), Method::GET, &format!("{base}?$filter={}", encode("joinMeetingIdSettings/joinMeetingId eq '1111111111111'")), None).await;
        assert_eq!(none["value"], json!([]));

        let (status, _, patched) = t.graph(Some(&token), Method::PATCH, &format!("{base}/{id}"), Some(json!({"@odata.type": "#microsoft.graph.onlineMeeting", "subject": "Planning (moved)"}))).await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["subject"], "Planning (moved)");
        assert_eq!(patched["id"], id.as_str());
        assert_eq!(patched["joinMeetingIdSettings"]["joinMeetingId"], join_id.as_str());
        // A get renders what is stored now, not what it rendered from the meeting before.
        let (status, _, got) = t.graph(Some(&token), Method::GET, &format!("{base}/{id}"), None).await;
        assert_eq!(status, 200, "{got}");
        assert_eq!(got, patched);

        let (status, _, first) = t.graph(Some(&token), Method::POST, &format!("{base}/createOrGet"), Some(json!({"externalId": "ext-123", "subject": "Standup"}))).await;
        assert_eq!(status, 201, "{first}");
        assert_eq!(first["externalId"], "ext-123");
        assert_eq!(first["joinMeetingIdSettings"]["isPasscodeRequired"], false);
        let (status, _, second) = t.graph(Some(&token), Method::POST, &format!("{base}/createOrGet"), Some(json!({"externalId": "ext-123", "subject": "Other subject"}))).await;
        assert_eq!(status, 200);
        assert_eq!(second["id"], first["id"]);
        assert_eq!(second["subject"], "Standup", "the stored meeting is returned unchanged");

        let (status, headers, body) = t.graph(Some(&token), Method::DELETE, &format!("{base}/{id}"), None).await;
        assert_eq!(status, 204);
        assert_eq!(body, Value::Null);
        assert!(!headers.contains_key("content-type"));
        let (status, _, body) = t.graph(Some(&token), Method::GET, &format!("{base}/{id}"), None).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["code"], "NotFound");
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn beta_adds_its_extras_and_prefer_reveals_new_enum_members() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let uid = t.cred("user_id");
    let body = json!({"subject": "Beta", "lobbyBypassSettings": {"scope": "invited"}});
    let (status, _, beta) = t
        .graph(
            Some(&token),
            Method::POST,
            &format!("/beta/users/{uid}/onlineMeetings"),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{beta}");
    assert!(beta.get("recording").is_some());
    assert_eq!(
        beta["@odata.context"],
        t.url(&format!(
            "/beta/$metadata#users('{uid}')/onlineMeetings/$entity"
        ))
    );
    assert_eq!(beta["lobbyBypassSettings"]["scope"], "unknownFutureValue");
    let id = beta["id"].as_str().unwrap();
    let r = t
        .http
        .get(t.url(&format!("/v1.0/users/{uid}/onlineMeetings/{id}")))
        .bearer_auth(&token)
        .header("Prefer", "include-unknown-enum-members")
        .send()
        .await
        .unwrap();
    let got: Value = r.json().await.unwrap();
    assert_eq!(got["lobbyBypassSettings"]["scope"], "invited");
    let r = t
        .http
        .get(t.url(&format!(
            "/v1.0/users/{uid}/onlineMeetings/{id}?$select=subject,joinWebUrl"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let selected: Value = r.json().await.unwrap();
    assert_eq!(selected["subject"], "Beta");
    assert!(selected.get("joinWebUrl").is_some());
    assert!(selected.get("participants").is_none());
    assert_eq!(
        selected["@odata.context"],
        t.url(&format!(
            "/v1.0/$metadata#users('{uid}')/onlineMeetings(subject,joinWebUrl)/$entity"
        ))
    );
    t.server.shutdown().await;
}

// ---- Golden bodies ------------------------------------------------------------------------
//
// The documented examples of create (learn.microsoft.com/graph/api/application-post-onlinemeetings,
// example 3, passcode required), get (onlinemeeting-get, example 2), createOrGet (v1.0 example
// and beta example 1) and update (onlinemeeting-update, examples 1 and 2), sent as documented,
// answered with the exact serialised JSON: structure, property order, null against absent and
// every format. Volatile values (ids, join URLs and codes, the creation time, the dial-in
// details) are replaced by "(redacted)", as the docs themselves redact them, and the server's
// URL and the dev user's ids by the documented ones.
//
// Where the documented bodies disagree with each other or with real responses, the real
// response wins and the expected body says so:
// - the doc bodies are "shortened for readability": they leave out properties the service
//   sends, and carry trailing commas (`"attendees": [],` before `}` in update example 2, `"id":
//   "…",` in createOrGet's identities, `},` before the final `}`), which no JSON reader takes;
// - the get example 1 spells `"ConferenceId"` (a doc artefact; every other body, and the
//   schema, has `conferenceId`);
// - requests give local offsets (`-07:00`, `+00:00`); responses are in UTC (`Z`);
// - createOrGet's documented response shows a start and end other than the request's
//   (2020-09-11 for a 2020-02-06 request) and `200 OK` for a meeting it creates (the page's
//   own text says 201 when created, 200 when found);
// - the order: a real 2025 response (OfficeDev/microsoft-teams-library-js#2844) puts
//   `isBroadcast`, `autoAdmittedUsers`, `capabilities` and `externalId` before `joinWebUrl`,
//   where the 2020 doc bodies show `joinWebUrl`, `subject` first; and it writes
//   `"autoAdmittedUsers": "everyoneInCompany"` where the docs have `"EveryoneInCompany"`;
// - times: whole seconds without a fraction (`2025-07-07T06:00:00Z`, observed), fractions
//   without trailing zeros (`2020-07-03T00:23:39.444642Z`, documented).

const DOC_USER: &str = "dc17674c-81d9-4adb-bfb2-8f6a442e4622";
const DOC_TENANT: &str = "909c6581-5130-43e9-88f3-fcb3582cde37";
const DOC_UPN: &str = "mario@contoso.com";

/// The documented create example 3's response, completed with every property the service sends.
const GOLDEN_CREATE_V1: &str = r##"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('dc17674c-81d9-4adb-bfb2-8f6a442e4622')/onlineMeetings/$entity",
  "@odata.type": "#microsoft.graph.onlineMeeting",
  "id": "(redacted)",
  "creationDateTime": "(redacted)",
  "startDateTime": "2019-07-12T21:30:34.2444915Z",
  "endDateTime": "2019-07-12T22:00:34.2464912Z",
  "joinUrl": "(redacted)",
  "meetingCode": "(redacted)",
  "isBroadcast": false,
  "autoAdmittedUsers": "everyoneInCompany",
  "outerMeetingAutoAdmittedUsers": null,
  "capabilities": [],
  "externalId": null,
  "meetingTemplateId": null,
  "iCalUid": null,
  "meetingType": null,
  "meetingsMigrationMode": null,
  "joinWebUrl": "(redacted)",
  "subject": "User meeting",
  "isEntryExitAnnounced": true,
  "allowedPresenters": "everyone",
  "videoTeleconferenceId": null,
  "participants": {
    "organizer": {
      "upn": "mario@contoso.com",
      "role": "presenter",
      "identity": {
        "azureApplicationInstance": null,
        "applicationInstance": null,
        "application": null,
        "device": null,
        "user": {
          "id": "dc17674c-81d9-4adb-bfb2-8f6a442e4622",
          "displayName": null,
          "tenantId": "909c6581-5130-43e9-88f3-fcb3582cde37",
          "identityProvider": "AAD"
        }
      }
    },
    "attendees": [],
    "producers": [],
    "contributors": []
  },
  "lobbyBypassSettings": {
    "scope": "organization",
    "isDialInBypassEnabled": false
  },
  "audioConferencing": {
    "conferenceId": "(redacted)",
    "tollNumber": "+12065550100",
    "tollFreeNumber": "+18005550100",
    "tollNumbers": ["+12065550100"],
    "tollFreeNumbers": ["+18005550100"],
    "dialinUrl": "(redacted)"
  },
  "chatInfo": {
    "threadId": "(redacted)",
    "messageId": "0",
    "replyChainMessageId": null
  },
  "joinMeetingIdSettings": {
    "@odata.type": "#microsoft.graph.joinMeetingIdSettings",
    "isPasscodeRequired": true,
    "joinMeetingId": "(redacted)",
    "passcode": "(redacted)"
  },
  "allowAttendeeToEnableCamera": true,
  "allowAttendeeToEnableMic": true,
  "allowBreakoutRooms": null,
  "allowCopyingAndSharingMeetingContent": null,
  "allowedLobbyAdmitters": null,
  "allowLiveShare": null,
  "allowMeetingChat": "enabled",
  "allowParticipantsToChangeName": false,
  "allowPowerPointSharing": null,
  "allowRecording": true,
  "allowTeamworkReactions": true,
  "allowTranscription": true,
  "allowWhiteboard": null,
  "anonymizeIdentityForRoles": null,
  "chatRestrictions": null,
  "cloudVideoInteropInfo": null,
  "expiryDateTime": "2019-09-10T22:00:34.2464912Z",
  "isEndToEndEncryptionEnabled": null,
  "joinInformation": {
    "content": "(redacted)",
    "contentType": "Html"
  },
  "meetingOptionsWebUrl": "(redacted)",
  "meetingSpokenLanguageTag": null,
  "recordAutomatically": false,
  "sensitivityLabelAssignment": null,
  "shareMeetingChatHistoryDefault": "none",
  "watermarkProtection": null,
  "attendeeReport": null,
  "broadcastSettings": null
}"##;

/// The documented createOrGet response (v1.0 example, beta example 1): the attendee outside the
/// tenant is kept as sent, with `"role": null` (beta sent `presenter`), no passcode.
const GOLDEN_CREATE_OR_GET_V1: &str = r##"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('dc17674c-81d9-4adb-bfb2-8f6a442e4622')/onlineMeetings/$entity",
  "@odata.type": "#microsoft.graph.onlineMeeting",
  "id": "(redacted)",
  "creationDateTime": "(redacted)",
  "startDateTime": "2020-02-06T01:49:21.3524945Z",
  "endDateTime": "2020-02-06T02:19:21.3524945Z",
  "joinUrl": "(redacted)",
  "meetingCode": "(redacted)",
  "isBroadcast": false,
  "autoAdmittedUsers": "everyoneInCompany",
  "outerMeetingAutoAdmittedUsers": null,
  "capabilities": [],
  "externalId": "7eb8263f-d0e0-4149-bb1c-1f0476083c56",
  "meetingTemplateId": null,
  "iCalUid": null,
  "meetingType": null,
  "meetingsMigrationMode": null,
  "joinWebUrl": "(redacted)",
  "subject": "Create a meeting with customId provided",
  "isEntryExitAnnounced": true,
  "allowedPresenters": "everyone",
  "videoTeleconferenceId": null,
  "participants": {
    "organizer": {
      "upn": "mario@contoso.com",
      "role": "presenter",
      "identity": {
        "azureApplicationInstance": null,
        "applicationInstance": null,
        "application": null,
        "device": null,
        "user": {
          "id": "dc17674c-81d9-4adb-bfb2-8f6a442e4622",
          "displayName": null,
          "tenantId": "909c6581-5130-43e9-88f3-fcb3582cde37",
          "identityProvider": "AAD"
        }
      }
    },
    "attendees": [
      {
        "upn": "test1@contoso.com",
        "role": null,
        "identity": {
          "azureApplicationInstance": null,
          "applicationInstance": null,
          "application": null,
          "device": null,
          "user": {
            "id": "1f35f2e6-9cab-44ad-8d5a-b74c14720000",
            "displayName": null,
            "tenantId": null,
            "identityProvider": null
          }
        }
      }
    ],
    "producers": [],
    "contributors": []
  },
  "lobbyBypassSettings": {
    "scope": "organization",
    "isDialInBypassEnabled": false
  },
  "audioConferencing": {
    "conferenceId": "(redacted)",
    "tollNumber": "+12065550100",
    "tollFreeNumber": "+18005550100",
    "tollNumbers": ["+12065550100"],
    "tollFreeNumbers": ["+18005550100"],
    "dialinUrl": "(redacted)"
  },
  "chatInfo": {
    "threadId": "(redacted)",
    "messageId": "0",
    "replyChainMessageId": null
  },
  "joinMeetingIdSettings": {
    "@odata.type": "#microsoft.graph.joinMeetingIdSettings",
    "isPasscodeRequired": false,
    "joinMeetingId": "(redacted)",
    "passcode": null
  },
  "allowAttendeeToEnableCamera": true,
  "allowAttendeeToEnableMic": true,
  "allowBreakoutRooms": null,
  "allowCopyingAndSharingMeetingContent": null,
  "allowedLobbyAdmitters": null,
  "allowLiveShare": null,
  "allowMeetingChat": "enabled",
  "allowParticipantsToChangeName": false,
  "allowPowerPointSharing": null,
  "allowRecording": true,
  "allowTeamworkReactions": true,
  "allowTranscription": true,
  "allowWhiteboard": null,
  "anonymizeIdentityForRoles": null,
  "chatRestrictions": null,
  "cloudVideoInteropInfo": null,
  "expiryDateTime": "2020-04-06T02:19:21.3524945Z",
  "isEndToEndEncryptionEnabled": null,
  "joinInformation": {
    "content": "(redacted)",
    "contentType": "Html"
  },
  "meetingOptionsWebUrl": "(redacted)",
  "meetingSpokenLanguageTag": null,
  "recordAutomatically": false,
  "sensitivityLabelAssignment": null,
  "shareMeetingChatHistoryDefault": "none",
  "watermarkProtection": null,
  "attendeeReport": null,
  "broadcastSettings": null
}"##;

/// Parses a golden body (keeping its order).
fn golden(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// A v1.0 golden body as `/beta` answers it: the beta context, and the beta-only streams last.
fn beta_of(v1: &Value) -> Value {
    let mut beta = v1.clone();
    let context = beta["@odata.context"]
        .as_str()
        .unwrap()
        .replace("/v1.0/$metadata", "/beta/$metadata");
    beta["@odata.context"] = Value::String(context);
    let map = beta.as_object_mut().unwrap();
    map.insert("alternativeRecording".into(), Value::Null);
    map.insert("recording".into(), Value::Null);
    beta
}

/// The response as the golden bodies show it (see above).
fn normalised(t: &TestServer, body: &Value) -> String {
    let mut v = body.clone();
    for pointer in [
        "/id",
        "/creationDateTime",
        "/joinUrl",
        "/meetingCode",
        "/joinWebUrl",
        "/meetingOptionsWebUrl",
        "/joinMeetingIdSettings/joinMeetingId",
        "/joinMeetingIdSettings/passcode",
        "/chatInfo/threadId",
        "/audioConferencing/conferenceId",
        "/audioConferencing/dialinUrl",
        "/joinInformation/content",
    ] {
        if let Some(slot) = v.pointer_mut(pointer).filter(|s| s.is_string()) {
            *slot = Value::String("(redacted)".into());
        }
    }
    serde_json::to_string_pretty(&v)
        .unwrap()
        .replace(&t.url(""), "https://graph.microsoft.com")
        .replace(&t.cred("user_id"), DOC_USER)
        .replace(&t.cred("tenant_id"), DOC_TENANT)
        .replace(&t.cred("user_upn"), DOC_UPN)
}

fn assert_golden(t: &TestServer, what: &str, actual: &Value, expected: &Value) {
    let want = serde_json::to_string_pretty(expected).unwrap();
    let got = normalised(t, actual);
    if got != want {
        for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
            assert_eq!(g, w, "{what}: first difference at line {}:\n{got}", i + 1);
        }
        assert_eq!(got, want, "{what}");
    }
}

/// The creation time in the service's format: UTC, `Z`, and a fraction only when there is
/// one, without trailing zeros.
fn assert_graph_time(text: &str) {
    assert!(text.ends_with('Z'), "{text}");
    assert!(chrono::DateTime::parse_from_rfc3339(text).is_ok(), "{text}");
    if let Some((_, fraction)) = text.trim_end_matches('Z').split_once('.') {
        assert!(
            (1..=7).contains(&fraction.len()) && !fraction.ends_with('0'),
            "{text}"
        );
    }
}

#[tokio::test]
async fn golden_bodies_of_the_documented_examples_on_both_versions() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let uid = t.cred("user_id");
    for version in ["v1.0", "beta"] {
        let base = format!("/{version}/users/{uid}/onlineMeetings");
        let for_version = |v1: Value| if version == "beta" { beta_of(&v1) } else { v1 };

        // Create, documented example 3.
        let (status, _, created) = t
            .graph(
                Some(&token),
                Method::POST,
                &base,
                Some(json!({
                    "startDateTime": "2019-07-12T14:30:34.2444915-07:00",
                    "endDateTime": "2019-07-12T15:00:34.2464912-07:00",
                    "subject": "User meeting",
                    "joinMeetingIdSettings": {"isPasscodeRequired": true}
                })),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let create_body = for_version(golden(GOLDEN_CREATE_V1));
        assert_golden(&t, &format!("{version} create"), &created, &create_body);
        assert_graph_time(created["creationDateTime"].as_str().unwrap());
        let id = created["id"].as_str().unwrap().to_owned();

        // Get by id: the same body.
        let (status, _, got) = t
            .graph(Some(&token), Method::GET, &format!("{base}/{id}"), None)
            .await;
        assert_eq!(status, 200, "{got}");
        assert_golden(&t, &format!("{version} get"), &got, &create_body);
        assert_eq!(got["creationDateTime"], created["creationDateTime"]);

        // Update, documented example 2: only isDialInBypassEnabled; the scope is kept.
        let (status, _, patched) = t
            .graph(
                Some(&token),
                Method::PATCH,
                &format!("{base}/{id}"),
                Some(json!({"lobbyBypassSettings": {"isDialInBypassEnabled": true}})),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        let mut expected = create_body.clone();
        expected["lobbyBypassSettings"]["isDialInBypassEnabled"] = json!(true);
        assert_golden(&t, &format!("{version} update 2"), &patched, &expected);

        // Update, documented example 1: start, end and subject (expiry follows the end).
        let (status, _, patched) = t
            .graph(
                Some(&token),
                Method::PATCH,
                &format!("{base}/{id}"),
                Some(json!({
                    "startDateTime": "2020-09-09T14:33:30.8546353-07:00",
                    "endDateTime": "2020-09-09T15:03:30.8566356-07:00",
                    "subject": "Patch Meeting Subject"
                })),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        expected["startDateTime"] = json!("2020-09-09T21:33:30.8546353Z");
        expected["endDateTime"] = json!("2020-09-09T22:03:30.8566356Z");
        expected["expiryDateTime"] = json!("2020-11-08T22:03:30.8566356Z");
        expected["subject"] = json!("Patch Meeting Subject");
        assert_golden(&t, &format!("{version} update 1"), &patched, &expected);

        // createOrGet: v1.0's example, beta's example 1 (the attendee sent as presenter).
        let mut attendee = json!({
            "identity": {"user": {"id": "1f35f2e6-9cab-44ad-8d5a-b74c14720000"}},
            "upn": "test1@contoso.com"
        });
        if version == "beta" {
            attendee["role"] = json!("presenter");
        }
        let request = json!({
            "startDateTime": "2020-02-06T01:49:21.3524945+00:00",
            "endDateTime": "2020-02-06T02:19:21.3524945+00:00",
            "subject": "Create a meeting with customId provided",
            "externalId": "7eb8263f-d0e0-4149-bb1c-1f0476083c56",
            "participants": {"attendees": [attendee]}
        });
        let expected = for_version(golden(GOLDEN_CREATE_OR_GET_V1));
        let (status, _, first) = t
            .graph(
                Some(&token),
                Method::POST,
                &format!("{base}/createOrGet"),
                Some(request.clone()),
            )
            .await;
        assert_eq!(status, 201, "{first}");
        assert_golden(&t, &format!("{version} createOrGet"), &first, &expected);
        let (status, _, again) = t
            .graph(
                Some(&token),
                Method::POST,
                &format!("{base}/createOrGet"),
                Some(request),
            )
            .await;
        assert_eq!(status, 200, "{again}");
        assert_golden(
            &t,
            &format!("{version} createOrGet again"),
            &again,
            &expected,
        );
        // The key is per organizer: the next version's call must create anew.
        t.graph(
            Some(&token),
            Method::DELETE,
            &format!("{base}/{}", first["id"].as_str().unwrap()),
            None,
        )
        .await;
    }
    t.server.shutdown().await;
}

// ---- "Fidelity, second pass", one test per item ----------------------------------------

/// Item 1: complex properties sent partially are merged into the stored value; collections
/// are replaced whole; the meeting's thread is not taken from a PATCH.
#[tokio::test]
async fn patch_merges_nested_objects_and_replaces_collections() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let base = format!("/v1.0/users/{}/onlineMeetings", t.cred("user_id"));
    let (status, _, created) = t
        .graph(
            Some(&token),
            Method::POST,
            &base,
            Some(json!({
                "subject": "Merge",
                "lobbyBypassSettings": {"scope": "everyone"},
                "watermarkProtection": {"isEnabledForContentSharing": true, "isEnabledForVideo": false},
                "participants": {"attendees": [{"upn": "a@example.org"}, {"upn": "b@example.org"}]}
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["lobbyBypassSettings"],
        json!({"scope": "everyone", "isDialInBypassEnabled": false}),
        "a create's partial lobby gets the default for the rest"
    );
    let id = created["id"].as_str().unwrap();
    let (status, _, patched) = t
        .graph(
            Some(&token),
            Method::PATCH,
            &format!("{base}/{id}"),
            Some(json!({
                "lobbyBypassSettings": {"isDialInBypassEnabled": true},
                "watermarkProtection": {"isEnabledForVideo": true},
                "chatRestrictions": {"allowTextOnly": true},
                "chatInfo": {"threadId": "19:someone-else@thread.v2"},
                "participants": {"attendees": [{"upn": "c@example.org"}]}
            })),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        patched["lobbyBypassSettings"],
        json!({"scope": "everyone", "isDialInBypassEnabled": true})
    );
    assert_eq!(
        patched["watermarkProtection"],
        json!({"@odata.type": "#microsoft.graph.watermarkProtectionValues", "isEnabledForContentSharing": true, "isEnabledForVideo": true})
    );
    assert_eq!(patched["chatRestrictions"], json!({"allowTextOnly": true}));
    assert_eq!(patched["chatInfo"], created["chatInfo"]);
    let attendees = patched["participants"]["attendees"].as_array().unwrap();
    assert_eq!(attendees.len(), 1, "attendees are replaced whole");
    assert_eq!(attendees[0]["upn"], "c@example.org");
    // The merge is stored, not only answered.
    let (_, _, got) = t
        .graph(Some(&token), Method::GET, &format!("{base}/{id}"), None)
        .await;
    assert_eq!(got["lobbyBypassSettings"], patched["lobbyBypassSettings"]);
    t.server.shutdown().await;
}

/// Item 2: `capabilities` is `[]`, never `null`; `autoAdmittedUsers` follows the lobby scope.
#[tokio::test]
async fn capabilities_is_a_list_and_auto_admitted_users_follows_the_scope() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let uid = t.cred("user_id");
    let (status, _, created) = t
        .graph(
            Some(&token),
            Method::POST,
            &format!("/beta/users/{uid}/onlineMeetings"),
            Some(json!({"subject": "Lobby"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["capabilities"], json!([]));
    assert_eq!(created["autoAdmittedUsers"], "everyoneInCompany");
    let id = created["id"].as_str().unwrap();
    for (scope, admitted) in [
        ("everyone", "everyone"),
        ("organizer", "organizer"),
        (
            "organizationAndFederated",
            "everyoneInSameAndFederatedCompany",
        ),
        ("invited", "invitedUsersInCompany"),
    ] {
        let (status, _, patched) = t
            .graph(
                Some(&token),
                Method::PATCH,
                &format!("/beta/users/{uid}/onlineMeetings/{id}"),
                Some(json!({"lobbyBypassSettings": {"scope": scope}})),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["autoAdmittedUsers"], admitted, "{scope}");
    }
    let (_, _, v1) = t
        .graph(
            Some(&token),
            Method::GET,
            &format!("/v1.0/users/{uid}/onlineMeetings/{id}"),
            None,
        )
        .await;
    assert_eq!(v1["capabilities"], json!([]));
    assert_eq!(v1["autoAdmittedUsers"], "invitedUsersInCompany");
    t.server.shutdown().await;
}

/// Item 3: times as the service prints them, and joinInformation in the observed form.
#[tokio::test]
async fn times_and_join_information_have_the_real_formats() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let base = format!("/v1.0/users/{}/onlineMeetings", t.cred("user_id"));
    let (status, _, created) = t
        .graph(
            Some(&token),
            Method::POST,
            &base,
            Some(json!({
                "startDateTime": "2019-07-12T14:30:00-07:00",
                "endDateTime": "2019-07-12T15:00:34.2464900-07:00",
                "joinMeetingIdSettings": {"isPasscodeRequired": true}
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["startDateTime"], "2019-07-12T21:30:00Z");
    assert_eq!(created["endDateTime"], "2019-07-12T22:00:34.24649Z");
    assert_eq!(created["expiryDateTime"], "2019-09-10T22:00:34.24649Z");
    assert_graph_time(created["creationDateTime"].as_str().unwrap());

    let info = &created["joinInformation"];
    assert_eq!(info["contentType"], "Html");
    let content = info["content"].as_str().unwrap();
    assert!(content.starts_with("data%3atext%2fhtml%2c"), "{content}");
    assert!(
        !content.contains("%20") && content.contains('+'),
        "{content}"
    );
    let upper_escape = content
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1..].iter().any(u8::is_ascii_uppercase));
    assert!(!upper_escape, "escapes are lower case: {content}");
    let decoded: String = url::form_urlencoded::parse(format!("x={content}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();
    assert!(
        decoded.starts_with("data:text/html,<p>Microsoft Teams meeting</p>"),
        "{decoded}"
    );
    assert!(
        decoded.contains(created["joinWebUrl"].as_str().unwrap()),
        "{decoded}"
    );
    let passcode = created["joinMeetingIdSettings"]["passcode"]
        .as_str()
        .unwrap();
    assert!(
        decoded.contains(&format!("Passcode: {passcode}")),
        "{decoded}"
    );
    t.server.shutdown().await;
}

/// Item 4: the documented beta createOrGet example 1 (an attendee outside the tenant given
/// `presenter`) succeeds with the role back as `null`; the organizer's identity set carries
/// `azureApplicationInstance: null`.
#[tokio::test]
async fn documented_beta_create_or_get_example_1_succeeds() {
    let t = TestServer::start().await;
    let token = t.app_token().await;
    let (status, _, body) = t
        .graph(
            Some(&token),
            Method::POST,
            &format!(
                "/beta/users/{}/onlineMeetings/createOrGet",
                t.cred("user_id")
            ),
            Some(json!({
                "startDateTime": "2020-02-06T01:49:21.3524945+00:00",
                "endDateTime": "2020-02-06T02:19:21.3524945+00:00",
                "subject": "Create a meeting with customId provided",
                "externalId": "7eb8263f-d0e0-4149-bb1c-1f0476083c56",
                "participants": {"attendees": [{
                    "identity": {"user": {"id": "1f35f2e6-9cab-44ad-8d5a-b74c14720000"}},
                    "role": "presenter",
                    "upn": "test1@contoso.com"
                }]}
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let attendee = &body["participants"]["attendees"][0];
    assert_eq!(attendee["upn"], "test1@contoso.com");
    assert!(attendee["role"].is_null(), "{body}");
    let identity = body["participants"]["organizer"]["identity"]
        .as_object()
        .unwrap();
    assert!(identity["azureApplicationInstance"].is_null());
    assert_eq!(
        identity.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "azureApplicationInstance",
            "applicationInstance",
            "application",
            "device",
            "user"
        ]
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn documented_beta_create_or_get_example_2_makes_a_channel_meeting() {
    on_every_backend(|t| async move {
        let token = t.app_token().await;
        let channel = "19:7ebda77322dd4505ac4dedb5b67df076@thread.tacv2";
        let path = format!("/beta/users/{}/onlineMeetings/createOrGet", t.cred("user_id"));
        let body_for = |external: &str| {
            json!({
                "chatInfo": {"threadId": channel},
                "endDateTime": "2020-02-06T02:19:21.3524945+00:00",
                "externalId": external,
                "startDateTime": "2020-02-06T01:49:21.3524945+00:00",
                "subject": "Create a meeting with customId provided"
            })
        };
        let (status, _, first) = t
            .graph(Some(&token), Method::POST, &path, Some(body_for("7eb8263f-d0e0-4149-bb1c-1f0476083c56")))
            .await;
        assert_eq!(status, 201, "{first}");
        let chat = &first["chatInfo"];
        assert_eq!(chat["threadId"], channel, "the channel's thread is kept: {first}");
        let message = chat["messageId"].as_str().unwrap().to_owned();
        assert!(message.len() == 13 && message.bytes().all(|b| b.is_ascii_digit()), "a millisecond timestamp: {message}");
        assert_eq!(chat["replyChainMessageId"], message.as_str());
        let id = first["id"].as_str().unwrap();
        let decoded = String::from_utf8(
            graphmeet_wire::b64::std_decode(id).unwrap(),
        )
        .unwrap();
        assert_eq!(decoded, format!("1*{}*{message}**{channel}", t.cred("user_id")));
        let join = first["joinWebUrl"].as_str().unwrap();
        assert!(
            join.contains(&format!("/l/meetup-join/19%3a7ebda77322dd4505ac4dedb5b67df076%40thread.tacv2/{message}?context=")),
            "{join}"
        );

        // The same externalId finds it; another one is a second meeting in the same channel.
        let (status, _, again) = t
            .graph(Some(&token), Method::POST, &path, Some(body_for("7eb8263f-d0e0-4149-bb1c-1f0476083c56")))
            .await;
        assert_eq!((status, &again["id"]), (200, &first["id"]));
        let (status, _, second) = t
            .graph(Some(&token), Method::POST, &path, Some(body_for("another")))
            .await;
        assert_eq!(status, 201, "{second}");
        assert_eq!(second["chatInfo"]["threadId"], channel);
        assert_ne!(second["id"], first["id"]);
        assert_ne!(second["chatInfo"]["messageId"], first["chatInfo"]["messageId"]);

        // Each is found by id, by joinWebUrl, and has its landing page.
        let (status, _, got) = t
            .graph(Some(&token), Method::GET, &format!("/beta/users/{}/onlineMeetings/{id}", t.cred("user_id")), None)
            .await;
        assert_eq!((status, &got["chatInfo"]), (200, &first["chatInfo"]));
        let (status, _, found) = t
            .graph(
                Some(&token),
                Method::GET,
                &format!("/v1.0/users/{}/onlineMeetings?$filter=JoinWebUrl%20eq%20'{}'", t.cred("user_id"), encode(join)),
                None,
            )
            .await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(found["value"][0]["id"], first["id"]);
        let page = t.http.get(join).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Create a meeting with customId provided"));

        // Not a channel's thread: refused. v1.0 has no chatInfo parameter: a private meeting.
        let mut bad = body_for("bad");
        bad["chatInfo"]["threadId"] = json!("19:meeting_abc@thread.v2");
        let (status, _, body) = t.graph(Some(&token), Method::POST, &path, Some(bad)).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("thread.tacv2"), "{body}");
        let (status, _, private) = t
            .graph(
                Some(&token),
                Method::POST,
                &path.replace("/beta/", "/v1.0/"),
                Some(body_for("v1")),
            )
            .await;
        assert_eq!(status, 201, "{private}");
        assert!(private["chatInfo"]["threadId"].as_str().unwrap().starts_with("19:meeting_"), "{private}");
        t.server.shutdown().await;
    })
    .await;
}

/// The dev app consented for `roles` too, and a fresh app-only token carrying them.
async fn token_with(t: &TestServer, roles: &[&str]) -> String {
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

#[tokio::test]
async fn the_users_collection_finds_an_organizer_by_mail_as_the_cli_for_microsoft_365_does() {
    on_every_backend(|t| async move {
        let tid = t.cred("tenant_id");
        for (alias, extra) in [
            ("ann", json!({"mail": "Ann.Lee@contoso.example"})),
            ("ben", json!({})),
            ("guest_x.example#ext#", json!({"user_type": "Guest", "mail": "g@x.example"})),
        ] {
            let mut body = json!({"tenant": tid, "upn": format!("{alias}@graphmeetdev.onmicrosoft.com")});
            body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            let (status, user) = t.admin(Method::POST, "/admin/users", Some(body)).await;
            assert_eq!(status, 201, "{user}");
        }
        // Without User.Read*.All: Graph's missing-role error.
        let (status, _, body) = t
            .graph(Some(&t.app_token().await), Method::GET, "/v1.0/users", None)
            .await;
        assert_eq!(status, 403, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("User.ReadBasic.All"), "{body}");

        let token = token_with(&t, &["User.Read.All"]).await;
        let (status, _, body) = t
            .graph(
                Some(&token),
                Method::GET,
                "/v1.0/users?$filter=mail%20eq%20'ann.lee@contoso.example'&$select=id",
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["value"].as_array().unwrap().len(), 1, "{body}");
        assert_eq!(body["value"][0].as_object().unwrap().len(), 1, "only id: {body}");
        assert!(body["@odata.context"].as_str().unwrap().ends_with("/v1.0/$metadata#users(id)"), "{body}");
        let (_, _, ann) = t
            .graph(Some(&token), Method::GET, &format!("/v1.0/users/{}", body["value"][0]["id"].as_str().unwrap()), None)
            .await;
        assert_eq!(ann["mail"], "Ann.Lee@contoso.example", "{ann}");
        assert_eq!(ann["userPrincipalName"], "ann@graphmeetdev.onmicrosoft.com");

        // By UPN, by type, by prefix; the default property set.
        let (_, _, body) = t
            .graph(Some(&token), Method::GET, "/v1.0/users?$filter=userPrincipalName+eq+'BEN@graphmeetdev.onmicrosoft.com'", None)
            .await;
        assert_eq!(body["value"][0]["mail"], "ben@graphmeetdev.onmicrosoft.com", "{body}");
        assert_eq!(body["value"][0]["businessPhones"], json!([]), "{body}");
        assert!(body["value"][0].get("accountEnabled").is_none(), "{body}");
        let (_, _, body) = t
            .graph(Some(&token), Method::GET, "/v1.0/users?$filter=userType eq 'Guest'&$select=mail,userType,accountEnabled", None)
            .await;
        assert_eq!(body["value"], json!([{"mail": "g@x.example", "userType": "Guest", "accountEnabled": true}]), "{body}");
        let (_, _, body) = t
            .graph(Some(&token), Method::GET, "/beta/users?$filter=startsWith(displayName,'a') or startsWith(displayName,'b')", None)
            .await;
        let names: Vec<&str> = body["value"].as_array().unwrap().iter().map(|u| u["displayName"].as_str().unwrap()).collect();
        assert_eq!(names.len(), 2, "{body}");

        // Errors as the directory gives them.
        for (query, code, text) in [
            ("$filter=mail ne 'a@b.c'", "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property 'mail' of resource 'User'."),
            ("$filter=nick eq 'x'", "Request_BadRequest", "Could not find a property named 'nick' on type 'Microsoft.DirectoryServices.User'."),
            ("$top=1000", "Request_BadRequest", "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."),
        ] {
            let (status, _, body) = t.graph(Some(&token), Method::GET, &format!("/v1.0/users?{query}"), None).await;
            assert_eq!((status, body["error"]["code"].as_str().unwrap(), body["error"]["message"].as_str().unwrap()), (400, code, text), "{query}");
        }
        t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn the_users_collection_pages_with_top_and_next_link_and_sees_every_user_once() {
    on_every_backend(|t| async move {
        let tid = t.cred("tenant_id");
        for i in 0..7 {
            let (status, _) = t
                .admin(
                    Method::POST,
                    "/admin/users",
                    Some(
                        json!({"tenant": tid, "upn": format!("p{i}@graphmeetdev.onmicrosoft.com")}),
                    ),
                )
                .await;
            assert_eq!(status, 201);
        }
        let token = token_with(&t, &["User.ReadBasic.All"]).await;
        let mut url = t.url("/v1.0/users?$top=3&$select=id,userPrincipalName");
        let mut seen: Vec<String> = Vec::new();
        let mut pages = 0;
        loop {
            let r = t.http.get(&url).bearer_auth(&token).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let body: Value = r.json().await.unwrap();
            pages += 1;
            let page = body["value"].as_array().unwrap();
            assert!(page.len() <= 3, "{body}");
            seen.extend(page.iter().map(|u| u["id"].as_str().unwrap().to_owned()));
            match body["@odata.nextLink"].as_str() {
                Some(next) => {
                    assert!(
                        next.contains("%24skiptoken=") || next.contains("$skiptoken="),
                        "{next}"
                    );
                    url = next.to_owned();
                }
                None => break,
            }
        }
        // The organizer and the seven.
        assert_eq!(seen.len(), 8, "{seen:?}");
        assert_eq!(pages, 3);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, seen, "id order, each once");
        let (status, _, body) = t
            .graph(
                Some(&token),
                Method::GET,
                "/v1.0/users?$skiptoken=bm90LWEtZ3VpZA",
                None,
            )
            .await;
        assert_eq!(status, 400, "{body}");
        t.server.shutdown().await;
    })
    .await;
}
