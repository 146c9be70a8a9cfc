#!/usr/bin/env python3
"""Tries a running Roster from outside, as a client would, with the names of API.md: sign in,
an account, a custom role, a member with it, an invitation, "log in as", the users list, the CSV
export and an import. Standard library only. Prints one line per step; exits 1 at the first
surprise.

    python3 scripts/api-smoke.py http://127.0.0.1:8080 owner@example.test 'the password'
"""
import json
import sys
import urllib.error
import urllib.request

BASE, LOGIN, PASSWORD = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]


def call(method, path, token=None, body=None, raw=None, ctype="application/json"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", ctype)
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as res:
            text = res.read().decode()
            status, kind = res.status, res.headers.get("content-type", "")
    except urllib.error.HTTPError as e:
        text, status, kind = e.read().decode(), e.code, e.headers.get("content-type", "")
    parsed = json.loads(text) if "json" in kind and text else text
    return status, parsed


def expect(step, got, want):
    status, body = got
    if status != want:
        print(f"FAIL {step}: {status} (wanted {want}) {body}")
        sys.exit(1)
    print(f"ok   {step}: {status}")
    return body


tok = expect("POST /auth/token", call("POST", "/api/v1/auth/token", body={"login": LOGIN, "password": PASSWORD}), 200)
token = tok["access_token"]
acc = expect("POST /accounts", call("POST", "/api/v1/accounts", token, {"name": "Smoke Test Ltd"}), 201)
a = acc["id"]
token = expect("POST /auth/switch", call("POST", "/api/v1/auth/switch", token, {"account_id": a}), 200) and token
expect("GET /permissions", call("GET", "/api/v1/permissions", token), 200)
role = expect("POST /roles", call("POST", f"/api/v1/accounts/{a}/roles", token, {"name": "Smoke", "permissions": ["time.track"]}), 201)
new = {"email": "smoke.member@example.test", "first_name": "Smoke", "last_name": "Member", "role": role["id"], "send_welcome": False, "password": "amber meadow compass"}
member = expect("POST /users (custom role)", call("POST", f"/api/v1/accounts/{a}/users", token, new), 201)
u = member["user_id"]
expect("PATCH /roles/{id}", call("PATCH", f"/api/v1/accounts/{a}/roles/{role['id']}", token, {"permissions": ["time.track", "filters.save"]}), 200)
expect("DELETE /roles/{id} while held", call("DELETE", f"/api/v1/accounts/{a}/roles/{role['id']}", token), 409)
expect("GET /users?q=smoke&sort=email", call("GET", f"/api/v1/accounts/{a}/users?q=smoke&sort=email&order=desc", token), 200)
csv = expect("GET /users.csv", call("GET", f"/api/v1/accounts/{a}/users.csv", token), 200)
assert "smoke.member@example.test" in csv, csv
imp = "email,first_name,last_name,role\nsmoke.import@example.test,Im,Port,employee\nbad,No,Good,employee\n"
expect("POST /users/import?dry_run=true", call("POST", f"/api/v1/accounts/{a}/users/import?dry_run=true", token, raw=imp.encode(), ctype="text/csv"), 200)
inv = expect("POST /invitations", call("POST", f"/api/v1/accounts/{a}/invitations", token, {"email": "smoke.guest@example.test", "role": "customer"}), 201)
expect("POST /invitations (again)", call("POST", f"/api/v1/accounts/{a}/invitations", token, {"email": "smoke.guest@example.test", "role": "customer"}), 409)
expect("GET /invitations", call("GET", f"/api/v1/accounts/{a}/invitations", token), 200)
expect("DELETE /invitations/{id}", call("DELETE", f"/api/v1/accounts/{a}/invitations/{inv['id']}", token), 204)
expect("POST /invitations/accept (bad token)", call("POST", "/api/v1/invitations/accept", None, {"token": "inv_nope"}), 410)
acting = expect("POST /users/{id}/impersonate", call("POST", f"/api/v1/accounts/{a}/users/{u}/impersonate", token, {"reason": "smoke test"}), 200)
me = expect("GET /me as them", call("GET", "/api/v1/me", acting["access_token"]), 200)
assert me["user"]["id"] == u, me
expect("POST /auth/logout (end it)", call("POST", "/api/v1/auth/logout", acting["access_token"]), 204)
expect("DELETE /users/{id}", call("DELETE", f"/api/v1/accounts/{a}/users/{u}", token), 200)
expect("GET /audit", call("GET", f"/api/v1/accounts/{a}/audit", token), 200)
print("all steps answered as API.md says")
