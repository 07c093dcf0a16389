"""Helm charts as fleetform renders them: their upstream dependencies fetched and checked.

``validate`` and ``diff`` render a label repository's charts with real Helm. Most
of a fleet's charts are wrappers of upstream charts that they list as
dependencies without vendoring them; :class:`ChartDependencies` fetches those
(HTTP chart repositories and OCI registries, ``Chart.lock`` honoured), keeps them
in a cache shared across runs, and unpacks them into the link-free copy that
Helm reads (:class:`fleetform.fleet.links.ChartCopies`). :mod:`.helm` loads and
renders them, and names each rendered object by one key, for both.
"""

from .cache import ChartCache, default_cache_dir
from .dependencies import NOT_FETCHED, ChartDependencies, Unavailable, complete_chart
from .sources import CHART_CREDENTIALS_ENV, Credentials, FetchError

__all__ = ["CHART_CREDENTIALS_ENV", "ChartCache", "ChartDependencies", "Credentials",
           "FetchError", "NOT_FETCHED", "Unavailable", "complete_chart", "default_cache_dir"]
