"""Compile the translations (``microbreak/locale/*/LC_MESSAGES/microbreak.po``) at build time.

The ``.mo`` files are not in git: every wheel, and the editable install the README uses,
compiles them here with Babel (a build requirement), next to their ``.po``, and ships them as
artifacts (they are ignored by git, so hatch would leave them out otherwise).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CATALOGS = "microbreak/locale/*/LC_MESSAGES/microbreak.po"


def compile_catalogs(root: Path) -> None:
    """Write each catalog's ``.mo`` beside its ``.po``."""
    for po in root.glob(CATALOGS):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parents[1].name)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)


class TranslationsHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compiles the catalogs before a wheel (or an editable wheel) is built."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        compile_catalogs(Path(self.root))
        build_data["artifacts"].append("/microbreak/locale/*/LC_MESSAGES/microbreak.mo")
