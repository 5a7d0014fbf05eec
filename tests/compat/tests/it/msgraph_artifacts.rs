//! The Microsoft Graph Python SDK (`msgraph-sdk` with `azure-identity`, from PyPI) reads what a
//! meeting played on a graphmeet server left behind, over HTTPS with only the authority and the
//! Graph base URL changed: the attendance report and its records, the transcript (parsed as
//! WebVTT by `webvtt-py`), the recording (read as an MP4 by `mutagen`), getAllTranscripts, and
//! the 403s of an app without the artifact permission and of an organizer no policy covers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::{json, Value};

#[tokio::test]
async fn msgraph_sdk_reads_the_artifacts_of_a_played_meeting(
) -> Result<(), graphmeet_compat::VenvError> {
    let python = graphmeet_compat::venv_python()?;
    let t = graphmeet_testkit::TestServer::start().await;
    let admin_key = t.admin_key();
    let graphmeet_testkit::TestServer {
        server, http, dir, ..
    } = t;
    let creds_path = server.dev_credentials.clone().unwrap();
    let ca = server.ca_cert_path.clone().unwrap();
    let mut args: Value = serde_json::from_slice(&std::fs::read(&creds_path).unwrap()).unwrap();
    let admin = |method: reqwest::Method, path: &str, body: Value| {
        let request = http
            .request(method, format!("{}{path}", server.base_url))
            .header("x-graphmeet-admin-key", admin_key.trim())
            .json(&body);
        let path = path.to_owned();
        async move {
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            assert!(status == 200 || status == 201, "{path}: {status} {body}");
            body
        }
    };
    let tenant = args["tenant_id"].as_str().unwrap().to_owned();
    admin(
        reqwest::Method::POST,
        "/admin/consents",
        json!({"tenant": tenant, "app_id": args["client_id"], "roles": [
            "OnlineMeetingArtifact.Read.All", "OnlineMeetingTranscript.Read.All", "OnlineMeetingRecording.Read.All"
        ]}),
    )
    .await;
    let bob = admin(
        reqwest::Method::POST,
        "/admin/users",
        json!({"tenant": tenant, "upn": "bob@graphmeetdev.onmicrosoft.com"}),
    )
    .await;
    let other = admin(
        reqwest::Method::POST,
        "/admin/apps",
        json!({"tenant": tenant, "display_name": "No artifacts"}),
    )
    .await;
    let other_id = other["app_id"].as_str().unwrap().to_owned();
    let secret = admin(
        reqwest::Method::POST,
        &format!("/admin/apps/{other_id}/secrets"),
        json!({}),
    )
    .await;
    admin(
        reqwest::Method::POST,
        "/admin/consents",
        json!({"tenant": tenant, "app_id": other_id, "roles": ["OnlineMeetings.ReadWrite.All"]}),
    )
    .await;
    let map = args.as_object_mut().unwrap();
    map.insert("server_url".into(), json!(server.base_url));
    map.insert("admin_key".into(), json!(admin_key.trim()));
    map.insert("bob".into(), bob["id"].clone());
    map.insert("other_client_id".into(), json!(other_id));
    map.insert("other_client_secret".into(), secret["secret_text"].clone());
    let args_path = dir.path().join("artifacts-args.json");
    std::fs::write(&args_path, args.to_string()).unwrap();

    let script = graphmeet_compat::python_dir().join("msgraph_artifacts.py");
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(&args_path)
        .env("SSL_CERT_FILE", &ca)
        .env("REQUESTS_CA_BUNDLE", &ca)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let out: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&output.stdout)));

    assert_eq!(out["play"]["status"], 201, "{out}");
    assert_eq!(out["play"]["body"]["state"], "ended");

    // The report: 3 participants, 40 minutes, no records in the list; the records.
    let report = &out["reports"][0];
    assert_eq!(out["reports"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(report["id"], out["play"]["body"]["attendanceReportId"]);
    assert_eq!(report["total_participant_count"], 3);
    assert_eq!(report["records_in_list"], 0);
    let start = chrono::DateTime::parse_from_rfc3339(report["start"].as_str().unwrap()).unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(report["end"].as_str().unwrap()).unwrap();
    assert_eq!((end - start).num_minutes(), 40);
    assert_eq!(out["expanded_records"], 3);
    let records = out["records"].as_array().unwrap();
    let organizer = &records[0];
    assert_eq!(organizer["id"], args["user_id"]);
    assert_eq!(organizer["role"], "Organizer");
    assert_eq!(organizer["seconds"], 2400);
    assert_eq!(organizer["intervals"][0]["seconds"], 2400);
    let guest = &records[1];
    assert_eq!(
        (
            &guest["name"],
            &guest["email"],
            &guest["role"],
            &guest["seconds"]
        ),
        (
            &json!("Pat Guest"),
            &json!("pat@example.com"),
            &json!("Presenter"),
            &json!(1680)
        )
    );
    assert_eq!(records[2]["name"], "+14255550100");

    // The transcript: Kiota's default Accept is refused as Graph refuses it; the WebVTT parses
    // with the played speakers and words, in order.
    let default_accept = &out["default_accept"];
    assert_eq!(default_accept["status"], 400, "{default_accept}");
    assert_eq!(
        default_accept["message"],
        "Invalid format 'application/octet-stream, application/json' specified."
    );
    let transcript = &out["transcript"];
    assert_eq!(transcript["organizer"], args["user_id"]);
    let cues = out["cues"].as_array().unwrap();
    assert_eq!(cues.len(), 3, "{cues:?}");
    assert_eq!(cues[0]["text"], "Good morning, everyone.");
    assert_eq!(cues[0]["start"], "00:00:10.000");
    assert_eq!(cues[0]["end"], "00:00:13.000");
    assert_eq!(cues[1]["voice"], "Pat Guest");
    assert_eq!(cues[1]["text"], "Morning! One question.");
    assert_eq!(cues[2]["text"], "Go ahead.");
    assert_eq!(cues[2]["voice"], cues[0]["voice"]);
    assert!(
        cues[0]["identifier"].as_str().unwrap().ends_with("/1-0"),
        "{cues:?}"
    );

    // The recording: the same call; an AAC MP4 as long as the meeting.
    let recording = &out["recording"];
    assert_eq!(recording["call_id"], transcript["call_id"]);
    assert_eq!(recording["correlation"], transcript["correlation"]);
    let length = recording["length"].as_f64().unwrap();
    assert!((2399.0..2401.0).contains(&length), "{recording}");
    assert_eq!(recording["codec"], "mp4a.40.2");
    assert_eq!(recording["sample_rate"], 48000);

    // getAllTranscripts: the SDK's template is refused as Graph refuses it; the documented
    // URL lists the organizer's transcript.
    let template = &out["get_all_transcripts_template"];
    assert_eq!(template["status"], 400, "{template}");
    assert!(
        template["message"]
            .as_str()
            .unwrap()
            .starts_with("Syntax error at position "),
        "{template}"
    );
    assert_eq!(
        out["get_all_transcripts"]["ids"],
        json!([transcript["id"]]),
        "{out}"
    );

    // 403: no artifact permission; no policy for the organizer.
    for (route, role) in [
        ("attendance", "OnlineMeetingArtifact.Read.All"),
        ("transcripts", "OnlineMeetingTranscript.Read.All"),
        ("recordings", "OnlineMeetingRecording.Read.All"),
    ] {
        let e = &out["no_permission"][route];
        assert_eq!(e["status"], 403, "{route}: {e}");
        assert!(
            e["message"].as_str().unwrap().contains(role),
            "{route}: {e}"
        );
    }
    for route in ["attendance", "transcripts", "recording_content"] {
        let e = &out["no_policy"][route];
        assert_eq!(e["status"], 403, "{route}: {e}");
        assert_eq!(
            e["message"],
            format!(
                "No application access policy found for this app {} on the user",
                args["client_id"].as_str().unwrap()
            ),
            "{route}"
        );
    }
    server.shutdown().await;
    Ok(())
}
