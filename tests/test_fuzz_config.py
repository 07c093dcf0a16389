"""Fuzzing cluster.yaml: load_fleet accepts a fleet (which then synthesizes) or raises a
ConfigError naming the file (and the field), never anything else.

Generated inputs: valid fleets, valid fleets with one field broken, random YAML values
spliced into valid documents, random text and bytes, wrong top-level types, huge and
deeply nested values, unicode, alias bombs and duplicate keys. Loading is pure Python
and fast, so those run many cases; synthesizing costs about a second a fleet, so only
a bounded sample of valid fleets is synthesized (one process, many Apps).

The number of generated cases is printed at the end of the module
(``fuzz_config: N generated cases``).
"""

from __future__ import annotations

import collections
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from support.fleets import CLEAN_ENV, CLUSTERS, ROOT, write_cluster
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from fleetform.constructs.applicationsets import applicationset_name
from fleetform.constructs.labels import RESERVED_LABEL_PREFIX
from fleetform.fleet.config import Fleet, load_fleet
from fleetform.fleet.yamlfile import MAX_YAML_BYTES, MAX_YAML_NODES
from fleetform.errors import ConfigError, ConfigErrors

#: Generated cases run, by test (reported at the end of the module).
CASES: collections.Counter = collections.Counter()

FAST = settings(max_examples=250, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


@pytest.fixture(scope="module", autouse=True)
def _report_case_count(request):
    yield
    total = sum(CASES.values())
    detail = ", ".join(f"{name} {count}" for name, count in sorted(CASES.items()))
    line = f"fuzz_config: {total} generated cases ({detail})"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:  # pragma: no cover - pytest without a terminal
        print(line)
        return
    with capture.global_and_fixture_disabled():  # past pytest's output capture
        reporter.write_line("")
        reporter.write_line(line)


# --- Strategies: valid configuration ------------------------------------------------

DIGITS = "0123456789"
dns_label = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", fullmatch=True)
label_name = st.from_regex(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?", fullmatch=True)
dns_subdomain = st.lists(dns_label, min_size=1, max_size=3).map(".".join).filter(
    lambda s: len(s) <= 253)
label_key = st.one_of(label_name, st.tuples(dns_subdomain, label_name).map("/".join))
routing_label = label_key.filter(lambda k: not k.startswith(RESERVED_LABEL_PREFIX))
label_value = st.one_of(st.just(""), st.just("true"), label_name)
number = st.integers(0, 10**6).map(str)
region = st.from_regex(r"[a-z]{3}[0-9]", fullmatch=True)
k8s_version = st.one_of(
    st.tuples(number, number).map(".".join),
    st.tuples(number, number, number, number).map(lambda t: f"{t[0]}.{t[1]}.{t[2]}-do.{t[3]}"))
droplet_size = st.from_regex(r"[a-z][a-z0-9_]{0,5}(-[a-z0-9_]{1,6}){1,3}", fullmatch=True)
#: Free-form strings where unicode is allowed (no whitespace, no Terraform template).
free_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
                                  blacklist_characters="\x85\u180e\u200b\ufeff"),
                    min_size=1, max_size=40).filter(
    lambda s: "${" not in s and "%{" not in s and not any(c.isspace() for c in s))
# What a repository's url path and revision may hold: no Go template delimiters (they
# reach the ApplicationSet's template) and, for a revision, no leading '-' (git would read
# it as an option).
git_text = free_text.filter(lambda s: "{{" not in s and "}}" not in s)
revision_text = git_text.filter(lambda s: not s.startswith("-"))


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


@st.composite
def node_pools(draw) -> list[dict]:
    names = draw(st.lists(dns_label, min_size=1, max_size=3, unique=True))
    pools = []
    for name in names:
        pool: dict = {"name": name,
                      "size": draw(droplet_size)}
        if draw(st.booleans()):
            pool["count"] = draw(st.integers(1, 1000))
        else:
            low = draw(st.integers(1, 1000))
            pool["autoscale"] = {"min_nodes": low, "max_nodes": draw(st.integers(low, 1000))}
        if draw(st.booleans()):
            pool["labels"] = draw(st.dictionaries(label_key, label_value, max_size=3))
        if draw(st.booleans()):
            pool["taints"] = [{"key": draw(label_key), "value": draw(label_value),
                               "effect": draw(st.sampled_from(
                                   ["NoSchedule", "PreferNoSchedule", "NoExecute"]))}]
        if draw(st.booleans()):
            pool["tags"] = draw(st.lists(dns_label, max_size=3))
        pools.append(pool)
    return pools


@st.composite
def cluster_doc(draw, role: str, labels: dict[str, str]) -> dict:
    doc: dict = {"role": role, "region": draw(region),
                 "kubernetes_version": draw(k8s_version), "node_pools": draw(node_pools())}
    if labels:
        if set(labels.values()) == {"true"} and draw(st.booleans()):
            doc["labels"] = sorted(labels)  # the list shorthand
        else:
            doc["labels"] = dict(labels)
    optional = {
        "tags": st.lists(dns_label, max_size=3),
        "ha": st.booleans(), "auto_upgrade": st.booleans(), "surge_upgrade": st.booleans(),
        "maintenance_window": st.fixed_dictionaries({
            "day": st.sampled_from(["any", "monday", "sunday"]),
            "start_time": st.from_regex(r"([01][0-9]|2[0-3]):[0-5][0-9]", fullmatch=True)}),
        "vpc_uuid": st.uuids().map(str),
        "prevent_destroy": st.booleans(),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            doc[key] = draw(strategy)
    return doc


@st.composite
def repository(draw) -> dict:
    host = draw(dns_subdomain)
    path = draw(git_text)
    repo: dict = {"url": draw(st.sampled_from([f"https://{host}/{path}.git",
                                              f"ssh://git@{host}/{path}.git",
                                              f"git@{host}:{path}.git"]))}
    if draw(st.booleans()):
        repo["revision"] = draw(revision_text)
    if draw(st.booleans()):
        repo["path"] = draw(st.lists(dns_label, max_size=3).map("/".join))
    if draw(st.booleans()):
        repo["credentials"] = {
            "username": draw(free_text),
            "password_variable": draw(st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True))}
    return repo


@st.composite
def fleets(draw, max_workers: int = 3) -> dict[str, dict]:
    """``{directory name: cluster.yaml content}`` of a valid fleet."""
    names = draw(st.lists(dns_label, min_size=1, max_size=max_workers + 1, unique=True))
    routing = draw(st.lists(routing_label, max_size=4,
                            unique_by=(lambda k: k, _slug, applicationset_name)))
    used: set[str] = set()
    cluster_labels = {}
    for name in names:
        chosen = draw(st.lists(st.sampled_from(routing), unique=True)) if routing else []
        cluster_labels[name] = {k: draw(label_value) for k in chosen}
        used.update(chosen)
    management, *workers = names
    hostname = draw(st.none() | dns_subdomain)
    argocd: dict = {}
    if hostname is not None:
        argocd["hostname"] = hostname
    if draw(st.booleans()):
        argocd["admin_enabled"] = draw(st.booleans())
    if used:
        argocd["repositories"] = {label: draw(repository()) for label in sorted(used)}
    docs = {management: {**draw(cluster_doc("management", cluster_labels[management]))}}
    if argocd:
        docs[management]["argocd"] = argocd
    for name in workers:
        doc = draw(cluster_doc("worker", cluster_labels[name]))
        settings_: dict = {}
        if hostname is None or draw(st.booleans()):
            port = draw(st.none() | st.integers(1, 65535))
            settings_["server"] = draw(dns_subdomain) + (f":{port}" if port else "")
        if draw(st.booleans()):
            settings_["grpc_web"] = draw(st.booleans())
        if settings_:
            doc["argocd"] = settings_
        docs[name] = doc
    return docs


def write_fleet(root: Path, docs: dict[str, object], *, unicode: bool = True) -> dict[str, Path]:
    """Write each document as ``root/<name>/cluster.yaml`` (YAML text, or bytes as is)."""
    files = {}
    for name, doc in docs.items():
        directory = root / name
        directory.mkdir(parents=True)
        file = directory / "cluster.yaml"
        if isinstance(doc, bytes):
            file.write_bytes(doc)
        elif isinstance(doc, str):
            file.write_text(doc, encoding="utf-8")
        else:
            file.write_text(yaml.safe_dump(doc, allow_unicode=unicode, sort_keys=False),
                            encoding="utf-8")
        files[name] = file
    return files


# --- The oracle -----------------------------------------------------------------------

def _errors(exc: ConfigError) -> list[ConfigError]:
    return exc.errors if isinstance(exc, ConfigErrors) else [exc]


def load_or_error(root: Path) -> Fleet | ConfigError:
    """``load_fleet(root)``, or the ConfigError it raised, checked to name a file under root.

    Any other exception propagates, and fails the test.
    """
    try:
        return load_fleet(root)
    except ConfigError as exc:
        check_error(exc, root)
        return exc


def check_error(exc: ConfigError, root: Path) -> None:
    assert _errors(exc)
    for error in _errors(exc):
        assert error.file is not None, f"no file in {error!s}"
        assert Path(error.file) == root or Path(error.file).is_relative_to(root), error.file
        assert error.message.strip(), f"empty message for {error.file}"
        assert str(error).startswith(error.file)
    # The CLI prints the message as is: it must stay readable however large the input.
    assert len(str(exc)) < 2000 * len(_errors(exc)), str(exc)[:300]


def error_for(exc: ConfigError, file: Path) -> list[ConfigError]:
    return [e for e in _errors(exc) if e.file == str(file)]


# --- Valid fleets -------------------------------------------------------------------------

def _labels(doc: dict) -> dict[str, str]:
    labels = doc.get("labels", {})
    return {k: "true" for k in labels} if isinstance(labels, list) else labels


@FAST
@given(docs=fleets())
def test_valid_fleets_load_as_written(docs):
    CASES["valid fleets load"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_fleet(root, docs)

        fleet = load_or_error(root)

        assert isinstance(fleet, Fleet), str(fleet)
        assert sorted(fleet.clusters) == sorted(docs)
        for name, doc in docs.items():
            cluster = fleet.clusters[name]
            assert cluster.role == doc["role"]
            assert dict(cluster.labels) == _labels(doc)
            assert [p.name for p in cluster.spec.node_pools] == \
                [p["name"] for p in doc["node_pools"]]


def _one(stack: dict, kind: str) -> dict:
    (value,) = stack["resource"][kind].values()
    return value


@settings(FAST, max_examples=15)
@given(docs=fleets(max_workers=2))
def test_valid_fleets_synthesize(docs):
    """A bounded sample: each fleet is built into a CDKTF App and synthesized."""
    from fleetform.fleet.app import build_app

    CASES["valid fleets synthesized"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "clusters"
        write_fleet(root, docs)
        fleet = load_or_error(root)
        assert isinstance(fleet, Fleet), str(fleet)

        build_app(fleet, outdir=Path(tmp) / "out", env=CLEAN_ENV).synth()

        stacks = {p.name: json.loads((p / "cdk.tf.json").read_text())
                  for p in (Path(tmp) / "out" / "stacks").iterdir()}
        assert sorted(stacks) == sorted(docs)
        for name, doc in docs.items():
            cluster = _one(stacks[name], "digitalocean_kubernetes_cluster")
            assert (cluster["name"], cluster["region"]) == (name, doc["region"])
        management = fleet.management
        repositories = management.spec.argocd.repositories
        apps = [r for r in stacks[management.name]["resource"]["helm_release"].values()
                if r["chart"] == "argocd-apps"]
        appsets = yaml.safe_load(apps[0]["values"][0])["applicationsets"]
        assert len(appsets) == len(repositories)  # one ApplicationSet per label, none lost
        for label, repo in repositories.items():
            if repo.credentials is not None:
                variable = stacks[management.name]["variable"][repo.credentials.password_variable]
                assert variable["sensitive"] is True
        for worker in fleet.workers:
            registration = _one(stacks[worker.name], "argocd_cluster")
            labels = (registration.get("metadata") or [{}])[0].get("labels") or {}
            assert labels == dict(worker.labels)


# --- One field broken -----------------------------------------------------------------------

#: Every key cluster.yaml knows, at any level.
SCHEMA_KEYS = {"role", "region", "kubernetes_version", "node_pools", "labels", "tags", "ha",
               "auto_upgrade", "surge_upgrade", "maintenance_window", "vpc_uuid",
               "prevent_destroy", "argocd", "name", "size", "count", "autoscale", "taints",
               "key", "value", "effect", "day", "start_time", "min_nodes", "max_nodes"}
BAD_LABEL_KEYS = ["-bad", "bad-", "has space", "x" * 64, "ünï", "a/b/c", "Bad.Domain/x", "/x",
                  "x/", "", "prod\n", f"{RESERVED_LABEL_PREFIX}role"]
BAD_LABEL_VALUES = ["-bad", "has space", "https://x.example.com/y", "x" * 64, "ünï", "v\n"]
BAD_NAMES = ["Prod", "prod_eu", "-prod", "prod-", "x" * 64, "prød", "prod\n", "pr od", "a.b"]


@st.composite
def broken_fleets(draw):
    """A valid fleet with one field broken: (docs, broken cluster, expected field, rename)."""
    docs = copy.deepcopy(draw(fleets(max_workers=2)))
    name = draw(st.sampled_from(sorted(docs)))
    doc = docs[name]
    pool = draw(st.integers(0, len(doc["node_pools"]) - 1))
    kind = draw(st.sampled_from(["wrong type", "out of range", "unknown key", "bad label",
                                 "bad name", "missing", "bad value"]))
    not_str = st.one_of(st.integers(), st.booleans(), st.lists(st.integers(), max_size=2),
                        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
    not_int = st.one_of(st.text(max_size=5), st.floats(allow_nan=False), st.booleans(),
                        st.lists(st.integers(), max_size=2))
    not_bool = st.one_of(st.sampled_from(["yes", "no", "true", "on"]), st.integers(0, 1),
                         st.floats(0, 1))
    if kind == "wrong type":
        field, value = draw(st.sampled_from([
            ("region", not_str), ("kubernetes_version", not_str), ("ha", not_bool),
            ("auto_upgrade", not_bool), ("node_pools", st.one_of(st.text(), st.integers())),
            ("tags", st.one_of(st.integers(), st.dictionaries(st.just("a"), st.integers(),
                                                              min_size=1))),
            ("labels", st.one_of(st.integers(), st.text(min_size=1))),
            (f"node_pools[{pool}].size", not_str), (f"node_pools[{pool}].name", not_str),
        ]))
        value = draw(value)
        _set(doc, field, value)
    elif kind == "out of range":
        bad = st.one_of(st.integers(max_value=0), st.integers(min_value=1001),
                        st.integers(min_value=10**18))
        doc["node_pools"][pool].pop("autoscale", None)
        doc["node_pools"][pool]["count"] = draw(bad)
        field = f"node_pools[{pool}].count"
        if draw(st.booleans()):
            doc["node_pools"][pool].pop("count")
            high = draw(st.integers(1, 999))
            doc["node_pools"][pool]["autoscale"] = {"min_nodes": high + 1, "max_nodes": high}
            field = f"node_pools[{pool}].autoscale"
    elif kind == "unknown key":
        # (No control characters: PyYAML's emitter folds some, e.g. "\x85" comes back " ".)
        key = draw(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                           min_size=1, max_size=20).filter(lambda k: k not in SCHEMA_KEYS))
        where = draw(st.sampled_from(["", f"node_pools[{pool}]", "maintenance_window"]))
        if where == "maintenance_window":
            doc.setdefault("maintenance_window", {"day": "any", "start_time": "01:00"})
        target = _get(doc, where) if where else doc
        target[key] = draw(st.integers() | st.text(max_size=5))
        field = f"{where}.{key}" if where else key
    elif kind == "bad label":
        if draw(st.booleans()):
            doc["labels"] = {**_labels(doc), draw(st.sampled_from(BAD_LABEL_KEYS)): "true"}
        else:
            doc["labels"] = {**_labels(doc), "fuzz": draw(st.sampled_from(BAD_LABEL_VALUES))}
        field = "labels"
    elif kind == "bad name":
        new = draw(st.sampled_from(BAD_NAMES))
        assume(new not in docs)
        docs[new] = docs.pop(name)
        return docs, new, "name"
    elif kind == "missing":
        field = draw(st.sampled_from(["region", "kubernetes_version", "node_pools",
                                      f"node_pools[{pool}].size"]))
        _del(doc, field)
    else:  # bad value
        field, value = draw(st.sampled_from([
            ("region", "frankfurt"), ("region", "fra١"), ("kubernetes_version", "latest"),
            ("kubernetes_version", "1.33\n"), ("node_pools", []),
            (f"node_pools[{pool}].name", "Default"), (f"node_pools[{pool}].size", "S-1"),
            ("vpc_uuid", "not-a-uuid"), ("maintenance_window", {"day": "someday",
                                                                 "start_time": "25:00"}),
            ("role", "boss"),
        ]))
        _set(doc, field, value)
    return docs, name, field


_PART = re.compile(r"([^.\[]+)|\[(\d+)\]")


def _parts(path: str) -> list:
    return [int(i) if i else k for k, i in _PART.findall(path)]


def _get(doc, path: str):
    for part in _parts(path):
        doc = doc[part]
    return doc


def _set(doc, path: str, value) -> None:
    *parents, last = _parts(path)
    for part in parents:
        doc = doc[part]
    doc[last] = value


def _del(doc, path: str) -> None:
    *parents, last = _parts(path)
    for part in parents:
        doc = doc[part]
    del doc[last]


@settings(FAST, max_examples=400)
@given(case=broken_fleets())
@example(case=({"m": {"role": "management", "region": "fra1", "kubernetes_version": "1.33",
                      "node_pools": [{"name": "d", "size": "s", "count": 1}],
                      "labels": {"argocd.argoproj.io/secret-type": "x"},
                      "argocd": {"repositories": {"argocd.argoproj.io/secret-type": {
                          "url": "https://h/r.git"}}}}},
               "m", "labels"))
def test_one_broken_field_is_reported_with_file_and_field(case):
    docs, name, field = case
    CASES["one field broken"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = write_fleet(root, docs)

        result = load_or_error(root)

        assert isinstance(result, ConfigError), f"{field} broken in {name}, yet it loaded"
        mine = error_for(result, files[name])
        assert mine, f"no error for {files[name]}: {result}"
        fields = [e.field or "" for e in mine]
        assert any(f == field or f.startswith((field + ".", field + "[")) for f in fields), \
            f"expected field {field!r}, got {fields}: {result}"


# --- Random values, text and bytes ---------------------------------------------------------

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                         st.text(max_size=30), st.dates())
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=15), st.integers(), st.booleans()),
                        children, max_size=4)),
    max_leaves=20)
KEYS = ["role", "region", "kubernetes_version", "node_pools", "labels", "tags", "ha",
        "maintenance_window", "vpc_uuid", "prevent_destroy", "argocd", "name"]


@st.composite
def spliced_fleets(draw):
    """A valid fleet where some values are replaced by random YAML values."""
    docs = copy.deepcopy(draw(fleets(max_workers=1)))
    for _ in range(draw(st.integers(1, 3))):
        doc = docs[draw(st.sampled_from(sorted(docs)))]
        target = doc
        pools = [p for p in doc.get("node_pools") or [] if isinstance(p, dict)] \
            if isinstance(doc.get("node_pools"), list) else []
        if pools and draw(st.booleans()):
            target = draw(st.sampled_from(pools))
        elif isinstance(doc.get("argocd"), dict) and draw(st.booleans()):
            target = doc["argocd"]
        keys = KEYS + sorted(k for k in target if isinstance(k, str))
        target[draw(st.sampled_from(keys))] = draw(yaml_values)
    return docs


@settings(FAST, max_examples=300)
@given(docs=spliced_fleets())
def test_random_values_in_valid_documents(docs):
    CASES["random values spliced"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_fleet(root, docs)

        load_or_error(root)


@settings(FAST, max_examples=300)
@given(value=yaml_values)
def test_random_yaml_documents(value):
    CASES["random YAML documents"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = write_fleet(root, {"fuzz": value})

        result = load_or_error(root)

        assert isinstance(result, ConfigError)  # never a whole valid fleet by chance
        assert error_for(result, files["fuzz"]) or "no management cluster" in str(result)


@settings(FAST, max_examples=300)
@given(text=st.text(max_size=200)
       | st.lists(st.sampled_from(["role: worker", "- ", "{", "}", "[", "]", ": ", "&a ",
                                   "*a ", "!!binary ", "!!python/object:os.system ", "? ",
                                   "---", "...", "'", '"', "%YAML 1.1", "\t", "\n", "  ",
                                   "<<: *a", "!!set ", "~", "0x1F", "1e400", ".nan",
                                   "\ufeff", "\x00", "\u2028", "#"]),
                  max_size=30).map("".join))
def test_random_text(text):
    CASES["random text"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # Lone surrogates are written as they are: invalid UTF-8.
        files = write_fleet(root, {"fuzz": text.encode("utf-8", "surrogatepass")})

        result = load_or_error(root)

        assert isinstance(result, ConfigError)
        assert error_for(result, files["fuzz"]) or "no management cluster" in str(result)


@settings(FAST, max_examples=200)
@given(data=st.binary(max_size=300))
@example(data=b"role: worker\nregion: \xff\xfe\n")
@example(data=b"\xef\xbb\xbfrole: management\n")
@example(data="role: wörker\n".encode("latin-1"))
@example(data="role: worker\n".encode("utf-16"))
def test_random_bytes(data):
    CASES["random bytes"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = write_fleet(root, {"fuzz": data})

        result = load_or_error(root)

        assert isinstance(result, ConfigError)
        assert error_for(result, files["fuzz"]) or "no management cluster" in str(result)


# --- Specific shapes ------------------------------------------------------------------------

TOP_LEVEL = {
    "empty": "",
    "blank": "   \n\n",
    "comment only": "# nothing here\n",
    "explicit null": "~\n",
    "document end": "...\n",
    "list": "- role: worker\n",
    "string": "worker\n",
    "integer": "42\n",
    "float": "1.5\n",
    "bool": "true\n",
    "date": "2025-01-01\n",
    "binary": "!!binary aGVsbG8=\n",
    "set": "!!set {role, region}\n",
    "two documents": "role: worker\n---\nrole: worker\n",
    "python tag": "!!python/object/apply:os.system ['true']\n",
    "custom tag": "!fleet {role: worker}\n",
    "tab indentation": "role: worker\nnode_pools:\n\t- name: x\n",
    "NUL byte": "role: worker\x00\n",
    "BOM only": "\ufeff",
    "non-string keys": "1: a\n2.5: b\n? [x]\n: c\n",
    "null key": "~: x\nrole: worker\n",
    "bool key": "true: x\n",
}


@pytest.mark.parametrize("text", TOP_LEVEL.values(), ids=TOP_LEVEL.keys())
def test_wrong_top_level_types_and_odd_documents(fleet_dir, text):
    CASES["odd documents"] += 1
    file = write_cluster(fleet_dir, "odd", "")
    file.write_text(text, encoding="utf-8")

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    check_error(info.value, fleet_dir)
    assert error_for(info.value, file), str(info.value)


@pytest.mark.parametrize("kind", ["link to /dev/zero", "directory", "dangling link"])
def test_cluster_yaml_that_is_not_a_regular_file(fleet_dir, kind):
    CASES["odd documents"] += 1
    file = fleet_dir / "odd" / "cluster.yaml"
    file.parent.mkdir()
    if kind == "link to /dev/zero":  # would never end if read whole
        file.symlink_to("/dev/zero")
    elif kind == "directory":
        file.mkdir()
    else:
        file.symlink_to(fleet_dir / "nowhere.yaml")

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    check_error(info.value, fleet_dir)
    link = ("is a symbolic link (to {}): a cluster's definition must be a file of its own "
            "directory")
    expected = {"dangling link": f"{file}: " + link.format(
                    f"{fleet_dir / 'nowhere.yaml'}, which does not exist"),
                "link to /dev/zero": f"{file}: " + link.format("/dev/zero")}.get(
        kind, f"{file}: is not a regular file")
    assert [str(e) for e in _errors(info.value)] == [expected]


def _worker(**overrides) -> str:
    doc = {"role": "worker", "region": "fra1", "kubernetes_version": "1.33",
           "node_pools": [{"name": "default", "size": "s-2vcpu-4gb", "count": 2}],
           "labels": ["global"], **overrides}
    return yaml.safe_dump(doc, allow_unicode=True, width=10**9)


HUGE = {
    "long region": (_worker(region="a" * 500_000), "region"),
    "long url": (None, "argocd.repositories.global.url"),
    "long label key": (_worker(labels={"k" * 100_000: "true"}), "labels." + "k" * 100_000),
    "long label value": (_worker(labels={"global": "v" * 100_000}), "labels.global"),
    "long unknown key": (_worker(**{"x" * 100_000: 1}), "x" * 100_000),
    "huge count": (_worker(node_pools=[{"name": "d", "size": "s", "count": 10**400}]),
                   "node_pools[0].count"),
    "count over Python's digit limit": (_worker().replace("count: 2", "count: 1" + "0" * 5000),
                                        None),
    "big count": (_worker(node_pools=[{"name": "d", "size": "s", "count": 10**30}]),
                  "node_pools[0].count"),
    "huge float": ("role: worker\nha: 1e400\n", None),
    "negative zero": (_worker(node_pools=[{"name": "d", "size": "s", "count": -0.0}]),
                      "node_pools[0].count"),
    "many node pools": (_worker(node_pools=[{"name": f"p{i}", "size": "s", "count": 1}
                                            for i in range(1000)], region="bad"), "region"),
    "deep list": ("tags: " + "[" * 5000 + "]" * 5000 + "\n", None),
    "deep mapping": ("tags: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", None),
    "deep block nesting": ("".join("  " * i + "a:\n" for i in range(2000)), None),
    "over the size limit": ("# " + "x" * MAX_YAML_BYTES + "\n" + _worker(), None),
    "unicode everywhere": (_worker(region="frä1", tags=["ünïcødé"],
                                   labels={"glöbal": "✓"}), "region"),
    "right-to-left and emoji": (_worker(region="\u202efra1", **{"🚀": "🔥"}), "region"),
}


@pytest.mark.parametrize("text,field", HUGE.values(), ids=HUGE.keys())
def test_huge_deep_and_unicode_values(fleet_dir, text, field):
    CASES["huge, deep and unicode values"] += 1
    if text is None:  # the long URL goes in the management cluster
        file = fleet_dir / "do-management" / "cluster.yaml"
        doc = yaml.safe_load(file.read_text())
        doc["argocd"]["repositories"]["global"]["url"] = "https://h/" + "r" * 200_000
        file.write_text(yaml.safe_dump(doc, width=10**9))
    else:
        file = write_cluster(fleet_dir, "huge", "")
        file.write_text(text, encoding="utf-8")

    started = time.monotonic()
    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)
    elapsed = time.monotonic() - started

    check_error(info.value, fleet_dir)
    mine = error_for(info.value, file)
    assert mine, str(info.value)[:500]
    if field is not None:
        assert field in [e.field for e in mine], [e.field for e in mine]
    assert elapsed < 10, f"took {elapsed:.1f}s"


def test_long_values_are_shortened_in_messages(fleet_dir):
    write_cluster(fleet_dir, "huge", _worker(region="a" * 500_000))

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    # The file's path is as long as the temporary directory's: measure what follows it.
    path = str(fleet_dir / "huge" / "cluster.yaml")
    assert str(info.value).startswith(path), str(info.value)[:400]
    message = str(info.value)[len(path):]
    assert len(message) < 300, message[:400]


# --- Aliases ------------------------------------------------------------------------------

def bomb(width: int, depth: int, where: str) -> str:
    """A document whose last alias expands to ``width ** depth`` leaves."""
    lines = [f"x0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
    top = f"*a{depth - 1}"
    body = {
        "unknown key": f"bomb: {top}",
        "tags": f"tags: {top}",
        "labels": f"labels: {top}",
        "node_pools": f"node_pools: {top}",
        "region": f"region: {top}",
        "nested": f"maintenance_window: {{day: {top}}}",
    }[where]
    return "\n".join([*lines, "role: worker", body]) + "\n"


@settings(FAST, max_examples=100)
@given(width=st.integers(2, 12), depth=st.integers(2, 9),
       where=st.sampled_from(["unknown key", "tags", "labels", "node_pools", "region",
                              "nested"]))
def test_alias_expansion_is_bounded(width, depth, where):
    """Aliases that expand past MAX_YAML_NODES values are refused before validation."""
    CASES["alias bombs"] += 1
    expanded = sum(width ** i for i in range(1, depth + 1))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = write_fleet(root, {"bomb": bomb(width, depth, where)})

        started = time.monotonic()
        result = load_or_error(root)
        elapsed = time.monotonic() - started

        assert isinstance(result, ConfigError)
        assert error_for(result, files["bomb"])
        if expanded > MAX_YAML_NODES:
            assert "each alias counts as the node it repeats" in str(result)
        assert elapsed < 2, f"{width}^{depth} took {elapsed:.1f}s"


def test_recursive_alias_is_an_error(fleet_dir):
    file = write_cluster(fleet_dir, "loop", "role: worker\ntags: &a [x, *a]\n")

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert str(info.value) == f"{file}: invalid YAML: an alias refers to a node that contains it"


def test_ordinary_anchors_and_merge_keys_still_work(fleet_dir):
    write_cluster(fleet_dir, "do-staging", """
        role: worker
        region: fra1
        kubernetes_version: "1.33"
        node_pools:
          - &pool {name: a, size: s-2vcpu-4gb, count: 2, labels: &labels {tier: web}}
          - {<<: *pool, name: b}
          - {name: c, size: c-4, count: 1, labels: *labels}
        labels: [global]
    """)

    fleet = load_fleet(fleet_dir)

    pools = fleet.clusters["do-staging"].spec.node_pools
    assert [(p.name, p.size, p.count, p.labels) for p in pools] == [
        ("a", "s-2vcpu-4gb", 2, {"tier": "web"}), ("b", "s-2vcpu-4gb", 2, {"tier": "web"}),
        ("c", "c-4", 1, {"tier": "web"})]


# --- Duplicate keys -------------------------------------------------------------------------

@st.composite
def duplicated(draw):
    """A valid document's YAML with one mapping key given twice (anywhere in the tree)."""
    docs = draw(fleets(max_workers=1))
    name = draw(st.sampled_from(sorted(docs)))
    root = yaml.compose(yaml.safe_dump(docs[name], allow_unicode=True))
    mappings = []

    def walk(node):
        if isinstance(node, yaml.MappingNode):
            mappings.append(node)
            for key, value in node.value:
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)

    walk(root)
    mappings = [m for m in mappings if m.value]
    mapping = draw(st.sampled_from(mappings))
    index = draw(st.integers(0, len(mapping.value) - 1))
    key, value = mapping.value[index]
    other = draw(st.sampled_from([v for _, v in mapping.value]))
    mapping.value.insert(draw(st.integers(index + 1, len(mapping.value))), (key, other))
    mapping.flow_style = draw(st.booleans())
    text = yaml.serialize(root, allow_unicode=True)
    docs = {**docs, name: text}
    return docs, name, key.value


@settings(FAST, max_examples=150)
@given(case=duplicated())
def test_duplicate_keys_are_errors(case):
    docs, name, key = case
    CASES["duplicate keys"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = write_fleet(root, docs)

        result = load_or_error(root)

        assert isinstance(result, ConfigError)
        (mine,) = error_for(result, files[name])
        assert f"duplicate key {key!r}" in mine.message


# --- Findings, kept as examples ---------------------------------------------------------------

def test_labels_that_give_the_same_names_are_refused(fleet_dir):
    """`a.b` and `a-b` both become ApplicationSet `label-a-b` and variable `repository_a_b`."""
    file = fleet_dir / "do-management" / "cluster.yaml"
    doc = yaml.safe_load(file.read_text())
    doc["labels"] += ["team.a", "team-a"]
    creds = {"username": "deploy", "password_variable": "token"}
    doc["argocd"]["repositories"].update({
        "team.a": {"url": "https://h/a.git", "credentials": creds},
        "team-a": {"url": "https://h/b.git", "credentials": creds}})
    file.write_text(yaml.safe_dump(doc, sort_keys=False))

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert str(info.value) == (
        f"{file}: argocd.repositories: repositories.team-a: label 'team-a' and 'team.a' give "
        "the same resource names ('team-a'): labels must differ in more than case and "
        "punctuation")


@pytest.mark.parametrize("field,value", [
    ("revision", "${file(\"/etc/passwd\")}"),
    ("path", "apps/%{if true}x%{endif}"),
    ("url", "https://h/${var.x}.git"),
    ("credentials", {"username": "${path.module}", "password_variable": "token"}),
])
def test_terraform_templates_in_repository_settings_are_refused(fleet_dir, field, value):
    """A literal `${` or `%{` would reach cdk.tf.json, where Terraform evaluates it."""
    file = fleet_dir / "do-management" / "cluster.yaml"
    doc = yaml.safe_load(file.read_text())
    doc["argocd"]["repositories"]["global"][field] = value
    file.write_text(yaml.safe_dump(doc))

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert "(Terraform would evaluate it)" in str(info.value)
    assert info.value.field.startswith(f"argocd.repositories.global.{field}")


@pytest.mark.parametrize("field,value", [
    ("hostname", "argocd.example.com\n"),
    ("repositories.global.url", "https://gitlab.com/example/fleetform.git\n"),
])
def test_final_newline_is_not_a_valid_value(fleet_dir, field, value):
    """Python's `$` matches before a final newline: the patterns use `\\Z`."""
    file = fleet_dir / "do-management" / "cluster.yaml"
    doc = yaml.safe_load(file.read_text())
    _set(doc["argocd"], field, value)
    file.write_text(yaml.safe_dump(doc))

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert info.value.field == f"argocd.{field}"


# --- The real CLI -----------------------------------------------------------------------------

CLI_CASES = {
    "unknown key": (_worker(colour="blue"), "colour: unknown key"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\xff", "is not UTF-8 text"),
    "billion laughs": (bomb(9, 10, "tags"), "each alias counts as the node it repeats"),
    "deep nesting": ("tags: " + "[" * 20000 + "]" * 20000 + "\n", "invalid YAML"),
    "list document": ("- role: worker\n", "must be a mapping of settings, got list"),
    "duplicate key": ("role: worker\nrole: management\n", "duplicate key 'role'"),
    "huge integer": (_worker().replace("count: 2", "count: 1" + "0" * 5000), "invalid YAML"),
    "syntax error": ("role: worker\nregion: [fra1\n", "invalid YAML: line"),
}


@pytest.fixture
def cli_project(tmp_path):
    shutil.copy(ROOT / "main.py", tmp_path / "main.py")
    shutil.copy(ROOT / ".terraform.lock.hcl", tmp_path / ".terraform.lock.hcl")
    shutil.copytree(CLUSTERS, tmp_path / "clusters")
    return tmp_path


@pytest.mark.parametrize("content,expected", CLI_CASES.values(), ids=CLI_CASES.keys())
def test_cli_reports_broken_input_in_a_line_or_two(cli_project, content, expected):
    CASES["CLI runs"] += 1
    file = write_cluster(cli_project / "clusters", "broken", "")
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content)

    result = subprocess.run([sys.executable, str(cli_project / "main.py")],
                            capture_output=True, text=True, cwd=cli_project, timeout=120,
                            env={**os.environ, **CLEAN_ENV})

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 3, result.stderr[:1000]
    assert all(line.startswith("error: clusters/broken/cluster.yaml: ") for line in lines), lines
    assert expected in result.stderr
    assert len(result.stderr) < 1000
    assert result.stdout == ""
    assert not (cli_project / "cdktf.out").exists()
