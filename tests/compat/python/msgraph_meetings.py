"""msgraph-sdk (with azure-identity's aio ClientSecretCredential) against a graphmeet server.

Configured only by authority and Graph base URL (plus trust of the server's CA through
SSL_CERT_FILE), as client-traces.md §3.3–3.4 describe. Reads dev-credentials.json (path in
argv[1]), the id of a user no application access policy covers (argv[2]), of an organizer
without a Teams licence (argv[3]) and of a disabled one (argv[4]), both covered by the policy;
prints one JSON object with what was observed, for the Rust test to assert on. The server's
monthly meeting quota is the number of meetings this script creates for the dev organizer, so
its last create is over the quota.

The HTTP statuses the SDK hides (201 / 200 from createOrGet, 204 from DELETE) are recorded by an
httpx response event hook on the client the SDK uses; the hook only observes.
"""
import asyncio
import datetime
import json
import sys
import uuid
from urllib.parse import urlsplit

import httpx
from azure.identity.aio import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.join_meeting_id_settings import JoinMeetingIdSettings
from msgraph.generated.models.lobby_bypass_settings import LobbyBypassSettings
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.generated.users.item.online_meetings.create_or_get.create_or_get_post_request_body import (
    CreateOrGetPostRequestBody,
)
from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
    OnlineMeetingsRequestBuilder,
)
from msgraph_core.authentication import AzureIdentityAuthenticationProvider

SCOPES = ["https://graph.microsoft.com/.default"]

# (method, path, status) of every Graph response, in order.
WIRE = []
# The Retry-After of every 429, in order.
RETRY_AFTER = []


async def record(response: httpx.Response) -> None:
    request = response.request
    WIRE.append(
        {
            "method": request.method,
            "path": request.url.raw_path.decode(),
            "status": response.status_code,
            "http_version": response.http_version,
        }
    )
    if response.status_code == 429:
        RETRY_AFTER.append(response.headers.get("retry-after"))


def last_status(method, suffix=""):
    for entry in reversed(WIRE):
        if entry["method"] == method and entry["path"].split("?")[0].endswith(suffix):
            return entry["status"]
    return None


def meeting_json(m):
    if m is None:
        return None
    settings = m.join_meeting_id_settings
    return {
        "id": m.id,
        "subject": m.subject,
        "join_web_url": m.join_web_url,
        "start": m.start_date_time.isoformat() if m.start_date_time else None,
        "end": m.end_date_time.isoformat() if m.end_date_time else None,
        "external_id": m.external_id,
        "join_meeting_id": settings.join_meeting_id if settings else None,
        "passcode": settings.passcode if settings else None,
        "is_passcode_required": settings.is_passcode_required if settings else None,
        "organizer_id": (
            m.participants.organizer.identity.user.id
            if m.participants and m.participants.organizer and m.participants.organizer.identity
            and m.participants.organizer.identity.user
            else None
        ),
    }


def odata_error_json(e: ODataError):
    return {
        "status": e.response_status_code,
        "code": e.error.code if e.error else None,
        "message": e.error.message if e.error else None,
        "request_id": e.error.inner_error.request_id if e.error and e.error.inner_error else None,
    }


def filter_config(expression):
    params = OnlineMeetingsRequestBuilder.OnlineMeetingsRequestBuilderGetQueryParameters(filter=expression)
    return RequestConfiguration(query_parameters=params)


async def find(meetings, expression):
    result = await meetings.get(request_configuration=filter_config(expression))
    return {
        "status": last_status("GET", "/onlineMeetings"),
        "query": next(e["path"] for e in reversed(WIRE) if e["method"] == "GET").split("?", 1)[-1],
        "ids": [m.id for m in (result.value or [])] if result else None,
    }


async def main():
    creds = json.load(open(sys.argv[1]))
    unpolicied_user = sys.argv[2]
    unlicensed_organizer = sys.argv[3]
    disabled_organizer = sys.argv[4]
    graph_url = creds["graph_url"]
    host = urlsplit(graph_url).hostname
    authority = "{0.scheme}://{0.netloc}".format(urlsplit(creds["authority"]))
    out = {}

    credential = ClientSecretCredential(
        creds["tenant_id"], creds["client_id"], creds["client_secret"], authority=authority
    )
    async with credential:
        # client-traces.md §3.4: the provider with allowed_hosts, the adapter's base URL changed.
        auth = AzureIdentityAuthenticationProvider(credential, scopes=SCOPES, allowed_hosts=[host])
        adapter = GraphRequestAdapter(auth)
        adapter.base_url = graph_url
        # Observation only: a response hook on the SDK's own default httpx client.
        adapter._http_client.event_hooks = {"request": [], "response": [record]}
        client = GraphServiceClient(request_adapter=adapter)
        meetings = client.users.by_user_id(creds["user_id"]).online_meetings

        start = datetime.datetime(2026, 12, 1, 14, 30, tzinfo=datetime.timezone.utc)
        end = start + datetime.timedelta(minutes=30)
        created = await meetings.post(
            OnlineMeeting(
                subject="Compat meeting",
                start_date_time=start,
                end_date_time=end,
                join_meeting_id_settings=JoinMeetingIdSettings(is_passcode_required=True),
            )
        )
        out["create"] = meeting_json(created)
        out["create"]["status"] = last_status("POST", "/onlineMeetings")
        meeting_id = created.id

        got = await meetings.by_online_meeting_id(meeting_id).get()
        out["get"] = meeting_json(got)
        out["get"]["status"] = last_status("GET")

        out["find_by_join_web_url"] = await find(meetings, f"JoinWebUrl eq '{created.join_web_url}'")
        join_id = created.join_meeting_id_settings.join_meeting_id
        out["find_by_join_meeting_id"] = await find(
            meetings, f"joinMeetingIdSettings/joinMeetingId eq '{join_id}'"
        )
        out["find_nothing"] = await find(meetings, "joinMeetingIdSettings/joinMeetingId eq '0000000000'")

        updated = await meetings.by_online_meeting_id(meeting_id).patch(
            OnlineMeeting(subject="Compat meeting (renamed)")
        )
        out["update"] = meeting_json(updated)
        out["update"]["status"] = last_status("PATCH")

        # A PATCH of one nested property keeps the others (the default scope among them).
        nested = await meetings.by_online_meeting_id(meeting_id).patch(
            OnlineMeeting(lobby_bypass_settings=LobbyBypassSettings(is_dial_in_bypass_enabled=True))
        )
        out["patch_nested"] = {
            "status": last_status("PATCH"),
            "scope": str(nested.lobby_bypass_settings.scope.value) if nested.lobby_bypass_settings.scope else None,
            "is_dial_in_bypass_enabled": nested.lobby_bypass_settings.is_dial_in_bypass_enabled,
            "subject": nested.subject,
        }

        external_id = f"compat-{uuid.uuid4()}"
        first = await meetings.create_or_get.post(
            CreateOrGetPostRequestBody(
                external_id=external_id, subject="Compat createOrGet", start_date_time=start, end_date_time=end
            )
        )
        first_status = last_status("POST", "/createOrGet")
        second = await meetings.create_or_get.post(
            CreateOrGetPostRequestBody(external_id=external_id, subject="Compat createOrGet")
        )
        second_status = last_status("POST", "/createOrGet")
        other = await meetings.create_or_get.post(
            CreateOrGetPostRequestBody(external_id=f"compat-{uuid.uuid4()}", subject="Compat other")
        )
        other_status = last_status("POST", "/createOrGet")
        out["create_or_get"] = {
            "first": {**meeting_json(first), "status": first_status},
            "second": {**meeting_json(second), "status": second_status},
            "other": {**meeting_json(other), "status": other_status},
        }

        await meetings.by_online_meeting_id(meeting_id).delete()
        out["delete"] = {"status": last_status("DELETE")}
        try:
            await meetings.by_online_meeting_id(meeting_id).get()
            out["get_after_delete"] = {"status": last_status("GET"), "error": None}
        except ODataError as e:
            out["get_after_delete"] = odata_error_json(e)

        try:
            await client.users.by_user_id(unpolicied_user).online_meetings.post(
                OnlineMeeting(subject="Not allowed", start_date_time=start, end_date_time=end)
            )
            out["no_policy"] = {"status": last_status("POST"), "error": None}
        except ODataError as e:
            out["no_policy"] = odata_error_json(e)

        for key, organizer in [("unlicensed", unlicensed_organizer), ("disabled", disabled_organizer)]:
            try:
                await client.users.by_user_id(organizer).online_meetings.post(
                    OnlineMeeting(subject="Not allowed", start_date_time=start, end_date_time=end)
                )
                out[key] = {"status": last_status("POST"), "error": None}
            except ODataError as e:
                out[key] = odata_error_json(e)

        # Over the monthly quota: the SDK gives up on a Retry-After longer than its limit.
        try:
            await meetings.post(OnlineMeeting(subject="One too many", start_date_time=start, end_date_time=end))
            out["over_quota"] = {"status": last_status("POST", "/onlineMeetings"), "error": None}
        except ODataError as e:
            out["over_quota"] = odata_error_json(e)
            out["over_quota"]["retry_after"] = RETRY_AFTER[-1] if RETRY_AFTER else None

        # The shorter form (§3.4): GraphServiceClient(credentials, scopes) and base_url set after.
        short = GraphServiceClient(credentials=credential, scopes=SCOPES)
        short.request_adapter.base_url = graph_url
        other_got = await short.users.by_user_id(creds["user_id"]).online_meetings.by_online_meeting_id(other.id).get()
        out["short_form_get"] = meeting_json(other_got)

    out["wire"] = WIRE
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main())
