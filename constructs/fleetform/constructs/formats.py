"""Formats the constructs accept, shared with the fleet's ``cluster.yaml`` schema.

Pure Python (no cdktf): the fleet's configuration imports these without
loading any provider. The ``check_*`` helpers raise a
:class:`~fleetform.errors.ConfigError` naming the prop, what is allowed and
the value given.
"""

from __future__ import annotations

import re
from typing import Any, Pattern

from ..errors import ConfigError

# Python patterns end with \Z, not $: in Python, $ also matches before a final
# newline ("prod\n" would pass). \d is [0-9] throughout: both Python and the
# Rust engine of pydantic patterns take \d to be any Unicode digit ("fra١").
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
HOSTNAME = re.compile(r"^(?=.{1,253}\Z)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
SERVER = re.compile(r"^(?=.{1,253}(:[0-9]+)?\Z)[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?\Z")

#: An exact DOKS version such as ``1.33.1-do.0`` (anything else is a prefix).
EXACT_DOKS_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+-do\.[0-9]+\Z")
#: A DOKS version prefix ``1.33`` (the newest 1.33.x) or an exact ``1.33.1-do.0``; a
#: ``1.33.1`` would match no version (DOKS names each with its ``-do.N`` build).
DOKS_VERSION = re.compile(
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)-do\.(0|[1-9][0-9]*))?\Z")
#: A DigitalOcean region slug such as ``fra1``.
REGION = re.compile(r"^[a-z]{3}[0-9]\Z")
#: A DigitalOcean droplet size slug: a family, then dash-separated parts
#: (``s-2vcpu-4gb``, ``c-4``, ``so1_5-2vcpu-16gb``).
DROPLET_SIZE = re.compile(r"^(?=.{1,64}\Z)[a-z][a-z0-9_]*(-[a-z0-9_]+)+\Z")
#: A DigitalOcean tag: letters, digits, ':', '-' and '_'.
DO_TAG = re.compile(r"^[A-Za-z0-9:_-]{1,255}\Z")
#: An AWS region such as ``eu-west-1``, ``us-gov-west-1`` or ``ap-southeast-5``.
AWS_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}\Z")
#: An EKS Kubernetes version: a minor version ``1.33`` (EKS picks the patch).
EKS_VERSION = re.compile(r"^1\.[0-9]{2}\Z")
#: An EC2 instance type: a family and a size (``m6i.large``, ``c7gn.16xlarge``,
#: ``u-6tb1.metal``).
EC2_INSTANCE_TYPE = re.compile(r"^(?=.{1,64}\Z)[a-z][a-z0-9-]*\.[a-z0-9-]+\Z")
#: An EC2 subnet ID.
SUBNET_ID = re.compile(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})\Z")
#: The ARN of an IAM role or user (an access entry's principal).
IAM_PRINCIPAL_ARN = re.compile(
    r"^arn:aws(-cn|-us-gov|-iso[a-z]?)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9_+=,.@/-]{1,512}\Z")
#: An IPv4 CIDR block such as ``203.0.113.0/24``.
IPV4_CIDR = re.compile(
    r"^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])"
    r"/(3[0-2]|[12]?[0-9])\Z")
#: An Azure location such as ``westeurope`` or ``eastus2`` (not a DigitalOcean slug).
AZURE_LOCATION = re.compile(r"^(?![a-z]{3}[0-9]\Z)[a-z][a-z0-9]{3,29}\Z")
#: An Azure VM size such as ``Standard_D4s_v5``.
AZURE_VM_SIZE = re.compile(r"^Standard_[A-Za-z0-9_]{1,60}\Z")
#: An AKS Kubernetes version: a prefix ``1.33`` (the newest 1.33.x) or an exact ``1.33.2``.
AKS_VERSION = re.compile(r"^1\.[0-9]{2}(\.[0-9]{1,3})?\Z")
#: An AKS node pool name: a lowercase letter, then up to 11 lowercase letters or digits.
AKS_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}\Z")
#: An Azure resource group name.
AZURE_RESOURCE_GROUP = re.compile(r"^[A-Za-z0-9._()-]{0,89}[A-Za-z0-9_()-]\Z")
#: A GCP region (``europe-west1``) or zone (``europe-west1-b``).
GCP_LOCATION = re.compile(r"^[a-z]+-[a-z]+[0-9]{1,2}(-[a-z])?\Z")
#: A Compute Engine machine type such as ``e2-standard-4`` or ``n2d-highmem-8``.
GCE_MACHINE_TYPE = re.compile(r"^(?=.{1,64}\Z)[a-z][a-z0-9]*(-[a-z0-9]+)+\Z")
#: A GKE version: a prefix ``1.33`` (the newest 1.33.x) or an exact ``1.33.5-gke.1080000``.
GKE_VERSION = re.compile(r"^1\.[0-9]{2}(\.[0-9]{1,3}-gke\.[0-9]{1,12})?\Z")
#: A GKE node pool name: at most 40 lowercase letters, digits and '-', from a letter.
GKE_POOL_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,38}[a-z0-9])?\Z")
#: A GCP project ID.
GCP_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]\Z")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
#: A Helm chart version (semantic version, no range).
CHART_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+\Z")
TF_VARIABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*\Z")
#: A UTC time of day ``HH:MM``.
START_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]\Z")
#: A Git branch, tag or commit: no spaces, and not starting with '-' (git would read
#: it as an option).
REVISION = re.compile(r"^[^\s-][^\s]*\Z")
#: Its longest form (a ref name Git keeps whole).
MAX_REVISION_LENGTH = 255
GIT_URL = re.compile(
    r"^(https://[A-Za-z0-9.-]+(:[0-9]+)?/[^\s]+"
    r"|ssh://[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:[0-9]+)?/[^\s]+"
    r"|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+)\Z"
)

#: cdktf's marker for a string token, as ``Token.is_unresolved`` looks for it
#: (tokens/private/encoding.js); matched here to spare a jsii round trip.
_STRING_TOKEN = re.compile(r"\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}")


def is_token(value: object) -> bool:
    """Whether ``value`` is a string holding a cdktf token (resolved at synth/apply time)."""
    return isinstance(value, str) and _STRING_TOKEN.search(value) is not None


def short(value: object) -> str:
    """``repr(value)``, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_str(value: Any, field: str, allowed: str, pattern: Pattern[str] | None = None, *,
              tokens: bool = True) -> None:
    """A non-empty string matching ``pattern`` (a cdktf token passes when ``tokens``)."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"must be {allowed}, got {short(value)}", field=field)
    if tokens and is_token(value):
        return
    if pattern is not None and not pattern.match(value):
        raise ConfigError(f"must be {allowed}, got {short(value)}", field=field)


def check_bool(value: Any, field: str) -> None:
    """True or False (not 1, not "yes")."""
    if not isinstance(value, bool):
        raise ConfigError(f"must be True or False, got {short(value)}", field=field)


def check_int(value: Any, field: str, low: int, high: int) -> None:
    """An int (not a bool) in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"must be an integer from {low} to {high}, got {short(value)}",
                          field=field)


def check_instance(value: Any, field: str, kind: type, hint: str) -> None:
    """An instance of ``kind``; ``hint`` shows how to build one."""
    if not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise ConfigError(f"must be {article} {kind.__name__}, got {type(value).__name__} "
                          f"{short(value)} (build one with {hint})", field=field)



#: A Go duration, as the Argo CD provider parses ``expires_in`` and ``renew_before``.
GO_DURATION = re.compile(r"^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+\Z")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def duration_seconds(text: str, *, field: str) -> float:
    """Seconds of a Go duration such as ``2160h`` or ``1h30m``; ConfigError otherwise."""
    if not isinstance(text, str) or not GO_DURATION.match(text):
        raise ConfigError(f"must be a duration such as 2160h or 90m (units ns, us, ms, s, m, "
                          f"h), got {text!r}", field=field)
    return sum(float(n) * _DURATION_UNITS[u]
               for n, u in re.findall(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)", text))


def check_token_lifetime(expires_in: str, renew_before: str, *,
                         prefix: str = "token_") -> None:
    """Raise ConfigError unless both are durations and ``renew_before < expires_in``."""
    lifetime = duration_seconds(expires_in, field=f"{prefix}expires_in")
    window = duration_seconds(renew_before, field=f"{prefix}renew_before")
    if lifetime <= 0:
        raise ConfigError(f"must be longer than 0, got {expires_in!r}",
                          field=f"{prefix}expires_in")
    if not 0 < window < lifetime:
        raise ConfigError(f"must be shorter than expires_in ({expires_in}) and longer than 0, "
                          f"got {renew_before!r}", field=f"{prefix}renew_before")


#: Go template delimiters: a repository's url, revision and path are written into the
#: label's ApplicationSet, a Go template (``goTemplate: true``), where a literal one would
#: break the generation of every Application of the label.
GO_TEMPLATE = re.compile(r"\{\{|\}\}")


def go_template_problem(value: str) -> str | None:
    """Why ``value`` may not be written into an ApplicationSet's Go template (None: it may)."""
    if GO_TEMPLATE.search(value):
        return (f"must not contain '{{{{' or '}}}}' (it is written into an ApplicationSet, a Go "
                f"template, whose generation it would break for every cluster of the label), "
                f"got {value!r}")
    return None
