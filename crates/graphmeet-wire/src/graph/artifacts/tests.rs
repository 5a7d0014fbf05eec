//! The artifacts' tests: the documented examples, ids, WebVTT, format negotiation and the
//! getAll* segments.

use super::*;
use chrono::Duration;
use chrono::TimeZone;
use uuid::Uuid;

#[test]
fn report_and_record_render_as_the_documented_examples() {
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let report = AttendanceReport {
        id: Uuid::parse_str("c9b6db1c-d5eb-427d-a5c0-20088d9b22d7").unwrap(),
        meeting_start: at("2021-10-05T04:38:23.945Z"),
        meeting_end: at("2021-10-05T04:43:49.77Z"),
        records: vec![AttendanceRecord {
            email_address: Some("frederick.cormier@contoso.com".into()),
            identity: AttendanceIdentity {
                id: "dc17674c-81d9-4adb-bfb2-8f6a442e4623".into(),
                display_name: "Frederick Cormier".into(),
                tenant_id: None,
            },
            role: AttendanceRole::Organizer,
            intervals: vec![AttendanceInterval {
                join: at("2021-10-05T04:38:27.6027225Z"),
                leave: at("2021-10-05T04:43:49.7702391Z"),
            }],
        }],
    };
    assert_eq!(
        report.to_json(false).to_string(),
        r#"{"id":"c9b6db1c-d5eb-427d-a5c0-20088d9b22d7","totalParticipantCount":1,"meetingStartDateTime":"2021-10-05T04:38:23.945Z","meetingEndDateTime":"2021-10-05T04:43:49.77Z","attendanceRecords":[]}"#
    );
    assert_eq!(
        report.records[0].to_json().to_string(),
        r#"{"emailAddress":"frederick.cormier@contoso.com","totalAttendanceInSeconds":322,"role":"Organizer","identity":{"id":"dc17674c-81d9-4adb-bfb2-8f6a442e4623","displayName":"Frederick Cormier","tenantId":null},"attendanceIntervals":[{"joinDateTime":"2021-10-05T04:38:27.6027225Z","leaveDateTime":"2021-10-05T04:43:49.7702391Z","durationInSeconds":322}]}"#
    );
}

#[test]
fn artifact_ids_decode_as_the_documented_v2_form() {
    let org = Uuid::new_v4();
    let tenant = Uuid::new_v4();
    let guid = Uuid::new_v4();
    let start = Utc.with_ymd_and_hms(2023, 12, 2, 10, 0, 0).unwrap();
    let id = artifact_id(org, tenant, start, Uuid::new_v4(), guid);
    assert!(id.starts_with("VjIjIz"), "{id}");
    let text = String::from_utf8(crate::b64::std_decode(&id).unwrap()).unwrap();
    assert!(
        text.contains("040000008200E00074C5B7101A82E00807E70C02"),
        "{text}"
    );
    assert_eq!(artifact_guid(&id), Some(guid));
}

#[test]
fn vtt_has_teams_cues_with_voice_spans() {
    let t0 = Utc.with_ymd_and_hms(2023, 3, 8, 8, 22, 14).unwrap();
    let cue = TranscriptCue {
        id: "abc/1-0".into(),
        start: Duration::milliseconds(16_246),
        end: Duration::milliseconds(17_726),
        start_at: t0 + Duration::milliseconds(16_246),
        end_at: t0 + Duration::milliseconds(17_726),
        speaker: "User Name".into(),
        text: "This is a <test> & more".into(),
        language: "en-us".into(),
    };
    assert_eq!(
        render_vtt(std::slice::from_ref(&cue), true),
        "WEBVTT\n\nabc/1-0\n00:00:16.246 --> 00:00:17.726\n<v User Name>This is a &lt;test&gt; &amp; more</v>\n"
    );
    assert_eq!(
        render_vtt(std::slice::from_ref(&cue), false),
        "WEBVTT\n\nabc/1-0\n00:00:16.246 --> 00:00:17.726\nThis is a &lt;test&gt; &amp; more\n"
    );
    let meta = render_metadata_vtt(&[cue]);
    assert!(meta.contains("00:00:16.246 --> 00:00:17.726\n{\"startDateTime\":\"2023-03-08T08:22:30.2460000+00:00\""), "{meta}");
    assert_eq!(vtt_time(Duration::milliseconds(-1500)), "-00:00:01.500");
}

#[test]
fn formats_are_negotiated_as_graph_does() {
    use TranscriptFormat::*;
    assert_eq!(TranscriptFormat::negotiate(None, None).unwrap(), Vtt);
    assert_eq!(
        TranscriptFormat::negotiate(Some("text/vtt"), Some("application/json")).unwrap(),
        Vtt
    );
    assert_eq!(TranscriptFormat::negotiate(None, Some("*/*")).unwrap(), Vtt);
    assert_eq!(
        TranscriptFormat::negotiate(None, Some(UNATTRIBUTED_MEDIA_TYPE)).unwrap(),
        Unattributed
    );
    let e = TranscriptFormat::negotiate(None, Some("application/octet-stream, application/json"))
        .unwrap_err();
    assert_eq!(e.status, 400);
    assert_eq!(
        e.message,
        "Invalid format 'application/octet-stream, application/json' specified."
    );
    assert!(TranscriptFormat::negotiate(Some("docx"), None).is_err());
}

#[test]
fn get_all_segments_parse() {
    let call = GetAllCall::parse("getAllTranscripts(meetingOrganizerUserId='abc',startDateTime=2023-01-01T00:00:00Z,endDateTime=2023-02-01T00:00:00Z)")
        .unwrap()
        .unwrap();
    assert_eq!(call.kind, ArtifactKind::Transcript);
    assert_eq!(call.organizer.as_deref(), Some("abc"));
    assert_eq!(
        call.start,
        Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap())
    );
    assert_eq!(
        call.segment("abc"),
        "getAllTranscripts(meetingOrganizerUserId='abc',startDateTime=2023-01-01T00:00:00Z,endDateTime=2023-02-01T00:00:00Z)"
    );
    assert_eq!(
        GetAllCall::parse("getAllRecordings")
            .unwrap()
            .unwrap()
            .organizer,
        None
    );
    assert!(GetAllCall::parse("MSo1N2Y5").is_none());
    assert!(
        GetAllCall::parse("getAllRecordings(startDateTime=yesterday)")
            .unwrap()
            .is_err()
    );
}
