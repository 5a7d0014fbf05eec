"""msgraph-sdk (with azure-identity's aio ClientSecretCredential) reads what a played meeting left
behind on a graphmeet server: its attendance report and records, its transcript (parsed as WebVTT
with webvtt-py) and its recording (an MP4, read with mutagen); and the 403s of an app without the
artifact permission and of an organizer no application access policy covers.

Configured only by authority and Graph base URL (plus trust of the server's CA through
SSL_CERT_FILE). argv[1] is a JSON file: the dev credentials (dev-credentials.json) plus
`server_url` and `admin_key` (to create and play the meeting through the admin API), `bob` (a
user of the tenant no policy covers) and `other_client_id` / `other_client_secret` (an app holding
only OnlineMeetings.ReadWrite.All). Prints one JSON object with what was observed, for the Rust
test to assert on.
"""
import asyncio
import json
import os
import sys
import tempfile
from urllib.parse import urlsplit

import httpx
import mutagen.mp4
import webvtt
from azure.identity.aio import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.generated.users.item.online_meetings.item.attendance_reports.item.meeting_attendance_report_item_request_builder import (
    MeetingAttendanceReportItemRequestBuilder,
)
from msgraph_core.authentication import AzureIdentityAuthenticationProvider

SCOPES = ["https://graph.microsoft.com/.default"]


def error_json(e: ODataError):
    inner = e.error.inner_error if e.error else None
    return {
        "status": e.response_status_code,
        "code": e.error.code if e.error else None,
        "message": e.error.message if e.error else None,
        "inner_code": (inner.additional_data or {}).get("code") if inner else None,
    }


def client_for(args, client_id, client_secret):
    authority = "{0.scheme}://{0.netloc}".format(urlsplit(args["authority"]))
    credential = ClientSecretCredential(args["tenant_id"], client_id, client_secret, authority=authority)
    host = urlsplit(args["graph_url"]).hostname
    auth = AzureIdentityAuthenticationProvider(credential, scopes=SCOPES, allowed_hosts=[host])
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = args["graph_url"]
    return credential, GraphServiceClient(request_adapter=adapter)


async def expect_error(call):
    try:
        await call
    except ODataError as e:
        return error_json(e)
    return {"status": 200}


async def main():
    args = json.load(open(sys.argv[1]))
    out = {}
    credential, client = client_for(args, args["client_id"], args["client_secret"])
    other_credential, other = client_for(args, args["other_client_id"], args["other_client_secret"])
    async with credential, other_credential:
        organizer = args["user_id"]
        meetings = client.users.by_user_id(organizer).online_meetings
        created = await meetings.post(OnlineMeeting(subject="Compat artifacts"))
        meeting_id = created.id

        # Play it through graphmeet's admin API: it took place an hour ago.
        script = {
            "start": "now-PT1H",
            "participants": [
                {"user": organizer, "join": "PT0S", "leave": "PT40M"},
                {"guest": "Pat Guest", "email": "pat@example.com", "join": "PT2M", "leave": "PT30M"},
                {"phone": "+14255550100", "join": "PT5M", "leave": "PT10M"},
            ],
            "utterances": [
                {"speaker": organizer, "at": "PT10S", "duration": "PT3S", "text": "Good morning, everyone."},
                {"speaker": "Pat Guest", "at": "PT3M", "duration": "PT2S", "text": "Morning! One question."},
                {"speaker": organizer, "at": "PT3M10S", "text": "Go ahead."},
            ],
        }
        async with httpx.AsyncClient(verify=os.environ["SSL_CERT_FILE"]) as admin:
            played = await admin.post(
                args["server_url"] + f"/admin/meetings/{meeting_id}/play",
                headers={"x-graphmeet-admin-key": args["admin_key"]},
                json=script,
            )
            out["play"] = {"status": played.status_code, "body": played.json()}

        item = meetings.by_online_meeting_id(meeting_id)

        # Attendance: the report, then its records (expanded and listed).
        reports = await item.attendance_reports.get()
        out["reports"] = [
            {
                "id": r.id,
                "total_participant_count": r.total_participant_count,
                "start": r.meeting_start_date_time.isoformat() if r.meeting_start_date_time else None,
                "end": r.meeting_end_date_time.isoformat() if r.meeting_end_date_time else None,
                "records_in_list": len(r.attendance_records or []),
            }
            for r in reports.value
        ]
        report_id = reports.value[0].id
        expand = MeetingAttendanceReportItemRequestBuilder.MeetingAttendanceReportItemRequestBuilderGetQueryParameters(
            expand=["attendanceRecords"]
        )
        report = await item.attendance_reports.by_meeting_attendance_report_id(report_id).get(
            request_configuration=RequestConfiguration(query_parameters=expand)
        )
        records = await item.attendance_reports.by_meeting_attendance_report_id(report_id).attendance_records.get()
        out["records"] = [
            {
                "name": r.identity.display_name if r.identity else None,
                "id": r.identity.id if r.identity else None,
                "email": r.email_address,
                "role": r.role,
                "seconds": r.total_attendance_in_seconds,
                "intervals": [
                    {
                        "join": i.join_date_time.isoformat() if i.join_date_time else None,
                        "leave": i.leave_date_time.isoformat() if i.leave_date_time else None,
                        "seconds": i.duration_in_seconds,
                    }
                    for i in (r.attendance_intervals or [])
                ],
            }
            for r in records.value
        ]
        out["expanded_records"] = len(report.attendance_records or [])

        # The transcript: the SDK's default Accept is refused as Graph refuses it; text/vtt works.
        transcripts = await item.transcripts.get()
        transcript = transcripts.value[0]
        out["transcript"] = {
            "id": transcript.id,
            "meeting_id": transcript.meeting_id,
            "call_id": transcript.call_id,
            "correlation": transcript.content_correlation_id,
            "organizer": transcript.meeting_organizer.user.id if transcript.meeting_organizer and transcript.meeting_organizer.user else None,
            "content_url": transcript.transcript_content_url,
        }
        content = item.transcripts.by_call_transcript_id(transcript.id).content
        out["default_accept"] = await expect_error(content.get())
        vtt_config = RequestConfiguration()
        vtt_config.headers.add("Accept", "text/vtt")
        vtt = await content.get(request_configuration=vtt_config)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "transcript.vtt")
            with open(path, "wb") as f:
                f.write(vtt)
            parsed = webvtt.read(path)
            out["cues"] = [
                {"voice": c.voice, "text": c.text, "start": c.start, "end": c.end, "identifier": c.identifier}
                for c in parsed
            ]

            # The recording: an MP4 as long as the meeting.
            recordings = await item.recordings.get()
            recording = recordings.value[0]
            media = await item.recordings.by_call_recording_id(recording.id).content.get()
            path = os.path.join(tmp, "recording.mp4")
            with open(path, "wb") as f:
                f.write(media)
            mp4 = mutagen.mp4.MP4(path)
            out["recording"] = {
                "id": recording.id,
                "call_id": recording.call_id,
                "correlation": recording.content_correlation_id,
                "bytes": len(media),
                "length": mp4.info.length,
                "codec": mp4.info.codec,
                "sample_rate": mp4.info.sample_rate,
                "channels": mp4.info.channels,
            }

        # getAllTranscripts: the SDK's URL template expands without the commas between the
        # parameters, which Graph refuses as a syntax error (msgraph-beta-sdk-python #1038);
        # the documented URL, through with_url, lists the organizer's transcripts.
        builder = meetings.get_all_transcriptsmeeting_organizer_user_id_meeting_organizer_user_id_with_start_date_time_with_end_date_time
        params = type(builder).GetAllTranscriptsmeetingOrganizerUserIdMeetingOrganizerUserIdWithStartDateTimeWithEndDateTimeRequestBuilderGetQueryParameters(
            meeting_organizer_user_id=organizer
        )
        out["get_all_transcripts_template"] = await expect_error(
            builder.get(request_configuration=RequestConfiguration(query_parameters=params))
        )
        documented = builder.with_url(
            f"{args['graph_url']}/users/{organizer}/onlineMeetings/getAllTranscripts(meetingOrganizerUserId='{organizer}')"
        )
        listed = await documented.get()
        out["get_all_transcripts"] = {
            "ids": [t.id for t in (listed.value or [])],
            "next_link": listed.odata_next_link,
        }

        # 403: an app without the artifact permission; an organizer no policy covers.
        other_item = other.users.by_user_id(organizer).online_meetings.by_online_meeting_id(meeting_id)
        out["no_permission"] = {
            "attendance": await expect_error(other_item.attendance_reports.get()),
            "transcripts": await expect_error(other_item.transcripts.get()),
            "recordings": await expect_error(other_item.recordings.get()),
        }
        bob_item = client.users.by_user_id(args["bob"]).online_meetings.by_online_meeting_id(meeting_id)
        out["no_policy"] = {
            "attendance": await expect_error(bob_item.attendance_reports.get()),
            "transcripts": await expect_error(bob_item.transcripts.get()),
            "recording_content": await expect_error(
                bob_item.recordings.by_call_recording_id(recording.id).content.get()
            ),
        }
    print(json.dumps(out))


asyncio.run(main())
