"""A stand-in Terraform provider: ``python standin.py <provider>``.

Built on the ``tf`` framework (PyPI ``tf``), which speaks go-plugin's handshake,
TLS and Terraform's plugin protocol 6. The stand-in serves the pinned
provider's schema (``schemas.py``) and plans like the real provider does:
Terraform's proposed state, defaults filled in, computed attributes unknown
until apply, replacement where the provider forces it. Behind it is the
shared fake cloud (``cloud.py``), and each resource type's behaviour is a few
functions below (``BEHAVIOUR``).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import secrets
import sys
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tf.provider  # noqa: E402
from tf.gen import tfplugin_pb2 as pb  # noqa: E402
from tf.runner import run_provider  # noqa: E402
from tf.types import Unknown  # noqa: E402
from tf.utils import Diagnostics, read_dynamic_value, to_dynamic_value  # noqa: E402

import cloud as clouds  # noqa: E402
import schemas_aws  # noqa: E402
import standin_aws  # noqa: E402
import standin_google  # noqa: E402
import standin_azure  # noqa: E402
from cloud import ApiError  # noqa: E402
from schemas import PROVIDERS, A, Block, Nested  # noqa: E402

# --------------------------------------------------------------------------- schemas on the wire

_NESTING = {"single": pb.Schema.NestedBlock.SINGLE, "list": pb.Schema.NestedBlock.LIST,
            "set": pb.Schema.NestedBlock.SET}
_OBJECT_NESTING = {"single": pb.Schema.Object.SINGLE, "list": pb.Schema.Object.LIST}


def _attribute_pb(name: str, a: A) -> pb.Schema.Attribute:
    flags = dict(required=a.required, optional=a.optional, computed=a.computed,
                 sensitive=a.sensitive)
    if a.nested is not None:
        nesting, block = a.nested
        return pb.Schema.Attribute(name=name, nested_type=pb.Schema.Object(
            attributes=[_attribute_pb(n, x) for n, x in sorted(block.attrs.items())],
            nesting=_OBJECT_NESTING[nesting]), **flags)
    return pb.Schema.Attribute(name=name, type=json.dumps(a.type).encode(), **flags)


def _block_pb(block: Block) -> pb.Schema.Block:
    return pb.Schema.Block(
        attributes=[_attribute_pb(n, a) for n, a in sorted(block.attrs.items())],
        block_types=[pb.Schema.NestedBlock(type_name=n, block=_block_pb(b.block),
                                           nesting=_NESTING[b.nesting], min_items=b.min_items,
                                           max_items=b.max_items)
                     for n, b in sorted(block.blocks.items())])


class _Schema:
    """What tf's GetProviderSchema needs from a schema: ``to_pb()``."""

    def __init__(self, block: Block) -> None:
        self.block = block

    def to_pb(self) -> pb.Schema:
        return pb.Schema(version=0, block=_block_pb(self.block))


# --------------------------------------------------------------------------- planning

def _known(value: Any) -> bool:
    if value is Unknown:
        return False
    if isinstance(value, dict):
        return all(_known(v) for v in value.values())
    if isinstance(value, list):
        return all(_known(v) for v in value)
    return True


def _plan_object(block: Block, value: dict | None, legacy: bool) -> dict | None:
    """Fill defaults and mark unset computed attributes unknown (a create plan)."""
    if value is None:
        return None
    out = dict(value)
    for name, a in block.attrs.items():
        v = out.get(name)
        if v is None:
            if a.default is not None and (a.computed or legacy):
                out[name] = a.default
            elif a.computed:
                out[name] = Unknown
            else:
                out[name] = None
        elif a.nested is not None and v is not Unknown:
            nesting, inner = a.nested
            out[name] = _plan_object(inner, v, legacy) if nesting == "single" else \
                [_plan_object(inner, e, legacy) for e in v]
    for name, b in block.blocks.items():
        v = out.get(name)
        if isinstance(v, list):
            out[name] = [_plan_object(b.block, e, legacy) for e in v]
        elif isinstance(v, dict):
            out[name] = _plan_object(b.block, v, legacy)
    return out


def _keep_prior(block: Block, planned: dict, prior: dict, legacy: bool) -> dict:
    """An update plan: Terraform already kept prior computed values; fill defaults."""
    out = dict(planned)
    for name, a in block.attrs.items():
        if out.get(name) is None and a.default is not None and (a.computed or legacy):
            out[name] = a.default
    for name, b in block.blocks.items():
        new, old = out.get(name), prior.get(name)
        if isinstance(new, list):
            olds = old if isinstance(old, list) else []
            out[name] = [_keep_prior(b.block, e, olds[i] if i < len(olds) else {}, legacy)
                         if isinstance(e, dict) else e for i, e in enumerate(new)]
    return out


def _replace_paths(block: Block, prior: dict, planned: dict) -> list[list]:
    paths = []
    for name, a in block.attrs.items():
        if a.replace and _known(planned.get(name)) and prior.get(name) != planned.get(name):
            if not (a.computed and planned.get(name) is None):
                paths.append([name])
    for name, b in block.blocks.items():
        old, new = prior.get(name) or [], planned.get(name) or []
        if b.replace and _known(new) and old != new:
            paths.append([name])
            continue
        if not isinstance(old, list) or not isinstance(new, list):  # a block yet unknown
            continue
        for i, (o, n) in enumerate(zip(old, new)):
            if isinstance(o, dict) and isinstance(n, dict):
                paths += [[name, i, *p] for p in _replace_paths(b.block, o, n)]
    return paths


def _path_pb(path: list) -> pb.AttributePath:
    steps = [pb.AttributePath.Step(element_key_int=s) if isinstance(s, int)
             else pb.AttributePath.Step(attribute_name=s) for s in path]
    return pb.AttributePath(steps=steps)


def _fill_unknowns(value: Any) -> Any:
    """After apply nothing may stay unknown: what the API did not set is null."""
    if value is Unknown:
        return None
    if isinstance(value, dict):
        return {k: _fill_unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_unknowns(v) for v in value]
    return value


# --------------------------------------------------------------------------- behaviour

class Ctx:
    """What a behaviour function gets: the cloud, the provider's configuration."""

    def __init__(self, cloud: dict, config: dict, provider: str) -> None:
        self.cloud, self.config, self.provider = cloud, config, provider


def _do_auth(ctx: Ctx, what: str) -> None:
    token = ctx.config.get("token") or os.environ.get("DIGITALOCEAN_TOKEN") \
        or os.environ.get("DIGITALOCEAN_ACCESS_TOKEN")
    if token is Unknown or not token:
        raise ApiError(f"{what}: GET https://api.digitalocean.com/v2/kubernetes/clusters: "
                       "401 (request) Unable to authenticate you")


def _kube_config(cloud: dict, cluster: dict) -> list:
    creds = clouds.issue_kube_token(cloud, cluster["id"])
    raw = (f"apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: {cluster['endpoint']}\n"
           f"    certificate-authority-data: {cluster['ca']}\n  name: do-{cluster['name']}\n"
           f"users:\n- name: do-{cluster['name']}-admin\n  user:\n    token: {creds['token']}\n")
    return [{"raw_config": raw, "host": cluster["endpoint"],
             "cluster_ca_certificate": cluster["ca"], "client_key": "",
             "client_certificate": "", "token": creds["token"],
             "expires_at": creds["expires_at"]}]


def _cluster_view(cloud: dict, cluster: dict, state: dict) -> dict:
    out = dict(state)
    out.update(id=cluster["id"], endpoint=cluster["endpoint"], ipv4_address="203.0.113.10",
               status="running", created_at=cluster["created_at"],
               updated_at=cluster["updated_at"], urn=f"do:kubernetes:{cluster['id']}",
               version=cluster["version"], vpc_uuid=cluster["vpc_uuid"],
               cluster_subnet="10.244.0.0/16", service_subnet="10.245.0.0/16")
    return out


def do_cluster_create(ctx: Ctx, planned: dict) -> dict:
    _do_auth(ctx, "POST /v2/kubernetes/clusters")
    cloud = ctx.cloud
    if planned["version"] not in cloud["versions"]:
        raise ApiError(f"POST /v2/kubernetes/clusters: 422 validation error: invalid "
                       f"version slug {planned['version']!r}")
    if clouds.find_cluster_by_name(cloud, planned["name"]):
        raise ApiError("POST /v2/kubernetes/clusters: 409 a cluster with this name exists")
    _check_offer(cloud, "POST /v2/kubernetes/clusters", planned["region"],
                 [p["size"] for p in planned["node_pool"]])
    cid = clouds.next_id(cloud, "k8s")
    pem = f"-----BEGIN CERTIFICATE-----\n{secrets.token_hex(16)}\n-----END CERTIFICATE-----\n"
    cluster = {"id": cid, "name": planned["name"], "endpoint": f"https://{cid}.k8s.ondigitalocean.com",
               "ca_pem": pem, "ca": base64.b64encode(pem.encode()).decode(),
               "region": planned["region"],
               "version": planned["version"], "vpc_uuid": planned["vpc_uuid"]
               if isinstance(planned.get("vpc_uuid"), str) else "vpc-default",
               "created_at": clouds.iso(cloud), "updated_at": clouds.iso(cloud),
               "spec": _spec(planned)}
    cloud["clusters"][cid] = cluster
    out = _cluster_view(cloud, cluster, planned)
    out["kube_config"] = _kube_config(cloud, cluster)
    out["maintenance_policy"] = _maintenance(planned)
    out["node_pool"] = [_pool_view(cloud, p) for p in planned["node_pool"]]
    return out


def _spec(state: dict) -> dict:
    state = _fill_unknowns(state)
    return {k: state.get(k) for k in ("ha", "tags", "auto_upgrade", "surge_upgrade")} | {
        "maintenance_policy": state.get("maintenance_policy"),
        "node_pool": [{k: p.get(k) for k in ("name", "size", "node_count", "auto_scale",
                                             "min_nodes", "max_nodes", "labels", "tags")}
                      for p in state.get("node_pool") or []]}


def _maintenance(state: dict) -> list:
    policies = state.get("maintenance_policy") or [{}]
    p = policies[0] if policies[0] not in (None, Unknown) else {}
    day, start = p.get("day"), p.get("start_time")
    return [{"day": day if isinstance(day, str) else "any",
             "start_time": start if isinstance(start, str) else "00:00", "duration": "4h0m0s"}]


def _pool_view(cloud: dict, pool: dict) -> dict:
    out = dict(pool)
    count = pool.get("node_count") if isinstance(pool.get("node_count"), int) else \
        pool.get("min_nodes") or 1
    if not isinstance(out.get("id"), str):
        out["id"] = clouds.next_id(cloud, "pool")
    out["actual_node_count"] = count
    out["nodes"] = [{"id": f"{out['id']}-n{i}", "name": f"{pool['name']}-{i}", "status": "running",
                     "droplet_id": str(1000 + i), "created_at": clouds.iso(cloud),
                     "updated_at": clouds.iso(cloud)} for i in range(count)]
    return out


def do_cluster_plan(ctx: Ctx, prior: dict | None, planned: dict) -> dict:
    if prior is not None and prior != planned:
        planned["updated_at"] = Unknown
        for pool, old in zip(planned["node_pool"], prior["node_pool"]):
            if pool != old:
                pool["actual_node_count"], pool["nodes"] = Unknown, Unknown
        if planned.get("maintenance_policy") != prior.get("maintenance_policy"):
            planned["maintenance_policy"] = [dict(p, duration=Unknown)
                                             for p in planned["maintenance_policy"]]
    return planned


def do_cluster_read(ctx: Ctx, state: dict) -> dict | None:
    _do_auth(ctx, f"GET /v2/kubernetes/clusters/{state['id']}")
    cluster = ctx.cloud["clusters"].get(state["id"])
    if cluster is None:
        return None
    out = _cluster_view(ctx.cloud, cluster, state)
    # resource_kubernetes_cluster.go (v2.71.0), digitaloceanKubernetesClusterRead: the
    # credentials are fetched again only when the stored ones have expired.
    creds = (state.get("kube_config") or [{}])[0] or {}
    if not clouds.kube_token_ok(ctx.cloud, creds.get("token")):
        out["kube_config"] = _kube_config(ctx.cloud, cluster)
    return out


def do_cluster_update(ctx: Ctx, prior: dict, planned: dict) -> dict:
    _do_auth(ctx, f"PUT /v2/kubernetes/clusters/{prior['id']}")
    cluster = ctx.cloud["clusters"][prior["id"]]
    if planned["version"] != cluster["version"]:
        if planned["version"] not in ctx.cloud["versions"]:
            raise ApiError(f"POST /v2/kubernetes/clusters/{prior['id']}/upgrade: 422 invalid "
                           f"version slug {planned['version']!r}")
        cluster["version"] = planned["version"]
    cluster["spec"] = _spec(planned)
    cluster["name"] = planned["name"]
    cluster["updated_at"] = clouds.iso(ctx.cloud)
    out = _cluster_view(ctx.cloud, cluster, planned)
    out["maintenance_policy"] = _maintenance(planned)
    out["node_pool"] = [_pool_view(ctx.cloud, p) for p in planned["node_pool"]]
    return out


def do_cluster_delete(ctx: Ctx, state: dict) -> None:
    _do_auth(ctx, f"DELETE /v2/kubernetes/clusters/{state['id']}")
    ctx.cloud["clusters"].pop(state["id"], None)


def do_cluster_data(ctx: Ctx, config: dict) -> dict:
    _do_auth(ctx, "GET /v2/kubernetes/clusters")
    cluster = clouds.find_cluster_by_name(ctx.cloud, config["name"])
    if cluster is None:
        # datasource_kubernetes_cluster.go (v2.71.0)
        raise ApiError(f"Unable to find cluster with name: {config['name']}")
    spec = cluster["spec"]
    out = {k: None for k in PROVIDERS["digitalocean"][4]["digitalocean_kubernetes_cluster"].attrs}
    out.update(_cluster_view(ctx.cloud, cluster, {}))
    out.update(name=cluster["name"], region=cluster["region"],
               kube_config=_kube_config(ctx.cloud, cluster),
               ha=spec["ha"], surge_upgrade=spec["surge_upgrade"],
               auto_upgrade=spec["auto_upgrade"], tags=spec["tags"],
               kubeconfig_expire_seconds=config.get("kubeconfig_expire_seconds"),
               maintenance_policy=_maintenance(spec), node_pool=[], control_plane_firewall=[],
               routing_agent=[], amd_gpu_device_plugin=[],
               amd_gpu_device_metrics_exporter_plugin=[],
               cluster_autoscaler_configuration=config.get("cluster_autoscaler_configuration"))
    return out


def do_versions_data(ctx: Ctx, config: dict) -> dict:
    _do_auth(ctx, "GET /v2/kubernetes/options")
    prefix = config.get("version_prefix") or ""
    valid = [v for v in ctx.cloud["versions"] if v.startswith(prefix)]
    # datasource_kubernetes_versions.go: latest_version is left unset when nothing matches.
    return {"id": "versions", "version_prefix": config.get("version_prefix"),
            "latest_version": valid[0] if valid else None, "valid_versions": valid}


def _matches(record_value: Any, flt: dict) -> bool:
    """internal/datalist/filter.go: a record matches a filter on one of its values (every
    one with ``all``), by ``exact`` (the default), ``substring`` or ``re`` comparison."""
    how = flt.get("match_by") or "exact"

    def one(value: Any, wanted: str) -> bool:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return {"exact": text == wanted, "substring": wanted in text,
                "re": re.search(wanted, text) is not None}[how]

    values = record_value if isinstance(record_value, list) else [record_value]
    wanted = flt["values"]
    if flt.get("all"):
        return all(any(one(v, w) for v in values) for w in wanted)
    return any(one(v, w) for v in values for w in wanted)


def _data_list(config: dict, records: list, attribute: str) -> dict:
    for flt in config.get("filter") or []:
        records = [r for r in records if _matches(r[flt["key"]], flt)]
    for order in reversed(config.get("sort") or []):
        records = sorted(records, key=lambda r: r[order["key"]],
                         reverse=order.get("direction") == "desc")
    filters = [dict(f, all=bool(f.get("all")), match_by=f.get("match_by") or "exact")
               for f in config.get("filter") or []]
    return {"id": f"{attribute}/{len(records)}", attribute: records,
            "filter": filters or None, "sort": config.get("sort")}


def do_regions_data(ctx: Ctx, config: dict) -> dict:
    _do_auth(ctx, "GET /v2/regions")
    return _data_list(config, copy.deepcopy(ctx.cloud["regions"]), "regions")


def do_sizes_data(ctx: Ctx, config: dict) -> dict:
    _do_auth(ctx, "GET /v2/sizes")
    return _data_list(config, copy.deepcopy(ctx.cloud["sizes"]), "sizes")


def _check_offer(cloud: dict, what: str, region: str, sizes: list) -> None:
    """The DOKS API refuses a region that takes no new clusters, or a size not on offer there."""
    place = next((r for r in cloud["regions"] if r["slug"] == region), None)
    if place is None or not place["available"]:
        raise ApiError(f"{what}: 422 validation error: invalid region {region!r}")
    for size in sizes:
        if size not in place["sizes"]:
            raise ApiError(f"{what}: 422 validation error: size {size!r} is not available "
                           f"in {region}")


def do_pool_create(ctx: Ctx, planned: dict) -> dict:
    _do_auth(ctx, "POST /v2/kubernetes/clusters/{id}/node_pools")
    if planned["cluster_id"] not in ctx.cloud["clusters"]:
        raise ApiError("POST node_pools: 404 cluster not found")
    _check_offer(ctx.cloud, "POST node_pools", ctx.cloud["clusters"][planned["cluster_id"]]
                 ["region"], [planned["size"]])
    return _pool_view(ctx.cloud, planned)


def do_pool_update(ctx: Ctx, prior: dict, planned: dict) -> dict:
    _do_auth(ctx, "PUT /v2/kubernetes/clusters/{id}/node_pools/{pool}")
    return _pool_view(ctx.cloud, dict(planned, id=prior["id"]))


def do_pool_plan(ctx: Ctx, prior: dict | None, planned: dict) -> dict:
    if prior is not None and prior != planned:
        planned["actual_node_count"], planned["nodes"] = Unknown, Unknown
    return planned


# --- kubernetes objects, on the cluster the provider is configured for

def _kube(ctx: Ctx, what: str) -> str:
    return clouds.kube_api(ctx.cloud, ctx.config, what)


def _object_key(type_name: str, state: dict) -> str:
    meta = state["metadata"][0]
    return f"{type_name}/{meta.get('namespace') or ''}/{meta['name']}"


def _meta_view(ctx: Ctx, state: dict) -> dict:
    out = copy.deepcopy(state)
    meta = out["metadata"][0]
    meta.update(generation=meta.get("generation") if isinstance(meta.get("generation"), int) else 1,
                resource_version=meta.get("resource_version")
                if isinstance(meta.get("resource_version"), str) else "1",
                uid=meta.get("uid") if isinstance(meta.get("uid"), str)
                else clouds.next_id(ctx.cloud, "uid"))
    return out


def kube_create(type_name: str):
    def create(ctx: Ctx, planned: dict) -> dict:
        cid = _kube(ctx, f"POST /apis/{type_name}")
        out = _meta_view(ctx, planned)
        meta = out["metadata"][0]
        out["id"] = f"{meta.get('namespace')}/{meta['name']}" if meta.get("namespace") \
            else meta["name"]
        if type_name == "kubernetes_secret_v1" and \
                planned.get("type") == "kubernetes.io/service-account-token":
            # The token controller fills the Secret.
            cluster = ctx.cloud["clusters"][cid]
            out["data"] = {"token": "sa-" + secrets.token_hex(12), "ca.crt": cluster["ca_pem"],
                           "namespace": meta.get("namespace")}
        if type_name == "kubernetes_service_account_v1":
            out["default_secret_name"] = ""
        objects = ctx.cloud["objects"].setdefault(cid, {})
        key = _object_key(type_name, out)
        if key in objects:
            raise ApiError(f"POST {key}: 409 AlreadyExists")
        objects[key] = _fill_unknowns(out)
        return out
    return create


def kube_read(type_name: str):
    def read(ctx: Ctx, state: dict) -> dict | None:
        key = _object_key(type_name, state)
        cid = _kube(ctx, f"GET /{key}")
        stored = ctx.cloud["objects"].get(cid, {}).get(key)
        return copy.deepcopy(stored) if stored else None
    return read


def kube_update(type_name: str):
    def update(ctx: Ctx, prior: dict, planned: dict) -> dict:
        key = _object_key(type_name, prior)
        cid = _kube(ctx, f"PATCH /{key}")
        out = _meta_view(ctx, planned)
        ctx.cloud["objects"].setdefault(cid, {})[key] = _fill_unknowns(out)
        return out
    return update


def kube_delete(type_name: str):
    def delete(ctx: Ctx, state: dict) -> None:
        key = _object_key(type_name, state)
        cid = _kube(ctx, f"DELETE /{key}")
        ctx.cloud["objects"].get(cid, {}).pop(key, None)
    return delete


# --- helm releases

def _helm_kube(ctx: Ctx, what: str) -> str:
    return clouds.kube_api(ctx.cloud, ctx.config.get("kubernetes"), what)


def helm_plan(ctx: Ctx, prior: dict | None, planned: dict) -> dict:
    if prior is not None and prior != planned:
        planned["metadata"], planned["manifest"], planned["status"] = Unknown, Unknown, Unknown
    return planned


def _release_view(ctx: Ctx, planned: dict, revision: int) -> dict:
    out = dict(planned)
    out.update(id=planned["name"], status="deployed", manifest=None, resources=None,
               version=planned.get("version") if isinstance(planned.get("version"), str)
               else "1.0.0", description=planned.get("description")
               if isinstance(planned.get("description"), str) else "Install complete")
    out["metadata"] = {"app_version": "v3.4.0", "chart": planned["chart"],
                       "first_deployed": ctx.cloud["now"], "last_deployed": ctx.cloud["now"],
                       "name": planned["name"], "namespace": planned["namespace"],
                       "notes": "", "revision": revision, "values": "{}",
                       "version": out["version"]}
    return out


def _install_argocd(ctx: Ctx, cid: str, planned: dict) -> None:
    if planned["chart"] != "argo-cd":
        return
    import yaml  # the chart's values decide Argo CD's public name
    values = {}
    for text in planned.get("values") or []:
        values.update(yaml.safe_load(text) or {})
    instance = ctx.cloud["argocd"].setdefault(cid, {"tokens": {}, "clusters": {}})
    instance["hostname"] = (values.get("global") or {}).get("domain")


def helm_create(ctx: Ctx, planned: dict) -> dict:
    cid = _helm_kube(ctx, f"helm install {planned['name']}")
    releases = ctx.cloud["releases"].setdefault(cid, {})
    key = f"{planned['namespace']}/{planned['name']}"
    if key in releases:
        raise ApiError(f"helm install {planned['name']}: cannot re-use a name that is still in use")
    out = _release_view(ctx, planned, 1)
    releases[key] = {"revision": 1, "chart": planned["chart"], "version": out["version"]}
    _install_argocd(ctx, cid, planned)
    return out


def helm_read(ctx: Ctx, state: dict) -> dict | None:
    cid = _helm_kube(ctx, f"helm status {state['name']}")
    if f"{state['namespace']}/{state['name']}" not in ctx.cloud["releases"].get(cid, {}):
        return None
    return state


def helm_update(ctx: Ctx, prior: dict, planned: dict) -> dict:
    cid = _helm_kube(ctx, f"helm upgrade {planned['name']}")
    release = ctx.cloud["releases"][cid][f"{planned['namespace']}/{planned['name']}"]
    release["revision"] += 1
    _install_argocd(ctx, cid, planned)
    return _release_view(ctx, planned, release["revision"])


def helm_delete(ctx: Ctx, state: dict) -> None:
    cid = _helm_kube(ctx, f"helm uninstall {state['name']}")
    ctx.cloud["releases"].get(cid, {}).pop(f"{state['namespace']}/{state['name']}", None)


# --- Argo CD

def _argocd(ctx: Ctx, what: str) -> dict:
    return clouds.argocd_api(ctx.cloud, ctx.config, what)


def token_create(ctx: Ctx, planned: dict) -> dict:
    instance = _argocd(ctx, f"POST /api/v1/account/{planned.get('account')}/token")
    jwt = "argocd-" + secrets.token_hex(16)
    account = planned.get("account") if isinstance(planned.get("account"), str) else "admin"
    instance["tokens"][jwt] = account
    return dict(planned, id=jwt[-12:], account=account, jwt=jwt,
                issued_at=str(ctx.cloud["now"]), expires_at=None)


def token_read(ctx: Ctx, state: dict) -> dict | None:
    instance = _argocd(ctx, f"GET /api/v1/account/{state['account']}")
    return state if state["jwt"] in instance["tokens"] else None


def token_delete(ctx: Ctx, state: dict) -> None:
    instance = _argocd(ctx, f"DELETE /api/v1/account/{state['account']}/token")
    instance["tokens"].pop(state["jwt"], None)


def _registration(planned: dict) -> dict:
    config = planned["config"][0]
    metadata = (planned.get("metadata") or [{}])[0] or {}
    return {"name": planned.get("name"), "server": planned.get("server"),
            "labels": metadata.get("labels") or {}, "annotations": metadata.get("annotations"),
            "bearer_token": config.get("bearer_token"),
            "ca_data": ((config.get("tls_client_config") or [{}])[0] or {}).get("ca_data"),
            "shard": planned.get("shard")}


def cluster_create(ctx: Ctx, planned: dict) -> dict:
    instance = _argocd(ctx, "POST /api/v1/clusters")
    if planned["server"] in instance["clusters"]:
        raise ApiError("POST /api/v1/clusters: existing cluster spec is different")
    instance["clusters"][planned["server"]] = _registration(planned)
    return dict(planned, id=f"{planned['server']}/{planned.get('name')}",
                info=[{"server_version": "1.33", "applications_count": "0",
                       "connection_state": [{"message": "", "status": "Successful"}]}])


def cluster_read(ctx: Ctx, state: dict) -> dict | None:
    instance = _argocd(ctx, f"GET /api/v1/clusters/{state['server']}")
    stored = instance["clusters"].get(state["server"])
    if stored is None:
        return None
    out = copy.deepcopy(state)
    if out.get("metadata"):
        out["metadata"][0]["labels"] = stored["labels"] or None
    return out


def cluster_update(ctx: Ctx, prior: dict, planned: dict) -> dict:
    instance = _argocd(ctx, f"PUT /api/v1/clusters/{prior['server']}")
    instance["clusters"][planned["server"]] = _registration(planned)
    return dict(planned, info=prior.get("info"))


def cluster_delete(ctx: Ctx, state: dict) -> None:
    instance = _argocd(ctx, f"DELETE /api/v1/clusters/{state['server']}")
    instance["clusters"].pop(state["server"], None)


# --- random

def password_create(ctx: Ctx, planned: dict) -> dict:
    result = secrets.token_urlsafe(int(planned["length"]))[: int(planned["length"])]
    return dict(planned, id="none", result=result, bcrypt_hash="$2a$10$" + secrets.token_hex(26))


def _unchanged(ctx: Ctx, state: dict) -> dict:
    return state


def _no_update(ctx: Ctx, prior: dict, planned: dict) -> dict:
    return planned


def _nothing(ctx: Ctx, state: dict) -> None:
    return None


#: type -> create, read, update, delete, plan (each None for the generic behaviour)
BEHAVIOUR: dict[str, dict[str, Callable]] = {
    "digitalocean_kubernetes_cluster": dict(
        create=do_cluster_create, read=do_cluster_read, update=do_cluster_update,
        delete=do_cluster_delete, plan=do_cluster_plan, data=do_cluster_data),
    "digitalocean_kubernetes_versions": dict(data=do_versions_data),
    "digitalocean_regions": dict(data=do_regions_data),
    "digitalocean_sizes": dict(data=do_sizes_data),
    "digitalocean_kubernetes_node_pool": dict(
        create=do_pool_create, read=_unchanged, update=do_pool_update, delete=_nothing,
        plan=do_pool_plan),
    **{t: dict(create=kube_create(t), read=kube_read(t), update=kube_update(t),
               delete=kube_delete(t))
       for t in ("kubernetes_secret_v1", "kubernetes_service_account_v1",
                 "kubernetes_cluster_role_v1", "kubernetes_cluster_role_binding_v1")},
    "helm_release": dict(create=helm_create, read=helm_read, update=helm_update,
                         delete=helm_delete, plan=helm_plan),
    "argocd_account_token": dict(create=token_create, read=token_read, update=_no_update,
                                 delete=token_delete),
    "argocd_cluster": dict(create=cluster_create, read=cluster_read, update=cluster_update,
                           delete=cluster_delete),
    "random_password": dict(create=password_create, read=_unchanged, update=_no_update,
                            delete=_nothing),
    # hashicorp/aws: standin_aws.py
    **standin_aws.BEHAVIOUR_AWS,
    # hashicorp/google: standin_google.py
    **standin_google.BEHAVIOUR_GOOGLE,
    # hashicorp/azurerm: standin_azure.py
    **standin_azure.BEHAVIOUR_AZURE,
}


# --------------------------------------------------------------------------- the provider

class _Type:
    """A resource or data source type as tf's servicer sees it."""

    def __init__(self, name: str, block: Block) -> None:
        self.name, self.block = name, block

    def __call__(self, provider: Any) -> "_Type":
        return self

    def get_name(self) -> str:
        return self.name

    def get_schema(self) -> _Schema:
        return _Schema(self.block)

    def validate(self, diags: Diagnostics, type_name: str, config: dict) -> None:
        """Terraform core validates the configuration against the schema; a type's
        ``validate`` behaviour adds the provider's own checks (ValidateFuncs)."""
        check = BEHAVIOUR.get(type_name, {}).get("validate")
        for message in check(config or {}) if check else []:
            diags.add_error(message, "")


class StandIn:
    """The ``tf.iface.Provider`` of one stand-in provider."""

    def __init__(self, name: str) -> None:
        self.name = name
        (self.namespace, self.version, self.schema, resources, data_sources,
         self.legacy) = PROVIDERS[name]
        self.resources = {t: _Type(t, b) for t, b in resources.items()}
        self.data_sources = {t: _Type(t, b) for t, b in data_sources.items()}
        self.config: dict = {}

    def get_model_prefix(self) -> str:
        return ""

    def full_name(self) -> str:
        return f"registry.terraform.io/{self.namespace}/{self.name}"

    def get_provider_schema(self, diags: Diagnostics) -> _Schema:
        return _Schema(self.schema)

    def validate_config(self, diags: Diagnostics, config: dict) -> None:
        pass

    def configure_provider(self, diags: Diagnostics, config: dict) -> None:
        self.config = config or {}
        hook = standin_aws.CONFIGURE.get(self.name) or standin_google.CONFIGURE.get(self.name) \
            or standin_azure.CONFIGURE.get(self.name)
        if hook:
            with clouds.opened() as cloud:
                try:
                    hook(cloud, self.config)
                except ApiError as exc:
                    _error(diags, exc)

    def legacy_for(self, type_name: str) -> bool:
        """Whether a resource type speaks SDKv2's legacy type system (per type for aws,
        a muxed provider; per provider otherwise)."""
        if self.name == "aws":
            return schemas_aws.legacy_type_system("resource", type_name)
        return self.legacy

    def get_data_sources(self) -> list:
        return list(self.data_sources.values())

    def get_resources(self) -> list:
        return list(self.resources.values())

    def get_functions(self) -> list:
        return []

    def new_resource(self, klass: _Type) -> _Type:
        return klass

    new_data_source = new_resource


def _error(diags: Diagnostics, exc: Exception) -> None:
    diags.add_error(str(exc), getattr(exc, "detail", ""))


class StandInServicer(tf.provider.ProviderServicer):
    """tf's servicer, with planning, apply and reads driven by the schema and BEHAVIOUR."""

    app: StandIn

    def _block(self, type_name: str) -> Block:
        return self.app.resources[type_name].block

    def _run(self, diags: Diagnostics, type_name: str, op: str, *args: Any) -> Any:
        with clouds.opened() as cloud:
            try:
                return BEHAVIOUR[type_name][op](Ctx(cloud, self.app.config, self.app.name),
                                                *args)
            except ApiError as exc:
                _error(diags, exc)
                return None

    def UpgradeResourceState(self, request, context):
        state = json.loads(request.raw_state.json)
        return pb.UpgradeResourceState.Response(upgraded_state=to_dynamic_value(state))

    def PlanResourceChange(self, request, context):
        diags = Diagnostics()
        type_name = request.type_name
        block = self._block(type_name)
        prior = read_dynamic_value(request.prior_state)
        proposed = read_dynamic_value(request.proposed_new_state)
        if proposed is None:  # destroy
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
        legacy = self.app.legacy_for(type_name)
        if prior is None:
            planned = _plan_object(block, proposed, legacy)
        else:
            planned = _keep_prior(block, proposed, prior, legacy)
        hook = BEHAVIOUR[type_name].get("plan")
        if hook:
            ctx = Ctx(None, self.app.config, self.app.name)
            ctx.resource_config = read_dynamic_value(request.config)  # as CustomizeDiff sees it
            try:  # a plan hook sees the provider's configuration, never the cloud
                planned = hook(ctx, copy.deepcopy(prior), planned)
            except ApiError as exc:
                _error(diags, exc)
                return pb.PlanResourceChange.Response(diagnostics=diags.to_pb(),
                                                      legacy_type_system=legacy)
        replace = _replace_paths(block, prior, planned) if prior is not None else []
        more = BEHAVIOUR[type_name].get("replace")  # e.g. SDKv2 ForceNew blocks' counts
        if more and prior is not None:
            replace += [p for p in more(prior, planned) if p not in replace]
        return pb.PlanResourceChange.Response(
            planned_state=to_dynamic_value(planned),
            requires_replace=[_path_pb(p) for p in replace],
            diagnostics=diags.to_pb(), legacy_type_system=legacy)

    def ApplyResourceChange(self, request, context):
        diags = Diagnostics()
        type_name = request.type_name
        legacy = self.app.legacy_for(type_name)
        prior = read_dynamic_value(request.prior_state)
        planned = read_dynamic_value(request.planned_state)
        if planned is None:
            self._run(diags, type_name, "delete", prior)
            return pb.ApplyResourceChange.Response(diagnostics=diags.to_pb(),
                                                   legacy_type_system=legacy)
        if prior is None:
            new = self._run(diags, type_name, "create", planned)
        else:
            new = self._run(diags, type_name, "update", prior, planned)
        if new is None:
            new = prior
        return pb.ApplyResourceChange.Response(
            new_state=to_dynamic_value(_fill_unknowns(new)) if new is not None else None,
            diagnostics=diags.to_pb(), legacy_type_system=legacy)

    def ReadResource(self, request, context):
        diags = Diagnostics()
        current = read_dynamic_value(request.current_state)
        new = self._run(diags, request.type_name, "read", current)
        if diags.has_errors():
            new = current
        return pb.ReadResource.Response(new_state=to_dynamic_value(new),
                                        diagnostics=diags.to_pb())

    def ReadDataSource(self, request, context):
        diags = Diagnostics()
        config = read_dynamic_value(request.config)
        with clouds.opened() as cloud:
            try:
                state = BEHAVIOUR[request.type_name]["data"](
                    Ctx(cloud, self.app.config, self.app.name), config)
            except ApiError as exc:
                _error(diags, exc)
                state = None
        return pb.ReadDataSource.Response(state=to_dynamic_value(state),
                                          diagnostics=diags.to_pb())


def main() -> None:
    name = sys.argv[1]
    # tf's runner serves tf.provider.ProviderServicer: hand it this subclass.
    tf.provider.ProviderServicer = StandInServicer
    run_provider(StandIn(name), sys.argv[:1] + sys.argv[2:])


if __name__ == "__main__":
    main()
