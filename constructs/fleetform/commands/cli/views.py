"""Views: how a command's result is shown, one per output format.

A command maps each of its ``--format`` choices to a view, a function of its
result to the text written to standard output, and calls :func:`show`. The
capability builds the result and knows nothing of formats; the view knows
nothing of how the result was made.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Callable, Mapping

from ...errors import ConfigError

#: A result to the text of one format (with its final newline).
View = Callable[[Any], str]


def lines(render: Callable[[Any], str]) -> View:
    """A view of ``render``'s text, as a line (``print`` writes it so)."""
    return lambda result: render(result) + "\n"


def as_json(data: Callable[[Any], Any]) -> View:
    """A view of ``data(result)`` as indented JSON."""
    return lambda result: json.dumps(data(result), indent=2) + "\n"


def show(views: Mapping[str, View], format: str, result: Any) -> None:
    """Write ``result`` to standard output in ``format``."""
    sys.stdout.write(views[format](result))


def check_output_dirs(args: Any, *options: str) -> None:
    """Each of ``options`` (``--markdown FILE``...) given names a file in a directory that exists."""
    for option in options:
        path = getattr(args, option)
        if path is not None and not path.parent.is_dir():
            raise ConfigError("directory does not exist", file=path.parent, field=f"--{option}")
