"""The ``fleetform`` command: synth, validate, preview, changed, pipeline, diff, lock, batch,
plans, drift, move-state, new.

The command line is this package's alone. Each command is a module here with
``configure(parser)``, which declares its options; ``read(namespace)``, which turns
what was parsed into the command's typed arguments (a frozen dataclass,
:mod:`.arguments`); and ``run(arguments)``, which calls its capability
(``fleetform.commands.<capability>``, which knows no argparse and returns a result
object) and hands the result to a view of the chosen format (:mod:`.views`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from typing import Sequence

from ... import interrupts
from ...errors import ConfigError

#: subcommand -> (the module here implementing configure(parser) and run(args), summary)
COMMANDS: dict[str, tuple[str, str]] = {
    name: (f"{__name__}.{module}", summary) for name, module, summary in (
    ("synth", "synth", "synthesize one Terraform stack per cluster into cdktf.out"),
    ("validate", "validate",
     "check the fleet and its manifest repositories with Helm and schemas"),
    ("preview", "preview",
     "show what deploys where: a cluster x application table and a diagram"),
    ("changed", "changed", "list the clusters a Git change affects (REF...HEAD)"),
    ("pipeline", "pipeline", "generate the GitLab child pipeline of a change"),
    ("diff", "diff", "show what a change does to stacks, routing and rendered manifests; "
                     "--gate blocks risky changes"),
    ("lock", "lock", "write the fleet's provider lock file (terraform providers lock)"),
    ("batch", "batch", "plan or apply many synthesized stacks at once, in parallel, with one "
                       "provider cache"),
    ("plans", "plans", "report every planned cluster's plan; --gate fails on one that "
                       "destroys a cluster, pool or Argo CD"),
    ("drift", "drift", "report the clusters whose real state differs from the default "
                       "branch; --issue keeps an issue"),
    ("move-state", "move_state", "move a renamed cluster's Terraform state to its new name"),
    ("new", "new", "add a cluster (like another one) or a label and its repository, in one "
                   "commit"),
    )}


def _parser(chosen: str | None) -> argparse.ArgumentParser:
    """The parser, with the options of the ``chosen`` command only.

    Only that command's module is imported: importing them all would cost
    every command the imports of every other (Helm, schemas, Git...).
    """
    parser = argparse.ArgumentParser(
        prog="fleetform",
        description="Run a fleet of Kubernetes clusters from one Git repository.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module, summary) in COMMANDS.items():
        command = sub.add_parser(name, help=summary, description=summary)
        command.set_defaults(_module=module)
        if name == chosen:
            importlib.import_module(module).configure(command)
    return parser


#: Top-level modules of the ``tools`` extra (``pip install 'fleetform[tools]'``).
TOOLS_MODULES = frozenset({"pydantic", "jsonschema", "referencing", "helm_python",
                           "kubernetes_validate", "rich"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; an interrupt ends it with one line and 130 (SIGINT) or 143 (SIGTERM).

    Run as a program (``argv`` None, or :func:`fleetform.interrupts.install` called
    first, as ``main.py`` does), this process's signals are handled here; called
    with ``argv`` from another program, its signals stay that program's.
    """
    if argv is None:
        interrupts.install()
    if not interrupts.installed():
        return _main(argv)
    try:
        code = _main(argv)
    except BaseException as exc:
        signum = interrupts.settle()
        if signum is None:
            if isinstance(exc, KeyboardInterrupt):  # raised by hand, or before install()
                signum = signal.SIGINT
            elif not isinstance(exc, Exception) or not _kernel_ended(exc):
                raise
            else:
                code = 2
        if signum is not None:
            interrupts.leave(signum)
    signum = interrupts.settle()
    if signum is not None:  # the command finished, or failed, because of it
        interrupts.leave(signum)
    return code


def _kernel_ended(exc: Exception) -> bool:
    """Whether ``exc`` comes from jsii's node process having ended; says so if it does."""
    if "jsii" not in sys.modules:
        return False
    from ...fleet.jsii_channel import kernel_ended

    how = kernel_ended(2.0 if isinstance(exc, ConnectionError) else 0.2)
    if how is None:
        return False
    print(f"error: node, which runs cdktf's synthesis (jsii's kernel), {how}; "
          "nothing was written", file=sys.stderr)
    return True


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The command is the first argument that is not an option (fleetform's own
    # only option is --help).
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    try:
        parser = _parser(chosen)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in TOOLS_MODULES:
            raise
        # A core install has the constructs only: the app and its tooling need the extra.
        print(f"error: the fleetform command needs the tools extra (module {exc.name!r} is "
              "missing): pip install 'fleetform[tools]'", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    try:
        command = importlib.import_module(args._module)
        return command.run(command.read(args))
    except BrokenPipeError:
        # The reader went away (`fleetform preview | head`): stop quietly, as cat does;
        # output still buffered would raise again at exit, so it goes nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except ConfigError as exc:
        if interrupts.received() is None:  # else a consequence of the interrupt
            print(f"error: {exc}".replace("\n", "\nerror: "), file=sys.stderr)
        return 2
