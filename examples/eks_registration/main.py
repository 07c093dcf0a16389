"""Register an existing EKS cluster in a remote Argo CD, with routing labels.

The cluster is created elsewhere (another stack, eksctl, the console): this
stack only knows its endpoint, CA certificate and an admin token, all from
Terraform variables, so none of them is written to cdktf.out.

    python main.py                 # synthesizes into cdktf.out/stacks/eks-prod
    cd cdktf.out/stacks/eks-prod && terraform init && terraform plan
    # TF_VAR_eks_endpoint, TF_VAR_eks_ca_certificate, TF_VAR_eks_token
    # (e.g. from `aws eks get-token`) and TF_VAR_argocd_auth_token
"""

from __future__ import annotations

import argparse

from fleetform.cdk import App, TerraformOutput, TerraformStack, TerraformVariable
from constructs import Construct

from fleetform import ArgoCluster, ArgoClusterProps, ClusterAccess


class EksRegistration(TerraformStack):
    """Registers the ``eks-prod`` cluster in the management Argo CD."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        endpoint = TerraformVariable(self, "eks_endpoint", type="string",
                                     description="The EKS API server URL (https://...)")
        ca = TerraformVariable(self, "eks_ca_certificate", type="string",
                               description="The EKS cluster's CA certificate (PEM)")
        token = TerraformVariable(self, "eks_token", type="string", sensitive=True,
                                  description="An admin token, e.g. from `aws eks get-token`")
        registration = ArgoCluster(self, "eks-prod", props=ArgoClusterProps(
            cluster=ClusterAccess(name="eks-prod", endpoint=endpoint.string_value,
                                  cluster_ca_certificate=ca.string_value,
                                  token=token.string_value),
            argocd_server="argocd.example.com:443",
            labels={"global": "true", "production": "true"},
            annotations={"example.com/owner": "payments-team"},
        ))
        TerraformOutput(self, "argocd_cluster_name", value=registration.name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", default="cdktf.out", help="output directory")
    args = parser.parse_args(argv)
    app = App(outdir=args.out)
    EksRegistration(app, "eks-prod")
    app.synth()


if __name__ == "__main__":
    main()
