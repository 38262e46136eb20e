"""Reminders with buttons through org.freedesktop.Notifications: against a fake server that
records every call and plays the user's clicks, and against the real dunst on the test desktop.

dunst shows actions in a context menu run through its ``dmenu`` command; the dunst tests point
it at a script that saves the menu it was given and picks the line the test asked for."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from microbreak.adapters.glib_loop import ensure_glib_loop
from microbreak.adapters.notify.freedesktop import (
    POLICIES,
    Answer,
    FdoNotifier,
    policy_for,
)
from microbreak.core.exercises import CATALOG
from microbreak.core.messages import Message
from microbreak.paths import package_assets, pictogram

from .desktop import (
    _DUNSTRC,
    NOTIFICATIONS_NAME,
    Desktop,
    notification_popups,
    screenshot,
    stays_true,
    wait_until,
)
from .fake_notifications import FakeNotifications

pytestmark = pytest.mark.desktop

EXERCISE = next(e for e in CATALOG if pictogram(e.id) is not None)
MESSAGE = Message(f"Microbreak: {EXERCISE.name}", EXERCISE.instructions, exercise_id=EXERCISE.id)
ICON = package_assets() / "microbreak.png"
SNOOZE = "Snooze 5 min"


class Answers:
    """Collects what the notifier reports, for waiting with a deadline."""

    def __init__(self) -> None:
        self.items: queue.Queue[Answer] = queue.Queue()

    def __call__(self, answer: Answer) -> None:
        self.items.put(answer)

    def next(self, timeout: float = 5.0) -> Answer:
        try:
            return self.items.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no answer within {timeout}s") from None

    def none_yet(self) -> bool:
        return self.items.empty()


@pytest.fixture(autouse=True)
def glib_loop() -> None:
    """The signals are dispatched by a loop on the default context: start it if nobody runs it."""
    ensure_glib_loop()


def _connect(desktop: Desktop, answers: Answers, call_timeout: float = 2.0) -> FdoNotifier:
    notifier = FdoNotifier.connect(
        answers, icon=ICON, timeout_seconds=20, env=desktop.env, call_timeout=call_timeout
    )
    assert notifier is not None
    notifier.snooze_label = SNOOZE  # as the daemon sets it from the config
    return notifier


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def fake(bare_desktop: Desktop) -> Iterator[FakeNotifications]:
    with FakeNotifications(bare_desktop.bus_address) as server:
        yield server


@pytest.fixture
def notifier(
    bare_desktop: Desktop, fake: FakeNotifications, answers: Answers
) -> Iterator[FdoNotifier]:
    n = _connect(bare_desktop, answers)
    yield n
    n.stop()


# -- against the fake server ---------------------------------------------------------------


def test_reminder_has_buttons_and_hints(notifier: FdoNotifier, fake: FakeNotifications) -> None:
    assert notifier.available()
    assert notifier.show(MESSAGE)
    (sent,) = fake.notifies
    assert sent.app_name == "microbreak"
    assert (sent.summary, sent.body) == (MESSAGE.title, MESSAGE.body)
    assert sent.actions == ("default", "", "done", "Done", "snooze", SNOOZE, "skip", "Skip")
    assert sent.replaces_id == 0
    assert sent.hints["desktop-entry"] == "microbreak"
    assert sent.hints["sender-pid"] == os.getpid()
    assert sent.hints["image-path"] == str(pictogram(EXERCISE.id))
    assert sent.hints["urgency"] == 1 and sent.hints["resident"] is False
    assert sent.expire_timeout == 20_000  # an unknown server honours expire_timeout


@pytest.mark.parametrize(
    ("server", "urgency", "resident", "expire"),
    [("gnome-shell", 2, False, 0), ("Plasma", 1, True, 20_000), ("dunst", 1, False, 20_000)],
)
def test_choices_per_server(
    bare_desktop: Desktop, answers: Answers, server: str, urgency: int, resident: bool, expire: int
) -> None:
    assert server in POLICIES
    with FakeNotifications(bare_desktop.bus_address, server_name=server) as fake:
        n = _connect(bare_desktop, answers)
        try:
            assert n.server is not None and n.server.name == server
            assert n.show(MESSAGE)
        finally:
            n.stop()
    (sent,) = fake.notifies
    assert (sent.hints["urgency"], sent.hints["resident"]) == (urgency, resident)
    assert sent.expire_timeout == expire
    assert policy_for(server).urgency == urgency


def test_no_pictogram_without_an_exercise(notifier: FdoNotifier, fake: FakeNotifications) -> None:
    assert notifier.show(Message("Microbreak: config problem", "bad key"))
    assert "image-path" not in fake.notifies[0].hints


def test_one_reminder_at_a_time_and_close(notifier: FdoNotifier, fake: FakeNotifications) -> None:
    assert notifier.show(MESSAGE)
    first = notifier.current
    assert first is not None
    assert notifier.show(MESSAGE)
    assert fake.notifies[1].replaces_id == first
    notifier.withdraw()
    fake.wait_for("closes", 1)
    assert fake.closes == [first]
    assert notifier.current is None
    assert notifier.show(MESSAGE)
    assert fake.notifies[2].replaces_id == 0  # the closed one is not replaced
    notifier.withdraw()
    notifier.withdraw()  # nothing shown: nothing sent
    fake.wait_for("closes", 2)
    assert stays_true(lambda: len(fake.closes) == 2, 0.2)


@pytest.mark.parametrize(
    ("signal", "arg", "answer"),
    [
        ("action", "done", Answer.DONE),
        ("action", "snooze", Answer.SNOOZE),
        ("action", "skip", Answer.SKIP),
        ("action", "default", Answer.OPEN),
        ("closed", 1, Answer.EXPIRED),
        ("closed", 2, Answer.DISMISSED),
        ("closed", 3, Answer.CLOSED),
    ],
)
def test_signal_becomes_answer(
    notifier: FdoNotifier,
    fake: FakeNotifications,
    answers: Answers,
    signal: str,
    arg: str | int,
    answer: Answer,
) -> None:
    assert notifier.show(MESSAGE)
    nid = notifier.current
    assert nid is not None
    emit = fake.action if signal == "action" else fake.closed
    emit(nid + 7, arg)  # type: ignore[arg-type]  # another program's notification: ignored
    emit(nid, arg)  # type: ignore[arg-type]
    assert answers.next() == answer  # the first one reported is ours (signals keep their order)
    assert notifier.current is None
    if signal == "action":  # a resident notification would stay after the click: we close it
        fake.wait_for("closes", 1)
        assert fake.closes == [nid]
    emit(nid, arg)  # type: ignore[arg-type]  # answered already: the close that follows is not news
    assert stays_true(answers.none_yet, 0.3)


def test_answer_closes_once(
    notifier: FdoNotifier, fake: FakeNotifications, answers: Answers
) -> None:
    """A click is followed by the server's NotificationClosed: one answer, not two."""
    assert notifier.show(MESSAGE)
    nid = notifier.current
    assert nid is not None
    fake.action(nid, "done")
    fake.closed(nid, 2)
    assert answers.next() == Answer.DONE
    assert stays_true(answers.none_yet, 0.3)


def test_unknown_action_is_ignored(
    notifier: FdoNotifier, fake: FakeNotifications, answers: Answers
) -> None:
    assert notifier.show(MESSAGE)
    nid = notifier.current
    assert nid is not None
    fake.action(nid, "inline-reply")
    fake.closed(nid, 2)
    assert answers.next() == Answer.DISMISSED


def test_no_actions_means_not_available(bare_desktop: Desktop, answers: Answers) -> None:
    with FakeNotifications(bare_desktop.bus_address, capabilities=("body",)):
        n = _connect(bare_desktop, answers)
        try:
            assert n.server is not None and "actions" not in n.server.capabilities
            assert not n.available()
        finally:
            n.stop()


def test_no_server_means_not_available(bare_desktop: Desktop, answers: Answers) -> None:
    n = _connect(bare_desktop, answers)
    try:
        assert n.server is None and not n.available()
        started = time.monotonic()
        assert not n.show(MESSAGE)
        assert time.monotonic() - started < 2.0
    finally:
        n.stop()


def test_server_that_never_replies_does_not_stall(bare_desktop: Desktop, answers: Answers) -> None:
    with FakeNotifications(bare_desktop.bus_address, silent=1) as fake:
        n = _connect(bare_desktop, answers, call_timeout=0.5)
        try:
            started = time.monotonic()
            assert not n.show(MESSAGE)  # taken, never answered
            took = time.monotonic() - started
            assert 0.4 < took < 1.5, took
            fake.wait_for("notifies", 1)
            assert n.current is None
            assert n.show(MESSAGE)  # the next reminder still goes out
            assert n.current is not None
            assert fake.notifies[1].replaces_id == 0
            n.withdraw()
            fake.wait_for("closes", 1)
        finally:
            n.stop()


def test_close_while_notify_is_on_its_way(bare_desktop: Desktop, answers: Answers) -> None:
    """Answered from the tray before the server replied: the late reminder is removed."""
    gate = threading.Event()
    with FakeNotifications(bare_desktop.bus_address, gate=gate) as fake:
        n = _connect(bare_desktop, answers)
        try:
            result: list[bool] = []
            sender = threading.Thread(target=lambda: result.append(n.show(MESSAGE)))
            sender.start()
            fake.wait_for("notifies", 1)  # the server has it and has not replied yet
            n.withdraw()
            gate.set()
            sender.join(5.0)
            assert result == [True]
            fake.wait_for("closes", 1)
            assert n.current is None
        finally:
            n.stop()


def test_a_new_server_is_asked_again(bare_desktop: Desktop, answers: Answers) -> None:
    """The server restarted (or another took over): old ids are not ours, buttons may differ."""
    with FakeNotifications(bare_desktop.bus_address) as fake:
        n = _connect(bare_desktop, answers)
        assert n.available() and n.show(MESSAGE)
        nid = n.current
        assert nid is not None
    try:
        wait_until(lambda: n.current is None, 5.0, "the gone server's reminder to be forgotten")
        with FakeNotifications(
            bare_desktop.bus_address, server_name="other", capabilities=("body",)
        ) as other:
            wait_until(lambda: n.server is not None and n.server.name == "other", 5.0, "asking")
            assert not n.available()
            other.closed(nid, 2)  # the new server's notification with the same number
            assert stays_true(answers.none_yet, 0.3)
        with FakeNotifications(bare_desktop.bus_address, server_name="third") as third:
            wait_until(lambda: n.available(), 5.0, "buttons again")
            assert n.show(MESSAGE)
            assert third.notifies[0].replaces_id == 0
            nid = n.current
            assert nid is not None
            third.action(nid, "skip")
            assert answers.next() == Answer.SKIP  # the new owner's signals reach us
    finally:
        n.stop()
    assert fake.notifies


# -- against the real dunst ----------------------------------------------------------------


class Dunst:
    """dunst on the test desktop, with a menu program that picks the entry a test names."""

    def __init__(self, desktop: Desktop) -> None:
        self.desktop = desktop
        base = desktop.base_dir
        self.menu_seen = base / "menu-seen.txt"
        self.choice = base / "menu-choice.txt"
        menu = base / "menu.sh"
        menu.write_text(
            "#!/bin/sh\n"
            # Written whole, then renamed: the test reads the menu as soon as the file exists.
            f"cat > '{self.menu_seen}.part'\n"
            f"mv '{self.menu_seen}.part' '{self.menu_seen}'\n"
            f"grep -F -m1 -e \"$(cat '{self.choice}')\" '{self.menu_seen}'\n"
        )
        menu.chmod(0o755)
        assert "dmenu = /bin/false" in _DUNSTRC
        config = base / "dunstrc-menu"
        config.write_text(_DUNSTRC.replace("dmenu = /bin/false", f"dmenu = {menu}"))
        self.proc = desktop.spawn(
            ["dunst", "-config", str(config)],
            name="dunst",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: desktop.name_has_owner(NOTIFICATIONS_NAME), 10.0, "dunst to start")

    def ctl(self, *args: str) -> str:
        result = self.desktop.run(["dunstctl", *args])
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def displayed(self) -> int:
        return int(self.ctl("count", "displayed"))

    def pick(self, entry: str) -> list[str]:
        """Open dunst's context menu and choose the line containing ``entry``; the menu."""
        self.choice.write_text(entry)
        self.menu_seen.unlink(missing_ok=True)
        self.ctl("context")
        wait_until(self.menu_seen.exists, 5.0, "dunst to run the menu")
        return self.menu_seen.read_text().splitlines()

    def stop(self) -> None:
        self.desktop.stop(self.proc)


@pytest.fixture
def dunst(bare_desktop: Desktop) -> Iterator[Dunst]:
    server = Dunst(bare_desktop)
    yield server
    server.stop()


def test_dunst_shows_buttons_replaces_and_closes(
    bare_desktop: Desktop, dunst: Dunst, answers: Answers, tmp_path: Path
) -> None:
    n = _connect(bare_desktop, answers)
    try:
        assert n.server is not None and n.server.name == "dunst"
        assert n.available()
        assert n.show(MESSAGE)
        first = n.current
        wait_until(lambda: dunst.displayed() == 1, 5.0, "the reminder on screen")
        shot = screenshot(bare_desktop, tmp_path / "dunst-reminder.png")
        assert notification_popups(bare_desktop), f"no dunst window; see {shot}"

        assert n.show(MESSAGE)
        assert n.current == first  # dunst replaced it in place
        assert stays_true(lambda: dunst.displayed() == 1, 0.3)

        menu = dunst.pick("nothing matches this")
        labels = sorted(line.split(" (", 1)[0] for line in menu)
        assert labels == ["#", "#Done", "#Skip", f"#{SNOOZE}"]  # "#" is the body's action
        assert all(f"[{first}," in line for line in menu)  # all of them are our reminder's
        assert stays_true(answers.none_yet, 0.2)

        n.withdraw()
        wait_until(lambda: dunst.displayed() == 0, 5.0, "the reminder to go")
        assert stays_true(answers.none_yet, 0.3)  # our own close is no answer
    finally:
        n.stop()


@pytest.mark.parametrize(
    ("entry", "answer"),
    [("#Done ", Answer.DONE), (f"#{SNOOZE} ", Answer.SNOOZE), ("#Skip ", Answer.SKIP)],
)
def test_dunst_button_reaches_the_callback(
    bare_desktop: Desktop, dunst: Dunst, answers: Answers, entry: str, answer: Answer
) -> None:
    n = _connect(bare_desktop, answers)
    try:
        assert n.show(MESSAGE)
        wait_until(lambda: dunst.displayed() == 1, 5.0, "the reminder on screen")
        dunst.pick(entry)
        assert answers.next() == answer
        wait_until(lambda: dunst.displayed() == 0, 5.0, "the answered reminder to go")
        assert stays_true(answers.none_yet, 0.3)  # dunst's NotificationClosed is not news
        assert n.current is None
    finally:
        n.stop()


def test_dunst_close_and_body_click(bare_desktop: Desktop, dunst: Dunst, answers: Answers) -> None:
    n = _connect(bare_desktop, answers)
    try:
        assert n.show(MESSAGE)
        wait_until(lambda: dunst.displayed() == 1, 5.0, "the reminder on screen")
        dunst.ctl("close")  # what a click on dunst's popup does by default
        assert answers.next() == Answer.DISMISSED
        assert n.show(MESSAGE)
        assert n.current is not None
        wait_until(lambda: dunst.displayed() == 1, 5.0, "the next reminder on screen")
        dunst.ctl("action", "0")  # the default action: a click on the body
        assert answers.next() == Answer.OPEN
    finally:
        n.stop()
