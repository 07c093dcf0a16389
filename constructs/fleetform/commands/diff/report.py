"""``fleetform diff`` output: plain text (coloured on a terminal), JSON and Markdown.

The Markdown is sized for a merge request note: a summary table, the gates,
then one collapsed ``<details>`` section per cluster; long diffs are cut with
a count of what was left out (the JSON artifact has everything).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...integrations.merge_request_note import NOTE_MARKER  # noqa: F401 - the note's first line
from .apps import ClusterRouting, PairDiff
from .gates import Override, Violation
from .stacks import StackDiff

#: Diff lines shown per application in Markdown, attribute changes per stack, clusters.
MD_DIFF_LINES = 60
MD_ATTRIBUTES = 40
MD_CLUSTERS = 40
#: Size of the Markdown report past which cluster sections are left out (GitLab's
#: limit on a note is 1,000,000 characters; a review needs far less).
MD_MAX_CHARS = 100_000
#: Text output: diff lines per application (JSON has all).
TEXT_DIFF_LINES = 400
SYMBOL = {"add": "+", "change": "~", "remove": "-"}


@dataclass
class FleetDiff:
    """Everything ``fleetform diff`` found."""

    base: str
    merge_base: str
    head: str | None
    note: str | None
    stacks: list[StackDiff]
    routing: list[ClusterRouting]
    pairs: list[PairDiff]
    #: (cluster, application) pairs on either side, and how many the change affected.
    pairs_total: int
    pairs_affected: int
    renders: int
    synthesized: dict[str, list[str]]
    violations: list[Violation] = field(default_factory=list)
    override: Override | None = None
    gated: bool = False
    #: What could not be compared, and why.
    warnings: list[str] = field(default_factory=list)
    #: Labels that roll out in waves: ``{label: {wave: [clusters whose manifests change]}}``,
    #: the waves in the order Argo CD syncs them (only those the change reaches).
    rollouts: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def rollout_lines(self) -> list[str]:
        """``label x reaches wave a first (c1), then b (c2, c3)``, one per waved label."""
        out = []
        for label, by_wave in self.rollouts.items():
            parts = [f"{wave} ({', '.join(names)})" for wave, names in by_wave.items()]
            out.append(f"rollout: label {label} reaches wave {parts[0]} first"
                       + (f", then {', then '.join(parts[1:])}" if parts[1:] else ""))
        return out

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if not v.allowed]

    @property
    def clusters(self) -> list[str]:
        names = {s.cluster for s in self.stacks} | {r.cluster for r in self.routing} | \
                {p.cluster for p in self.pairs}
        return sorted(names)

    def headline(self) -> str:
        head = self.head[:12] if self.head else "the working tree"
        base = self.base[:12] if re.fullmatch(r"[0-9a-f]{40}", self.base) else self.base
        return (f"{base} (merge base {self.merge_base[:12]}) -> {head}"
                + (f" [{self.note}]" if self.note else ""))

    def summary(self) -> str:
        count = {s: sum(1 for x in self.stacks if x.status == s)
                 for s in ("changed", "added", "removed")}
        stacks = ", ".join(f"{n} {s}" for s, n in count.items() if n) or "no change"
        gained = sum(len(r.gained) for r in self.routing)
        lost = sum(len(r.lost) for r in self.routing)
        return (f"stacks: {stacks}; routing: +{gained} -{lost} application(s) on "
                f"{len(self.routing)} cluster(s); manifests: {len(self.pairs)} application(s) "
                f"differ ({self.pairs_affected} of {self.pairs_total} pairs affected, "
                f"{self.renders} renders)")

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base, "merge_base": self.merge_base,
            "head": self.head if self.head is not None else "working tree", "note": self.note,
            "summary": {"pairs": self.pairs_total, "affected_pairs": self.pairs_affected,
                        "renders": self.renders, "differing_pairs": len(self.pairs)},
            "synthesized": self.synthesized,
            "warnings": list(self.warnings),
            "rollouts": self.rollouts,
            "stacks": [s.to_dict() for s in self.stacks],
            "routing": [r.to_dict() for r in self.routing],
            "manifests": [p.to_dict() for p in self.pairs],
            "gates": {"enforced": self.gated, "passed": not self.blocking,
                      "violations": [v.to_dict() for v in self.violations],
                      "override": None if self.override is None else {
                          "gates": sorted(self.override.gates),
                          "sources": list(self.override.sources),
                          "unknown": list(self.override.unknown)}},
        }


# --------------------------------------------------------------------------- text


_COLOURS = {"+": "32", "-": "31", "~": "33", "@": "36", "!": "1;31", "=": "1"}


def _paint(line: str, colour: bool, key: str | None = None) -> str:
    key = key or line.lstrip()[:1]
    if not colour or key not in _COLOURS:
        return line
    return f"\033[{_COLOURS[key]}m{line}\033[0m"


def _is_resource(address: str) -> bool:
    return not address.startswith(("data.", "output.", "var.", "provider."))


def _attribute_lines(stack: StackDiff, limit: int | None) -> list[str]:
    lines = []
    whole = stack.status in ("added", "removed")
    for change in stack.changes:
        if whole and not _is_resource(change.address):
            continue
        lines.append(f"  {SYMBOL[change.action]} {change.address}")
        if change.action != "change":
            continue
        for attr in change.attributes:
            old = "(absent)" if attr.old is None else attr.old
            new = "(absent)" if attr.new is None else attr.new
            if attr.lines:  # a multi-line text: its diff says more than both ends cut short
                lines.append(f"      {attr.path}: text changed")
            else:
                lines.append(f"      {attr.path}: {old} -> {new}")
            lines.extend(f"        {line}" for line in attr.lines)
    if limit is not None and len(lines) > limit:
        lines = lines[:limit] + [f"  ... {len(lines) - limit} more line(s) (see the JSON)"]
    return lines


def _routing_lines(routing: ClusterRouting) -> list[str]:
    return ([f"  + {a.application} ({a.label}: {a.app}): {a.reason}" for a in routing.gained]
            + [f"  - {a.application} ({a.label}: {a.app}): {a.reason}" for a in routing.lost])


def _signature(pair: PairDiff) -> tuple:
    """What a pair's change looks like without its cluster: equal on clusters changed alike."""
    return (pair.app, pair.label, pair.status, tuple(pair.problems),
            tuple((o.kind, o.namespace, o.name, o.action) for o in pair.objects),
            tuple(pair.diff[2:]))


def _pair_header(pair: PairDiff) -> str:
    symbol = {"changed": "~", "added": "+", "removed": "-"}.get(pair.status, "!")
    return (f"  {symbol} {pair.application} ({pair.label}: {pair.app}, Kubernetes "
            f"{pair.kubernetes}){'' if symbol != '!' else ': ' + pair.status}")


def format_text(diff: FleetDiff, colour: bool = False) -> str:
    lines = [f"fleetform diff: {diff.headline()}", diff.summary(), *diff.rollout_lines()]
    lines += [_paint(f"warning: {w}", colour, "!") for w in diff.warnings]
    by_cluster = _by_cluster(diff)
    seen: dict[tuple, str] = {}
    for cluster in diff.clusters:
        stack, routing, pairs = by_cluster[cluster]
        lines.append("")
        lines.append(_paint(f"== {cluster}", colour, "="))
        if stack is not None:
            lines.append(f"stack {stack.status}: {_stack_counts(stack)}")
            lines.extend(_paint(x, colour) for x in _attribute_lines(stack, None))
        if routing is not None:
            lines.append("applications:")
            lines.extend(_paint(x, colour) for x in _routing_lines(routing))
        if pairs:
            lines.append("manifests:")
        for pair in pairs:
            lines.append(_paint(_pair_header(pair), colour))
            if _signature(pair) in seen:
                lines.append(f"      the same change as {seen[_signature(pair)]}")
                continue
            seen[_signature(pair)] = f"{pair.application} on {pair.cluster}"
            lines.extend(_paint(f"      {p}", colour, "!") for p in pair.problems)
            lines.extend(_paint(f"      {SYMBOL[o.action]} {o.ident}", colour,
                                SYMBOL[o.action]) for o in pair.objects)
            shown = pair.diff[:TEXT_DIFF_LINES]
            lines.extend(_paint(f"      {d}", colour, d[:1] if d[:3] not in ("---", "+++")
                                else "=") for d in shown)
            if len(pair.diff) > len(shown):
                lines.append(f"      ... {len(pair.diff) - len(shown)} more diff line(s) "
                             "(--format json has them all)")
    lines.append("")
    lines.extend(_gate_lines(diff, colour))
    return "\n".join(lines)


def _gate_lines(diff: FleetDiff, colour: bool = False) -> list[str]:
    lines = []
    if diff.override is not None and diff.override.sources:
        lines.append(f"override from {', '.join(diff.override.sources)}: "
                     f"{', '.join(sorted(diff.override.gates)) or 'no gate named'}")
        if diff.override.unknown:
            lines.append(f"override names unknown gate(s): {', '.join(diff.override.unknown)}")
    for v in diff.violations:
        lines.append(_paint(str(v), colour, "~" if v.allowed else "!"))
    verdict = ("FAILED" if diff.blocking else "passed") if diff.gated else \
        ("would fail" if diff.blocking else "would pass") + " (not enforced without --gate)"
    lines.append(f"gates: {verdict}: {len(diff.blocking)} violation(s)"
                 + (f", {len(diff.violations) - len(diff.blocking)} allowed"
                    if len(diff.violations) > len(diff.blocking) else ""))
    return lines


def _stack_counts(stack: StackDiff) -> str:
    if stack.status in ("added", "removed"):
        return f"{stack.resources} resource(s)"
    parts = [f"{stack.count(a)} {w}" for a, w in (("add", "added"), ("change", "changed"),
                                                   ("remove", "removed")) if stack.count(a)]
    return ", ".join(parts)


def _by_cluster(diff: FleetDiff) -> dict[str, tuple[StackDiff | None, ClusterRouting | None,
                                                     list[PairDiff]]]:
    stacks = {s.cluster: s for s in diff.stacks}
    routing = {r.cluster: r for r in diff.routing}
    return {c: (stacks.get(c), routing.get(c), [p for p in diff.pairs if p.cluster == c])
            for c in diff.clusters}


# --------------------------------------------------------------------------- Markdown


def _fence(lines: list[str], limit: int) -> list[str]:
    shown = [line.replace("```", "`\u200b``") for line in lines[:limit]]
    out = ["```diff", *shown, "```"]
    if len(lines) > limit:
        out.append(f"*{len(lines) - limit} more line(s) not shown: see the JSON artifact.*")
    return out


def format_markdown(diff: FleetDiff) -> str:
    verdict = ("**failed**" if diff.blocking else "passed") if diff.gated else \
        ("would fail" if diff.blocking else "would pass") + " (not enforced)"
    lines = [NOTE_MARKER, "### fleetform diff", "",
             f"`{diff.headline()}`", "", diff.summary(), ""]
    lines += [f"- {line}" for line in diff.rollout_lines()] + ([""] if diff.rollouts else [])
    lines += [f"> ⚠️ {w}" for w in diff.warnings] + ([""] if diff.warnings else [])
    by_cluster = _by_cluster(diff)
    if diff.clusters:
        lines += ["| Cluster | Stack | Applications | Manifests |", "|---|---|---|---|"]
        for cluster in diff.clusters:
            stack, routing, pairs = by_cluster[cluster]
            apps = f"+{len(routing.gained)} -{len(routing.lost)}" if routing else ""
            lines.append(f"| {cluster} | {f'{stack.status}: {_stack_counts(stack)}' if stack else ''}"
                         f" | {apps} | {f'{len(pairs)} differ' if pairs else ''} |")
        lines.append("")
    else:
        lines += ["No cluster, application or manifest changes.", ""]
    lines.append(f"**Gates {verdict}** ({len(diff.blocking)} violation(s))")
    lines += [f"- {line}" for line in _gate_lines(diff)[:-1]]
    lines.append("")
    seen: dict[tuple, str] = {}
    size = sum(len(line) + 1 for line in lines)
    for i, cluster in enumerate(diff.clusters):
        section = _markdown_cluster(cluster, *by_cluster[cluster], seen)
        size += sum(len(line) + 1 for line in section)
        if i == MD_CLUSTERS or size > MD_MAX_CHARS:
            lines.append(f"*{len(diff.clusters) - i} more cluster(s) not shown: "
                         "see the JSON artifact.*")
            break
        lines += section
    return "\n".join(lines).rstrip() + "\n"


def _markdown_cluster(cluster: str, stack: StackDiff | None, routing: ClusterRouting | None,
                      pairs: list[PairDiff], seen: dict[tuple, str]) -> list[str]:
    """The collapsed section of one cluster."""
    lines: list[str] = []
    parts = []
    if stack:
        parts.append(f"stack {stack.status}")
    if routing:
        parts.append(f"+{len(routing.gained)} -{len(routing.lost)} applications")
    if pairs:
        parts.append(f"{len(pairs)} manifest change(s)")
    lines += [f"<details><summary><b>{cluster}</b>: {', '.join(parts)}</summary>", ""]
    if stack:
        lines += [f"**Stack {stack.status}** ({_stack_counts(stack)})", ""]
        lines += _fence([x.strip() if x.lstrip()[:1] in "+-~" else x
                         for x in _attribute_lines(stack, None)], MD_ATTRIBUTES)
        lines.append("")
    if routing:
        lines += ["**Applications**", ""]
        lines += [f"- {'➕' if x.startswith('  +') else '➖'} {x[4:]}"
                  for x in _routing_lines(routing)]
        lines.append("")
    for pair in pairs:
        lines.append(f"**{pair.application}** ({pair.label}: `{pair.app}`, Kubernetes "
                     f"{pair.kubernetes}): {pair.status}")
        if _signature(pair) in seen:
            lines += [f"- the same change as {seen[_signature(pair)]}", ""]
            continue
        seen[_signature(pair)] = f"{pair.application} on {pair.cluster}"
        lines += [f"- ⚠️ {p}" for p in pair.problems]
        lines += [f"- `{SYMBOL[o.action]} {o.ident}`" for o in pair.objects]
        if pair.diff:
            lines.append("")
            lines += _fence(pair.diff, MD_DIFF_LINES)
        lines.append("")
    lines += ["</details>", ""]
    return lines
