"""A Helm chart repository on loopback, built by the tests: packaged charts and their index.

``ChartRepo`` packages charts with real Helm (``helm package``), writes the
``index.yaml`` with Helm's own indexer (``helm repo index``) and serves both over
HTTP on 127.0.0.1, recording every request. It can require a login, and can
serve an archive other than the one its index describes (a digest mismatch).
"""

from __future__ import annotations

import base64
import http.server
import textwrap
from pathlib import Path

from support.loopback import LoopbackServer


def write_chart(directory: Path, name: str, version: str, templates: dict[str, str],
                values: str = "", dependencies: str = "") -> Path:
    """A chart at ``directory/name`` with the given templates (file name -> text)."""
    chart = directory / name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: {name}\nversion: {version}\ntype: application\n"
        + (f"dependencies:\n{textwrap.indent(textwrap.dedent(dependencies).strip(), '  ')}\n"
           if dependencies else ""))
    (chart / "values.yaml").write_text(textwrap.dedent(values))
    for file, text in templates.items():
        (chart / "templates" / file).write_text(textwrap.dedent(text))
    return chart


#: An upstream chart whose two versions render different objects: 1.0.0 one Deployment
#: with one replica and a ConfigMap; 1.1.0 two replicas, a Service instead of the ConfigMap.
_DEPLOYMENT = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ .Release.Name }}-web
    spec:
      replicas: REPLICAS
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: "nginx:{{ .Values.tag }}"
    """
UPSTREAM_VERSIONS = {
    "1.0.0": {
        "deployment.yaml": _DEPLOYMENT.replace("REPLICAS", "{{ .Values.replicas }}"),
        "configmap.yaml": """\
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ .Release.Name }}-settings
            data:
              greeting: {{ .Values.greeting | quote }}
            """,
    },
    "1.1.0": {
        "deployment.yaml": _DEPLOYMENT.replace("REPLICAS", "{{ add .Values.replicas 1 }}"),
        "service.yaml": """\
            apiVersion: v1
            kind: Service
            metadata:
              name: {{ .Release.Name }}-web
            spec:
              selector: {app: web}
              ports:
                - port: 80
            """,
    },
}
UPSTREAM_VALUES = "replicas: 1\ntag: '1.27'\ngreeting: hello\n"


class ChartRepo(LoopbackServer):
    """Packaged charts and an ``index.yaml``, served on 127.0.0.1 while in a ``with`` block."""

    def __init__(self, directory: Path, *, username: str | None = None,
                 password: str | None = None) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.username, self.password = username, password
        self.requests: list[tuple[str, str | None]] = []  # (path, Authorization header)
        #: Paths served with other bytes than those the index describes.
        self.tampered: dict[str, bytes] = {}
        self.down = False

    def add(self, name: str, version: str, templates: dict[str, str], values: str = "") -> Path:
        """Package a chart into the repository; the index is rewritten."""
        import helm_python as helm

        source = self.directory.parent / f"src-{name}-{version}"
        chart = write_chart(source, name, version, templates, values)
        archive = Path(helm.package(chart, destination=self.directory))
        helm.repo_index_generate(self.directory)
        return archive

    def add_upstream(self, name: str = "web", versions=("1.0.0", "1.1.0")) -> None:
        for version in versions:
            self.add(name, version, UPSTREAM_VERSIONS[version], UPSTREAM_VALUES)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/charts"

    def downloads(self, suffix: str = ".tgz") -> list[str]:
        return [path for path, _ in self.requests if path.endswith(suffix)]

    def handler(self):
        repo = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                auth = self.headers.get("Authorization")
                repo.requests.append((self.path, auth))
                if repo.down:
                    self.connection.close()  # as an unreachable host: no answer
                    return
                if repo.username is not None:
                    token = base64.b64encode(f"{repo.username}:{repo.password}".encode()).decode()
                    if auth != f"Basic {token}":
                        self.send_response(401)
                        self.send_header("WWW-Authenticate", 'Basic realm="charts"')
                        self.end_headers()
                        return
                name = self.path.removeprefix("/charts/")
                file = repo.directory / name
                if not self.path.startswith("/charts/") or "/" in name or not file.is_file():
                    self.send_response(404)
                    self.end_headers()
                    return
                body = repo.tampered.get(name, file.read_bytes())
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
