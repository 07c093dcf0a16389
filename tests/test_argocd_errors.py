"""ArgoCd props mistakes: errors that name the field."""

import pytest
from cdktf import TerraformStack, Testing

from fleetform.argocd import ArgoCd, ArgoCdProps
from fleetform.cluster_access import ClusterAccess
from fleetform.errors import ConfigError

ACCESS = ClusterAccess(name="m", endpoint="https://m", cluster_ca_certificate="ca", token="t")


def _build(**props):
    ArgoCd(TerraformStack(Testing.app(), "m"), "argocd",
           props=ArgoCdProps(cluster=ACCESS, cluster_name="m", **props))


def test_invalid_cluster_label_value():
    with pytest.raises(ConfigError, match=r"cluster_labels.global: .*invalid label value 'yes please'"):
        _build(cluster_labels={"global": "yes please"})


def test_invalid_repository_label():
    from fleetform.config import Repository
    with pytest.raises(ConfigError, match=r"repositories.*invalid label key 'a b'"):
        _build(repositories={"a b": Repository(url="https://h/r.git")})


def test_invalid_hostname():
    with pytest.raises(ConfigError, match=r"hostname: must be a DNS hostname, got 'https://x'"):
        _build(hostname="https://x")
