"""``microbreak stats --chart FILE``, through the real command line.

The chart comes in the format its extension names (checked by the file's first bytes), the
command says where it went, and a path that cannot be written or an extension we do not write is
one line and exit 2, before any work and without a traceback or a file left behind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from microbreak.core.events import EventKind
from microbreak.errors import EXIT_FAILURE, EXIT_USAGE

from .cli_run import clean_env, run
from .fakes import write_history

pytest.importorskip("matplotlib")

#: The first bytes of each format we write.
MAGIC = {
    "png": b"\x89PNG\r\n\x1a\n",
    "svg": b"<?xml",
    "pdf": b"%PDF-",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
}
ALLOWED = ".png, .svg, .pdf or .jpg"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A private HOME with a day of history, as the daemon writes it."""
    env = clean_env(tmp_path)
    path = Path(env["XDG_DATA_HOME"]) / "microbreak" / "history.sqlite"
    path.parent.mkdir(parents=True)
    now = datetime.now(timezone.utc)
    events = []
    for minutes in (90, 60, 30):
        at = now - timedelta(minutes=minutes)
        events.append((EventKind.SHOWN, at, "shoulder-rolls", None))
        events.append((EventKind.DONE, at + timedelta(seconds=40), "shoulder-rolls", None))
    write_history(path, events)
    return tmp_path


def one_line(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    """Exit ``code``, nothing on stdout, one line on stderr holding every fragment."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("microbreak: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.mark.parametrize("extension", ["png", "svg", "pdf", "jpg", "JPEG"])
def test_the_chart_is_in_the_format_its_extension_names(home: Path, extension: str) -> None:
    result = run(home, "stats", "--chart", f"chart.{extension}")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    chart = home / f"chart.{extension}"
    assert result.stdout.splitlines()[-1] == f"Chart written to {chart}"
    data = chart.read_bytes()
    assert data.startswith(MAGIC[extension.lower()]), data[:16]
    if extension == "svg":
        assert b"<svg" in data[:2000]
    assert len(data) > 5_000  # a drawing, not an empty page


def test_with_json_stdout_stays_the_json_document(home: Path) -> None:
    result = run(home, "stats", "--json", "--chart", "out/chart.svg")
    assert result.returncode == EXIT_USAGE  # out/ is not there yet: nothing is created
    assert not (home / "out").exists()
    (home / "out").mkdir()
    result = run(home, "stats", "--json", "--chart", "out/chart.svg")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["done"] == 3
    assert result.stderr == f"microbreak: chart written to {home / 'out' / 'chart.svg'}\n"
    assert (home / "out" / "chart.svg").read_bytes().startswith(MAGIC["svg"])


@pytest.mark.parametrize(
    ("chart", "fragments"),
    [
        ("/no/such/dir/c.png", ["/no/such/dir/c.png", "the directory /no/such/dir does not exist"]),
        ("sub/", ["--chart sub/: ends in a slash, so it names a directory"]),
        ("existing/", ["--chart existing/: is a directory"]),
        ("existing", ["--chart existing: is a directory"]),
        ("chart.jpg/c.png", ["chart.jpg is not a directory"]),
        ("chart.gif", ["--chart chart.gif: cannot write .gif files", ALLOWED]),
        ("chart.tiff", ["cannot write .tiff files", ALLOWED]),
        ("chart", ["--chart chart: has no file extension", ALLOWED]),
        ("", ["--chart needs a file name", ALLOWED]),
    ],
)
def test_a_bad_chart_path_is_one_line_and_exit_2(
    home: Path, chart: str, fragments: list[str]
) -> None:
    (home / "existing").mkdir()
    (home / "chart.jpg").write_bytes(b"a file, not a folder")
    before = sorted(p.name for p in home.iterdir())
    for extra in ([], ["--json"]):
        one_line(run(home, "stats", *extra, "--chart", chart), EXIT_USAGE, *fragments)
    assert sorted(p.name for p in home.iterdir()) == before  # nothing written
    assert (home / "chart.jpg").read_bytes() == b"a file, not a folder"


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A dir under /tmp that another user can walk into (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="mbchart-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_a_directory_without_write_permission(shared_dir: Path) -> None:
    """Run as an unprivileged user (root may write anywhere): the read-only dir is refused."""
    readonly = shared_dir / "readonly"
    readonly.mkdir(mode=0o555)
    readonly.chmod(0o555)
    argv = [sys.executable, "-m", "microbreak", "stats", "--chart", str(readonly / "c.png")]
    if os.getuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv to drop to another user")
        argv = [setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups", *argv]
    result = subprocess.run(
        argv,
        env=clean_env(shared_dir),
        cwd=shared_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    one_line(result, EXIT_USAGE, f"--chart {readonly / 'c.png'}: no permission to write there")
    assert list(readonly.iterdir()) == []


def test_a_directory_no_file_can_be_created_in_even_by_root(home: Path) -> None:
    """/proc takes no new files, not even root's, though ``os.access()`` tells root it may:
    the check tries, so this too is exit 2 before any work, not a failed write after it."""
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    said = "cannot write a file there" if os.getuid() == 0 else "no permission to write there"
    for extra in ([], ["--json"]):
        one_line(run(home, "stats", *extra, "--chart", "/proc/c.png"), EXIT_USAGE, said)


def test_a_link_to_a_missing_folder_is_a_usage_mistake(home: Path) -> None:
    """The chart is written through a link: a dangling one names a folder that is not there."""
    (home / "dangling.png").symlink_to("/nonexistent/x.png")
    said = "the directory /nonexistent does not exist"
    one_line(run(home, "stats", "--chart", "dangling.png"), EXIT_USAGE, said)


def test_no_trace_of_the_check_is_left(home: Path) -> None:
    """The check creates a file to see that it can; it is gone, and so is nothing else."""
    before = {p.name for p in home.iterdir()} | {"cache", "config"}  # matplotlib's own
    assert run(home, "stats", "--chart", "chart.svg").returncode == 0
    assert {p.name for p in home.iterdir()} - before == {"chart.svg"}


def test_a_write_that_fails_is_one_line(home: Path) -> None:
    """A full disk (``/dev/full`` behind the name) is not the user's mistake: exit 1."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    (home / "full.png").symlink_to("/dev/full")
    one_line(
        run(home, "stats", "--chart", "full.png"),
        EXIT_FAILURE,
        f"cannot write the chart to {home / 'full.png'}: No space left on device",
    )


def test_without_matplotlib_the_chart_is_one_line(home: Path) -> None:
    """The `charts` extra not installed: the real CLI with matplotlib made unimportable."""
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"  # how Python spells "not installed"
        "from microbreak.cli import main; sys.exit(main())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "stats", "--chart", "chart.png"],
        env=clean_env(home),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    one_line(
        result,
        EXIT_FAILURE,
        "the chart needs matplotlib; install it with: pip install 'microbreak[charts]'",
    )
    assert not (home / "chart.png").exists()
    # A bad path is still named first: exit 2 whether or not matplotlib is there.
    result = subprocess.run(
        [sys.executable, "-c", code, "stats", "--chart", "/no/such/dir/c.png"],
        env=clean_env(home),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    one_line(result, EXIT_USAGE, "the directory /no/such/dir does not exist")
