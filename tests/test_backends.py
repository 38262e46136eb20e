"""Every kind of backend is chosen one way: an override, the platform's candidates, the reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from microbreak.adapters import backends, tray_probe
from microbreak.adapters.backends import Candidate
from microbreak.adapters.tray_probe import Probe
from microbreak.settings.config import BACKEND_SUFFIX

from .cli_run import run


@dataclass(frozen=True)
class Opened:
    """A backend that opened (a plain ``str`` from an opener is why one did not)."""

    name: str


def _opens(name: str) -> Candidate[Opened]:
    return Candidate(name, lambda _: Opened(name))


def _fails(name: str, why: str, platforms: tuple[str, ...] = ()) -> Candidate[Opened]:
    return Candidate(name, lambda _: why, platforms)


def _raises(_: Mapping[str, str]) -> Opened:
    raise RuntimeError("a bug")


def test_first_takes_the_first_that_opens_and_keeps_why_the_others_did_not() -> None:
    choice = backends.first("idle", [_fails("a", "no a"), _opens("b"), _opens("c")], {}, "linux")
    assert (choice.name, choice.backend, choice.failures) == ("b", Opened("b"), ("no a",))


def test_every_keeps_all_that_open_in_order() -> None:
    found = backends.every("lock", [_opens("a"), _fails("b", "no b"), _opens("c")], {}, "linux")
    assert found.opened == (("a", Opened("a")), ("c", Opened("c")))
    assert found.failures == ("no b",)


def test_candidates_of_another_platform_are_not_tried() -> None:
    pool = [_fails("mac", "should not be asked", ("darwin",)), _opens("x")]
    choice = backends.first("idle", pool, {}, "linux")
    assert (choice.name, choice.failures) == ("x", ())


def test_nothing_opens_gives_one_line_of_reasons() -> None:
    choice = backends.first("idle", [_fails("a", "no a"), _fails("b", "no b")], {}, "linux")
    assert choice.backend is None and choice.name is None
    assert choice.why_none(" and ") == "no a and no b"
    assert backends.first("idle", [], {}, "linux").why_none() == "no idle backend for this system"


def test_an_opener_that_raises_is_a_failure_and_the_next_is_tried() -> None:
    choice = backends.first("idle", [Candidate("broken", _raises), _opens("b")], {}, "linux")
    assert choice.name == "b"
    assert choice.failures == ("the broken idle backend failed (RuntimeError)",)


def test_the_override_names_backends_in_its_order_whatever_the_platform() -> None:
    pool = [_opens("a"), _opens("b"), _fails("mac", "no mac", ("darwin",))]
    env = {"MICROBREAK_IDLE_BACKEND": "mac, b"}
    choice = backends.first("idle", pool, env, "linux")
    assert (choice.name, choice.failures) == ("b", ("no mac",))
    unknown = backends.first("idle", pool, {"MICROBREAK_IDLE_BACKEND": "zz"}, "linux")
    assert unknown.backend is None
    assert (
        unknown.why_none()
        == "MICROBREAK_IDLE_BACKEND=zz names no idle backend 'zz' (known: a, b, mac)"
    )


def test_override_variable_names() -> None:
    assert backends.override_variable("do-not-disturb") == "MICROBREAK_DO_NOT_DISTURB_BACKEND"
    assert backends.override_variable("lock") == "MICROBREAK_LOCK_BACKEND"


def test_tray_choice_per_desktop() -> None:
    both = Probe(display=True, sni_host=True, xembed_host=True)
    picked = tray_probe.choose(both, {}, "linux")
    assert picked.backends == ("appindicator", "gtk", "xorg")
    assert picked.reason == "StatusNotifier host found"
    xembed = tray_probe.choose(Probe(True, False, True), {}, "linux")
    assert xembed.backends == ("gtk", "xorg")
    sni_only = tray_probe.choose(Probe(True, True, False), {}, "linux")
    assert sni_only.backends == ("appindicator",)
    nothing = tray_probe.choose(Probe(True, False, False), {}, "linux")
    assert nothing.backends == () and nothing.reason.startswith("no system tray found")
    headless = tray_probe.choose(Probe(False, True, True), {}, "linux")
    assert headless.backends == () and headless.reason.startswith("no display")
    assert tray_probe.choose(None, {}, "win32").backends == ("win32",)
    assert tray_probe.choose(None, {}, "darwin").backends == ("darwin",)


def test_tray_override_is_pystrays_own_variable_and_still_needs_its_host() -> None:
    env = {"PYSTRAY_BACKEND": "gtk"}
    forced = tray_probe.choose(Probe(True, True, True), env, "linux")
    assert forced.backends == ("gtk",) and forced.reason == "PYSTRAY_BACKEND=gtk"
    missing = tray_probe.choose(Probe(True, True, False), env, "linux")
    assert missing.backends == () and missing.reason == "no XEmbed tray"


@pytest.mark.parametrize("kind", ["notifications", "idle", "lock", "do-not-disturb"])
def test_an_override_variable_is_no_setting_to_the_config(tmp_path: Path, kind: str) -> None:
    """The README's variables, through the real command line: the config loader must not take
    them for mistyped settings (MICROBREAK_DO_NOT_DISTURB is the [do_not_disturb] table)."""
    variable = backends.override_variable(kind)
    assert variable.endswith(BACKEND_SUFFIX)
    result = run(tmp_path, "config", "check", env={variable: "a,b"})
    assert result.returncode == 0, result.stderr
