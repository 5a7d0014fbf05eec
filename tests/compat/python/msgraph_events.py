"""msgraph-sdk (with azure-identity's aio ClientSecretCredential) creates calendar-backed Teams
meetings on a graphmeet server: the event path Microsoft's docs recommend to applications.

Configured only by authority and Graph base URL (plus trust of the server's CA through
SSL_CERT_FILE). Reads dev-credentials.json (argv[2]) and runs one phase (argv[1]):

- `events`: for the dev organizer, create an event with is_online_meeting and
  teamsForBusiness, an in-tenant attendee (argv[3], a UPN) and an external one; read
  online_meeting.join_url; find the meeting by JoinWebUrl; list the calendar view; move the
  event (and see the meeting follow); the attendee accepts their own copy; the organizer
  cancels.
- `list`: list the organizer's events once (what an Exchange application access policy
  decides).

Prints one JSON object with what was observed, for the Rust test to assert on. HTTP statuses
the SDK hides are recorded by an httpx response hook on the client the SDK uses.
"""
import asyncio
import datetime
import json
import sys
from urllib.parse import urlsplit

import httpx
from azure.identity.aio import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.location import Location
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.events.item.accept.accept_post_request_body import (
    AcceptPostRequestBody,
)
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
    CancelPostRequestBody,
)
from msgraph.generated.users.item.events.events_request_builder import EventsRequestBuilder
from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
    OnlineMeetingsRequestBuilder,
)
from msgraph_core.authentication import AzureIdentityAuthenticationProvider

SCOPES = ["https://graph.microsoft.com/.default"]
EXTERNAL = "someone@fabrikam.example"

# (method, path, status) of every Graph response, in order.
WIRE = []


async def record(response: httpx.Response) -> None:
    request = response.request
    WIRE.append(
        {
            "method": request.method,
            "path": request.url.raw_path.decode(),
            "status": response.status_code,
        }
    )


def last_status(method, suffix=""):
    for entry in reversed(WIRE):
        if entry["method"] == method and entry["path"].split("?")[0].endswith(suffix):
            return entry["status"]
    return None


def when(text, zone):
    return DateTimeTimeZone(date_time=text, time_zone=zone)


def event_json(e):
    if e is None:
        return None
    return {
        "id": e.id,
        "subject": e.subject,
        "ical_uid": e.i_cal_u_id,
        "is_online_meeting": e.is_online_meeting,
        "online_meeting_provider": e.online_meeting_provider.value if e.online_meeting_provider else None,
        "join_url": e.online_meeting.join_url if e.online_meeting else None,
        "start": {"date_time": e.start.date_time, "time_zone": e.start.time_zone} if e.start else None,
        "end": {"date_time": e.end.date_time, "time_zone": e.end.time_zone} if e.end else None,
        "is_organizer": e.is_organizer,
        "is_cancelled": e.is_cancelled,
        "response": e.response_status.response.value
        if e.response_status and e.response_status.response
        else None,
        "attendees": [
            {
                "address": a.email_address.address,
                "response": a.status.response.value if a.status and a.status.response else None,
            }
            for a in (e.attendees or [])
        ],
    }


def odata_error_json(e: ODataError):
    return {
        "status": e.response_status_code,
        "code": e.error.code if e.error else None,
        "message": e.error.message if e.error else None,
    }


async def events_phase(client, creds, attendee_upn):
    out = {}
    organizer = client.users.by_user_id(creds["user_id"])
    created = await organizer.events.post(
        Event(
            subject="Compat calendar meeting",
            body=ItemBody(content_type=BodyType.Html, content="Agenda to follow"),
            start=when("2026-12-03T09:00:00", "Pacific Standard Time"),
            end=when("2026-12-03T09:30:00", "Pacific Standard Time"),
            location=Location(display_name="Online"),
            attendees=[
                Attendee(
                    email_address=EmailAddress(address=attendee_upn, name="Bob"),
                    type=AttendeeType.Required,
                ),
                Attendee(
                    email_address=EmailAddress(address=EXTERNAL, name="Someone"),
                    type=AttendeeType.Optional,
                ),
            ],
            is_online_meeting=True,
            online_meeting_provider=OnlineMeetingProviderType.TeamsForBusiness,
        )
    )
    out["create"] = {**event_json(created), "status": last_status("POST", "/events")}
    join_url = created.online_meeting.join_url

    # The Teams meeting behind it, found as the docs say.
    params = OnlineMeetingsRequestBuilder.OnlineMeetingsRequestBuilderGetQueryParameters(
        filter=f"JoinWebUrl eq '{join_url}'"
    )
    found = await organizer.online_meetings.get(request_configuration=RequestConfiguration(query_parameters=params))
    out["meeting"] = [
        {
            "join_web_url": m.join_web_url,
            "subject": m.subject,
            "start": m.start_date_time.isoformat() if m.start_date_time else None,
        }
        for m in (found.value or [])
    ]

    view_params = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time="2026-12-03T00:00:00Z", end_date_time="2026-12-04T00:00:00Z"
    )
    view = await organizer.calendar_view.get(request_configuration=RequestConfiguration(query_parameters=view_params))
    out["calendar_view"] = {
        "status": last_status("GET", "/calendarView"),
        "ids": [e.id for e in (view.value or [])],
    }

    # Move it by an hour: the meeting follows.
    moved = await organizer.events.by_event_id(created.id).patch(
        Event(
            start=when("2026-12-03T10:00:00", "Pacific Standard Time"),
            end=when("2026-12-03T10:30:00", "Pacific Standard Time"),
        )
    )
    out["move"] = {**event_json(moved), "status": last_status("PATCH")}
    found = await organizer.online_meetings.get(request_configuration=RequestConfiguration(query_parameters=params))
    out["meeting_after_move"] = [
        m.start_date_time.isoformat() if m.start_date_time else None for m in (found.value or [])
    ]

    # The attendee's own copy, found by iCalUId, accepted.
    attendee = client.users.by_user_id(attendee_upn)
    copies_params = EventsRequestBuilder.EventsRequestBuilderGetQueryParameters(
        filter=f"iCalUId eq '{created.i_cal_u_id}'"
    )
    copies = await attendee.events.get(request_configuration=RequestConfiguration(query_parameters=copies_params))
    copy = (copies.value or [None])[0]
    out["attendee_copy"] = event_json(copy)
    await attendee.events.by_event_id(copy.id).accept.post(
        AcceptPostRequestBody(comment="Works for me", send_response=True)
    )
    out["accept"] = {"status": last_status("POST", "/accept")}
    after = await organizer.events.by_event_id(created.id).get()
    out["organizer_after_accept"] = event_json(after)

    await organizer.events.by_event_id(created.id).cancel.post(CancelPostRequestBody(comment="Moving to next week"))
    out["cancel"] = {"status": last_status("POST", "/cancel")}
    try:
        await organizer.events.by_event_id(created.id).get()
        out["get_after_cancel"] = {"status": last_status("GET"), "error": None}
    except ODataError as e:
        out["get_after_cancel"] = odata_error_json(e)
    found = await organizer.online_meetings.get(request_configuration=RequestConfiguration(query_parameters=params))
    out["meeting_after_cancel"] = len(found.value or [])
    copy_after = await attendee.events.by_event_id(copy.id).get()
    out["attendee_copy_after_cancel"] = event_json(copy_after)
    return out


async def list_phase(client, creds):
    try:
        result = await client.users.by_user_id(creds["user_id"]).events.get()
        return {"status": last_status("GET", "/events"), "count": len(result.value or []), "error": None}
    except ODataError as e:
        return odata_error_json(e)


async def main():
    phase = sys.argv[1]
    creds = json.load(open(sys.argv[2]))
    graph_url = creds["graph_url"]
    host = urlsplit(graph_url).hostname
    authority = "{0.scheme}://{0.netloc}".format(urlsplit(creds["authority"]))
    credential = ClientSecretCredential(
        creds["tenant_id"], creds["client_id"], creds["client_secret"], authority=authority
    )
    async with credential:
        auth = AzureIdentityAuthenticationProvider(credential, scopes=SCOPES, allowed_hosts=[host])
        adapter = GraphRequestAdapter(auth)
        adapter.base_url = graph_url
        # Observation only: a response hook on the SDK's own default httpx client.
        adapter._http_client.event_hooks = {"request": [], "response": [record]}
        client = GraphServiceClient(request_adapter=adapter)
        if phase == "events":
            out = await events_phase(client, creds, sys.argv[3])
        else:
            out = await list_phase(client, creds)
    out["wire"] = WIRE
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main())
