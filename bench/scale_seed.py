#!/usr/bin/env python3
"""Writes the seed bench/scale.sh applies: one tenant with USERS users, each with a policy grant
of its own, and GROUPS groups with a group grant each (rank 1…GROUPS), every user a member of
exactly one group (user i in group i mod GROUPS); one app with a fixed secret, consented for
OnlineMeetings.ReadWrite.All and listed by both policies. The format is docs/admin.md's seed,
as JSON (`graphmeet apply` reads .json files as JSON).

Ids are fixed (UUIDv5 of the index), so the same size always gives the same file. Also writes
the users' object ids, one a line (the organizers wrk picks from), and prints the expected
apply summary as JSON on stdout.

    bench/scale_seed.py USERS GROUPS SEED.json ORGANIZERS.txt
"""

import json
import sys
import uuid

NAMESPACE = uuid.UUID("0f6d3c1e-6b1a-4d0e-9a53-5c8f1e2d7b40")
DOMAIN = "scale.example"
TENANT_ID = str(uuid.uuid5(NAMESPACE, "tenant"))
APP_ID = str(uuid.uuid5(NAMESPACE, "app"))
SECRET = "graphmeet-scale-bench-secret-0123456789"
USER_POLICY = "bench-users"
GROUP_POLICY = "bench-groups"


def user_id(i: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"user-{i}"))


def upn(i: int) -> str:
    return f"u{i:06d}@{DOMAIN}"


def group_name(j: int) -> str:
    return f"g{j:04d}"


def seed(users: int, groups: int) -> dict:
    members = [[] for _ in range(groups)]
    for i in range(users):
        if groups:
            members[i % groups].append(upn(i))
    tenant = {
        "id": TENANT_ID,
        "name": "Scale",
        "domain": DOMAIN,
        "user": [{"id": user_id(i), "upn": upn(i)} for i in range(users)],
        "group": [
            {"id": str(uuid.uuid5(NAMESPACE, f"group-{j}")), "name": group_name(j), "members": members[j]}
            for j in range(groups)
        ],
        "app": [
            {
                "app_id": APP_ID,
                "name": "scale bench scheduler",
                "secrets": [{"value": SECRET, "display_name": "bench"}],
            }
        ],
        "consent": [{"app": APP_ID, "roles": ["OnlineMeetings.ReadWrite.All"]}],
        "policy": [
            {"name": USER_POLICY, "app_ids": [APP_ID], "description": "per-user grants"},
            {"name": GROUP_POLICY, "app_ids": [APP_ID], "description": "group grants"},
        ],
        "grant": [{"policy": GROUP_POLICY, "group": group_name(j), "rank": j + 1} for j in range(groups)]
        + [{"policy": USER_POLICY, "user": upn(i)} for i in range(users)],
    }
    return {"tenant": [tenant]}


def main() -> None:
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    users, groups = int(sys.argv[1]), int(sys.argv[2])
    doc = seed(users, groups)

    # What the file must hold, checked on the document itself before it is written.
    t = doc["tenant"][0]
    assert len(t["user"]) == users
    assert len({u["id"] for u in t["user"]}) == users and len({u["upn"] for u in t["user"]}) == users
    assert len(t["group"]) == groups
    assert sum(len(g["members"]) for g in t["group"]) == (users if groups else 0)
    assert len({m for g in t["group"] for m in g["members"]}) == (users if groups else 0)
    assert len([g for g in t["grant"] if "user" in g]) == users
    assert len([g for g in t["grant"] if "group" in g]) == groups

    with open(sys.argv[3], "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    with open(sys.argv[4], "w") as f:
        f.writelines(user_id(i) + "\n" for i in range(users))
    # The apply summary's `created` counts on an empty server.
    print(json.dumps({
        "tenants": 1, "users": users, "groups": groups, "members": users if groups else 0,
        "apps": 1, "secrets": 1, "certificates": 0, "consents": 1, "policies": 2,
        "grants": users + groups,
        "tenant_id": TENANT_ID, "client_id": APP_ID, "client_secret": SECRET,
    }))


if __name__ == "__main__":
    main()
