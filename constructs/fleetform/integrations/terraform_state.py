"""One Terraform state behind GitLab, through Terraform's HTTP backend protocol
(GET/POST the state at ``address``, POST/DELETE ``address/lock``), with Terraform's
credentials: ``TF_HTTP_USERNAME`` / ``TF_HTTP_PASSWORD``. For ``fleetform move-state``.

Not the REST API of :mod:`fleetform.integrations.gitlab`: another protocol, other
credentials, and answers read by status (a missing state is a 404 to act on, not an
error). No credential is ever printed: errors name the address and the status.
"""

from __future__ import annotations

import base64
import getpass
import json
import socket
import uuid
from datetime import datetime, timezone
from typing import Mapping
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

from ..errors import ConfigError

TIMEOUT = 30


class StateClient:
    """One Terraform state behind GitLab's HTTP backend (``address``, ``address/lock``)."""

    def __init__(self, address: str, env: Mapping[str, str]) -> None:
        self.address = address
        self.headers: dict[str, str] = {}
        user, password = env.get("TF_HTTP_USERNAME", ""), env.get("TF_HTTP_PASSWORD", "")
        if user or password:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self.lock_id: str | None = None

    def _call(self, method: str, url: str, body: bytes | None = None,
              what: str = "state") -> tuple[int, bytes]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = Request(url, data=body, method=method, headers=headers)
        try:
            with urlopen(request, timeout=TIMEOUT) as response:
                return response.status, response.read()
        except HTTPError as exc:
            return exc.code, exc.read()
        except (URLError, OSError, socket.timeout) as exc:
            raise ConfigError(f"{method} failed: {getattr(exc, 'reason', exc)}",
                              file=self.address, field=what) from None

    def get(self) -> bytes | None:
        """The state, or None when there is none."""
        status, body = self._call("GET", self.address)
        if status in (204, 404) or (status == 200 and not body.strip()):
            return None
        if status != 200:
            raise ConfigError(f"cannot be read (HTTP {status})", file=self.address)
        return body

    def put(self, state: bytes) -> None:
        url = self.address + (f"?ID={quote(self.lock_id)}" if self.lock_id else "")
        status, _ = self._call("POST", url, state)
        if status not in (200, 201, 204):
            raise ConfigError(f"cannot be written (HTTP {status})", file=self.address)

    def delete(self) -> None:
        status, _ = self._call("DELETE", self.address)
        if status not in (200, 202, 204, 404):
            raise ConfigError(f"cannot be deleted (HTTP {status})", file=self.address)

    def lock(self, operation: str) -> None:
        """Take the state's lock (as Terraform does), or fail naming who holds it."""
        info = {"ID": str(uuid.uuid4()), "Operation": operation, "Info": "",
                "Who": f"{getpass.getuser()}@{socket.gethostname()}", "Version": "",
                "Created": datetime.now(timezone.utc).isoformat(), "Path": ""}
        status, body = self._call("POST", f"{self.address}/lock", json.dumps(info).encode(),
                                  what="lock")
        if status in (409, 423):
            try:
                holder = json.loads(body)
                who = f" by {holder.get('Who')} ({holder.get('Operation')}, ID {holder.get('ID')})"
            except (ValueError, AttributeError):
                who = ""
            raise ConfigError(f"is locked{who}: retry once that run is over", file=self.address,
                              field="lock")
        if status != 200:
            raise ConfigError(f"cannot be locked (HTTP {status})", file=self.address,
                              field="lock")
        self.lock_id = info["ID"]
        self._info = info

    def unlock(self) -> None:
        if self.lock_id is None:
            return
        status, _ = self._call("DELETE", f"{self.address}/lock",
                               json.dumps(self._info).encode(), what="lock")
        self.lock_id = None
        if status not in (200, 204, 404):
            raise ConfigError(f"cannot be unlocked (HTTP {status}): unlock it in GitLab "
                              "(Operate > Terraform states)", file=self.address, field="lock")
