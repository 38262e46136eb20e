"""The app icon set and tray icons: every size is there, and the files match their generator."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from PIL import Image

ASSETS = Path(__file__).parents[1] / "assets"


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("make_icons", ASSETS / "make_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_icons"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("size", [16, 22, 24, 32, 48, 64, 128, 256])
def test_app_icon_set_has_every_size(size: int) -> None:
    with Image.open(ASSETS / "icons" / f"microbreak-{size}.png") as image:
        assert image.size == (size, size) and image.mode == "RGBA"
        alpha = image.getchannel("A").getextrema()
        assert alpha == (0, 255)  # transparent corners, opaque tile


def test_committed_icons_are_what_the_generator_draws(tmp_path: Path) -> None:
    module = _generator()
    written = module.build(tmp_path)  # type: ignore[attr-defined]
    assert written
    for path in written:
        committed = ASSETS / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale"
