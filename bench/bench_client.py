"""Benchmark the client: how long ``microbreak status`` takes against a running daemon.

The commands run from hotkeys, so the whole round trip (start Python, import the client, ask the
daemon, print) should feel instant. The target is relative, so that it holds on a slow machine
as on a fast one: the round trip within ``TARGET_RATIO`` (2.5) times a bare interpreter start
(``python -c pass``) from the same venv, both measured in this one run.

Compiles the package's bytecode first, as ``pip install`` does (with ``PYTHONDONTWRITEBYTECODE``
set, an editable install would otherwise compile every module on every run). Starts a headless
daemon in a private, temporary HOME and runtime dir, has it show one reminder (so that
``status`` prints its full line, last reminder included), then prints:

- the round trip of the ``microbreak`` console script and of ``python -m microbreak``, each as a
  real subprocess, next to ``python -c pass``: interleaved (one of each per round, in turn, so
  that a busy moment of the machine hits all three alike), ``--runs`` rounds, median and p95,
  and each one's ratio to the bare start;
- the round trip of ``microbreak.client.call("status")`` inside this process (median of
  ``--calls``): the socket and the daemon's answer alone;
- which heavy modules the client process imports (there should be none), and its slowest
  imports (``-X importtime``).

    .venv/bin/python bench/bench_client.py [--runs 30] [--calls 200]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.measure import compile_package
from tests.desktop import stop_process
from tests.headless import request
from tests.test_quick_path import HEAVY  # the modules a quick command must not load

#: The round trip may take at most this many times a bare interpreter start.
TARGET_RATIO = 2.5
IMPORTS_PROBE = (
    "import sys\n"
    "from microbreak.cli import main\n"
    "main(['status'])\n"
    f"heavy = {set(HEAVY)!r}\n"
    "found = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
    "print(repr(found).replace(\"'\", '\"'))\n"
)


def private_env(base: Path) -> dict[str, str]:
    """Own HOME and XDG dirs, no display and no session bus: a quiet headless daemon."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROBREAK_")}
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY"):
        env.pop(key, None)
    runtime = base / "run"
    runtime.mkdir(mode=0o700)
    (base / "home").mkdir()
    env.update(
        HOME=str(base / "home"),
        XDG_CONFIG_HOME=str(base / "config"),
        XDG_STATE_HOME=str(base / "state"),
        XDG_DATA_HOME=str(base / "data"),
        XDG_CACHE_HOME=str(base / "cache"),
        XDG_RUNTIME_DIR=str(runtime),
        DBUS_SESSION_BUS_ADDRESS="disabled:",
        MICROBREAK_DETECT_IDLE="false",
    )
    return env


def wait_ready(proc: subprocess.Popen[bytes], env: dict[str, str]) -> None:
    """Until the daemon answers on its socket; exits if it dies or never answers."""
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the daemon exited with {proc.returncode}")
        if b'"ok":true' in request(env, b'{"v":1,"cmd":"status"}\n', timeout=1.0):
            return
        if time.monotonic() > deadline:
            raise SystemExit("the daemon never answered on its socket")
        time.sleep(0.05)


def timed(actions: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Seconds per call of each action: one call of each per round, the order turning round
    by round, after one untimed warm-up round."""
    names = list(actions)
    for name in names:
        actions[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        turn = i % len(names)
        for name in names[turn:] + names[:turn]:
            start = time.perf_counter()
            actions[name]()
            times[name].append(time.perf_counter() - start)
    return times


def p95(values: Sequence[float]) -> float:
    """The 95th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def run_ok(argv: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in HOME (not here: ``-m`` and ``-c`` would import the package from the
    current dir, whatever ``PYTHONPATH`` says); exits unless it succeeds."""
    result = subprocess.run(
        list(argv),
        env=env,
        cwd=env["HOME"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr}")
    return result


def slowest_imports(
    argv: Sequence[str], env: dict[str, str], n: int = 6
) -> list[tuple[str, float]]:
    """The top-level modules ``argv`` (a Python command) spends most time importing (ms,
    cumulative), the interpreter's own start-up (``site`` and below) left out."""
    result = run_ok([sys.executable, "-X", "importtime", *argv], env)
    found = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _self, cumulative, name = line.removeprefix("import time:").split("|")
        if name.startswith("  ") or not cumulative.strip().isdigit():
            continue  # nested (imported by another module) or the header
        found.append((name.strip(), int(cumulative) / 1000))
    startup = {"site", "encodings", "_frozen_importlib_external", "zipimport", "io", "_signal"}
    found = [item for item in found if item[0] not in startup and not item[0].startswith("enc")]
    return sorted(found, key=lambda item: -item[1])[:n]


def line(label: str, values: Sequence[float], floor: float | None = None) -> str:
    median = statistics.median(values)
    text = f"  {label:36} median {median * 1000:6.1f} ms   p95 {p95(values) * 1000:6.1f} ms"
    if floor is not None:
        ratio = median / floor
        verdict = "ok" if ratio <= TARGET_RATIO else "OVER TARGET"
        text += f"   {ratio:4.2f}x the bare start (target <= {TARGET_RATIO}x)  {verdict}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="subprocess rounds")
    parser.add_argument("--calls", type=int, default=200, help="in-process client calls")
    args = parser.parse_args()

    script = Path(sys.executable).with_name("microbreak")
    if not script.exists():
        raise SystemExit(f"no console script at {script}; `pip install -e .` first")
    package = compile_package()
    base = Path(tempfile.mkdtemp(prefix="mbbench-", dir="/tmp"))  # short: socket path limit
    env = private_env(base)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "microbreak", "--no-tray"],
        env=env,
        cwd=env["HOME"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_ready(daemon, env)
        run_ok([sys.executable, "-m", "microbreak", "now"], env)  # status shows its full line
        status_line = run_ok([str(script), "status"], env).stdout.strip()
        times = timed(
            {
                "script": lambda: run_ok([str(script), "status"], env),
                "module": lambda: run_ok([sys.executable, "-m", "microbreak", "status"], env),
                "floor": lambda: run_ok([sys.executable, "-c", "pass"], env),
            },
            args.runs,
        )

        os.environ["XDG_RUNTIME_DIR"] = env["XDG_RUNTIME_DIR"]  # where call() finds the socket
        from microbreak import client

        def call() -> None:
            if client.call("status").get("ok") is not True:
                raise SystemExit("the daemon did not answer ok")

        call_times = timed({"call": call}, args.calls)["call"]
        heavy = json.loads(
            run_ok([sys.executable, "-c", IMPORTS_PROBE], env).stdout.strip().splitlines()[-1]
        )
        imports = slowest_imports([str(script), "status"], env)
    finally:
        stop_process(daemon, 5)
        shutil.rmtree(base, ignore_errors=True)

    floor = statistics.median(times["floor"])
    print(f"microbreak client round trip (status): {package}, daemon exit {daemon.returncode}")
    print(f"  it printed: {status_line}")
    print(line(f"`{script.name} status` x {args.runs}", times["script"], floor))
    print(line(f"`python -m microbreak status` x {args.runs}", times["module"], floor))
    print(line(f"`python -c pass` x {args.runs} (bare start)", times["floor"]))
    print(line(f"client.call('status') x {args.calls}", call_times))
    print(f"  heavy modules in the client process: {', '.join(heavy) or 'none'}")
    slow = ", ".join(f"{name} {ms:.1f} ms" for name, ms in imports)
    print(f"  slowest top-level imports of `{script.name} status` (-X importtime): {slow}")


if __name__ == "__main__":
    main()
