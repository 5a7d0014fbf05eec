"""MSAL Python and msgraph-sdk with their *default* authority and Graph base URL, reaching a
graphmeet server only through its proxy mode: HTTPS_PROXY and trust of the local CA
(REQUESTS_CA_BUNDLE, SSL_CERT_FILE) are the whole configuration. Reads dev-credentials.json
(argv[1]); prints one JSON object for the Rust test.
"""
import asyncio
import json
import sys

import msal
from azure.identity.aio import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
    OnlineMeetingsRequestBuilder,
)

SCOPES = ["https://graph.microsoft.com/.default"]


async def main():
    creds = json.load(open(sys.argv[1]))
    out = {}

    # MSAL with the authority a production app has.
    app = msal.ConfidentialClientApplication(
        creds["client_id"],
        client_credential=creds["client_secret"],
        authority=f"https://login.microsoftonline.com/{creds['tenant_id']}",
    )
    result = app.acquire_token_for_client(scopes=SCOPES)
    out["msal"] = {
        "token_type": result.get("token_type"),
        "has_token": "access_token" in result,
        "error": result.get("error_description"),
    }

    # msgraph-sdk and azure-identity with every default.
    credential = ClientSecretCredential(creds["tenant_id"], creds["client_id"], creds["client_secret"])
    async with credential:
        client = GraphServiceClient(credentials=credential, scopes=SCOPES)
        meetings = client.users.by_user_id(creds["user_id"]).online_meetings
        created = await meetings.post(OnlineMeeting(subject="Through the proxy"))
        params = OnlineMeetingsRequestBuilder.OnlineMeetingsRequestBuilderGetQueryParameters(
            filter=f"JoinWebUrl eq '{created.join_web_url}'"
        )
        found = await meetings.get(request_configuration=RequestConfiguration(query_parameters=params))
        await meetings.by_online_meeting_id(created.id).delete()
        out["msgraph"] = {
            "created": created.id,
            "subject": created.subject,
            "found": [m.id for m in (found.value or [])],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main())
