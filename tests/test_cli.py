"""The fleetform command: each command imports only its own modules, and reads typed arguments."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import pytest

from fleetform.commands.cli import COMMANDS

#: Runs main(argv) and prints which command modules, capabilities (and cdktf) got imported.
PROBE = """
import json, pkgutil, sys
import fleetform.commands
from fleetform.commands.cli import COMMANDS, main
try:
    main(json.loads(sys.argv[1]))
except SystemExit:
    pass
capabilities = [f"fleetform.commands.{m.name}" for m in pkgutil.iter_modules(
    fleetform.commands.__path__) if m.name not in ("cli", "override")]
modules = [m for m, _ in COMMANDS.values()]
print(json.dumps({"commands": sorted(m for m in modules if m in sys.modules),
                  "capabilities": sorted(m for m in capabilities if m in sys.modules),
                  "cdktf": "cdktf" in sys.modules}))
"""


def _imported(*argv: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(argv))],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_top_level_help_imports_no_command():
    assert _imported("--help") == {"commands": [], "capabilities": [], "cdktf": False}


#: The capabilities each command's module imports: its own, and those it builds on (the
#: pipeline is generated from `changed`, and its jobs run `batch` in the stacks'
#: directory, then `plans` or `drift`, which reads the plans as `plans` does; diff finds
#: the change as `changed` does and checks the rendered objects with validate's schemas;
#: move-state names the rename trailer `changed` reads). synth's capability is the app
#: (fleetform.fleet.app).
CAPABILITIES = {"synth": [], "validate": ["validate"], "preview": ["preview"],
                "changed": ["changes"], "pipeline": ["pipeline", "batch", "drift", "changes",
                                                     "plans"],
                "diff": ["diff", "changes", "validate"], "lock": ["lock"], "batch": ["batch"],
                "plans": ["plans"], "drift": ["drift", "plans"],
                "move-state": ["move_state", "changes"], "new": ["new"]}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_imports_only_its_own_module(command):
    imported = _imported(command, "--help")

    assert imported["commands"] == [COMMANDS[command][0]]
    assert imported["capabilities"] == sorted(f"fleetform.commands.{c}"
                                              for c in CAPABILITIES[command])
    assert imported["cdktf"] is False  # not even synth, before it builds stacks


def test_help_of_a_command_shows_its_options(capsys):
    from fleetform.commands.cli import main
    with pytest.raises(SystemExit):
        main(["synth", "--help"])

    assert "--clusters-dir" in capsys.readouterr().out


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    """`fleetform preview | head`: no BrokenPipeError traceback, as cat would."""
    import shutil

    from support.fleets import CLUSTERS, MANIFESTS

    shutil.copytree(CLUSTERS, tmp_path / "clusters")
    shutil.copytree(MANIFESTS, tmp_path / "manifests")
    worker = (tmp_path / "clusters" / "do-production" / "cluster.yaml").read_text()
    for i in range(40):  # output well past a pipe's buffer (64 KiB), so writing it fails
        (tmp_path / "clusters" / f"w-{i:02d}").mkdir()
        (tmp_path / "clusters" / f"w-{i:02d}" / "cluster.yaml").write_text(worker)
    proc = subprocess.run(
        f"{sys.executable} -m fleetform.commands.cli preview --format json | head -c 10",
        shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert proc.stdout == '{\n  "clust'
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


def test_fleet_help_lists_every_command_from_the_command_line_itself():
    """./fleet help reads cli.COMMANDS: a command added there is listed, with no second
    list in the script to keep."""
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "fleet"
    result = subprocess.run(["bash", str(script), "help"], capture_output=True, text=True,
                            timeout=60, env={"PATH": os.environ["PATH"]})

    assert result.returncode == 0, result.stderr
    listed = {line.split()[0]: line.split(None, 1)[1] for line in
              result.stdout.split("fleetform commands", 1)[1].splitlines()[1:] if line.strip()}
    assert listed == {name: summary for name, (_, summary) in COMMANDS.items()}
    assert "./fleet test [PYTEST ARGS]" in result.stdout  # and ./fleet's own commands
    assert "move-state" not in script.read_text().split("\nset -euo pipefail", 1)[0]


def _dests(parser: argparse.ArgumentParser) -> set[str]:
    return {a.dest for a in parser._actions if a.dest != "help"
            and not isinstance(a, argparse._SubParsersAction)}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_commands_typed_arguments_are_its_options(command):
    """What run receives is a frozen dataclass with a field per option the parser declares,
    and nothing else: the two cannot drift apart."""
    import importlib
    from dataclasses import FrozenInstanceError, fields

    module = importlib.import_module(COMMANDS[command][0])
    parser = argparse.ArgumentParser()
    module.configure(parser)
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    kinds = {None: module.read.__self__} if not subparsers else module.WHAT
    parsers = {None: parser} if not subparsers else subparsers[0].choices

    assert set(kinds) == set(parsers)
    for what, kind in kinds.items():
        assert {f.name for f in fields(kind)} == _dests(parsers[what]) - {"what"}, what
    # Read from a parse, the arguments are the kind's, and cannot be changed.
    argv = {"batch": ["plan", "c"], "move-state": ["a", "b"], "new": ["label", "x"],
            "changed": ["--base", "main"], "pipeline": ["--base", "main"],
            "diff": ["--base", "main"]}.get(command, [])
    arguments = module.read(parser.parse_args(argv))
    assert type(arguments) in kinds.values()
    with pytest.raises(FrozenInstanceError):
        arguments.x = 1  # type: ignore[misc]


def test_the_command_line_type_checks(tmp_path):
    """The typed arguments are typed: mypy finds run reading no option its arguments lack."""
    from pathlib import Path

    cli = Path(__file__).resolve().parent.parent / "constructs" / "fleetform" / "commands" / "cli"
    result = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports",
                             "--cache-dir", str(tmp_path / "cache"), str(cli)],
                            capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stdout + result.stderr
