"""What a construct needs to talk to any Kubernetes cluster, whoever created it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClusterAccess:
    """Admin access to a Kubernetes API server.

    Attributes:
        name: the cluster's name (as shown in Argo CD).
        endpoint: the API server URL, ``https://...``.
        cluster_ca_certificate: the API server's CA certificate, PEM.
        token: a bearer token with cluster-admin rights. Used only to configure
            providers at apply time; it is never stored in Argo CD.

    Any value may be a Terraform token (a reference resolved at apply time),
    so a cluster from an EKS, AKS or GKE stack fits as well as a DOKS one.
    """

    name: str
    endpoint: str
    cluster_ca_certificate: str
    token: str
