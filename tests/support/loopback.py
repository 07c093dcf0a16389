"""A threaded HTTP server on 127.0.0.1 for the suite's stand-ins, open while in a ``with``."""

from __future__ import annotations

import http.server
import threading


class LoopbackServer:
    """Serves :meth:`handler` (a request handler class) on a free port of 127.0.0.1."""

    _server: http.server.ThreadingHTTPServer | None = None

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        raise NotImplementedError

    @property
    def port(self) -> int:
        assert self._server is not None, "not serving: use it in a with block"
        return self._server.server_address[1]

    def __enter__(self):
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
