"""The field types of ``cluster.yaml``: formats, label keys and values, literal-only strings."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from ..constructs.formats import go_template_problem
from ..constructs.labels import check_label_key, check_label_value


# Python patterns end with \Z, not $ (see fleetform.constructs.formats).
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")


TF_VARIABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


# Formats checked locally. Which regions, sizes and versions exist is only known
# to DigitalOcean (and changes): these catch what can never be one.
DNS_LABEL_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"


#: A DigitalOcean region slug: city code and a digit (fra1, nyc3, sgp1).
REGION_PATTERN = r"^[a-z]{3}[0-9]$"


#: ``1.33`` (the newest 1.33.x DigitalOcean offers) or an exact ``1.33.1-do.0``. A
#: ``1.33.1`` would be neither: DOKS names every version with its ``-do.N`` build.
KUBERNETES_VERSION_PATTERN = \
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)-do\.(0|[1-9][0-9]*))?$"


#: A droplet size slug: a family, then dash-separated parts (s-2vcpu-4gb, c-4,
#: so1_5-2vcpu-16gb, gpu-h100x1-80gb).
SIZE_PATTERN = r"^[a-z][a-z0-9_]*(-[a-z0-9_]+)+$"


START_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


CHART_VERSION_PATTERN = r"^[0-9]+\.[0-9]+\.[0-9]+$"


REVISION_PATTERN = r"^[^\s-][^\s]*$"


#: What each pattern means, for messages: "must be <this>, got 'v1.33'".
FORMATS = {
    DNS_LABEL_PATTERN: "a DNS-1123 label: lowercase letters, digits and '-', starting and "
                       "ending with a letter or digit",
    REGION_PATTERN: "a DigitalOcean region slug: three lowercase letters and a digit, such as "
                    "fra1 or nyc3 (doctl kubernetes options regions)",
    KUBERNETES_VERSION_PATTERN: "a DOKS Kubernetes version: 1.33 (the newest 1.33.x) or "
                                "exact, such as 1.33.1-do.0 (doctl kubernetes options versions)",
    SIZE_PATTERN: "a DigitalOcean droplet size slug such as s-2vcpu-4gb or c-4 (doctl "
                  "kubernetes options sizes)",
    START_TIME_PATTERN: "a UTC time HH:MM, such as 03:00",
    UUID_PATTERN: "a VPC UUID: 8-4-4-4-12 lowercase hexadecimal digits",
    CHART_VERSION_PATTERN: "a chart version X.Y.Z, such as 10.1.3",
    REVISION_PATTERN: "a branch, tag or commit (no spaces, not starting with '-')",
    TF_VARIABLE_NAME.pattern: "a Terraform variable name: lowercase letters, digits and '_', "
                              "not starting with a digit",
}


DnsName = Annotated[str, StringConstraints(max_length=63, pattern=DNS_LABEL_PATTERN)]


#: Label keys Argo CD sets itself on cluster secrets (``argocd.argoproj.io/secret-type``):
#: a routing label there would overwrite them.
RESERVED_LABEL_PREFIX = "argocd.argoproj.io/"


#: Terraform reads these in any string of the synthesized JSON as an expression
#: or a template directive: a literal one in configuration would be evaluated.
TERRAFORM_TEMPLATE = re.compile(r"[$%]\{")


def no_terraform_template(v: str) -> str:
    """Field validator: ``v`` unchanged, or ValueError when it holds ``${`` or ``%{``."""
    if TERRAFORM_TEMPLATE.search(v):
        raise ValueError(f"must not contain '${{' or '%{{' (Terraform would evaluate it), "
                         f"got {v!r}")
    return v


def _label_key(key: str) -> str:
    check_label_key(key)
    return key


def _label_value(value: str) -> str:
    check_label_value(value)
    return value


def _routing_label_key(key: str) -> str:
    check_label_key(key)
    if key.startswith(RESERVED_LABEL_PREFIX):
        raise ValueError(f"label keys under {RESERVED_LABEL_PREFIX} are reserved for Argo CD "
                         "itself")
    return key


# Keys are checked one by one, so several bad keys give one error each.
LabelKey = Annotated[str, AfterValidator(_label_key)]


LabelValue = Annotated[str, AfterValidator(_label_value)]


RoutingLabelKey = Annotated[str, AfterValidator(_routing_label_key)]


def _routing_label_value(value: str) -> str:
    check_label_value(value)
    if value.lower() == "false" and value != "false":
        raise ValueError(f"write 'false' in lowercase, got {value!r}: label values are "
                         "case-sensitive, and only 'false' or '' turn a label off")
    return value


RoutingLabelValue = Annotated[str, AfterValidator(_routing_label_value)]


def no_go_template(v: str) -> str:
    """Field validator: ``v`` unchanged, or ValueError when it holds Go template delimiters."""
    problem = go_template_problem(v)
    if problem:
        raise ValueError(problem)
    return v
