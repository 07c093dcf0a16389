"""A loopback stand-in for the parts of GitLab fleetform talks to, for tests.

* Terraform state, as GitLab serves it to Terraform's HTTP backend:
  ``GET``/``POST``/``DELETE /api/v4/projects/<id>/terraform/state/<name>`` and
  ``POST``/``DELETE .../<name>/lock``. A lock is held by the ID in its body; a
  second lock gets ``423 Locked`` with the holder's lock info (what Terraform
  reads to wait and retry); writing or unlocking with another ID gets ``409``.
  Basic auth must match ``user``/``token``.
* Environments and deployments (``GET .../environments``, ``.../deployments``),
  authenticated by ``JOB-TOKEN`` or ``PRIVATE-TOKEN``, paginated with
  ``X-Next-Page`` like GitLab.
* Merge request notes (``GET``/``POST .../merge_requests/<iid>/notes``, ``PUT
  .../notes/<id>``), authenticated the same way.
* Issues (``GET .../issues?labels=&state=``, ``POST .../issues``, ``PUT
  .../issues/<iid>`` with ``state_event: close``), authenticated the same way.

Every request is logged (``events``) so a test can tell who held the lock when, and
kept whole (``requests``: method, path, headers, body) so a test can tell which
credential went where and that no secret travelled in a body.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


class FakeGitLab:
    """``with FakeGitLab() as gitlab: gitlab.api_url ...``"""

    def __init__(self, *, project: str = "1217", token: str = "job-token-0123",
                 user: str = "gitlab-ci-token", page_size: int = 2,
                 api_tokens: tuple[str, ...] = ()) -> None:
        """``token``: the state's password (``user``) and an API token; ``api_tokens``:
        further tokens the API accepts (a job token, a personal access token...)."""
        self.project, self.token, self.user = project, token, user
        self.api_tokens = {token, *api_tokens}
        self.page_size = page_size
        #: ``{merge request iid: [notes]}``
        self.notes: dict[str, list[dict]] = {}
        #: the project's issues: ``{"iid", "title", "description", "labels", "state"}``
        self.issues: list[dict] = []
        #: ``(method, path with query, headers, body)`` of every request.
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.states: dict[str, bytes] = {}
        self.locks: dict[str, dict] = {}
        #: ``{environment: {"state": "available"|"stopped", "deployments": [...]}}``
        self.environments: dict[str, dict] = {}
        #: the forms of ``POST .../deployments``, in order
        self.recorded: list[dict] = []
        #: ``(time, method, path, status, lock ID or "")`` for every request.
        self.events: list[tuple[float, str, str, int, str]] = []
        #: Answer every API request with this status instead (to simulate an outage).
        self.fail_api: int | None = None
        self._mutex = threading.RLock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- test-facing helpers

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/v4"

    def state_address(self, name: str) -> str:
        return f"{self.api_url}/projects/{self.project}/terraform/state/{name}"

    def deploy(self, cluster: str, sha: str, status: str = "success") -> None:
        """Record a deployment of ``fleet/<cluster>`` (what an apply job leaves behind)."""
        env = self.environments.setdefault(f"fleet/{cluster}",
                                           {"state": "available", "deployments": []})
        env["deployments"].append({"id": len(self.events) + len(env["deployments"]) + 1,
                                   "sha": sha, "status": status,
                                   "finished_at": time.time()})

    def stop(self, cluster: str) -> None:
        self.environments[f"fleet/{cluster}"]["state"] = "stopped"

    def lock_events(self, name: str) -> list[tuple[str, str]]:
        """``("lock"|"unlock"|"locked", lock ID)`` in order, for state ``name``."""
        path = f"/api/v4/projects/{self.project}/terraform/state/{name}/lock"
        out = []
        for _, method, p, status, lock_id in self.events:
            if p != path:
                continue
            if method == "POST":
                out.append(("lock" if status == 200 else "locked", lock_id))
            elif method == "DELETE" and status == 200:
                out.append(("unlock", lock_id))
        return out

    def __enter__(self) -> "FakeGitLab":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- the server

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _reply(self, status: int, body: bytes = b"", headers=None, lock_id="") -> None:
                with fake._mutex:
                    fake.events.append((time.monotonic(), self.command,
                                        urlsplit(self.path).path, status, lock_id))
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def _body(self) -> bytes:
                if not hasattr(self, "_read"):
                    length = int(self.headers.get("Content-Length") or 0)
                    self._read = self.rfile.read(length) if length else b""
                    with fake._mutex:
                        fake.requests.append((self.command, self.path, dict(self.headers),
                                              self._read))
                return self._read

            def _state_auth(self) -> bool:
                expected = base64.b64encode(f"{fake.user}:{fake.token}".encode()).decode()
                return self.headers.get("Authorization") == f"Basic {expected}"

            def _api_auth(self) -> bool:
                return bool(fake.api_tokens & {self.headers.get("JOB-TOKEN"),
                                               self.headers.get("PRIVATE-TOKEN")})

            def _notes_request(self, rest: str) -> None:
                self._body()
                if fake.fail_api is not None:
                    return self._reply(fake.fail_api, b'{"message": "unavailable"}')
                if not self._api_auth():
                    return self._reply(401, b'{"message": "401 Unauthorized"}')
                if not self._notes(rest):
                    self._reply(404)
                return None

            def _notes(self, rest: str) -> bool:
                """Answer a merge request notes request; False if ``rest`` is not one."""
                parts = rest.split("/")
                if len(parts) not in (3, 4) or parts[0] != "merge_requests" \
                        or parts[2] != "notes":
                    return False
                notes = fake.notes.setdefault(parts[1], [])
                body = self._body()
                if self.command == "GET" and len(parts) == 3:
                    self._reply(200, json.dumps(notes).encode())
                elif self.command == "POST" and len(parts) == 3:
                    note = {"id": 100 + len(notes), "body": json.loads(body)["body"],
                            "system": False}
                    notes.append(note)
                    self._reply(201, json.dumps(note).encode())
                elif self.command == "PUT" and len(parts) == 4:
                    note = next((n for n in notes if str(n["id"]) == parts[3]), None)
                    if note is None:
                        self._reply(404)
                    else:
                        note["body"] = json.loads(body)["body"]
                        self._reply(200, json.dumps(note).encode())
                else:
                    self._reply(405)
                return True

            def _issues(self, rest: str, query: dict) -> None:
                """Answer an issues request (GET list, POST, PUT one)."""
                body = self._body()
                if fake.fail_api is not None:
                    return self._reply(fake.fail_api, b'{"message": "unavailable"}')
                if not self._api_auth():
                    return self._reply(401, b'{"message": "401 Unauthorized"}')
                parts = rest.split("/")
                with fake._mutex:
                    if self.command == "GET" and len(parts) == 1:
                        label, state = query.get("labels", [None])[0], query.get("state", [None])[0]
                        found = [i for i in fake.issues if (label is None or label in i["labels"])
                                 and (state is None or i["state"] == state)]
                        return self._reply(200, json.dumps(found).encode())
                    if self.command == "POST" and len(parts) == 1:
                        form = json.loads(body)
                        issue = {"iid": len(fake.issues) + 1, "title": form["title"],
                                 "description": form.get("description", ""), "state": "opened",
                                 "labels": [x for x in form.get("labels", "").split(",") if x]}
                        fake.issues.append(issue)
                        return self._reply(201, json.dumps(issue).encode())
                    issue = next((i for i in fake.issues if len(parts) == 2
                                  and str(i["iid"]) == parts[1]), None)
                    if self.command != "PUT" or issue is None:
                        return self._reply(404)
                    form = json.loads(body)
                    issue.update({k: form[k] for k in ("title", "description") if k in form})
                    if form.get("state_event") == "close":
                        issue["state"] = "closed"
                    return self._reply(200, json.dumps(issue).encode())

            def _route(self):
                url = urlsplit(self.path)
                prefix = f"/api/v4/projects/{fake.project}/"
                if not url.path.startswith(prefix):
                    return None, None, None
                rest = url.path[len(prefix):]
                return rest, parse_qs(url.query), url

            def do_GET(self) -> None:
                self._body()
                rest, query, _ = self._route()
                if rest is None:
                    return self._reply(404)
                if rest.startswith("merge_requests/"):
                    return self._notes_request(rest)
                if rest == "issues" or rest.startswith("issues/"):
                    return self._issues(rest, query)
                if rest.startswith("terraform/state/"):
                    if not self._state_auth():
                        return self._reply(401)
                    name = unquote(rest[len("terraform/state/"):])
                    with fake._mutex:
                        state = fake.states.get(name)
                    return self._reply(200, state) if state is not None else self._reply(204)
                if fake.fail_api is not None:
                    return self._reply(fake.fail_api, b'{"message": "unavailable"}')
                if not self._api_auth():
                    return self._reply(401, b'{"message": "401 Unauthorized"}')
                if rest == "environments":
                    search = query.get("search", [""])[0]
                    states = query.get("states", [None])[0]
                    items = [{"id": i, "name": n, "state": e["state"]}
                             for i, (n, e) in enumerate(sorted(fake.environments.items()))
                             if search in n and (states is None or e["state"] == states)]
                    page = int(query.get("page", ["1"])[0])
                    per_page = min(int(query.get("per_page", ["20"])[0]), fake.page_size)
                    chunk = items[(page - 1) * per_page: page * per_page]
                    more = page * per_page < len(items)
                    return self._reply(200, json.dumps(chunk).encode(),
                                       {"X-Next-Page": str(page + 1) if more else ""})
                if rest == "deployments":
                    env = fake.environments.get(query.get("environment", [""])[0])
                    found = [d for d in (env or {}).get("deployments", [])
                             if d["status"] == query.get("status", [d["status"]])[0]]
                    if query.get("order_by", ["id"])[0] == "finished_at":
                        found.sort(key=lambda d: d["finished_at"])
                    else:
                        found.sort(key=lambda d: d["id"])
                    if query.get("sort", ["asc"])[0] == "desc":
                        found.reverse()
                    found = found[:int(query.get("per_page", ["20"])[0])]
                    return self._reply(200, json.dumps(found).encode())
                return self._reply(404)

            def do_POST(self) -> None:
                rest, query, _ = self._route()
                if rest is not None and rest.startswith("merge_requests/"):
                    return self._notes_request(rest)
                if rest == "issues":
                    return self._issues(rest, query)
                if rest == "deployments":
                    # POST /projects/:id/deployments (form): a batch apply's record
                    if not self._api_auth():
                        return self._reply(401)
                    form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
                    if not form.get("environment") or not form.get("sha"):
                        return self._reply(400)
                    with fake._mutex:
                        fake.deploy(form["environment"][len("fleet/"):], form["sha"],
                                    form.get("status", "success"))
                        fake.recorded.append(form)
                    return self._reply(201, b"{}")
                if rest is None or not rest.startswith("terraform/state/"):
                    return self._reply(404)
                if not self._state_auth():
                    return self._reply(401)
                body = self._body()
                name = unquote(rest[len("terraform/state/"):])
                if name.endswith("/lock"):
                    name = name[:-len("/lock")]
                    info = json.loads(body or b"{}")
                    with fake._mutex:
                        held = fake.locks.get(name)
                        if held is None:
                            fake.locks[name] = info
                    if held is not None:
                        return self._reply(423, json.dumps(held).encode(),
                                           {"Content-Type": "application/json"},
                                           lock_id=info.get("ID", ""))
                    return self._reply(200, lock_id=info.get("ID", ""))
                lock_id = query.get("ID", [""])[0]
                with fake._mutex:
                    held = fake.locks.get(name)
                    if held is not None and held.get("ID") != lock_id:
                        conflict = True
                    else:
                        conflict = False
                        fake.states[name] = body
                return self._reply(409 if conflict else 200, lock_id=lock_id)

            def do_PUT(self) -> None:
                rest, query, _ = self._route()
                if rest is not None and rest.startswith("issues/"):
                    return self._issues(rest, query)
                if rest is None or not rest.startswith("merge_requests/"):
                    return self._reply(404)
                return self._notes_request(rest)

            def do_DELETE(self) -> None:
                rest, _, _ = self._route()
                if rest is None or not rest.startswith("terraform/state/"):
                    return self._reply(404)
                if not self._state_auth():
                    return self._reply(401)
                name = unquote(rest[len("terraform/state/"):])
                body = self._body()
                if name.endswith("/lock"):
                    name = name[:-len("/lock")]
                    info = json.loads(body or b"{}")
                    with fake._mutex:
                        held = fake.locks.get(name)
                        ok = held is None or held.get("ID") == info.get("ID")
                        if ok:
                            fake.locks.pop(name, None)
                    return self._reply(200 if ok else 409, lock_id=info.get("ID", ""))
                with fake._mutex:
                    if name in fake.locks:
                        return self._reply(409)
                    existed = fake.states.pop(name, None) is not None
                return self._reply(200 if existed else 404)

        return Handler
