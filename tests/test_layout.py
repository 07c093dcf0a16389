"""The package layout: imports only go down (commands -> render -> fleet -> constructs -> providers).

Every module of ``fleetform`` is parsed with ``ast`` (no import is run), each
import resolved to a module of the package, and two rules checked: no module
imports a layer above its own, and no two modules import each other, even
through others or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import fleetform

PACKAGE_DIR = Path(fleetform.__file__).resolve().parent

#: Each subpackage's rank: a module may import its own layer and those below.
LAYERS = {"providers": 1, "constructs": 2, "integrations": 3, "fleet": 4, "render": 5,
          "commands": 6}
#: Modules at the package root, importable from every layer; they import no layer
#: (the CDK in use, the user's error type, and how an interrupt is told from a failure).
ROOT_MODULES = {"cdk", "errors", "interrupts"}


def module_names(package_dir: Path, package: str) -> dict[str, Path]:
    """Every module of the package under ``package_dir``, by dotted name."""
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = [package, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its file."""
    is_package = path.name == "__init__.py"
    package_parts = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package_parts[:len(package_parts) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # `from pkg import sub` imports the submodule when there is one.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            # `import fleetform.fleet.config` names the module; keep the longest known prefix.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def layer_of(module: str, package: str) -> int | None:
    """The rank of the module's layer; None for the package root and its root modules."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS[parts[1]]
    return None


def layout_problems(package_dir: Path, package: str = "fleetform") -> list[str]:
    """Upward imports and import cycles of the package, one line each."""
    modules = module_names(package_dir, package)
    graph = {name: imports_of(name, path, set(modules)) for name, path in modules.items()}
    roots = {f"{package}.{m}" for m in ROOT_MODULES}
    problems = []
    for name, targets in sorted(graph.items()):
        rank = layer_of(name, package)
        for target in sorted(targets):
            target_rank = layer_of(target, package)
            if target in roots:
                continue
            if target == package:
                problems.append(f"{name} imports the package root {package}")
            elif name in roots:
                problems.append(f"{name} imports {target}: {name.rpartition('.')[2]} must "
                                "import no layer")
            elif rank is None:
                # The package root is the public API: constructs and their providers only.
                if target_rank is not None and target_rank > LAYERS["constructs"]:
                    problems.append(f"{name} imports {target}: the public API holds constructs")
            elif target_rank is None or target_rank > rank:
                problems.append(f"{name} imports {target}, a layer above its own")
    problems += [f"import cycle: {' -> '.join(cycle)}" for cycle in _cycles(graph)]
    cli = f"{package}.commands.cli"
    problems += [f"{name} imports argparse: the command line is {cli}'s own"
                 for name, path in sorted(modules.items())
                 if name != cli and not name.startswith(cli + ".") and _imports_argparse(path)]
    problems += _capability_problems(graph, package)
    return problems


def _capability(name: str, package: str) -> str | None:
    """The capability (``commands.<capability>``) module ``name`` belongs to, if any."""
    parts = name.split(".")
    if parts[:2] != [package, "commands"] or len(parts) < 3:
        return None
    return parts[2]


def _capability_problems(graph: dict[str, set[str]], package: str) -> list[str]:
    """A capability imports another only through its ``__init__`` (its API), and none
    imports the command line; the command line may read any capability's modules."""
    problems = []
    for name, targets in sorted(graph.items()):
        own = _capability(name, package)
        if own is None or own == "cli":
            continue
        for target in sorted(targets):
            other = _capability(target, package)
            if other == "cli":
                problems.append(f"{name} imports {target}: the command line calls "
                                "capabilities, not the other way round")
            elif other is not None and other != own and target.count(".") > 2:
                problems.append(f"{name} imports {target}: another capability is imported "
                                f"through its API, {package}.commands.{other}")
    return problems


def _imports_argparse(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import) and any(a.name == "argparse" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "argparse" and not node.level:
            return True
    return False


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    cycles = []
    for group in groups:
        members = set(group)
        start = min(group)
        path, node = [start], start
        while True:
            node = min(t for t in graph[node] if t in members)
            if node in path:
                path = path[path.index(node):] + [node]
                break
            path.append(node)
        cycles.append(path)
    return cycles


def test_fleetform_imports_only_go_down_and_have_no_cycle():
    assert layout_problems(PACKAGE_DIR) == []


def test_every_layer_is_a_subpackage_with_modules():
    modules = module_names(PACKAGE_DIR, "fleetform")
    for layer in LAYERS:
        assert f"fleetform.{layer}" in modules
        assert any(m.startswith(f"fleetform.{layer}.") for m in modules), layer
    flat = [m for m in modules if m.count(".") == 1 and m.split(".")[1] not in LAYERS]
    assert sorted(flat) == sorted(f"fleetform.{m}" for m in ROOT_MODULES)


#: Past this, a module is split into cohesive modules (the package aims at about 400).
MAX_MODULE_LINES = 450


def test_no_module_much_over_400_lines():
    lengths = {name: len(path.read_text().splitlines())
               for name, path in module_names(PACKAGE_DIR, "fleetform").items()}
    assert {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES} == {}


def private_imports(package_dir: Path, package: str = "fleetform") -> list[str]:
    """Underscore names one module of the package imports from another, one line each.

    A name used by another module is public (no underscore, a docstring); a
    private name is the defining module's own.
    """
    modules = module_names(package_dir, package)
    problems = []
    for name, path in sorted(modules.items()):
        is_package = path.name == "__init__.py"
        package_parts = name.split(".") if is_package else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = ".".join(package_parts[:len(package_parts) - node.level + 1]
                                + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base != package and not base.startswith(f"{package}."):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__") \
                        and f"{base}.{alias.name}" not in modules:
                    problems.append(f"{name} imports {alias.name} from {base}")
    return problems


def test_no_module_imports_another_modules_private_names():
    assert private_imports(PACKAGE_DIR) == []


def _write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / "pkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for directory in ["", *LAYERS]:
        init = root / "pkg" / directory / "__init__.py"
        init.parent.mkdir(parents=True, exist_ok=True)
        if not init.exists():
            init.write_text("")
    return root / "pkg"


@pytest.mark.parametrize("files, expected", [
    ({"constructs/a.py": "from ..fleet import config\n", "fleet/config.py": ""},
     ["pkg.constructs.a imports pkg.fleet.config, a layer above its own"]),
    ({"providers/p.py": "def f():\n    from pkg.commands.cli import main\n",
      "commands/cli.py": ""},
     ["pkg.providers.p imports pkg.commands.cli, a layer above its own"]),
    ({"errors.py": "from .constructs import a\n", "constructs/a.py": ""},
     ["pkg.errors imports pkg.constructs.a: errors must import no layer"]),
    ({"fleet/a.py": "from .b import X\n",
      "fleet/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import Y\n"},
     ["import cycle: pkg.fleet.a -> pkg.fleet.b -> pkg.fleet.a"]),
    ({"fleet/a.py": "from ..constructs.c import X\nfrom ..errors import E\n",
      "constructs/c.py": "from ..providers import p\n", "providers/p.py": "", "errors.py": ""},
     []),
    # Command-line parsing is the top layer's: below it, argparse is refused.
    ({"fleet/app.py": "import argparse\n", "render/r.py": "from argparse import Namespace\n",
      "commands/synth.py": "import argparse\n", "commands/cli/synth.py": "import argparse\n",
      "commands/cli/__init__.py": "import argparse\n"},
     ["pkg.commands.synth imports argparse: the command line is pkg.commands.cli's own",
      "pkg.fleet.app imports argparse: the command line is pkg.commands.cli's own",
      "pkg.render.r imports argparse: the command line is pkg.commands.cli's own"]),
    # Capabilities: one another's API only, and never the command line.
    ({"commands/diff/__init__.py": "from ..validate.render import X\nfrom ..changes import Y\n",
      "commands/validate/__init__.py": "", "commands/validate/render.py": "",
      "commands/changes/__init__.py": "", "commands/plans.py": "from .cli import views\n",
      "commands/cli/__init__.py": "", "commands/cli/views.py": "",
      "commands/cli/diff.py": "from ..validate.render import X\n"},
     ["pkg.commands.diff imports pkg.commands.validate.render: another capability is "
      "imported through its API, pkg.commands.validate",
      "pkg.commands.plans imports pkg.commands.cli.views: the command line calls "
      "capabilities, not the other way round"]),
])
def test_layout_check_reports_upward_imports_and_cycles(tmp_path, files, expected):
    assert layout_problems(_write(tmp_path, files), "pkg") == expected


@pytest.mark.parametrize("files, expected", [
    ({"commands/a.py": "from .b import _helper, public\n",
      "commands/b.py": "def _helper(): ...\ndef public(): ...\n"},
     ["pkg.commands.a imports _helper from pkg.commands.b"]),
    ({"fleet/a.py": "def f():\n    from pkg.constructs.c import _Tree as Tree\n",
      "constructs/c.py": ""},
     ["pkg.fleet.a imports _Tree from pkg.constructs.c"]),
    # Other packages' private names, dunders, and submodules named with an underscore.
    ({"fleet/a.py": "from os import _exit\nfrom .b import __doc__\nfrom . import _impl\n",
      "fleet/b.py": "", "fleet/_impl.py": ""},
     []),
])
def test_private_import_check_reports_underscore_names_from_other_modules(tmp_path, files,
                                                                           expected):
    assert private_imports(_write(tmp_path, files), "pkg") == expected


def test_the_readmes_module_list_is_the_packages():
    """README lists every module by layer: kept true by this test, not by hand."""
    import re

    readme = (PACKAGE_DIR.parent.parent / "README.md").read_text()
    block = re.search(r"```\n(fleetform/errors\.py.*?)```", readme, re.S).group(1)
    listed: dict[str, set[str]] = {}
    layer = None
    for line in block.splitlines():
        head = re.match(r"fleetform/(\w+)(/|\.py)\s+(.*)", line)
        if head and head.group(2) == ".py":
            listed.setdefault("", set()).add(head.group(1))
            layer = None
            continue
        if head:
            layer, text = head.group(1), head.group(3).split(":", 1)[-1]
        else:
            text = line
        if layer:
            listed.setdefault(layer, set()).update(re.findall(r"\b\w+\b", text))
    modules = module_names(PACKAGE_DIR, "fleetform")
    actual = {"": {m.split(".")[1] for m in modules if m.count(".") == 1
                   and m.split(".")[1] not in LAYERS}}
    for name in LAYERS:
        actual[name] = {m.split(".")[2] for m in modules
                        if m.startswith(f"fleetform.{name}.") and m.count(".") == 2}

    assert listed == actual
