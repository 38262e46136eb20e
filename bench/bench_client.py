"""Benchmark the client: how long ``microbreak status`` takes against a running daemon.

The commands run from hotkeys, so the whole round trip (start Python, import the client, ask the
daemon, print) should feel instant: target 100 ms. Starts a headless daemon in a private,
temporary HOME and runtime dir, then prints:

- the round trip of the ``microbreak`` console script as a real subprocess (median and p95 of
  ``--runs``), next to ``python -m microbreak status`` and a bare ``python -c pass`` (the floor
  no client can go below);
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

from microbreak.client import NotRunning, exchange

TARGET_S = 0.100
HEAVY = (
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "apscheduler",
    "pystray",
    "gi",
    "PIL",
    "plyer",
    "dbus",
    "Xlib",
    "matplotlib",
)
IMPORTS_PROBE = (
    "import json, sys\n"
    "from microbreak.cli import main\n"
    "main(['status'])\n"
    f"heavy = {set(HEAVY)!r}\n"
    "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
)


def private_env(base: Path) -> dict[str, str]:
    """Own HOME and XDG dirs, no display and no session bus: a quiet headless daemon."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROBREAK_")}
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY"):
        env.pop(key, None)
    runtime = base / "run"
    runtime.mkdir(mode=0o700)
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


def wait_ready(proc: subprocess.Popen[bytes], sock_path: Path, timeout: float = 30.0) -> None:
    """Until the daemon answers on its socket; exits if it dies or never answers."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the daemon exited with {proc.returncode}")
        try:
            key = sock_path.with_name("control.key").read_bytes()
            request = b'{"v":1,"cmd":"status"}\n'
            if b'"ok":true' in exchange(str(sock_path), "AF_UNIX", key, request, timeout=1.0):
                return
        except (OSError, NotRunning):
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the daemon never answered on its socket")
        time.sleep(0.05)


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Seconds per call of ``action``, after one untimed warm-up call."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def p95(values: Sequence[float]) -> float:
    """The 95th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def run_ok(argv: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        list(argv), env=env, capture_output=True, text=True, timeout=30, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr}")
    return result


def slowest_imports(env: dict[str, str], n: int = 5) -> list[tuple[str, float]]:
    """The top-level modules the client spends most time importing (ms, cumulative)."""
    result = run_ok(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "from microbreak.cli import main; main(['status'])",
        ],
        env,
    )
    found = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _self, cumulative, name = line.removeprefix("import time:").split("|")
        if name.startswith("  ") or not cumulative.strip().isdigit():
            continue  # nested (imported by another module) or the header
        found.append((name.strip(), int(cumulative) / 1000))
    return sorted(found, key=lambda item: -item[1])[:n]


def line(label: str, values: Sequence[float], target: float | None = TARGET_S) -> str:
    median = statistics.median(values)
    text = f"  {label:34} median {median * 1000:7.1f} ms   p95 {p95(values) * 1000:7.1f} ms"
    if target is not None:
        verdict = "ok" if median <= target else "OVER TARGET"
        text += f"   (target <= {target * 1000:.0f} ms)  {verdict}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="subprocess runs per command")
    parser.add_argument("--calls", type=int, default=200, help="in-process client calls")
    args = parser.parse_args()

    script = Path(sys.executable).with_name("microbreak")
    if not script.exists():
        raise SystemExit(f"no console script at {script}; `pip install -e .` first")
    base = Path(tempfile.mkdtemp(prefix="mbbench-", dir="/tmp"))  # short: socket path limit
    env = private_env(base)
    sock_path = base / "run" / "microbreak" / "control.sock"
    daemon = subprocess.Popen(
        [sys.executable, "-m", "microbreak", "--no-tray"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_ready(daemon, sock_path)
        script_times = timed(lambda: run_ok([str(script), "status"], env), args.runs)
        module_times = timed(
            lambda: run_ok([sys.executable, "-m", "microbreak", "status"], env), args.runs
        )
        floor_times = timed(lambda: run_ok([sys.executable, "-c", "pass"], env), args.runs)

        os.environ["XDG_RUNTIME_DIR"] = env["XDG_RUNTIME_DIR"]  # where call() finds the socket
        from microbreak import client

        def call() -> None:
            if client.call("status").get("ok") is not True:
                raise SystemExit("the daemon did not answer ok")

        call_times = timed(call, args.calls)
        heavy = json.loads(
            run_ok([sys.executable, "-c", IMPORTS_PROBE], env).stdout.strip().splitlines()[-1]
        )
        imports = slowest_imports(env)
    finally:
        daemon.terminate()
        try:
            daemon.wait(5)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(5)
        shutil.rmtree(base, ignore_errors=True)

    print(f"microbreak client round trip (status), daemon exited with {daemon.returncode}")
    print(line(f"`{script.name} status` x {args.runs}", script_times))
    print(line(f"`python -m microbreak status` x {args.runs}", module_times))
    print(line(f"`python -c pass` x {args.runs} (floor)", floor_times, None))
    print(line(f"client.call('status') x {args.calls}", call_times))
    print(f"  heavy modules in the client process: {', '.join(heavy) or 'none'}")
    slow = ", ".join(f"{name} {ms:.1f} ms" for name, ms in imports)
    print(f"  slowest top-level imports (-X importtime, cumulative): {slow}")


if __name__ == "__main__":
    main()
