"""A DigitalOcean Kubernetes cluster running Argo CD, routing one label to a repository.

    python main.py                 # synthesizes into cdktf.out/stacks/doks-argocd
    export DIGITALOCEAN_TOKEN=...  # read by the provider, never synthesized
    cd cdktf.out/stacks/doks-argocd && terraform init && terraform apply
"""

from __future__ import annotations

import argparse

from fleetform.cdk import App, TerraformOutput, TerraformStack
from constructs import Construct

from fleetform import (ArgoCd, ArgoCdProps, Autoscale, DoksCluster, DoksClusterProps,
                       MaintenanceWindow, NodePool, Repository)
from fleetform.providers.digitalocean import DigitaloceanProvider


class DoksWithArgoCd(TerraformStack):
    """One DOKS cluster with Argo CD deploying the ``platform`` label's charts to itself."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        DigitaloceanProvider(self, "digitalocean")
        doks = DoksCluster(self, "doks", props=DoksClusterProps(
            name="platform",
            region="ams3",
            kubernetes_version="1.33",
            node_pools=[NodePool(name="default", size="s-4vcpu-8gb",
                                 autoscale=Autoscale(min_nodes=2, max_nodes=4))],
            maintenance_window=MaintenanceWindow(day="sunday", start_time="03:00"),
        ))
        argocd = ArgoCd(self, "argocd", props=ArgoCdProps(
            cluster=doks.access,
            cluster_name="platform",
            cluster_labels={"platform": "true"},
            repositories={"platform": Repository(
                url="https://gitlab.com/example/platform-apps.git", revision="main")},
            hostname="argocd.example.com",
        ))
        TerraformOutput(self, "endpoint", value=doks.endpoint)
        TerraformOutput(self, "argocd_admin_password", value=argocd.admin_password,
                        sensitive=True)
        TerraformOutput(self, "automation_token", value=argocd.automation_token, sensitive=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", default="cdktf.out", help="output directory")
    args = parser.parse_args(argv)
    app = App(outdir=args.out)
    DoksWithArgoCd(app, "doks-argocd")
    app.synth()


if __name__ == "__main__":
    main()
