"""The CDKTF constructs other stacks import: DoksCluster, ArgoCd, ArgoCluster and their props.

Imports only :mod:`fleetform.providers` and :mod:`fleetform.errors`.
"""
