"""The baseline of bench/bulk_vs_msgraph.sh: the same createOrGet calls `graphmeet meeting bulk`
makes, made with msgraph-sdk (and azure-identity's aio ClientSecretCredential), asyncio with the
same concurrency, against a graphmeet server.

    python bench_msgraph_bulk.py DEV_CREDENTIALS_JSON INPUT_CSV CONCURRENCY

INPUT_CSV has the bulk columns (external_id, organizer, subject, start, end; an empty organizer
means the dev organizer). Trust of the server's CA comes from SSL_CERT_FILE. Prints one JSON
object: rows, created, existing, failed, seconds (from the first call to the last answer,
the token included; imports and setup excluded), and the first error, if any.

The SDK hides createOrGet's 201/200; an httpx response hook on the SDK's own client records
them (it only observes).
"""
import asyncio
import csv
import datetime
import json
import sys
import time
from urllib.parse import urlsplit

import httpx
from azure.identity.aio import ClientSecretCredential
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.users.item.online_meetings.create_or_get.create_or_get_post_request_body import (
    CreateOrGetPostRequestBody,
)
from msgraph_core.authentication import AzureIdentityAuthenticationProvider

SCOPES = ["https://graph.microsoft.com/.default"]
STATUSES = []


async def record(response: httpx.Response) -> None:
    if response.request.url.path.endswith("/createOrGet"):
        STATUSES.append(response.status_code)


def when(text):
    text = (text or "").strip()
    if not text:
        return None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


async def main():
    creds = json.load(open(sys.argv[1]))
    rows = list(csv.DictReader(open(sys.argv[2], newline="")))
    concurrency = int(sys.argv[3])
    graph_url = creds["graph_url"]
    authority = "{0.scheme}://{0.netloc}".format(urlsplit(creds["authority"]))
    host = urlsplit(graph_url).hostname

    credential = ClientSecretCredential(
        creds["tenant_id"], creds["client_id"], creds["client_secret"], authority=authority
    )
    async with credential:
        auth = AzureIdentityAuthenticationProvider(credential, scopes=SCOPES, allowed_hosts=[host])
        adapter = GraphRequestAdapter(auth)
        adapter.base_url = graph_url
        adapter._http_client.event_hooks = {"request": [], "response": [record]}
        client = GraphServiceClient(request_adapter=adapter)

        gate = asyncio.Semaphore(concurrency)
        failures = []

        async def one(row):
            organizer = (row.get("organizer") or "").strip() or creds["user_id"]
            body = CreateOrGetPostRequestBody(
                external_id=row["external_id"],
                subject=row.get("subject") or None,
                start_date_time=when(row.get("start")),
                end_date_time=when(row.get("end")),
            )
            async with gate:
                try:
                    meeting = await client.users.by_user_id(organizer).online_meetings.create_or_get.post(body)
                    if not meeting or not meeting.id:
                        failures.append(f"{row['external_id']}: no meeting in the answer")
                except Exception as e:  # noqa: BLE001 - a failed row is counted, not fatal
                    failures.append(f"{row['external_id']}: {e!r}"[:300])

        started = time.perf_counter()
        await asyncio.gather(*(one(r) for r in rows))
        seconds = time.perf_counter() - started

    print(
        json.dumps(
            {
                "rows": len(rows),
                "created": STATUSES.count(201),
                "existing": STATUSES.count(200),
                "failed": len(failures),
                "seconds": seconds,
                "first_error": failures[0] if failures else None,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
