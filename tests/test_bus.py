"""``Bus`` on Gio: real calls on the test desktop's private session bus (fake services, dunst,
the bus daemon itself), a bus daemon stopped and started again at the same address, and the
tray probe's question about a StatusNotifier host."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from microbreak import i18n
from microbreak.adapters import tray_probe
from microbreak.adapters.presence.bus import Bus, BusError
from microbreak.usecases.doctor import BUS_FIX, GI_FIX, check_bus

from .desktop import Desktop, wait_until
from .fake_dbus import fake_service, method, prop, silent

pytestmark = pytest.mark.desktop

SERVICE = "org.example.BusTest"
PATH = "/org/example/BusTest"
INTERFACE = "org.example.BusTest"
DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
NOTIFICATIONS = ("org.freedesktop.Notifications", "/org/freedesktop/Notifications")


def _objects() -> dict[str, Any]:
    methods = {
        "Count": method("u", 42),
        "Where": method("o", "/org/example/BusTest/child", "s"),
        "Nothing": method(),
        "Hang": silent(),
    }
    props = {"Paused": prop("b", True), "Label": prop("s", "Büro")}
    return {PATH: {INTERFACE: {"methods": methods, "properties": props}}}


@pytest.fixture
def bus(bare_desktop: Desktop) -> Iterator[Bus]:
    b = Bus.session(bare_desktop.env)
    yield b
    b.close()


def test_one_value_comes_back_alone_none_as_none(bare_desktop: Desktop, bus: Bus) -> None:
    with fake_service(bare_desktop, SERVICE, _objects()) as calls:
        count = bus.call(SERVICE, PATH, INTERFACE, "Count")
        assert count == 42 and type(count) is int
        where = bus.call(SERVICE, PATH, INTERFACE, "Where", "s", ("here",))
        assert where == "/org/example/BusTest/child" and type(where) is str
        calls.wait_for_line("call Where ('here',)", timeout=5.0)
        assert bus.call(SERVICE, PATH, INTERFACE, "Nothing") is None
        assert bool(bus.call(*DBUS, "NameHasOwner", "s", (SERVICE,))) is True


def test_several_values_come_back_as_a_tuple(bare_desktop: Desktop, bus: Bus) -> None:
    bare_desktop.start_notification_server()
    info = bus.call(*NOTIFICATIONS, NOTIFICATIONS[0], "GetServerInformation")
    assert isinstance(info, tuple) and len(info) == 4
    name, vendor, version, spec = info
    assert name == "dunst" and all(isinstance(v, str) and v for v in (vendor, version, spec))


def test_a_property_is_the_value_inside_the_variant(bare_desktop: Desktop, bus: Bus) -> None:
    with fake_service(bare_desktop, SERVICE, _objects()):
        assert bus.get_property(SERVICE, PATH, INTERFACE, "Paused") is True
        assert bus.get_property(SERVICE, PATH, INTERFACE, "Label") == "Büro"


def test_errors_carry_the_dbus_error_name(bare_desktop: Desktop, bus: Bus) -> None:
    with pytest.raises(BusError) as nobody:
        bus.call(SERVICE, PATH, INTERFACE, "Count")
    assert nobody.value.name == "org.freedesktop.DBus.Error.ServiceUnknown"
    assert str(nobody.value) == f"{SERVICE} Count: org.freedesktop.DBus.Error.ServiceUnknown"
    with fake_service(bare_desktop, SERVICE, _objects()):
        with pytest.raises(BusError) as unknown:
            bus.call(SERVICE, PATH, INTERFACE, "NoSuchMethod")
        assert unknown.value.name == "org.freedesktop.DBus.Error.UnknownMethod"
        with pytest.raises(BusError) as no_prop:
            bus.get_property(SERVICE, PATH, INTERFACE, "NoSuchProperty")
        assert no_prop.value.name == "org.freedesktop.DBus.Error.InvalidArgs"
        # A call nobody answers is NoReply, as libdbus names it: "no answer", not "no bus".
        with pytest.raises(BusError) as hung:
            bus.call(SERVICE, PATH, INTERFACE, "Hang", timeout=0.2)
        assert hung.value.name == "org.freedesktop.DBus.Error.NoReply"
        assert bus.call(SERVICE, PATH, INTERFACE, "Count") == 42  # the connection still works


def test_owner_is_a_unique_name_or_none(bare_desktop: Desktop, bus: Bus) -> None:
    assert bus.owner(SERVICE) is None  # NameHasNoOwner, not an error
    assert bus.has_owner(SERVICE) is False
    with fake_service(bare_desktop, SERVICE, _objects()):
        first = bus.owner(SERVICE)
        assert first is not None and first.startswith(":")
        assert bus.has_owner(SERVICE) is True
    with fake_service(bare_desktop, SERVICE, _objects()):
        second = bus.owner(SERVICE)
        assert second is not None and second != first  # a restarted server is told apart


def test_a_closed_connection_is_opened_again(bus: Bus) -> None:
    before = _unique_names(bus)
    bus.close()
    after = _unique_names(bus)
    # A new connection, so a new unique name; the old one is gone from the bus.
    assert len(after - before) == 1 and len(before - after) == 1


def _unique_names(bus: Bus) -> set[str]:
    names = bus.call(*DBUS, "ListNames")
    assert isinstance(names, list) and "org.freedesktop.DBus" in names
    return {n for n in names if n.startswith(":")}


@contextmanager
def _bus_daemon(desktop: Desktop, socket: Path) -> Iterator[str]:
    """A second dbus-daemon of the desktop's kind, listening on ``socket`` (a fixed address, so
    a restart is reached at the same one); stopped by its handle on exit."""
    config = desktop.base_dir / "dbus-daemon.conf"
    proc = desktop.spawn(
        [
            "dbus-daemon",
            f"--config-file={config}",
            f"--address=unix:path={socket}",
            "--nofork",
            "--nopidfile",
            "--nosyslog",
            "--print-address=1",
        ],
        name="restarted dbus-daemon",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wanted = f"unix:path={socket},"
        yield desktop.watch_output(proc).wait_for_line(lambda s: s.startswith(wanted), 10.0)
    finally:
        desktop.stop(proc)
        socket.unlink(missing_ok=True)


def test_a_restarted_bus_daemon_is_reached_again(bare_desktop: Desktop) -> None:
    socket = bare_desktop.runtime_dir / "restart-bus"
    address = f"unix:path={socket}"
    bus = Bus(address, "session bus", retry_after=0.0)
    patient = Bus(address, "session bus")  # the default back-off after a failed connect
    try:
        with _bus_daemon(bare_desktop, socket):
            first = bus.call(*DBUS, "GetId")
            assert isinstance(first, str) and len(first) == 32
            assert patient.call(*DBUS, "GetId") == first
        with pytest.raises(BusError):
            bus.call(*DBUS, "GetId")
        wait_until(lambda: _fails(bus), 5.0, "the stopped bus to refuse a connection")
        for _ in range(2):  # the first may fail on the closed connection, the second connects
            with pytest.raises(BusError):
                patient.call(*DBUS, "GetId")
        with _bus_daemon(bare_desktop, socket):
            second = bus.call(*DBUS, "GetId")
            assert isinstance(second, str) and len(second) == 32 and second != first
            with pytest.raises(BusError, match="unreachable a moment ago"):
                patient.call(*DBUS, "GetId")
    finally:
        bus.close()
        patient.close()


def _fails(bus: Bus) -> bool:
    try:
        bus.call(*DBUS, "GetId")
    except BusError as e:
        return e.name is None  # no connection at all, not a call that failed on one
    return False


# -- the tray probe and doctor ask through Bus -------------------------------------------------


@pytest.fixture
def english() -> Iterator[None]:
    i18n.use("en")
    yield
    i18n.use("en")


def test_the_tray_probe_sees_a_statusnotifier_watcher(
    bare_desktop: Desktop, monkeypatch: pytest.MonkeyPatch, english: None
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bare_desktop.bus_address)
    assert tray_probe._sni_host() == (False, None)
    with fake_service(bare_desktop, tray_probe.SNI_WATCHER, {}):
        assert tray_probe._sni_host() == (True, None)
        # Found as libdbus and GLib find it without the variable: systemd's $XDG_RUNTIME_DIR/bus.
        runtime = bare_desktop.base_dir / "user-runtime"
        runtime.mkdir()
        (runtime / "bus").symlink_to(bare_desktop.bus_address.split("path=", 1)[1].split(",")[0])
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        assert tray_probe._sni_host() == (True, None)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={bare_desktop.base_dir}/none")
    found, note = tray_probe._sni_host()
    assert not found
    assert note == "the session bus cannot be reached"


#: Run without PyGObject: ``import gi`` fails from the start, as where python3-gi is missing.
WITHOUT_GI = """
import json, sys
sys.modules["gi"] = None
from microbreak import i18n
from microbreak.adapters import tray_probe
from microbreak.usecases.doctor import check_bus
i18n.use("en")
english = tray_probe._sni_host()
i18n.use("de")
german = tray_probe._sni_host()
i18n.use("en")
check = check_bus()
print(json.dumps([english, german, [check.ok, check.detail, check.fix]]))
"""


def test_without_gio_the_probe_and_doctor_name_pygobject(bare_desktop: Desktop) -> None:
    done = bare_desktop.run([sys.executable, "-c", WITHOUT_GI], timeout=30)
    assert done.returncode == 0, done.stderr
    en, de, (ok, detail, fix) = json.loads(done.stdout)
    assert en == [False, "PyGObject (Gio) is missing, StatusNotifier hosts cannot be seen"]
    assert de == [False, "PyGObject (Gio) fehlt, StatusNotifier-Hosts sind nicht zu sehen"]
    assert not ok and fix == GI_FIX
    assert detail.startswith("PyGObject is missing (python3-gi)"), detail
    # With PyGObject, here, the same bus answers; a bus that is not there gets the bus's fix.
    assert check_bus(bare_desktop.env).ok
    gone = check_bus({**bare_desktop.env, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"})
    assert not gone.ok and gone.fix == BUS_FIX
    assert gone.detail.endswith(": Could not connect: No such file or directory"), gone.detail
