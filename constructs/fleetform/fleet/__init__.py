"""The fleet app: ``cluster.yaml`` schema, one stack per cluster, state, manifest repositories.

Imports :mod:`fleetform.constructs` and below, never :mod:`fleetform.commands`.
"""
