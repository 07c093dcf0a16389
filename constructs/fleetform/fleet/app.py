"""Build the CDKTF app from ``clusters/`` and synthesize it without half-written output."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import tempfile
from glob import escape as glob_escape
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from ..errors import ConfigError, ConfigErrors
from ..integrations.files import umask
from ..interrupts import deferred
from .config import Fleet, load_fleet
from .provider_lock import LOCK_FILE, read_lock, write_stack_locks

SELECT_ENV = "FLEETFORM_CLUSTERS"


def selected_names(names: Sequence[str] | None, env: Mapping[str, str]) -> list[str]:
    """Clusters asked for on the command line, else in ``FLEETFORM_CLUSTERS``."""
    if names:
        return list(names)
    return [n for n in re.split(r"[\s,]+", env.get(SELECT_ENV, "")) if n]


def build_app(fleet: Fleet, *, names: Sequence[str] | None = None,
              outdir: str | Path | None = None, env: Mapping[str, str] | None = None):
    """A cdktf App with one ClusterStack per selected cluster (all by default)."""
    from .jsii_channel import use_direct_channel
    use_direct_channel()  # before cdktf's import starts jsii's kernel

    from ..cdk import App

    from .stacks import ClusterStack

    env = os.environ if env is None else env
    chosen = fleet.select(list(names or []))
    kwargs = {"stack_traces": False}
    if outdir is not None:
        kwargs["outdir"] = str(outdir)
    app = App(**kwargs)
    stacks_dir = Path(outdir or "cdktf.out").resolve() / "stacks"
    for cluster in chosen:
        # Terraform runs in <outdir>/stacks/<name>/, which every synth replaces:
        # local state lives in the project directory, wherever the output goes.
        state = os.path.relpath(Path.cwd() / f"terraform.{cluster.name}.tfstate",
                                stacks_dir / cluster.name)
        try:
            ClusterStack(app, fleet, cluster, env=env, local_state_path=state)
        except ConfigError as exc:
            raise _in_file(exc, cluster.file) from None
    return app


def _in_file(error: ConfigError, file: Path) -> ConfigError:
    """``error`` (raised by a construct, which knows no file) located in ``file``."""
    if isinstance(error, ConfigErrors):
        return ConfigErrors([_in_file(e, file) for e in error.errors])
    if error.file is not None:
        return error
    return ConfigError(error.message, file=file, field=error.field)


def synth(clusters_dir: str | Path, outdir: str | Path, *,
          names: Sequence[str] | None = None, env: Mapping[str, str] | None = None,
          lock_file: str | Path | None = LOCK_FILE) -> list[str]:
    """Validate the fleet, then synthesize the selected stacks into ``outdir``.

    The whole fleet is validated before anything is written. Each stack gets the
    entries of ``lock_file`` (the fleet's provider lock, see
    :mod:`~fleetform.fleet.provider_lock`) for the providers it requires (None: no
    lock files, for stacks only compared, never run, as ``fleetform diff``'s). Stacks are
    synthesized into a temporary sibling directory that replaces ``outdir``
    only once complete, so a failed or interrupted synth leaves the previous
    output as it was. Returns the names of the synthesized stacks.
    """
    env = os.environ if env is None else env
    fleet = load_fleet(clusters_dir)
    names = selected_names(names, env)
    chosen = [c.name for c in fleet.select(names)]
    outdir = Path(outdir)
    lock_file = Path(lock_file) if lock_file is not None else None
    locked = read_lock(lock_file) if lock_file is not None else None

    if env.get("CDKTF_OUTDIR"):
        # Run by the cdktf CLI, which owns its output directory.
        app = build_app(fleet, names=chosen, env=env)
        with _write_errors(Path(env["CDKTF_OUTDIR"])):
            app.synth()
            canonical_json(Path(env["CDKTF_OUTDIR"]) / "stacks", chosen)
            if lock_file is not None:
                write_stack_locks(Path(env["CDKTF_OUTDIR"]) / "stacks", chosen, locked,
                                  lock_file=lock_file)
        return chosen

    outdir = check_outdir(outdir, Path(clusters_dir), fleet)
    staging: Path | None = None
    try:
        try:
            outdir.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_staging(outdir)
            with deferred():  # an interrupt here would leave it unnamed, so never removed
                staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.{os.getpid()}.",
                                                dir=outdir.parent))
            # mkdtemp's 0700 would stay with the output through the rename: give it the
            # mode of any new directory, so Terraform run as another user can read it.
            staging.chmod(0o777 & ~umask())
        except OSError as exc:
            raise ConfigError(f"cannot be written ({exc.strerror or exc})", file=outdir,
                              field="--out") from None
        app = build_app(fleet, names=chosen, outdir=staging, env=env)
        with _write_errors(outdir, unchanged=True):
            app.synth()
            canonical_json(staging / "stacks", chosen)
            if lock_file is not None:
                write_stack_locks(staging / "stacks", chosen, locked, lock_file=lock_file)
        try:
            _replace_dir(staging, outdir)
        except OSError as exc:
            raise ConfigError(f"cannot be replaced ({exc.strerror or exc})", file=outdir,
                              field="--out") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return chosen


def canonical_json(stacks_dir: Path, names: Sequence[str]) -> None:
    """Each stack's ``cdk.tf.json`` in one form, whichever CDK wrote it: CDKTF writes an
    empty object over two lines, CDK Terrain as ``{}``; both are otherwise
    ``JSON.stringify`` with an indent of 2, which ``json.dumps`` reproduces. Only the
    CDK's own version, in ``//.metadata.version``, still tells them apart."""
    for name in names:
        path = stacks_dir / name / "cdk.tf.json"
        text = path.read_text(encoding="utf-8")
        canonical = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        if canonical != text:
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_text(canonical, encoding="utf-8")
            os.replace(temporary, path)


#: A file system error of node's ``fs`` module, as jsii passes it on:
#: ``Error: ENOSPC: no space left on device, write``.
NODE_FS_ERROR = re.compile(r"\b(E[A-Z]{2,}): ([^,\n]+), [a-z]+\b")


@contextlib.contextmanager
def _write_errors(outdir: Path, *, unchanged: bool = False) -> Iterator[None]:
    """Writing the stacks failed (a full disk, a read-only or vanished directory): one
    line naming the output directory and the cause, instead of node's and jsii's traces.

    Anything else, a construct's bug included, propagates as is.
    """
    after = "; the previous output is unchanged" if unchanged else ""
    try:
        yield
    except ConnectionError:
        raise  # the jsii kernel's connection, not the disk: an interrupt, or node ended
    except OSError as exc:
        cause = exc.strerror or str(exc)
        code = errno.errorcode.get(exc.errno or 0)
        raise ConfigError(f"cannot be written ({cause}{f', {code}' if code else ''}){after}",
                          file=outdir, field="--out") from None
    except RuntimeError as exc:  # jsii's error for an exception in node
        match = NODE_FS_ERROR.search(str(exc).split("\n", 1)[0])
        if match is None:
            raise
        raise ConfigError(f"cannot be written ({match.group(2)}, {match.group(1)}){after}",
                          file=outdir, field="--out") from None


#: What a synth output directory holds; anything else there is not ours to replace.
OUTPUT_ENTRIES = {"manifest.json", "stacks"}


def input_directories(clusters_dir: Path, fleet: Fleet | None = None) -> list[Path]:
    """What the fleet's tools read from this checkout: ``clusters/``, ``manifests/`` and
    every manifest repository ``path`` of the management cluster (resolved)."""
    from .repositories import checkout_root

    root = checkout_root(clusters_dir)
    found = [clusters_dir.resolve(), (root / "manifests").resolve()]
    if fleet is not None:
        repositories = fleet.management.spec.argocd.repositories  # type: ignore[union-attr]
        found += [(root / r.path).resolve() for r in repositories.values() if r.path]
    return list(dict.fromkeys(found))


def check_outdir(outdir: Path, clusters_dir: Path, fleet: Fleet | None = None) -> Path:
    """Refuse an output directory whose replacement would destroy something else,
    or that would land among what the fleet's tools read (clusters/, manifests/)."""
    target = outdir.resolve()
    if not outdir.name or outdir.name in (".", "..") or target == Path(target.anchor):
        raise ConfigError("must name a directory of its own, such as cdktf.out",
                          file=outdir, field="--out")
    clusters = clusters_dir.resolve()
    if target == Path.cwd().resolve() or target == clusters or target in clusters.parents:
        raise ConfigError(f"would replace {target}, which holds the fleet: choose another "
                          "directory, such as cdktf.out", file=outdir, field="--out")
    for inputs in input_directories(clusters_dir, fleet):
        if target == inputs or inputs in target.parents:
            what = ("every later synth would read it as a cluster directory"
                    if inputs == clusters else "it would be read as manifests")
            raise ConfigError(f"is inside {inputs}, which fleetform reads: {what}; choose a "
                              "directory outside it, such as cdktf.out", file=outdir,
                              field="--out")
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise ConfigError("exists and is not a directory", file=outdir, field="--out")
        foreign = sorted(p.name for p in target.iterdir() if p.name not in OUTPUT_ENTRIES)
        if foreign:
            shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
            raise ConfigError(f"exists and is not a synth output (it holds {shown}); "
                              "synth replaces its output directory whole: choose another",
                              file=outdir, field="--out")
    return outdir


def _replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` at ``target`` with two renames; the old copy is removed last."""
    old = None
    with deferred():  # an interrupt between the renames would leave no output at all
        if target.exists():
            old = target.with_name(f".{target.name}.{os.getpid()}.old")
            os.replace(target, old)
        try:
            os.replace(new, target)
        except BaseException:
            if old is not None:  # put the previous output back
                os.replace(old, target)
            raise
        if old is not None:  # inside: an interrupt now would leave it behind
            shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: someone else's process
        return True
    return True


def remove_stale_staging(outdir: str | Path) -> list[Path]:
    """Remove the ``.<outdir>.<pid>.*`` directories of synths that no longer run.

    A synth killed outright (SIGKILL, power loss) cannot clean up its staging
    directory or the old copy of ``outdir`` it was replacing; the next synth
    does. Directories of another synth still running are left alone. Returns
    what was removed.
    """
    outdir = Path(outdir)
    # .<name>.<pid>.<random> (staging), .<name>.<pid>.old (old copy), and the
    # names of earlier versions: .<name>.<random>, .<name>.old-<pid>.
    pattern = re.compile(rf"^\.{re.escape(outdir.name)}\."
                         r"(?:(\d+)\.(?:[a-z0-9_]{8}|old)|old-(\d+)|[a-z0-9_]{8})$")
    removed = []
    for path in outdir.parent.glob(f".{glob_escape(outdir.name)}.*"):
        match = pattern.match(path.name)
        if not match or not path.is_dir() or path.is_symlink():
            continue
        pid = match.group(1) or match.group(2)
        if pid and int(pid) != os.getpid() and _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed
