"""The field types of ``cluster.yaml``: formats, label keys and values, literal-only strings."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from ..constructs import formats
from ..constructs.formats import go_template_problem
from ..constructs.labels import check_label_key, check_label_value, reserved_label_problem


#: What each format means, for messages: "must be <this>, got 'v1.33'". The formats are
#: the constructs' (fleetform.constructs.formats), which the props check too. Which
#: regions, sizes and versions exist is only known to the cloud (and changes): these
#: catch what can never be one.
FORMATS = {
    formats.DNS1123_LABEL.pattern: "a DNS-1123 label: lowercase letters, digits and '-', "
                                   "starting and ending with a letter or digit",
    formats.REGION.pattern: "a DigitalOcean region slug: three lowercase letters and a digit, "
                            "such as fra1 or nyc3 (doctl kubernetes options regions)",
    formats.DOKS_VERSION.pattern: "a DOKS Kubernetes version: 1.33 (the newest 1.33.x) or "
                                  "exact, such as 1.33.1-do.0 (doctl kubernetes options "
                                  "versions)",
    formats.DROPLET_SIZE.pattern: "a DigitalOcean droplet size slug such as s-2vcpu-4gb or c-4 "
                                  "(doctl kubernetes options sizes)",
    formats.AWS_REGION.pattern: "an AWS region such as eu-west-1 or us-east-1 "
                                "(aws account list-regions)",
    formats.EKS_VERSION.pattern: "an EKS Kubernetes version: a minor version such as 1.33 "
                                 "(aws eks describe-cluster-versions)",
    formats.EC2_INSTANCE_TYPE.pattern: "an EC2 instance type such as m6i.large or t3.medium",
    formats.SUBNET_ID.pattern: "a subnet ID such as subnet-0123456789abcdef0",
    formats.IPV4_CIDR.pattern: "an IPv4 CIDR block such as 203.0.113.0/24",
    formats.IAM_PRINCIPAL_ARN.pattern: "the ARN of an IAM role or user, such as "
                                       "arn:aws:iam::111122223333:role/platform-admin",
    formats.AZURE_LOCATION.pattern: "an Azure location such as westeurope or eastus2 "
                                    "(az account list-locations)",
    formats.AZURE_VM_SIZE.pattern: "an Azure VM size such as Standard_D4s_v5",
    formats.AKS_VERSION.pattern: "an AKS Kubernetes version: 1.33 (the newest 1.33.x) or "
                                 "exact, such as 1.33.2 (az aks get-versions)",
    formats.AKS_POOL_NAME.pattern: "an AKS node pool name: a lowercase letter, then up to 11 "
                                   "lowercase letters or digits",
    formats.AZURE_RESOURCE_GROUP.pattern: "an Azure resource group name",
    formats.GCP_LOCATION.pattern: "a GCP region such as europe-west1, or a zone such as "
                                  "europe-west1-b",
    formats.GCE_MACHINE_TYPE.pattern: "a Compute Engine machine type such as e2-standard-4",
    formats.GKE_VERSION.pattern: "a GKE version: 1.33 (the newest 1.33.x) or exact, such as "
                                 "1.33.5-gke.1080000 (gcloud container get-server-config)",
    formats.GKE_POOL_NAME.pattern: "a GKE node pool name: at most 40 lowercase letters, "
                                   "digits and '-', starting with a letter",
    formats.GCP_PROJECT.pattern: "a GCP project ID: 6 to 30 lowercase letters, digits and '-'",
    formats.START_TIME.pattern: "a UTC time HH:MM, such as 03:00",
    formats.UUID.pattern: "a VPC UUID: 8-4-4-4-12 lowercase hexadecimal digits",
    formats.CHART_VERSION.pattern: "a chart version X.Y.Z, such as 10.1.3",
    formats.REVISION.pattern: "a branch, tag or commit (no spaces, not starting with '-')",
    formats.TF_VARIABLE_NAME.pattern: "a Terraform variable name: lowercase letters, digits "
                                      "and '_', not starting with a digit",
}


DnsName = Annotated[str, StringConstraints(pattern=formats.DNS1123_LABEL, max_length=63)]


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
    problem = reserved_label_problem(key)
    if problem:
        raise ValueError(problem)
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
