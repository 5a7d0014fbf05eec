"""MSAL Python's PublicClientApplication against a graphmeet server: the password grant, then
acquire_token_silent from the cache, then a forced refresh (the refresh-token grant), then the
delegated token on Graph's /me/onlineMeetings.

argv: authority, client id, user name, password, Graph base URL (…/v1.0). Prints one JSON
object for the Rust test to assert on.
"""
import json
import sys
import warnings

import msal
import requests

SCOPES = ["OnlineMeetings.ReadWrite"]


def summary(result):
    if "access_token" not in result:
        return {"error": result}
    return {
        "token_source": result.get("token_source"),
        "scope": result.get("scope"),
        "access_token": result["access_token"],
        "id_token_claims": result.get("id_token_claims"),
        "has_refresh_token": "refresh_token" in result,
    }


def main():
    authority, client_id, username, password, graph = sys.argv[1:6]
    app = msal.PublicClientApplication(
        client_id, authority=authority, instance_discovery=False)
    with warnings.catch_warnings():
        # MSAL deprecates ROPC for public clients; the flow is still what it runs.
        warnings.simplefilter("ignore", DeprecationWarning)
        signed_in = app.acquire_token_by_username_password(
            username, password, scopes=SCOPES)
    out = {"password": summary(signed_in)}
    accounts = app.get_accounts(username=username)
    out["accounts"] = [
        {k: a.get(k) for k in ("home_account_id", "environment", "username", "realm")}
        for a in accounts
    ]
    if not accounts:
        print(json.dumps(out))
        return
    out["silent"] = summary(app.acquire_token_silent(SCOPES, account=accounts[0]) or {})
    refreshed = app.acquire_token_silent(
        SCOPES, account=accounts[0], force_refresh=True) or {}
    out["forced"] = summary(refreshed)
    # After the refresh the new token is the cached one.
    out["silent_after"] = summary(app.acquire_token_silent(SCOPES, account=accounts[0]) or {})
    token = refreshed.get("access_token")
    if token:
        headers = {"Authorization": "Bearer " + token}
        created = requests.post(
            graph + "/me/onlineMeetings", headers=headers,
            json={"subject": "MSAL public client", "startDateTime": "2026-07-01T10:00:00Z",
                  "endDateTime": "2026-07-01T11:00:00Z"})
        out["create"] = {"status": created.status_code, "body": created.json()}
        if created.status_code == 201:
            got = requests.get(
                graph + "/me/onlineMeetings/" + created.json()["id"], headers=headers)
            out["get"] = {"status": got.status_code, "body": got.json()}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
