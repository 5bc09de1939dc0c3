#!/usr/bin/env python3
"""Where a run's time goes inside the compiled kernels: Linux ``perf`` sampling one replication,
with the kernels' names.

``perf`` sees numba's machine code as anonymous memory; it names such code from a
``/tmp/perf-PID.map`` (start, size, name a line) that the process writes. This script compiles
the kernels afresh into a temporary numba cache (a kernel loaded from the cache carries no list
of its functions), runs a small model so that every kernel is compiled, writes the map from the
compiled libraries (a function's size is the distance to the next one), then samples
``Model.run()`` of the shipped baseline at ``PEOPLE`` people for ``DAYS`` days (warm-up 0) with
``perf record -p`` and prints ``perf report``'s shares by function, and ns a customer-day for
each of the first ``TOP``::

    PYTHONPATH=. .venv/bin/python benchmarks/perf_profile.py [PEOPLE] [DAYS] [TOP]

Needs ``perf`` (Debian: ``linux-perf``) and the right to sample this process (root, or
``kernel.perf_event_paranoid`` ≤ 1) and numba. Sampling slows the run a little; the shares are
what to read. ``perf.data`` and the map are left in a temporary folder named at the end, for
``perf report -i …`` and ``perf script`` (sample addresses, e.g. to find the hot instruction of
a kernel). Nothing is asserted and no number of the run changes.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    if shutil.which("perf") is None:
        sys.exit("perf is not installed (Debian: apt-get install linux-perf)")
    folder = Path(tempfile.mkdtemp(prefix="churn-sim-perf-"))
    os.environ["NUMBA_CACHE_DIR"] = str(folder / "numba-cache")  # before numba is imported
    sys.path.insert(0, str(ROOT))
    from sim.bench.measure import customer_days
    from sim.bench.sizes import scaled
    from sim.model.replication import Model
    from sim.scenario.loader import load_scenario

    base = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    print("compiling the kernels afresh (about a minute)…", file=sys.stderr)
    Model(scaled(base, 3_000, 30), 0).run()  # every kernel compiled, in this process
    gc.collect()
    gc.freeze()  # the compiler's objects, which a run never has, out of the collector's way
    model = Model(scaled(base, people, days), 0)
    functions = write_map(Path(f"/tmp/perf-{os.getpid()}.map"))
    data = folder / "perf.data"
    perf = subprocess.Popen(["perf", "record", "-F", "2999", "-p", str(os.getpid()), "-o", str(data)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # perf attaches (a few ms); nothing is measured before the run starts
    start = time.perf_counter()
    result = model.run()
    seconds = time.perf_counter() - start
    perf.send_signal(signal.SIGINT)
    perf.wait()
    ns = seconds / customer_days(result.daily) * 1e9
    print(f"{people:,} people, {days} days: Model.run {seconds:.2f} s under perf, {ns:.0f} ns a customer-day; "
          f"{functions} compiled functions named")
    report = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--sort", "sym"],
                            capture_output=True, text=True, check=True).stdout
    print(f"{'share':>7} {'ns/cd':>7}  function")
    shown = 0
    for line in report.splitlines():
        match = re.match(r"\s+([\d.]+)%\s+\[.\]\s+(.+)", line)
        if match and shown < top:
            share = float(match.group(1))
            print(f"{share:6.2f}% {share / 100 * ns:7.1f}  {match.group(2)[:90]}")
            shown += 1
    print(f"perf.data and the numba cache: {folder} (the map: /tmp/perf-{os.getpid()}.map)")


def write_map(path: Path) -> int:
    """``perf``'s map of every function compiled in this process by the ``sim`` kernels."""
    from numba.core.registry import CPUDispatcher

    starts: dict[int, str] = {}
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("sim."):
            continue
        for dispatcher in list(vars(module).values()):
            if not isinstance(dispatcher, CPUDispatcher):
                continue
            for result in dispatcher.overloads.values():
                library = result.library  # type: ignore[attr-defined]  # numba's compile result has one
                for function in library._final_module.functions:  # noqa: SLF001 (numba's own record)
                    if function.is_declaration:
                        continue
                    address = library.get_pointer_to_function(function.name)
                    if address:
                        starts[address] = readable(function.name)
    ordered = sorted(starts)
    with path.open("w") as out:
        for i, address in enumerate(ordered):
            size = min(ordered[i + 1] - address if i + 1 < len(ordered) else 1 << 16, 1 << 20)
            out.write(f"{address:x} {size:x} {starts[address]}\n")
    return len(ordered)


def readable(symbol: str) -> str:
    """``sim.model.chain._pop`` from numba's mangled ``_ZN3sim5model5chain4_popB…``."""
    prefix, at = "", symbol.find("_ZN")
    if at < 0:
        return symbol[:80]
    prefix, rest, parts = symbol[:at], symbol[at + 3:], []
    while rest[:1].isdigit():
        digits = re.match(r"\d+", rest).group()  # type: ignore[union-attr]
        length, rest = int(digits), rest[len(digits):]
        parts.append(rest[:length])
        rest = rest[length:]
    return prefix + ".".join(parts)


if __name__ == "__main__":
    main()
