"""Formats the constructs accept, shared with the fleet's ``cluster.yaml`` schema.

Pure Python (no cdktf): the fleet's configuration imports these without
loading any provider.
"""

from __future__ import annotations

import re

# Python patterns end with \Z, not $: in Python, $ also matches before a final
# newline ("prod\n" would pass). \d is [0-9] throughout: both Python and the
# Rust engine of pydantic patterns take \d to be any Unicode digit ("fra١").
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
HOSTNAME = re.compile(r"^(?=.{1,253}\Z)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
SERVER = re.compile(r"^(?=.{1,253}(:[0-9]+)?\Z)[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?\Z")

#: An exact DOKS version such as ``1.33.1-do.0`` (anything else is a prefix).
EXACT_DOKS_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+-do\.[0-9]+\Z")
