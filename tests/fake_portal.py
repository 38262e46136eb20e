"""A stand-in for the desktop portal's appearance settings, run as a process on a test bus.

``python -m tests.fake_portal SCHEME`` owns ``org.freedesktop.portal.Desktop`` and answers
``org.freedesktop.portal.Settings.Read("org.freedesktop.appearance", "color-scheme")`` with
SCHEME (0 no preference, 1 dark, 2 light), as xdg-desktop-portal does, until it is stopped.
"""

from __future__ import annotations

import sys
from typing import Any

from gi.repository import Gio, GLib

NAME = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
XML = """<node><interface name="org.freedesktop.portal.Settings">
  <method name="Read">
    <arg direction="in" type="s"/><arg direction="in" type="s"/>
    <arg direction="out" type="v"/>
  </method>
</interface></node>"""


def main() -> None:
    scheme = int(sys.argv[1])
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    interface = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]

    def call(
        _bus: Any, _sender: str, _path: str, _iface: str, method: str, args: Any, answer: Any
    ) -> None:
        if method == "Read" and tuple(args.unpack()) == (
            "org.freedesktop.appearance",
            "color-scheme",
        ):
            # A variant in a variant, as the portal's (deprecated, still served) Read answers.
            inner = GLib.Variant("v", GLib.Variant("u", scheme))
            answer.return_value(GLib.Variant.new_tuple(inner))
        else:
            answer.return_dbus_error("org.freedesktop.portal.Error.NotFound", "no such key")

    bus.register_object(PATH, interface, call, None, None)
    Gio.bus_own_name_on_connection(bus, NAME, Gio.BusNameOwnerFlags.NONE, None, None)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
