"""Fake D-Bus services for the idle and presence tests (helpers only, no tests here).

Why: the private test bus has no GNOME, no screen saver and no logind; a tiny real service on
that bus (GDBus in a child process, answering from a JSON description) lets the detectors make
their real calls. The child owns its name, prints "ready", and is stopped by its handle.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from .desktop import Desktop, OutputLines, wait_until

# Runs in the child: argv[1] is {"name": ..., "objects": {path: {interface: {"methods":
# {name: {"in": sig, "out": sig, "value": v, "silent": bool}}, "properties": {name: {"type": t,
# "value": v}}}}}}. Each call is reported on stdout as "call METHOD ARGS-AS-TEXT"; a silent
# method takes the call and never replies (the invocation is kept, so no error goes back either).
FAKE_SERVICE = r"""
import json, signal, sys
from gi.repository import Gio, GLib

spec = json.loads(sys.argv[1])
unanswered = []


def interface_xml(name, members):
    parts = []
    for method, d in members.get("methods", {}).items():
        args = "".join(f'<arg direction="in" type="{t}"/>' for t in d.get("in", []))
        if d.get("out"):
            args += f'<arg direction="out" type="{d["out"]}"/>'
        parts.append(f'<method name="{method}">{args}</method>')
    for prop, d in members.get("properties", {}).items():
        parts.append(f'<property name="{prop}" type="{d["type"]}" access="read"/>')
    return f'<interface name="{name}">{"".join(parts)}</interface>'


def on_bus(conn, _name):
    for path, interfaces in spec["objects"].items():
        xml = "".join(interface_xml(i, m) for i, m in interfaces.items())
        for info in Gio.DBusNodeInfo.new_for_xml(f"<node>{xml}</node>").interfaces:
            members = interfaces[info.name]

            def call(_c, _s, _p, _i, method, params, invocation, members=members):
                d = members["methods"][method]
                print("call", method, params.print_(False), flush=True)
                if d.get("silent"):
                    unanswered.append(invocation)
                    return
                out = d.get("out")
                invocation.return_value(GLib.Variant(f"({out})", (d["value"],)) if out else None)

            def get(_c, _s, _p, _i, prop, members=members):
                d = members["properties"][prop]
                return GLib.Variant(d["type"], d["value"])

            conn.register_object(path, info, call, get, None)


loop = GLib.MainLoop()
Gio.bus_own_name(
    Gio.BusType.SESSION,
    spec["name"],
    Gio.BusNameOwnerFlags.NONE,
    on_bus,
    lambda *_: print("ready", flush=True),
    lambda *_: loop.quit(),
)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
loop.run()
"""


def method(out: str = "", value: Any = None, args: str = "") -> dict[str, Any]:
    """A method answering ``value`` of D-Bus type ``out``; ``args`` are its in-argument types."""
    return {"in": list(args), "out": out, "value": value}


def silent(args: Sequence[str] = (), out: str = "") -> dict[str, Any]:
    """A method that takes the call and never answers it (a hung server); ``args`` are the
    complete types of its in-arguments (``["s", "as", "a{sv}"]``)."""
    return {"in": list(args), "out": out, "value": None, "silent": True}


def prop(type_: str, value: Any) -> dict[str, Any]:
    """A read-only property."""
    return {"type": type_, "value": value}


Objects = Mapping[str, Mapping[str, Mapping[str, Mapping[str, dict[str, Any]]]]]


@contextmanager
def fake_service(desktop: Desktop, name: str, objects: Objects) -> Iterator[OutputLines]:
    """Run a fake service owning ``name`` on the desktop's bus; stop it and wait for the name
    to be released on exit. Yields its output: "ready", then one "call ..." line per call."""
    spec = json.dumps({"name": name, "objects": objects})
    proc = desktop.spawn(
        [sys.executable, "-c", FAKE_SERVICE, spec],
        name=f"fake {name}",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        output = desktop.watch_output(proc)
        output.wait_for_line("ready", timeout=10.0)
        yield output
    finally:
        desktop.stop(proc)
        wait_until(lambda: not desktop.name_has_owner(name), 5.0, f"{name} to lose its owner")


def with_env(desktop: Desktop, **extra: str) -> dict[str, str]:
    """The desktop's environment plus ``extra``."""
    return {**desktop.env, **extra}
