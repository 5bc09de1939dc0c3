"""Hostile scenario files: whatever a file or a --set holds, checking it accepts it or reports
one line per problem naming the file (or the --set), fast, never a traceback.

Hypothesis writes scenario documents as YAML text: random structures over the schema's own keys
(and misspelt, unknown and non-text keys) at every depth, wrong types, odd scalars (.nan, .inf,
integers of thousands of digits, dates that do not exist, unicode, empty strings, tags),
anchors and aliases (some inside their own anchor), ``extends`` chains (to the baseline, to a
missing file, in a loop) and ``changes``, and ``--set`` strings. The example count is small for
``make test``; ``CHURN_SIM_FUZZ_EXAMPLES=2000`` runs a longer search.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario import Scenario, ScenarioError, load_scenario, numeric_parameters
from sim.scenario.errors import is_model, strip_annotated, union_members
from sim.scenario.loader import MAX_NODES

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
EXAMPLES = int(os.environ.get("CHURN_SIM_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
SECONDS = 10.0  # per example, in process: generous, the machine may be shared
PATHS = [p.path for p in numeric_parameters()]
# text as a user types it (letters, digits, punctuation, symbols, spaces, any plane), and rarely
# with control characters, which YAML refuses unescaped
TEXT = st.one_of(
    st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=15),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=5),  # type: ignore[arg-type]  # "Cs" is one
)

ODD_SCALARS = [
    ".nan", ".NaN", ".inf", "-.inf", "1e309", "-0", "0", "0.5", "1.3", "-1", "15", "1e-3",
    "9" * 5000, "-" + "9" * 400, "0x" + "f" * 400, "0b" + "1" * 2000, "0o777", "1:20:30",
    "2001-02-03", "2001-02-30", "2001-12-14t21:59:43.10-05:00", "''", '""', "~", "null",
    "yes", "no", "on", "true", "false", "'ünïcødé ☃ 𝔘'", '"\\u0000\\t"', "\"\\U0001F600\"",
    "!!binary aGVsbG8=", "!!binary '!!'", "!!python/object:os.system x", "!foo bar",
    "!!int x", "!!float nope", "!!set {a, b}", "!!omap [a: 1]", "lognormal", "exponential",
    "gamma", "beta", "baseline.yaml", "x" * 300,
]


def _fields(model: Any) -> dict[str, Any]:
    """A model's fields and their types; a distribution union gives its members' fields."""
    model = strip_annotated(model)[0]
    members = union_members(model)
    if members is not None:
        out: dict[str, Any] = {}
        for m in members:
            out.update(_fields(m))
        return out
    if typing.get_origin(model) is list:
        return _fields((typing.get_args(model) or (None,))[0])
    if is_model(model):
        return {name: f.annotation for name, f in model.model_fields.items()}
    return {}


def quoted(text: str, escape: bool) -> str:
    """``text`` as a YAML double-quoted scalar: raw, or all but printable ASCII escaped."""
    def one(c: str) -> str:
        if c in '"\\':
            return "\\" + c
        if not escape and (c.isprintable() or c == "\t"):
            return c
        if 32 <= ord(c) < 127:
            return c
        return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
    return '"' + "".join(map(one, text)) + '"'


def _misspelt(key: str, i: int) -> str:
    i %= max(len(key), 1)
    return key[:i] + key[i + 1:] if len(key) > 1 else key + key


@dataclass
class Doc:
    """Renders a generated structure as flow-style YAML, with anchors and aliases."""

    anchors: list[str] = field(default_factory=list)
    made: int = 0

    def value(self, draw: st.DrawFn, model: Any, depth: int) -> str:
        if model is not None and draw(st.integers(0, 2)):  # mostly the type the schema wants
            plausible = self._plausible(draw, model, depth)
            if plausible is not None:
                return plausible
        kind = draw(st.sampled_from(
            ["scalar", "number", "text", "mapping", "mapping", "list", "alias"]
            if depth < 4 else ["scalar", "number", "text", "alias"]))
        if kind == "alias" and self.anchors:
            return "*" + draw(st.sampled_from(self.anchors))
        if kind == "number":
            number = draw(st.one_of(st.integers(),
                                    st.floats(allow_nan=False, allow_infinity=False)))
            return repr(number)
        if kind == "text":  # quoted, escaped or raw (control characters and all)
            return quoted(draw(TEXT), draw(st.booleans()))
        if kind not in ("mapping", "list"):
            return draw(st.sampled_from(ODD_SCALARS))
        anchor = ""
        if draw(st.integers(0, 3)) == 0:
            self.made += 1
            name = f"a{self.made}"
            anchor = f"&{name} "
            if draw(st.booleans()):  # visible inside itself too: a value that contains itself
                self.anchors.append(name)
            else:
                return anchor + self._body(draw, kind, model, depth) + self._later(name)
        return anchor + self._body(draw, kind, model, depth)

    def _plausible(self, draw: st.DrawFn, model: Any, depth: int) -> str | None:
        tp = strip_annotated(model)[0]
        members = union_members(tp)
        if members is not None and type(None) in members and len(members) == 2:
            tp = strip_annotated(next(m for m in members if m is not type(None)))[0]
        if tp is bool:
            return draw(st.sampled_from(["true", "false"]))
        if tp is int:
            return str(draw(st.integers(0, 400)))
        if tp is float:
            return repr(draw(st.floats(0, 2)))
        if tp is str:
            return quoted(draw(TEXT), False)
        if _fields(tp) and depth < 4:
            kind = "list" if typing.get_origin(tp) is list else "mapping"
            return self._body(draw, kind, tp if kind == "mapping" else tp, depth)
        return None

    def _later(self, name: str) -> str:
        self.anchors.append(name)
        return ""

    def _body(self, draw: st.DrawFn, kind: str, model: Any, depth: int) -> str:
        if kind == "list":
            items = draw(st.lists(st.just(0), max_size=4))
            return "[" + ", ".join(self.value(draw, model, depth + 1) for _ in items) + "]"
        fields = _fields(model)
        pairs = []
        used: set[str] = set()
        for _ in range(draw(st.integers(0, 4))):
            key_kind = draw(st.sampled_from(["field", "field", "field", "misspelt", "unknown",
                                             "not text", "merge"]))
            sub: Any = None
            if key_kind in ("field", "misspelt") and fields:
                name = draw(st.sampled_from(sorted(fields)))
                sub = fields[name]
                key = json.dumps(_misspelt(name, draw(st.integers(0, 30)))
                                 if key_kind == "misspelt" else name)
            elif key_kind == "not text":
                key = draw(st.sampled_from(["1", "null", "true", "1.5", "? [a, b]", "? {a: 1}"]))
            elif key_kind == "merge" and self.anchors:
                key = "<<"
            else:
                key = quoted(draw(TEXT), draw(st.booleans()))
            if key in used:
                continue
            used.add(key)
            value = self.value(draw, sub, depth + 1)
            pairs.append(f"{key[2:]}: {value}" if key.startswith("? ") else f"{key}: {value}")
        return "{" + ", ".join(pairs) + "}"


@st.composite
def documents(draw: st.DrawFn, others: list[str]) -> str:
    """One scenario file's text; ``others`` are files it may extend (itself included)."""
    doc = Doc()
    lines = []
    extends = draw(st.sampled_from([None, None, "baseline", "other", "missing", "odd"]))
    if extends == "baseline":
        lines.append(f"extends: {json.dumps(str(BASELINE))}")
    elif extends == "other" and others:
        lines.append(f"extends: {draw(st.sampled_from(others))}")
    elif extends == "missing":
        lines.append("extends: no_such_file.yaml")
    elif extends == "odd":
        lines.append(f"extends: {doc.value(draw, None, 3)}")
    fields = _fields(Scenario)
    keys = draw(st.lists(st.sampled_from(sorted(fields)), max_size=5, unique=True))
    for key in keys:
        if draw(st.integers(0, 5)) == 0:
            key = _misspelt(key, draw(st.integers(0, 30)))
        lines.append(f"{json.dumps(key)}: {doc.value(draw, fields.get(key), 1)}")
    if draw(st.booleans()):
        changes = []
        for _ in range(draw(st.integers(0, 4))):
            path = draw(st.one_of(st.sampled_from(PATHS), TEXT,
                                  st.sampled_from(["service..agents",
                                                   "attrition.competitor_shocks.0",
                                                   "service.arrival_profile.weights_by_hour.30"])))
            changes.append(f"{quoted(path, draw(st.booleans()))}: {doc.value(draw, None, 2)}")
        lines.append("changes: {" + ", ".join(changes) + "}")
    if draw(st.integers(0, 9)) == 0:  # a duplicate key
        lines.append(lines[-1] if lines else "name: x")
    return "\n".join(lines) + "\n"


set_values = st.one_of(st.sampled_from(ODD_SCALARS), TEXT,
                       st.sampled_from(["[1, 2]", "{a: 1}", "&a [*a]", "[", "{", "*nope", ""]))
set_strings = st.one_of(
    st.builds(lambda p, v: f"{p}={v}", st.one_of(st.sampled_from(PATHS), TEXT),
              set_values),
    TEXT,
)


def check(path: Path, overrides: list[str], names: list[str]) -> None:
    """Loading ``path`` gives a Scenario or a ScenarioError of one-line problems that each
    name a file (or a --set), within SECONDS; anything else fails the test."""
    start = time.perf_counter()
    try:
        load_scenario(path, overrides)
    except ScenarioError as err:
        assert err.problems
        for problem in err.problems:
            assert problem and "\n" not in problem
            assert problem.startswith(("--set ", *names)), problem
    assert time.perf_counter() - start < SECONDS


@FUZZ
@given(st.data())
def test_any_scenario_document_is_accepted_or_refused_in_one_line(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        count = data.draw(st.integers(1, 3), label="files")
        names = [f"s{i}.yaml" for i in range(count)]
        for name in names:
            text = data.draw(documents(names), label=name)
            (folder / name).write_text(text, encoding="utf-8")
        overrides = data.draw(st.lists(set_strings, max_size=2), label="--set")
        displays = [str(folder / n) for n in names] + [str(folder / "no_such_file.yaml"),
                                                       str(BASELINE)]
        check(folder / names[0], overrides, displays)


@FUZZ
@given(st.lists(set_strings, min_size=1, max_size=4))
def test_any_set_string_is_accepted_or_refused_in_one_line(overrides: list[str]) -> None:
    check(BASELINE, overrides, [str(BASELINE)])


# ------------------------------------------------------------------- the billion laughs


def laughs(levels: int = 9) -> str:
    """Eleven-ish lines, each an unknown key, each a list of nine aliases to the one above."""
    rows = [f"l0: &l0 [{', '.join(['x'] * 9)}]"]
    rows += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(["name: laughs", *rows]) + "\n"


def run_check(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "run_sim.py", "check", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    return proc, time.perf_counter() - start


def test_the_billion_laughs_is_refused_fast_by_check(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs(), encoding="utf-8")
    proc, seconds = run_check(path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    # 9**5 > MAX_NODES: the list on line 6 (l4) is the first too large
    assert line.startswith(f"{path}:6: ") and f"at most {MAX_NODES:,}" in line, line
    assert seconds < 20


def test_an_alias_inside_its_own_anchor_is_refused_by_check(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("name: loop\nservice: &s {agents: 3, opening_hours: *s}\n", encoding="utf-8")
    proc, seconds = run_check(path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{path}:2: an alias refers to a value that contains it")
    assert seconds < 20


def test_the_billion_laughs_in_a_set_is_refused_fast_by_check() -> None:
    value = "[" + ", ".join(["&l0 [x, x, x, x, x, x, x, x, x]"] + [
        f"&l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]) + "]"
    proc, seconds = run_check(BASELINE, "--set", f"name={value}")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("--set name: this value holds more than"), proc.stderr
    assert seconds < 20


def test_a_file_too_large_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "large.yaml"
    path.write_text("name: large\n" + "# padding\n" * 200_000, encoding="utf-8")
    try:
        load_scenario(path)
    except ScenarioError as err:
        assert err.problems == [f"{path}: the file is larger than 1,000,000 bytes; allowed: a "
                                "scenario file of at most 1,000,000 bytes (the baseline, every "
                                "parameter commented, is 13.5 kB)"]
    else:
        raise AssertionError("a 2 MB file was accepted")


def test_many_keys_are_reported_in_time_linear_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"  # 6,000 unknown keys: one line each, quickly
    path.write_text("".join(f"k{i}: {i}\n" for i in range(6000)), encoding="utf-8")
    start = time.perf_counter()
    try:
        load_scenario(path)
    except ScenarioError as err:
        assert len(err.problems) == 6000 and err.problems[-1].startswith(f"{path}:6000: k5999:")
    assert time.perf_counter() - start < SECONDS


def test_what_the_fuzzer_found_is_reported_on_its_line(tmp_path: Path) -> None:
    cases = {  # each crashed with a traceback before
        'name: x\nservice: {agents: "\\ud800"}\n': ":2: the text '\\ud800' holds a lone surrogate",
        'extends: "\\ud800\\udc00"\n': ":1: the text '\\ud800\\udc00' holds a lone surrogate",
        'extends: "a\\0b"\n': ":1: extends: 'a\\x00b' is not a usable file name",
        "name: x\nservice: {agents: 2001-02-30}\n": ":2: the value cannot be read: day is out",
        f"name: x\nseed: {'9' * 5000}\n": ":2: the value cannot be read: Exceeds the limit",
    }
    for i, (text, expected) in enumerate(cases.items()):
        path = tmp_path / f"found{i}.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_scenario(path)
        except ScenarioError as err:
            assert err.problems[0].startswith(f"{path}{expected}"), err.problems
        else:
            raise AssertionError(f"accepted: {text!r}")
