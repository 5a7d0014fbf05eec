//! Meetings that take place and what they leave behind, through HTTP on a real server (TLS, a
//! virtual clock) on SQLite and PostgreSQL: playing a meeting through the admin API, its
//! attendance report and records, transcript (WebVTT, metadata) and recording (MP4), an
//! organizer's getAllTranscripts / getAllRecordings with their window and delta; and for every
//! artifact route the permission it needs, the application access policy, the 404s and the
//! tenant's transcript switches.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::{on_every_backend, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const ARTIFACT_ROLES: [&str; 3] = [
    "OnlineMeetingArtifact.Read.All",
    "OnlineMeetingTranscript.Read.All",
    "OnlineMeetingRecording.Read.All",
];

struct Fixture {
    t: TestServer,
    tenant: String,
    organizer: String,
    /// A token of the dev app holding only OnlineMeetings.ReadWrite.All.
    meetings_only: String,
    /// A token of the dev app holding the artifact roles too.
    token: String,
    bob: String,
}

impl Fixture {
    async fn new(database_url: Option<String>) -> Self {
        let t = TestServer::start_with(tempfile::tempdir().unwrap(), |c| {
            c.database_url = database_url;
            c.manual_clock = true;
        })
        .await;
        let tenant = t.cred("tenant_id");
        let organizer = t.cred("user_id");
        let meetings_only = t.app_token().await;
        let (s, body) = t
            .admin(
                Method::POST,
                "/admin/consents",
                Some(json!({"tenant": tenant, "app_id": t.cred("client_id"), "roles": ARTIFACT_ROLES})),
            )
            .await;
        assert!(s == 200 || s == 201, "{s} {body}");
        let token = t.app_token().await;
        let (s, bob) = t
            .admin(
                Method::POST,
                "/admin/users",
                Some(json!({"tenant": tenant, "upn": "bob@graphmeetdev.onmicrosoft.com", "display_name": "Bob Jones"})),
            )
            .await;
        assert_eq!(s, 201, "{bob}");
        Self {
            tenant,
            organizer,
            meetings_only,
            token,
            bob: bob["id"].as_str().unwrap().to_owned(),
            t,
        }
    }

    async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let (s, _, body) = self.t.graph(Some(token), Method::GET, path, None).await;
        (s, body)
    }

    async fn raw(&self, token: &str, path: &str, accept: Option<&str>) -> (u16, String, Vec<u8>) {
        let mut req = self.t.http.get(self.t.url(path)).bearer_auth(token);
        if let Some(accept) = accept {
            req = req.header("accept", accept);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, ct, r.bytes().await.unwrap().to_vec())
    }

    async fn meeting(&self, subject: &str) -> String {
        let (s, _, m) = self
            .t
            .graph(
                Some(&self.meetings_only),
                Method::POST,
                &format!("/v1.0/users/{}/onlineMeetings", self.organizer),
                Some(json!({"subject": subject})),
            )
            .await;
        assert_eq!(s, 201, "{m}");
        m["id"].as_str().unwrap().to_owned()
    }

    async fn advance(&self, by: &str) {
        let (s, body) = self
            .t
            .admin(Method::POST, "/admin/clock", Some(json!({"advance": by})))
            .await;
        assert_eq!(s, 200, "{body}");
    }

    /// Plays the standard session: the organizer for 30 minutes, Bob twice, a guest, an
    /// anonymous participant and a dial-in one, and three utterances.
    async fn play(&self, meeting: &str) -> Value {
        let (s, view) = self
            .t
            .admin(
                Method::POST,
                &format!("/admin/meetings/{meeting}/play"),
                Some(json!({
                    "participants": [
                        {"user": "organizer@graphmeetdev.onmicrosoft.com", "join": "PT0S", "leave": "PT30M"},
                        {"user": self.bob, "intervals": [{"join": "PT2M", "leave": "PT10M"}, {"join": "PT15M", "leave": "PT25M"}]},
                        {"guest": "Pat Guest", "email": "pat@example.com", "join": "PT1M", "leave": "PT20M"},
                        {"anonymous": "Visitor", "join": "PT3M", "leave": "PT4M"},
                        {"phone": "+14255550100", "join": "PT5M", "leave": "PT6M30S"}
                    ],
                    "utterances": [
                        {"speaker": "organizer@graphmeetdev.onmicrosoft.com", "at": "PT5S", "duration": "PT4S", "text": "Welcome, everyone."},
                        {"speaker": "Bob Jones", "at": "PT2M30S", "text": "Thanks <all> & hello."},
                        {"speaker": "Pat Guest", "at": "PT16M", "duration": "PT2S", "text": "One question."}
                    ]
                })),
            )
            .await;
        assert_eq!(s, 201, "{view}");
        view
    }
}

/// The "Weekly sync" meeting played once (five participants, 30 minutes) and ended: its id, its
/// Graph path and the play's view.
async fn ended_meeting(f: &Fixture) -> (String, String, Value) {
    let m = f.meeting("Weekly sync").await;
    let base = format!("/v1.0/users/{}/onlineMeetings/{m}", f.organizer);
    let view = f.play(&m).await;
    f.advance("PT30M").await;
    (m, base, view)
}

#[tokio::test]
async fn nothing_is_served_while_the_meeting_is_going_on() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let m = f.meeting("Weekly sync").await;
        let base = format!("/v1.0/users/{}/onlineMeetings/{m}", f.organizer);
        let view = f.play(&m).await;
        assert_eq!(view["state"], "started", "{view}");
        assert_eq!(view["participants"], 5);
        assert_eq!(view["durationSeconds"], 1800);

        // Nothing is served while the meeting is going on.
        let (s, body) = f.get(&f.token, &format!("{base}/attendanceReports")).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["value"], json!([]));
        let (s, body) = f.get(&f.token, &format!("{base}/transcripts")).await;
        assert_eq!((s, body["value"].clone()), (200, json!([])));

        f.advance("PT30M").await;
        let (_, sessions) =
            f.t.admin(Method::GET, &format!("/admin/meetings/{m}/sessions"), None)
                .await;
        assert_eq!(sessions[0]["state"], "ended", "{sessions}");

        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn an_ended_session_has_one_attendance_report_listed_without_its_records() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (m, base, view) = ended_meeting(&f).await;
        // The report: listed without its records, one per session.
        let (s, body) = f.get(&f.token, &format!("{base}/attendanceReports")).await;
        assert_eq!(s, 200, "{body}");
        assert!(body["@odata.context"].as_str().unwrap().ends_with(&format!(
            "/v1.0/$metadata#users('{}')/onlineMeetings('{m}')/attendanceReports",
            f.organizer
        )));
        let reports = body["value"].as_array().unwrap();
        assert_eq!(reports.len(), 1);
        let report = &reports[0];
        assert_eq!(report["id"], view["attendanceReportId"]);
        assert_eq!(report["totalParticipantCount"], 5);
        assert_eq!(report["attendanceRecords"], json!([]));
        let keys: Vec<&String> = report.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "id",
                "totalParticipantCount",
                "meetingStartDateTime",
                "meetingEndDateTime",
                "attendanceRecords"
            ]
        );
        let start =
            chrono::DateTime::parse_from_rfc3339(report["meetingStartDateTime"].as_str().unwrap())
                .unwrap();
        let end =
            chrono::DateTime::parse_from_rfc3339(report["meetingEndDateTime"].as_str().unwrap())
                .unwrap();
        assert_eq!((end - start).num_seconds(), 1800);

        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn an_expanded_report_and_its_records_list_every_attendee_as_graph_does() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (m, base, _) = ended_meeting(&f).await;
        let (_, body) = f.get(&f.token, &format!("{base}/attendanceReports")).await;
        let rid = body["value"][0]["id"].as_str().unwrap().to_owned();
        // One report, expanded, and its records: the same records.
        let (s, expanded) = f
            .get(
                &f.token,
                &format!("{base}/attendanceReports/{rid}?$expand=attendanceRecords"),
            )
            .await;
        assert_eq!(s, 200, "{expanded}");
        assert!(expanded["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/attendanceReports(attendanceRecords())/$entity"));
        let records = expanded["attendanceRecords"].as_array().unwrap();
        assert_eq!(records.len(), 5);
        let by_name = |name: &str| {
            records
                .iter()
                .find(|r| r["identity"]["displayName"] == name)
                .unwrap_or_else(|| panic!("{name}: {records:?}"))
        };
        let organizer = records.iter().find(|r| r["role"] == "Organizer").unwrap();
        assert_eq!(organizer["totalAttendanceInSeconds"], 1800);
        assert_eq!(organizer["identity"]["id"], f.organizer);
        assert_eq!(organizer["identity"]["tenantId"], f.tenant);
        assert_eq!(
            organizer["emailAddress"],
            "organizer@graphmeetdev.onmicrosoft.com"
        );
        let bob = by_name("Bob Jones");
        assert_eq!(
            bob["role"], "Presenter",
            "allowedPresenters defaults to everyone"
        );
        assert_eq!(bob["totalAttendanceInSeconds"], 480 + 600);
        let intervals = bob["attendanceIntervals"].as_array().unwrap();
        assert_eq!(intervals.len(), 2);
        assert_eq!(intervals[1]["durationInSeconds"], 600);
        let join = intervals[0]["joinDateTime"].as_str().unwrap();
        let fraction = join.rsplit('.').next().unwrap();
        assert!(
            fraction.len() == 8 && fraction.ends_with('Z'),
            "seven digits as Graph writes them: {join}"
        );
        let guest = by_name("Pat Guest");
        assert_eq!(guest["emailAddress"], "pat@example.com");
        assert_eq!(guest["identity"]["tenantId"], Value::Null);
        assert_eq!(by_name("Visitor")["emailAddress"], Value::Null);
        let phone = by_name("+14255550100");
        assert_eq!(
            (
                phone["role"].clone(),
                phone["totalAttendanceInSeconds"].clone()
            ),
            (json!("Attendee"), json!(90))
        );
        let (s, listed) = f
            .get(
                &f.token,
                &format!("{base}/attendanceReports/{rid}/attendanceRecords"),
            )
            .await;
        assert_eq!(s, 200, "{listed}");
        assert_eq!(&listed["value"], &expanded["attendanceRecords"]);
        let (s, plain) = f
            .get(&f.token, &format!("{base}/attendanceReports/{rid}"))
            .await;
        assert_eq!((s, plain["attendanceRecords"].clone()), (200, json!([])));
        let (s, bad) = f
            .get(
                &f.token,
                &format!("{base}/attendanceReports/{rid}?$expand=participants"),
            )
            .await;
        assert_eq!(s, 400, "{bad}");
        // Beta serves the same.
        let (s, beta) = f
            .get(
                &f.token,
                &format!(
                    "/beta/users/{}/onlineMeetings/{m}/attendanceReports",
                    f.organizer
                ),
            )
            .await;
        assert_eq!((s, beta["value"][0]["id"].clone()), (200, json!(rid)));

        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn the_transcript_and_the_recording_share_the_call_and_the_correlation_id() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (m, base, _) = ended_meeting(&f).await;
        // The transcript and the recording share the call and the correlation id.
        let (s, transcripts) = f.get(&f.token, &format!("{base}/transcripts")).await;
        assert_eq!(s, 200, "{transcripts}");
        assert_eq!(transcripts["@odata.count"], 1);
        let transcript = &transcripts["value"][0];
        let tid = transcript["id"].as_str().unwrap();
        assert!(
            tid.starts_with("VjIjIz") && !tid.contains(['/', '+']),
            "{tid}"
        );
        assert_eq!(transcript["meetingId"], m);
        assert_eq!(transcript["meetingOrganizer"]["user"]["id"], f.organizer);
        assert_eq!(transcript["meetingOrganizer"]["user"]["tenantId"], f.tenant);
        assert_eq!(
            transcript["meetingOrganizer"]["user"]["userIdentityType"],
            "aadUser"
        );
        let url = transcript["transcriptContentUrl"].as_str().unwrap();
        assert!(
            url.ends_with(&format!("{base}/transcripts/{tid}/content")),
            "{url}"
        );
        let (s, recordings) = f.get(&f.token, &format!("{base}/recordings")).await;
        assert_eq!(s, 200, "{recordings}");
        let recording = &recordings["value"][0];
        let rec_id = recording["id"].as_str().unwrap();
        assert_eq!(recording["callId"], transcript["callId"]);
        assert_eq!(
            recording["contentCorrelationId"],
            transcript["contentCorrelationId"]
        );
        assert!(recording["contentCorrelationId"]
            .as_str()
            .unwrap()
            .ends_with("-0"));
        assert_ne!(rec_id, tid);
        // The documented filter on the correlation id.
        let correlation = transcript["contentCorrelationId"].as_str().unwrap();
        let (s, filtered) = f
            .get(
                &f.token,
                &format!("{base}/recordings?$filter=contentCorrelationId eq '{correlation}'"),
            )
            .await;
        assert_eq!(
            (s, filtered["value"][0]["id"].clone()),
            (200, json!(rec_id)),
            "{filtered}"
        );
        let (s, none) = f
            .get(
                &f.token,
                &format!("{base}/transcripts?$filter=contentCorrelationId eq 'other-0'"),
            )
            .await;
        assert_eq!((s, none["value"].clone()), (200, json!([])));
        let (s, _) = f
            .get(
                &f.token,
                &format!("{base}/transcripts?$filter=subject eq 'x'"),
            )
            .await;
        assert_eq!(s, 400);

        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn one_transcript_is_served_by_id_and_with_select() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (_, base, _) = ended_meeting(&f).await;
        let (_, transcripts) = f.get(&f.token, &format!("{base}/transcripts")).await;
        let transcript = &transcripts["value"][0];
        let tid = transcript["id"].as_str().unwrap();
        let (s, one) = f.get(&f.token, &format!("{base}/transcripts/{tid}")).await;
        assert_eq!(s, 200, "{one}");
        assert!(one["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/transcripts/$entity"));
        assert_eq!(one["endDateTime"], transcript["endDateTime"]);
        let (s, selected) = f
            .get(
                &f.token,
                &format!("{base}/transcripts/{tid}?$select=id,callId"),
            )
            .await;
        assert_eq!(s, 200, "{selected}");
        assert_eq!(selected.as_object().unwrap().len(), 3, "{selected}");
        let (s, bad) = f
            .get(
                &f.token,
                &format!("{base}/transcripts/{tid}?$select=subject"),
            )
            .await;
        assert_eq!(s, 400, "{bad}");

        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn the_transcript_content_is_webvtt_in_the_formats_graph_serves() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (_, base, _) = ended_meeting(&f).await;
        let (_, transcripts) = f.get(&f.token, &format!("{base}/transcripts")).await;
        let transcript = &transcripts["value"][0];
        let tid = transcript["id"].as_str().unwrap();
        // The WebVTT, as Teams writes it, in the formats Graph serves.
        let path = format!("{base}/transcripts/{tid}/content");
        let (s, ct, vtt) = f.raw(&f.token, &path, None).await;
        assert_eq!((s, ct.as_str()), (200, "text/vtt"));
        let vtt = String::from_utf8(vtt).unwrap();
        assert!(vtt.starts_with("WEBVTT\n\n"), "{vtt}");
        assert!(vtt.contains("00:00:05.000 --> 00:00:09.000\n<v graphmeet dev organizer>Welcome, everyone.</v>\n")
            || vtt.contains("--> 00:00:09.000\n<v "), "{vtt}");
        assert!(vtt.contains("<v Bob Jones>Thanks &lt;all&gt; &amp; hello.</v>"), "{vtt}");
        assert!(vtt.contains("00:16:00.000 --> 00:16:02.000\n<v Pat Guest>One question.</v>"), "{vtt}");
        let (s, _, body) = f
            .raw(&f.token, &path, Some("application/octet-stream, application/json"))
            .await;
        assert_eq!(s, 400);
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body["error"]["message"],
            "Invalid format 'application/octet-stream, application/json' specified."
        );
        let (s, ct, _) = f
            .raw(&f.token, &format!("{path}?$format=text/vtt"), Some("application/octet-stream, application/json"))
            .await;
        assert_eq!((s, ct.as_str()), (200, "text/vtt"));
        let (s, _, meta) = f
            .raw(&f.token, &format!("{base}/transcripts/{tid}/metadataContent"), None)
            .await;
        assert_eq!(s, 200);
        let meta = String::from_utf8(meta).unwrap();
        let cue: Value = serde_json::from_str(
            meta.lines().find(|l| l.contains("Pat Guest")).unwrap(),
        )
        .unwrap();
        assert_eq!(cue["spokenText"], "One question.");
        assert_eq!(cue["spokenLanguage"], "en-us");
        assert!(cue["startDateTime"].as_str().unwrap().ends_with("+00:00"));

        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn the_recording_is_an_mp4_as_long_as_the_meeting() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (_, base, _) = ended_meeting(&f).await;
        let (_, recordings) = f.get(&f.token, &format!("{base}/recordings")).await;
        let rec_id = recordings["value"][0]["id"].as_str().unwrap();
        // The recording: an MP4 as long as the meeting.
        let (s, ct, mp4) = f
            .raw(
                &f.token,
                &format!("{base}/recordings/{rec_id}/content"),
                None,
            )
            .await;
        assert_eq!((s, ct.as_str()), (200, "video/mp4"));
        let size = mp4.len() as u64;
        let reader = mp4::Mp4Reader::read_header(std::io::Cursor::new(mp4), size).unwrap();
        let seconds = reader.duration().as_secs_f64();
        assert!((1799.0..1801.0).contains(&seconds), "{seconds}");
        let track = reader.tracks().values().next().unwrap();
        assert_eq!(track.track_type().unwrap(), mp4::TrackType::Audio);

        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_second_session_is_a_second_attendance_report() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (m, base, _) = ended_meeting(&f).await;
        // A second session is a second report.
        f.play(&m).await;
        f.advance("PT31M").await;
        let (_, body) = f.get(&f.token, &format!("{base}/attendanceReports")).await;
        assert_eq!(body["value"].as_array().unwrap().len(), 2);

        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn deleting_the_meeting_deletes_what_it_left() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let (_, base, _) = ended_meeting(&f).await;
        // Deleting the meeting deletes what it left.
        let (s, _, _) = f.t.graph(Some(&f.token), Method::DELETE, &base, None).await;
        assert_eq!(s, 204);
        let (s, body) = f.get(&f.token, &format!("{base}/attendanceReports")).await;
        assert_eq!(s, 404, "{body}");
        f.t.server.shutdown().await;
    })
    .await;
}

/// Every artifact route, with the operation's own role.
fn routes(
    base: &str,
    rid: &str,
    tid: &str,
    rec: &str,
    organizer: &str,
) -> Vec<(String, &'static str)> {
    vec![
        (format!("{base}/attendanceReports"), ARTIFACT_ROLES[0]),
        (format!("{base}/attendanceReports/{rid}"), ARTIFACT_ROLES[0]),
        (format!("{base}/attendanceReports/{rid}/attendanceRecords"), ARTIFACT_ROLES[0]),
        (format!("{base}/transcripts"), ARTIFACT_ROLES[1]),
        (format!("{base}/transcripts/{tid}"), ARTIFACT_ROLES[1]),
        (format!("{base}/transcripts/{tid}/content"), ARTIFACT_ROLES[1]),
        (format!("{base}/transcripts/{tid}/metadataContent"), ARTIFACT_ROLES[1]),
        (format!("{base}/recordings"), ARTIFACT_ROLES[2]),
        (format!("{base}/recordings/{rec}"), ARTIFACT_ROLES[2]),
        (format!("{base}/recordings/{rec}/content"), ARTIFACT_ROLES[2]),
        (
            format!("/v1.0/users/{organizer}/onlineMeetings/getAllTranscripts(meetingOrganizerUserId='{organizer}')"),
            ARTIFACT_ROLES[1],
        ),
        (
            format!("/v1.0/users/{organizer}/onlineMeetings/getAllRecordings(meetingOrganizerUserId='{organizer}')"),
            ARTIFACT_ROLES[2],
        ),
    ]
}

#[tokio::test]
async fn every_artifact_route_needs_its_permission_and_the_access_policy() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let m = f.meeting("Board").await;
        let view = f.play(&m).await;
        f.advance("PT31M").await;
        let (rid, tid, rec) = (
            view["attendanceReportId"].as_str().unwrap(),
            view["transcriptId"].as_str().unwrap(),
            view["recordingId"].as_str().unwrap(),
        );
        let base = format!("/v1.0/users/{}/onlineMeetings/{m}", f.organizer);
        for (path, role) in routes(&base, rid, tid, rec, &f.organizer) {
            let (s, _) = f.get(&f.token, &path).await;
            assert_eq!(s, 200, "{path}");
            // An app without the artifact permission.
            let (s, body) = f.get(&f.meetings_only, &path).await;
            assert_eq!(s, 403, "{path}: {body}");
            assert_eq!(
                body["error"]["message"],
                format!("Missing role permissions on the request. API requires one of '{role}'. Roles on the request 'OnlineMeetings.ReadWrite.All'."),
                "{path}"
            );
        }
        // One artifact permission does not open another's routes.
        let (s, body) = f
            .t
            .admin(Method::POST, "/admin/consents/revoke", Some(json!({"tenant": f.tenant, "app_id": f.t.cred("client_id"), "roles": [ARTIFACT_ROLES[1], ARTIFACT_ROLES[2]]})))
            .await;
        assert_eq!(s, 200, "{body}");
        let attendance_only = f.t.app_token().await;
        for (path, role) in routes(&base, rid, tid, rec, &f.organizer) {
            let (s, _) = f.get(&attendance_only, &path).await;
            assert_eq!(s, if role == ARTIFACT_ROLES[0] { 200 } else { 403 }, "{path}");
        }

        // An organizer no application access policy covers: 403 before anything is looked up.
        let carl_base = format!("/v1.0/users/{}/onlineMeetings/{m}", f.bob);
        for (path, _) in routes(&carl_base, rid, tid, rec, &f.bob) {
            let (s, h, body) = f.t.graph(Some(&f.token), Method::GET, &path, None).await;
            assert_eq!(s, 403, "{path}: {body}");
            assert_eq!(
                body["error"]["message"],
                format!("No application access policy found for this app {} on the user", f.t.cred("client_id")),
                "{path}"
            );
            assert!(h.get("x-graphmeet-policy-decision").is_some(), "{path}");
        }
        // Granted, Bob is found, but the meeting is not his.
        let (s, body) = f
            .t
            .admin(Method::POST, "/admin/policy-grants", Some(json!({"policy_name": "graphmeet-dev-meetings", "user": f.bob})))
            .await;
        assert_eq!(s, 200, "{body}");
        let (s, body) = f.get(&f.token, &format!("{carl_base}/transcripts")).await;
        assert_eq!(s, 404, "{body}");
        assert_eq!(body["error"]["message"], format!("Organizer Id mismatch User Id: {}.", f.bob));

        // The 404s: no such meeting, report, transcript, recording.
        let other = f.meeting("Never played").await;
        let (s, _, _) = f.t.graph(Some(&f.meetings_only), Method::DELETE, &format!("/v1.0/users/{}/onlineMeetings/{other}", f.organizer), None).await;
        assert_eq!(s, 204);
        let gone = format!("/v1.0/users/{}/onlineMeetings/{other}", f.organizer);
        for path in [format!("{gone}/attendanceReports"), format!("{gone}/transcripts"), format!("{gone}/recordings")] {
            let (s, body) = f.get(&f.token, &path).await;
            assert_eq!(s, 404, "{path}: {body}");
            assert_eq!(body["error"]["code"], "NotFound");
        }
        let (s, _) = f.get(&attendance_only, &format!("{base}/attendanceReports/5a7b7c6f-0000-4000-8000-000000000000")).await;
        assert_eq!(s, 404);
        let (s, _) = f.get(&attendance_only, &format!("{base}/attendanceReports/not-a-guid/attendanceRecords")).await;
        assert_eq!(s, 404);
        // A token keeps the roles it was issued with.
        let (s, body) = f.get(&f.token, &format!("{base}/transcripts/{rec}")).await;
        assert_eq!(s, 404, "a recording's id names no transcript: {body}");
        // A corrupted meeting id is Graph's 400.
        let (s, body) = f.get(&attendance_only, &format!("/v1.0/users/{}/onlineMeetings/bm90LWEtbWVldGluZw/attendanceReports", f.organizer)).await;
        assert_eq!(s, 400, "{body}");
        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn artifact_404s_name_the_missing_transcript_and_recording() {
    let f = Fixture::new(None).await;
    let m = f.meeting("x").await;
    let view = f.play(&m).await;
    let base = format!("/v1.0/users/{}/onlineMeetings/{m}", f.organizer);
    // Before the end, the ids are not served yet.
    let tid = view["transcriptId"].as_str().unwrap();
    let (s, body) = f.get(&f.token, &format!("{base}/transcripts/{tid}")).await;
    assert_eq!(s, 404, "{body}");
    f.advance("PT30M").await;
    let (s, _) = f.get(&f.token, &format!("{base}/transcripts/{tid}")).await;
    assert_eq!(s, 200);
    let rec = view["recordingId"].as_str().unwrap();
    for path in [
        format!("{base}/transcripts/{rec}"),
        format!("{base}/recordings/{tid}"),
        format!("{base}/recordings/unknown/content"),
        format!("{base}/transcripts/unknown/content"),
    ] {
        let (s, body) = f.get(&f.token, &path).await;
        assert_eq!(s, 404, "{path}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("was not found"),
            "{body}"
        );
    }
    f.t.server.shutdown().await;
}

#[tokio::test]
async fn the_tenant_transcript_switches_close_transcripts_only() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let m = f.meeting("Switches").await;
        let view = f.play(&m).await;
        f.advance("PT31M").await;
        let base = format!("/v1.0/users/{}/onlineMeetings/{m}", f.organizer);
        let tid = view["transcriptId"].as_str().unwrap();
        let cfg = format!("/admin/tenants/{}/meeting-configuration", f.tenant);
        let (s, body) = f.t.admin(Method::GET, &cfg, None).await;
        assert_eq!((s, body.clone()), (200, json!({"enableGraphTranscriptAccess": true, "enableAttributedTranscripts": true})), "{body}");

        let (s, body) = f.t.admin(Method::PATCH, &cfg, Some(json!({"enableGraphTranscriptAccess": false}))).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["enableAttributedTranscripts"], true);
        for path in [
            format!("{base}/transcripts"),
            format!("{base}/transcripts/{tid}"),
            format!("{base}/transcripts/{tid}/content"),
            format!("{base}/transcripts/{tid}/content?$format=text/vtt"),
            format!("{base}/transcripts/{tid}/metadataContent"),
            format!("/v1.0/users/{}/onlineMeetings/getAllTranscripts(meetingOrganizerUserId='{}')", f.organizer, f.organizer),
        ] {
            let (s, body) = f.get(&f.token, &path).await;
            assert_eq!(s, 403, "{path}: {body}");
            assert_eq!(body["error"]["innerError"]["code"], "GraphAccessToTranscriptsDisabled", "{path}");
        }
        for path in [format!("{base}/recordings"), format!("{base}/attendanceReports")] {
            let (s, _) = f.get(&f.token, &path).await;
            assert_eq!(s, 200, "{path}");
        }

        let (s, _) = f.t.admin(Method::PATCH, &cfg, Some(json!({"enableGraphTranscriptAccess": true, "enableAttributedTranscripts": false}))).await;
        assert_eq!(s, 200);
        let (s, _) = f.get(&f.token, &format!("{base}/transcripts")).await;
        assert_eq!(s, 200, "listing works without attribution");
        let content = format!("{base}/transcripts/{tid}/content");
        let (s, _, body) = f.raw(&f.token, &content, Some("text/vtt")).await;
        assert_eq!(s, 403);
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["innerError"]["code"], "SpeakerAttributionNotAllowed");
        assert_eq!(body["error"]["message"], "Speaker-attributed transcript content is disabled for this tenant");
        let (s, ct, text) = f
            .raw(&f.token, &content, Some("application/vnd.microsoft.graph.transcript+text"))
            .await;
        assert_eq!((s, ct.as_str()), (200, "application/vnd.microsoft.graph.transcript+text"));
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("One question.") && !text.contains("<v "), "{text}");

        let (s, body) = f.t.admin(Method::PATCH, &cfg, Some(json!({"enableTranscripts": false}))).await;
        assert_eq!(s, 422, "{body}");
        let (s, _) = f.t.admin(Method::GET, "/admin/tenants/nope.onmicrosoft.com/meeting-configuration", None).await;
        assert_eq!(s, 404);
        f.t.server.shutdown().await;
    })
    .await;
}

fn path_of(link: &str) -> String {
    let url = url::Url::parse(link).unwrap();
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

#[tokio::test]
async fn get_all_transcripts_takes_a_window_pages_and_follows_deltas() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let m = f.meeting("Series").await;
        let (_, clock) = f.t.admin(Method::GET, "/admin/clock", None).await;
        let t0 = chrono::DateTime::parse_from_rfc3339(clock["now"].as_str().unwrap()).unwrap();
        let mut ids = Vec::new();
        for _ in 0..3 {
            let view = f.play(&m).await;
            ids.push(view["transcriptId"].as_str().unwrap().to_owned());
            f.advance("PT1H").await;
        }
        // Three virtual hours later the fixture's token has expired.
        let token = f.t.app_token().await;
        let f = Fixture { token, ..f };
        let org = &f.organizer;
        let all = format!("/v1.0/users/{org}/onlineMeetings/getAllTranscripts(meetingOrganizerUserId='{org}')");
        let (s, body) = f.get(&f.token, &all).await;
        assert_eq!(s, 200, "{body}");
        assert!(body["@odata.context"].as_str().unwrap().ends_with("/v1.0/$metadata#Collection(callTranscript)"));
        let got: Vec<&str> = body["value"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
        assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(body["value"][0]["@odata.type"], "#microsoft.graph.callTranscript");
        assert_eq!(body["@odata.count"], 3);
        assert!(body.get("@odata.nextLink").is_none() && body.get("@odata.deltaLink").is_none());

        // The creation window.
        let at = |h: i64| (t0 + chrono::Duration::minutes(h * 60 - 1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let window = format!("/v1.0/users/{org}/onlineMeetings/getAllTranscripts(meetingOrganizerUserId='{org}',startDateTime={},endDateTime={})", at(1), at(2));
        let (s, body) = f.get(&f.token, &window).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["value"].as_array().unwrap().len(), 1);
        assert_eq!(body["value"][0]["id"], ids[1]);
        // Recordings likewise.
        let (s, body) = f.get(&f.token, &format!("/v1.0/users/{org}/onlineMeetings/getAllRecordings(meetingOrganizerUserId='{org}',startDateTime={})", at(2))).await;
        assert_eq!((s, body["value"].as_array().unwrap().len()), (200, 1), "{body}");
        assert_eq!(body["@odata.context"].as_str().unwrap().rsplit('#').next().unwrap(), "Collection(callRecording)");

        // Pages of $top, by skipToken.
        let (_, page) = f.get(&f.token, &format!("{all}?$top=2")).await;
        assert_eq!(page["value"].as_array().unwrap().len(), 2);
        let next = page["@odata.nextLink"].as_str().unwrap();
        assert!(next.contains("?skipToken="), "{next}");
        let (s, page) = f.get(&f.token, &path_of(next)).await;
        assert_eq!(s, 200, "{page}");
        assert_eq!(page["value"][0]["id"], ids[2]);
        assert!(page.get("@odata.nextLink").is_none());

        // Delta: everything so far, then only what is new.
        let (s, delta) = f.get(&f.token, &format!("{all}/delta")).await;
        assert_eq!(s, 200, "{delta}");
        assert_eq!(delta["value"].as_array().unwrap().len(), 3);
        let link = delta["@odata.deltaLink"].as_str().unwrap().to_owned();
        assert!(link.contains("/delta?skipToken="), "{link}");
        let (_, again) = f.get(&f.token, &path_of(&link)).await;
        assert_eq!(again["value"], json!([]));
        // A session played now (still going on) appears once it has ended, and one played
        // afterwards for an earlier time appears at once.
        let view = f.play(&m).await;
        let (_, during) = f.get(&f.token, &path_of(&link)).await;
        assert_eq!(during["value"], json!([]));
        f.advance("PT30M").await;
        let (s, body) = f.t.admin(Method::POST, &format!("/admin/meetings/{m}/play"), Some(json!({"start": "now-PT2H", "participants": [{"user": org, "leave": "PT10M"}]}))).await;
        assert_eq!(s, 201, "{body}");
        let (_, news) = f.get(&f.token, &path_of(&link)).await;
        let got: Vec<&Value> = news["value"].as_array().unwrap().iter().map(|t| &t["id"]).collect();
        assert_eq!(got, vec![&view["transcriptId"], &body["transcriptId"]]);
        let (_, last) = f.get(&f.token, &path_of(news["@odata.deltaLink"].as_str().unwrap())).await;
        assert_eq!(last["value"], json!([]));

        // The organizer is required, as the filter form or the parameter, and is the path's.
        let bare = format!("/v1.0/users/{org}/onlineMeetings/getAllTranscripts");
        let (s, body) = f.get(&f.token, &bare).await;
        assert_eq!(s, 400, "{body}");
        let (s, body) = f.get(&f.token, &format!("{bare}?$filter=MeetingOrganizer/User/Id eq '{org}'")).await;
        assert_eq!((s, body["value"].as_array().map(Vec::len)), (200, Some(5)), "{body}");
        let (s, _) = f.get(&f.token, &format!("/v1.0/users/{org}/onlineMeetings/getAllTranscripts(meetingOrganizerUserId='{}')", f.bob)).await;
        assert_eq!(s, 400);
        let (s, _) = f.get(&f.token, &format!("/v1.0/users/{org}/onlineMeetings/getAllTranscripts(startDateTime=soon)")).await;
        assert_eq!(s, 400);
        let (s, _) = f.get(&f.token, &format!("{all}?skipToken=garbage")).await;
        assert_eq!(s, 400);
        f.t.server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_signed_in_organizer_reads_their_artifacts_on_me_and_get_all_is_app_only() {
    let f = Fixture::new(None).await;
    let t = &f.t;
    let (s, dana) = t
        .admin(Method::POST, "/admin/users", Some(json!({"tenant": f.tenant, "upn": "dana@graphmeetdev.onmicrosoft.com", "password": "correct horse battery"})))
        .await;
    assert_eq!(s, 201, "{dana}");
    let token_for = |scope: &'static str| async move {
        let (s, _, body) = t
            .token_form(
                &t.cred("tenant_id"),
                &[
                    ("grant_type", "password"),
                    ("client_id", &t.cred("client_id")),
                    ("client_secret", &t.cred("client_secret")),
                    ("username", "dana@graphmeetdev.onmicrosoft.com"),
                    ("password", "correct horse battery"),
                    ("scope", scope),
                ],
            )
            .await;
        assert_eq!(s, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    };
    let full = token_for("https://graph.microsoft.com/OnlineMeetings.ReadWrite https://graph.microsoft.com/OnlineMeetingArtifact.Read.All https://graph.microsoft.com/OnlineMeetingTranscript.Read.All").await;
    let meetings_only = token_for("https://graph.microsoft.com/OnlineMeetings.ReadWrite").await;
    let (s, _, m) = t
        .graph(
            Some(&full),
            Method::POST,
            "/v1.0/me/onlineMeetings",
            Some(json!({"subject": "mine"})),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let id = m["id"].as_str().unwrap();
    let (s, _) = t
        .admin(Method::POST, &format!("/admin/meetings/{id}/play"), Some(json!({"start": "now-PT1H", "participants": [{"user": dana["id"], "leave": "PT20M"}], "utterances": [{"speaker": "dana@graphmeetdev.onmicrosoft.com", "at": "PT1M", "text": "Notes to self."}]})))
        .await;
    assert_eq!(s, 201);
    let (s, body) = f
        .get(
            &full,
            &format!("/v1.0/me/onlineMeetings/{id}/attendanceReports"),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["value"][0]["totalParticipantCount"], 1);
    let (s, body) = f
        .get(&full, &format!("/v1.0/me/onlineMeetings/{id}/transcripts"))
        .await;
    assert_eq!((s, body["@odata.count"].clone()), (200, json!(1)), "{body}");
    let (s, body) = f
        .get(
            &meetings_only,
            &format!("/v1.0/me/onlineMeetings/{id}/attendanceReports"),
        )
        .await;
    assert_eq!(s, 403, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("OnlineMeetingArtifact.Read.All"));
    // A signed-in user reads their own artifacts only.
    let (s, _) = f
        .get(
            &full,
            &format!(
                "/v1.0/users/{}/onlineMeetings/{id}/attendanceReports",
                f.organizer
            ),
        )
        .await;
    assert_eq!(s, 403);
    // getAll* is for applications.
    let dana_id = dana["id"].as_str().unwrap();
    let (s, body) = f.get(&full, &format!("/v1.0/users/{dana_id}/onlineMeetings/getAllTranscripts(meetingOrganizerUserId='{dana_id}')")).await;
    assert_eq!(s, 403, "{body}");
    // An app token on /me is refused as on every /me route.
    let (s, _) = f
        .get(
            &f.token,
            &format!("/v1.0/me/onlineMeetings/{id}/transcripts"),
        )
        .await;
    assert_eq!(s, 400);
    f.t.server.shutdown().await;
}

#[tokio::test]
async fn a_play_script_that_breaks_a_rule_is_refused_with_the_reason() {
    let f = Fixture::new(None).await;
    let m = f.meeting("Rules").await;
    let org = "organizer@graphmeetdev.onmicrosoft.com";
    for (script, says) in [
        (json!({"participants": []}), "at least one participant"),
        (
            json!({"participants": [{"user": "nobody@nowhere.example", "leave": "PT1M"}]}),
            "no user 'nobody@nowhere.example'",
        ),
        (
            json!({"participants": [{"user": org, "guest": "x", "leave": "PT1M"}]}),
            "exactly one of",
        ),
        (json!({"participants": [{"user": org}]}), "leave"),
        (
            json!({"participants": [{"user": org, "join": "PT5M", "leave": "PT1M"}]}),
            "ends before it begins",
        ),
        (
            json!({"participants": [{"user": org, "intervals": [{"join": "PT0S", "leave": "PT5M"}, {"join": "PT4M", "leave": "PT6M"}]}]}),
            "before the one before it ended",
        ),
        (
            json!({"participants": [{"user": org, "leave": "PT1M"}], "utterances": [{"speaker": "Bob", "at": "PT1S", "text": "hi"}]}),
            "none of the participants",
        ),
        (
            json!({"participants": [{"user": org, "leave": "PT1M"}], "utterances": [{"speaker": org, "at": "PT2M", "text": "late"}]}),
            "is not in the meeting",
        ),
        (
            json!({"participants": [{"phone": "call me", "leave": "PT1M"}]}),
            "not a phone number",
        ),
        (
            json!({"participants": [{"user": org, "leave": "PT1M", "role": "King"}]}),
            "none of None, Attendee",
        ),
        (
            json!({"start": "tomorrow", "participants": [{"user": org, "leave": "PT1M"}]}),
            "start",
        ),
        (
            json!({"participants": [{"user": org, "leave": "90"}]}),
            "neither an offset",
        ),
        (
            json!({"participants": [{"user": org, "leave": "P2D"}]}),
            "at most 30 hours",
        ),
    ] {
        let (s, body) =
            f.t.admin(
                Method::POST,
                &format!("/admin/meetings/{m}/play"),
                Some(script.clone()),
            )
            .await;
        assert_eq!(s, 400, "{script}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{script}: {message}");
    }
    let (s, _) =
        f.t.admin(
            Method::POST,
            "/admin/meetings/MSoxKjAqKjE5/play",
            Some(json!({"participants": [{"user": org, "leave": "PT1M"}]})),
        )
        .await;
    assert!(s == 400 || s == 404, "{s}");
    let (s, _) =
        f.t.admin(
            Method::POST,
            &format!("/admin/meetings/{m}/play"),
            Some(json!({"bogus": 1})),
        )
        .await;
    assert_eq!(s, 422);
    // The admin key guards it.
    let r =
        f.t.http
            .post(f.t.url(&format!("/admin/meetings/{m}/play")))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // A role and roleIsPresenter settings.
    let (s, _, m2) =
        f.t.graph(
            Some(&f.meetings_only),
            Method::POST,
            &format!("/v1.0/users/{}/onlineMeetings", f.organizer),
            Some(json!({"allowedPresenters": "organizer"})),
        )
        .await;
    assert_eq!(s, 201);
    let m2 = m2["id"].as_str().unwrap();
    let (s, _) = f
        .t
        .admin(Method::POST, &format!("/admin/meetings/{m2}/play"), Some(json!({"start": "now-PT1H", "participants": [{"user": f.bob, "leave": "PT1M"}, {"guest": "G", "leave": "PT1M", "role": "Presenter"}]})))
        .await;
    assert_eq!(s, 201);
    let base = format!("/v1.0/users/{}/onlineMeetings/{m2}", f.organizer);
    let (_, reports) = f.get(&f.token, &format!("{base}/attendanceReports")).await;
    let rid = reports["value"][0]["id"].as_str().unwrap();
    let (_, records) = f
        .get(
            &f.token,
            &format!("{base}/attendanceReports/{rid}/attendanceRecords"),
        )
        .await;
    let roles: Vec<&Value> = records["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["role"])
        .collect();
    assert_eq!(roles, [&json!("Attendee"), &json!("Presenter")]);
    f.t.server.shutdown().await;
}

#[tokio::test]
async fn a_seed_makes_and_plays_its_meetings_once() {
    on_every_backend(|db| async move {
        let f = Fixture::new(db).await;
        let seed = json!({"tenant": [{
            "name": "graphmeet dev",
            "domain": "graphmeetdev.onmicrosoft.com",
            "meeting": [{
                "organizer": "organizer@graphmeetdev.onmicrosoft.com",
                "external_id": "seeded-standup",
                "subject": "Seeded stand-up",
                "play": [
                    {"start": "now-PT2H", "participants": [{"user": "organizer@graphmeetdev.onmicrosoft.com", "leave": "PT15M"}, {"guest": "Visitor", "join": "PT1M", "leave": "PT5M"}],
                     "utterances": [{"speaker": "Visitor", "at": "PT2M", "text": "Hello from the seed."}]},
                    {"start": "now-PT1H", "participants": [{"user": "bob@graphmeetdev.onmicrosoft.com", "leave": "PT10M"}], "record": false}
                ]
            }]
        }]});
        let (s, summary) = f.t.admin(Method::POST, "/admin/apply", Some(seed.clone())).await;
        assert_eq!(s, 200, "{summary}");
        assert_eq!(summary["played"], json!({"meetings_created": 1, "meetings_unchanged": 0, "sessions": 2}));
        let (s, again) = f.t.admin(Method::POST, "/admin/apply", Some(seed)).await;
        assert_eq!(s, 200, "{again}");
        assert_eq!(again["played"], json!({"meetings_created": 0, "meetings_unchanged": 1, "sessions": 0}));
        // The application finds the seeded meeting by its external id and reads its artifacts.
        let (s, _, m) = f
            .t
            .graph(Some(&f.meetings_only), Method::POST, &format!("/v1.0/users/{}/onlineMeetings/createOrGet", f.organizer), Some(json!({"externalId": "seeded-standup"})))
            .await;
        assert_eq!(s, 200, "{m}");
        assert_eq!(m["subject"], "Seeded stand-up");
        let base = format!("/v1.0/users/{}/onlineMeetings/{}", f.organizer, m["id"].as_str().unwrap());
        let (_, reports) = f.get(&f.token, &format!("{base}/attendanceReports")).await;
        assert_eq!(reports["value"].as_array().unwrap().len(), 2, "{reports}");
        let (_, recordings) = f.get(&f.token, &format!("{base}/recordings")).await;
        assert_eq!(recordings["value"].as_array().unwrap().len(), 1, "{recordings}");
        let (_, transcripts) = f.get(&f.token, &format!("{base}/transcripts")).await;
        let tid = transcripts["value"][0]["id"].as_str().unwrap();
        let (_, _, vtt) = f.raw(&f.token, &format!("{base}/transcripts/{tid}/content"), None).await;
        assert!(String::from_utf8(vtt).unwrap().contains("<v Visitor>Hello from the seed.</v>"));
        // A seed whose play breaks a rule says where.
        let bad = json!({"tenant": [{"name": "graphmeet dev", "domain": "graphmeetdev.onmicrosoft.com",
            "meeting": [{"organizer": "organizer@graphmeetdev.onmicrosoft.com", "external_id": "bad", "play": [{"participants": []}]}]}]});
        let (s, body) = f.t.admin(Method::POST, "/admin/apply", Some(bad)).await;
        assert_eq!(s, 400, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("meeting bad, play 0") && message.contains("at least one participant"), "{message}");
        let unknown = json!({"tenant": [{"name": "graphmeet dev", "domain": "graphmeetdev.onmicrosoft.com",
            "meeting": [{"organizer": "nobody@graphmeetdev.onmicrosoft.com", "external_id": "x"}]}]});
        let (s, body) = f.t.admin(Method::POST, "/admin/apply", Some(unknown)).await;
        assert_eq!(s, 404, "{body}");
        f.t.server.shutdown().await;
    })
    .await;
}
