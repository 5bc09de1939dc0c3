"""Load a scenario file into a frozen, validated :class:`Scenario`.

The loader works in stages, each of which can only fail with a :class:`ScenarioError`
whose lines name the file and line (or ``--set path``), the dotted field path, the value
given and what is allowed:

1. **Read** the YAML with a safe loader (``yaml.SafeLoader``: no object construction; it
   also reads ``1e-3`` as a number), keeping the composed node tree to remember the line
   of every key, so later errors can point at the line where a value was set. Duplicate
   keys and non-text keys are errors. Before anything is built, the file and the node graph
   are bounded (MAX_BYTES, MAX_NODES with aliases expanded; no alias inside its own anchor)
   in time linear in the text, so a hostile file (the "billion laughs") is refused at once;
   a scalar Python cannot build (2001-02-30, 5,000 digits, a lone surrogate) is an error.
2. **Inherit**: start from the schema defaults (which are the shipped baseline's values),
   or, with ``extends: other.yaml`` (relative to the extending file), from the parent's
   full resolution (parents may extend too; cycles and missing targets are errors), and
   deep-merge the file's keys over it. A file that sets no parameters (nothing but
   ``name``, ``description``, ``version``; or empty) and has no ``extends`` is an error:
   it is almost always a forgotten ``extends: baseline.yaml``.
   Mappings merge key by key; lists and scalars replace; a mapping whose
   ``distribution`` family changes replaces the old one whole, so stale ``cv`` keys go.
3. **Changes**: a file's ``changes:`` mapping of ``dotted.path: value`` is applied after
   its own keys (and so after its parent's whole resolution). Missing intermediate
   mappings are created; a mapping value merges like in stage 2.
4. **Overrides**: ``--set dotted.path=value`` strings, the value read as YAML
   (``15`` -> int, ``0.8`` -> float, ``null`` -> None, ``[1, 2]`` -> list).
5. **Seed and replications** given as arguments replace the file's.
6. **Validate** with ``Scenario.model_validate(raw, strict=True)``: strict, so ``yes`` or
   ``"0.5"`` is not silently taken for a number. Each pydantic error becomes one line,
   located where its path (or, for a section's own check, the latest value inside it) was
   set, else where its nearest enclosing section was set, else at the top-level file.

``extends`` and ``changes`` are loader keys, removed before validation.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario import investments
from sim.scenario.errors import (
    ScenarioError,
    dotted,
    located,
    problems_from,
    read_problem,
    show,
    yaml_problem,
)
from sim.scenario.schema import Scenario

Parts = tuple[str | int, ...]
OriginOf = Callable[[Parts], str | None]
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# YAML 1.1 reads 1e-3 and 1.0e3 as text (its floats need a dot and a signed exponent);
# these loaders also read them as numbers, as YAML 1.2 and every user does.
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")


class _UnreadableValue(Exception):
    """A scalar that YAML recognises but Python cannot build (2001-02-30, 5,000 digits)."""

    def __init__(self, line: int, err: Exception) -> None:
        super().__init__(str(err))
        self.line = line


class _Checked:
    """Construction errors other than YAML's own become :class:`_UnreadableValue`, with the
    line of the value."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)  # type: ignore[misc]
        except (ValueError, OverflowError) as err:
            raise _UnreadableValue(node.start_mark.line + 1, err) from None


class _SafeLoader(_Checked, yaml.SafeLoader):
    """``yaml.SafeLoader`` (no object construction) that reads 1e-3 as a float."""


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastSafeLoader(_Checked, _Base):
    """The same with libyaml's parser, when PyYAML was built with it."""


for _loader in (_SafeLoader, _FastSafeLoader):
    _loader.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT,
                                  list("-+0123456789."))
# Bounds on what a scenario file (or a --set value) may hold, checked on the composed YAML node
# graph before anything is built from it, in time linear in the text. The shipped baseline,
# every parameter commented, is 13.5 kB and 373 nodes; no scenario comes near these bounds,
# but a hostile file (the "billion laughs": lists of aliases to lists of aliases, eleven lines
# that expand to 9**9 items) would otherwise take hours to walk and validate.
MAX_BYTES = 1_000_000  # 74 times the baseline's text
MAX_NODES = 20_000  # YAML nodes after expanding aliases: 54 times the baseline's 373
_NOT_PARAMETERS = {"name", "description", "version"}  # a file with only these runs nothing new
_HEADER = (
    "# Resolved scenario{by}: every parameter, with extends, changes\n"
    "# and --set already applied. It can be run again as is and gives the same scenario.\n"
)


class _Origins:
    """Where each dotted path was last set, as a tree of paths: noting a path, forgetting all
    under one and finding the latest setting inside one cost the length of the path (and the
    size of the part looked into), never a scan of every path noted."""

    __slots__ = ("kids", "mark")

    def __init__(self) -> None:
        self.kids: dict[str | int, _Origins] = {}
        self.mark: tuple[int, str] | None = None

    def node(self, parts: Parts, create: bool = False) -> _Origins | None:
        node: _Origins | None = self
        for part in parts:
            assert node is not None
            nxt = node.kids.get(part)
            if nxt is None:
                if not create:
                    return None
                nxt = node.kids[part] = _Origins()
            node = nxt
        return node

    def latest(self) -> tuple[int, int, str] | None:
        """max (layer, -depth, origin) over this node and every node under it."""
        best: tuple[int, int, str] | None = None
        stack: list[tuple[_Origins, int]] = [(self, 0)]
        while stack:
            node, depth = stack.pop()
            if node.mark is not None:
                here = (node.mark[0], -depth, node.mark[1])
                best = here if best is None or here > best else best
            stack.extend((kid, depth + 1) for kid in node.kids.values())
        return best


@dataclass
class _State:
    """Raw data being resolved, and where each dotted path was last set."""

    data: dict[str, Any]
    origins: _Origins = field(default_factory=_Origins)
    layer: int = 0  # bumped for each file body, changes entry and --set applied

    def note(self, parts: Parts, origin: str) -> None:
        node = self.origins.node(parts, create=True)
        assert node is not None
        node.mark = (self.layer, origin)

    def forget(self, parts: Parts) -> None:
        """Forget where ``parts`` and everything under it were set."""
        node = self.origins.node(parts)
        if node is not None:
            node.kids.clear()
            node.mark = None

    def origin_of(self, parts: Parts, fallback: str) -> str:
        """Where the value at ``parts`` came from: the latest setting of it or inside it (a
        --set of one share breaks the sum of the mix); else, as defaults are valid on their
        own, the latest setting inside its nearest enclosing section that has one."""
        for n in range(len(parts), 0, -1):
            node = self.origins.node(parts[:n])
            inside = node.latest() if node is not None else None
            if inside is not None:
                return inside[2]
        return fallback


# ------------------------------------------------------------------------ public API


def load_scenario(
    path: str | os.PathLike[str],
    overrides: Sequence[str] = (),
    *,
    seed: int | None = None,
    replications: int | None = None,
) -> Scenario:
    """Read, resolve (extends, changes, overrides) and validate a scenario file."""
    display = os.fspath(path)
    state = _resolve_state(path, overrides, seed=seed, replications=replications)
    try:
        scenario = Scenario.model_validate(state.data, strict=True)
    except ValidationError as err:
        origin_of = functools.partial(state.origin_of, fallback=display)
        raise ScenarioError(problems_from(err, Scenario, origin_of)) from None
    except RecursionError:
        raise ScenarioError(f"{display}: a value is nested too deeply") from None
    except (TypeError, ValueError) as err:  # defensive: odd YAML structures
        raise ScenarioError(f"{display}: cannot validate: {err}") from None

    def where(i: int, path: str) -> str:
        return state.origin_of(("investments", i, "changes", path), fallback=display)

    found = investments.problems(scenario, where)
    if found:
        raise ScenarioError(found)
    return scenario


def resolve_raw(
    path: str | os.PathLike[str],
    overrides: Sequence[str] = (),
    *,
    seed: int | None = None,
    replications: int | None = None,
) -> dict[str, Any]:
    """The raw mapping after stages 1-5 (defaults included), before validation."""
    return _resolve_state(path, overrides, seed=seed, replications=replications).data


def dump_resolved(scenario: Scenario, *, version: str) -> str:
    """YAML text of the fully resolved scenario, stamped with ``version``; loads back equal."""
    data = scenario.model_dump(mode="json")
    data["version"] = version
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=100)
    return _HEADER.format(by=f" written by churn-sim {version}") + body


# ---------------------------------------------------------------------- resolution


def _resolve_state(
    path: str | os.PathLike[str],
    overrides: Sequence[str],
    *,
    seed: int | None,
    replications: int | None,
) -> _State:
    parsed = _parse_overrides(overrides)
    try:
        state = _resolve_file(Path(path), os.fspath(path), [])
    except RecursionError:
        raise ScenarioError(f"{os.fspath(path)}: a value is nested too deeply") from None
    problems: list[str] = []
    for key, parts, value in parsed:
        origin = f"--set {key}"
        state.layer += 1
        try:
            _set(state, parts, value, _constant_origin(origin), origin)
        except ScenarioError as err:
            problems.extend(err.problems)
        except RecursionError:
            problems.append(f"{origin}: the value is nested too deeply")
    if problems:
        raise ScenarioError(problems)
    for name, value in (("seed", seed), ("replications", replications)):
        if value is not None:
            state.layer += 1
            state.data[name] = value
            state.note((name,), f"{name} argument")
    return state


def _constant_origin(origin: str) -> OriginOf:
    """An origin function that names ``origin`` for every path it sets."""

    def of(rel: Parts) -> str:
        return origin

    return of


@functools.lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return Scenario().model_dump(mode="json")


def _resolve_file(path: Path, display: str, chain: list[tuple[Path, str]]) -> _State:
    data, lines = _read(path, display)

    def at(parts: Parts) -> str | None:
        return f"{display}:{lines[parts]}" if parts in lines else None

    parent = data.pop("extends", None)
    changes = data.pop("changes", None)
    if parent is None and not (set(data) - _NOT_PARAMETERS) and not changes:
        raise ScenarioError(
            f"{display}: the scenario sets no parameters and has no `extends:`; add "
            "`extends: baseline.yaml` (the path from this file to scenarios/baseline.yaml) and "
            "list what differs under `changes:`")
    if parent is None:
        state = _State(copy.deepcopy(_defaults()))
    else:
        where = at(("extends",)) or display
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError(f"{where}: extends: got {show(parent)}; allowed: the file name "
                                "of a scenario to inherit from, relative to this file")
        target = path.parent / parent
        target_display = os.path.normpath(os.path.join(os.path.dirname(display), parent))
        try:
            real = target.resolve()
            found = target.is_file()
        except (OSError, ValueError) as err:  # a NUL byte, a name too long
            raise ScenarioError(f"{where}: extends: {parent!r} is not a usable file name "
                                f"({err}); allowed: the file name of a scenario to inherit "
                                "from, relative to this file") from None
        seen = [*chain, (path.resolve(), display)]
        for i, (p, _) in enumerate(seen):
            if p == real:
                loop = " -> ".join([d for _, d in seen[i:]] + [seen[i][1]])
                raise ScenarioError(f"{where}: extends cycle: {loop}")
        if not found:
            raise ScenarioError(f"{where}: extends: {parent!r} not found "
                                f"(looked in {path.parent.resolve()})")
        state = _resolve_file(target, target_display, seen)
    state.layer += 1
    for key, value in data.items():
        _put(state, state.data, key, value, (key,), (key,), at)
    if changes is not None:
        _apply_changes(state, changes, lines, display)
    return state


def _apply_changes(state: _State, changes: Any, lines: dict[Parts, int], display: str) -> None:
    line = lines.get(("changes",))
    where = f"{display}:{line}" if line else display
    if not isinstance(changes, dict):
        raise ScenarioError(f"{where}: changes: got {show(changes)}; allowed: a mapping of "
                            "dotted.path: value, e.g. service.agents: 15")
    problems: list[str] = []
    for key, value in changes.items():
        base = ("changes", key)
        here = f"{display}:{lines[base]}" if base in lines else where
        parts = _split(key)
        if parts is None:
            problems.append(f"{here}: changes: key {show(key)} is not a dotted path "
                            "like service.agents")
            continue

        def origin(rel: Parts, base: Parts = base, here: str = here) -> str:
            for n in range(len(rel), -1, -1):
                if (*base, *rel[:n]) in lines:
                    return f"{display}:{lines[(*base, *rel[:n])]}"
            return here

        state.layer += 1
        try:
            _set(state, parts, value, origin, here)
        except ScenarioError as err:
            problems.extend(err.problems)
    if problems:
        raise ScenarioError(problems)


def _split(key: Any) -> tuple[str, ...] | None:
    if not isinstance(key, str):
        return None
    parts = tuple(p.strip() for p in key.split("."))
    return parts if all(parts) else None


def _parse_overrides(overrides: Sequence[str]) -> list[tuple[str, tuple[str, ...], Any]]:
    if isinstance(overrides, str):
        overrides = [overrides]
    parsed: list[tuple[str, tuple[str, ...], Any]] = []
    problems: list[str] = []
    for item in overrides:
        if not isinstance(item, str) or "=" not in item:
            problems.append(f"--set {show(item)}: expected dotted.path=value, "
                            "e.g. --set service.agents=15")
            continue
        key, _, text = item.partition("=")
        key = key.strip()
        parts = _split(key)
        if parts is None:
            problems.append(f"--set {item!r}: {key!r} is not a dotted path like service.agents")
            continue
        try:
            value = _parse(text, _SafeLoader, f"--set {key}", lambda node: None)
        except ScenarioError as err:
            problems.extend(err.problems)
            continue
        except (yaml.YAMLError, RecursionError) as err:
            problem = yaml_problem(err, text, "").split("YAML syntax error: ", 1)[-1]
            problems.append(f"--set {key}: cannot read the value {show(text)} as YAML: {problem}")
            continue
        parsed.append((key, parts, value))
    if problems:
        raise ScenarioError(problems)
    return parsed


# ------------------------------------------------------------------------- merging


def _set(state: _State, parts: tuple[str, ...], value: Any, origin: OriginOf, here: str) -> None:
    """Set dotted ``parts`` to ``value``, creating intermediate mappings as needed."""
    node: Any = state.data
    done: list[str | int] = []
    for part in parts[:-1]:
        key: str | int = part
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            key = int(part)
        elif isinstance(node, dict):
            if not isinstance(node.get(part), dict | list):
                if part in node and node[part] is not None:
                    raise ScenarioError(located(
                        here, f"{dotted(parts)}: cannot set it, {dotted([*done, part])} is "
                        f"{show(node[part])}, not a mapping"))
                node[part] = {}
                state.note((*done, part), here)
        else:
            raise ScenarioError(located(here, f"{dotted(parts)}: cannot set it, {dotted(done)} "
                                        f"is {show(node)}, which has no {part!r}"))
        done.append(key)
        node = node[key]
    last: str | int = parts[-1]
    if isinstance(node, list):
        if not (parts[-1].isdigit() and int(parts[-1]) < len(node)):
            allowed = f"an index from 0 to {len(node) - 1}" if node else "none, it is empty"
            raise ScenarioError(located(here, f"{dotted(parts)}: {dotted(done)} is a list of "
                                        f"{len(node)} items; allowed: {allowed}"))
        last = int(parts[-1])
    abs_path: Parts = (*done, last)
    _put(state, node, last, value, abs_path, (), origin)


def _new_family(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """A distribution mapping that changes family replaces the old one (no stale cv)."""
    return "distribution" in new and new["distribution"] != old.get("distribution")


def _put(state: _State, container: Any, key: Any, value: Any, abs_path: Parts, rel: Parts,
         origin: OriginOf) -> None:
    """Merge ``value`` into ``container[key]``, recording where each path came from."""
    old = container.get(key) if isinstance(container, dict) else container[key]
    here = origin(rel)
    if isinstance(old, dict) and isinstance(value, dict) and not _new_family(old, value):
        if here is not None:
            state.note(abs_path, here)
        for k, v in value.items():
            _put(state, old, k, v, (*abs_path, k), (*rel, k), origin)
        return
    state.forget(abs_path)
    container[key] = copy.deepcopy(value)
    _record(state, value, abs_path, rel, origin, depth=0, seen=set())


def _record(state: _State, value: Any, abs_path: Parts, rel: Parts, origin: OriginOf,
            depth: int, seen: set[int]) -> None:
    """Note where ``value`` and what is inside it was set. A list or mapping met again (a YAML
    alias) is noted where it is met but not walked again: the walk is linear in the text."""
    here = origin(rel)
    if here is not None:
        state.note(abs_path, here)
    if depth > 50 or not isinstance(value, dict | list) or id(value) in seen:
        return
    seen.add(id(value))
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for k, v in items:
        _record(state, v, (*abs_path, k), (*rel, k), origin, depth + 1, seen)


# ------------------------------------------------------------------------- reading


def _read(path: Path, display: str) -> tuple[dict[str, Any], dict[Parts, int]]:
    """Parse one YAML file: (top-level mapping, line of every dotted path)."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise ScenarioError(f"{display}: the file is larger than {MAX_BYTES:,} bytes; allowed: "
                                f"a scenario file of at most {MAX_BYTES:,} bytes (the baseline, "
                                "every parameter commented, is 13.5 kB)")
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(read_problem(err, path, display)) from None
    lines: dict[Parts, int] = {}
    problems: list[str] = []
    try:
        try:
            data = _parse(text, _FastSafeLoader, display, lambda node: _walk(
                node, (), lines, problems, display, set()))
        except yaml.YAMLError:  # parse again in Python: its messages are clearer
            data = _parse(text, _SafeLoader, display, lambda node: None)
    except (yaml.YAMLError, RecursionError) as err:
        raise ScenarioError(yaml_problem(err, text, display)) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"the value {show(data)}"
        raise ScenarioError(f"{display}: the top level must be a mapping of settings "
                            f"(key: value lines), got {kind}")
    if problems:
        raise ScenarioError(problems)
    return data, lines


def _parse(text: str, loader_cls: type[Any], display: str,
           walk: Callable[[yaml.Node], None]) -> Any:
    """Compose the node tree, check its size (aliases expanded) and ``walk`` it (before merge
    keys are flattened into it), then construct the data from it, safely."""
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node, display)
        walk(node)
        try:
            return loader.construct_document(node)
        except _UnreadableValue as err:  # 2001-02-30, an integer of 5,000 digits
            problem = str(err).split("; use sys.set_int_max_str_digits")[0]  # Python's advice
            raise ScenarioError(f"{_at(display, err.line)}: the value cannot be read: {problem}; "
                                "allowed: numbers, text, true/false, null, lists and mappings"
                                ) from None
    finally:
        loader.dispose()


def _at(display: str, line: int | None) -> str:
    """``file:line``; a --set value is one line, named by its path alone."""
    return display if line is None or display.startswith("--set ") else f"{display}:{line}"


def _check_size(root: yaml.Node, display: str) -> None:
    """Refuse a node graph that holds an alias inside its own anchor (a value containing
    itself) or that expands to more than MAX_NODES nodes, without expanding it: each node is
    visited once, its expanded size summed from its children's."""
    def where(node: yaml.Node) -> str:
        return _at(display, node.start_mark.line + 1 if node.start_mark else None)

    def kids(node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.MappingNode):
            return [n for pair in node.value for n in pair]
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        try:  # "\ud800" is a half of a UTF-16 pair, no character: no file or terminal takes it
            node.value.encode("utf-8")
        except UnicodeEncodeError:
            raise ScenarioError(
                f"{where(node)}: the text {show(node.value)} holds a lone surrogate escape "
                "(\\uD800 to \\uDFFF); allowed: Unicode characters, those above U+FFFF written "
                "as \\UXXXXXXXX") from None
        return []

    sizes: dict[int, int] = {}
    active: set[int] = {id(root)}
    stack: list[tuple[yaml.Node, Iterator[yaml.Node], list[int]]] = [
        (root, iter(kids(root)), [1])]
    while stack:
        node, rest, total = stack[-1]
        child = next(rest, None)
        if child is None:
            stack.pop()
            active.discard(id(node))
            sizes[id(node)] = total[0]
            if stack:
                stack[-1][2][0] += total[0]
        elif id(child) in sizes:  # an alias to a value already measured
            total[0] += sizes[id(child)]
        elif id(child) in active:
            raise ScenarioError(f"{where(node)}: an alias refers to a value that contains it; "
                                "allowed: aliases (*name) to a value anchored (&name) outside it")
        else:
            active.add(id(child))
            stack.append((child, iter(kids(child)), [1]))
            continue
        if total[0] > MAX_NODES:
            raise ScenarioError(
                f"{where(node)}: this value holds more than {MAX_NODES:,} YAML values once its "
                f"aliases (*name) are expanded; allowed: at most {MAX_NODES:,} in a scenario "
                "(the baseline has 373)")


def _walk(node: yaml.Node, parts: Parts, lines: dict[Parts, int], problems: list[str],
          display: str, seen: set[int]) -> None:
    """Record the line of every key; an aliased node is walked once, where it is defined."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:  # `<<: *base` merges keys into this mapping
                merged = value_node.value if isinstance(value_node, yaml.SequenceNode) else [
                    value_node]
                for item in merged:
                    _walk(item, parts, lines, problems, display, seen)
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR_TAG:
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                problems.append(f"{display}:{line}: {dotted(parts) or '(top level)'}: key "
                                f"{shown!r} is not text; quote it or use a known key name")
                continue
            key = key_node.value
            if key in first:
                problems.append(f"{display}:{line}: {dotted((*parts, key))}: duplicate key "
                                f"(first given at line {first[key]})")
                continue
            first[key] = line
            lines[(*parts, key)] = line
            _walk(value_node, (*parts, key), lines, problems, display, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*parts, i)] = item.start_mark.line + 1
            _walk(item, (*parts, i), lines, problems, display, seen)
