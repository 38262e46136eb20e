"""A TOML syntax error in the user's terms: where, which key, and the fix when we can tell.

tomllib's "Cannot overwrite a value" is a key written twice; its "Expected newline or end of
document", in our files, is nearly always a duration or time without quotes (``min_interval =
30m``). The file's text names the key, the earlier line and what to write instead. Standard
library, core and i18n only: the lean daemon reads exercise files through this too.
"""

from __future__ import annotations

import re
from contextlib import suppress

from ..core.durations import DurationError, parse_duration, parse_time_of_day
from ..core.work_hours import Span
from ..i18n import _

_POSITION = re.compile(r"(?P<head>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)", re.S)
_END = " (at end of document)"
_BARE = r"[A-Za-z0-9_-]+"
_KEY_PART = rf'(?:{_BARE}|"[^"\n]*"|\'[^\'\n]*\')'
_KEY = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER = re.compile(rf"\s*(\[\[?)\s*({_KEY})\s*\]\]?")
_ASSIGN = re.compile(rf"\s*({_KEY})\s*=\s*(.*)")
_NUMBER = re.compile(r"[+-]?[0-9_]+(?:\.[0-9_]+)?(?:[eE][+-]?[0-9]+)?")
#: A quoted string (to its end, closed or not) or a bare word of a value.
_WORD = re.compile(r"\"[^\"]*\"?|'[^']*'?|[^\[\]{},=\"']+")
#: tomllib's words for a key or table written twice (3.11 to 3.14).
_TWICE = ("Cannot overwrite a value", "Cannot declare", "Cannot mutate immutable namespace")


def explain(message: str, text: str) -> str:
    """``line 3, column 5: ...`` for tomllib's ``message`` about the document ``text``."""
    lines = text.split("\n")  # TOML ends lines with \n (or \r\n) only, as tomllib counts them
    if message.endswith(_END):  # the last line, with no newline after it: its end, by number
        message = f"{message[: -len(_END)]} (at line {len(lines)}, column {len(lines[-1]) + 1})"
    found = _POSITION.fullmatch(message)
    if found is None:
        # Translators: {error} is Python's own English message (tomllib's); it stays English.
        return _("TOML syntax error: {error}").format(error=message)
    head, number = found["head"], int(found["line"])
    where = _("line {line}, column {column}").format(line=number, column=found["column"])
    if number == 1 and found["column"] == "1" and text.startswith("\ufeff"):
        # Windows editors (Notepad's "UTF-8 with BOM") start a file with one; TOML forbids it.
        said = _(
            "{where}: the file starts with a byte order mark (BOM), which TOML does not allow; "
            "save it as UTF-8 without BOM"
        )
        return said.format(where=where)
    defined, table = _definitions(lines[: number - 1])
    line = lines[number - 1] if number <= len(lines) else ""
    here = _statement(line, table)
    key = ".".join(here[0]) if here else ""
    if here is not None and head.startswith(_TWICE):
        return _twice(where, key, here[1] != "=", defined)
    hint = _quote_hint(line)
    if hint is None:
        # Translators: {where} is "line 3, column 5"; {error} is tomllib's English message.
        said = _("{where}: TOML syntax error: {error}")
        return said.format(where=where, error=head)
    if here is None:
        said = _("{where}: TOML syntax error: {error}; {hint}")
        return said.format(where=where, error=head, hint=hint)
    said = _("{where}: {key}: TOML syntax error: {error}; {hint}")
    return said.format(where=where, key=key, error=head, hint=hint)


def _twice(where: str, key: str, is_table: bool, defined: dict[str, tuple[int, bool]]) -> str:
    """The message for a key (or a ``[table]``) that clashes with an earlier line."""
    shown = f"[{key}]" if is_table else key
    earlier = [k for k in defined if k == key or key.startswith(k + ".")]
    if not earlier:
        said = _("{where}: {key}: set more than once in this file; a key may be set only once")
        return said.format(where=where, key=shown)
    first = max(earlier, key=len)
    line, was_table = defined[first]
    if first != key:
        # Translators: {whole} is set whole (a = {...}); {rest} is its part set again (a.b = 1).
        said = _(
            "{where}: {key}: {whole} is already set whole on line {line}; set {rest} there instead"
        )
        return said.format(
            where=where, key=shown, whole=first, line=line, rest=key[len(first) + 1 :]
        )
    if is_table and was_table:
        said = _("{where}: {key}: this table appears twice (first on line {line}); merge the two")
    else:
        said = _("{where}: {key}: set twice (first on line {line}); keep only one of them")
    return said.format(where=where, key=shown, line=line)


def _split_key(text: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(_KEY_PART, text)]


def _statement(line: str, table: list[str]) -> tuple[list[str], str] | None:
    """The key a line sets, as its parts, and how: ``[`` or ``[[`` (a table header) or ``=``;
    None for a line that sets none."""
    if header := _HEADER.match(line):
        return _split_key(header[2]), header[1]
    if assign := _ASSIGN.match(line):
        return [*table, *_split_key(assign[1])], "="
    return None


def _definitions(lines: list[str]) -> tuple[dict[str, tuple[int, bool]], list[str]]:
    """Every dotted key and table set in ``lines`` (first line, is a table), and the table the
    next line is in. A ``[[table]]`` forgets the keys of the element before it. A line in a
    multi-line string may be read as a key; this only words a message."""
    defined: dict[str, tuple[int, bool]] = {}
    table: list[str] = []
    for number, line in enumerate(lines, 1):
        if (here := _statement(line, table)) is None:
            continue
        parts, how = here
        name = ".".join(parts)
        if how == "[[":
            for key in [k for k in defined if k.startswith(name + ".")]:
                del defined[key]
        else:
            defined.setdefault(name, (number, how == "["))
        if how != "=":
            table = parts
    return defined, table


def _quote_hint(line: str) -> str | None:
    """``write durations and times in quotes: min_interval = "30m"``, or None if none is bare;
    by bare words, so a list, an inline table or a line of a multi-line list gets it too."""
    assign = _ASSIGN.match(line)
    value = (assign[2] if assign else line).split("#", 1)[0].strip()
    bare: list[str] = []

    def quote(word: re.Match[str]) -> str:
        text = word[0]
        if text[0] in "\"'" or not _is_span_or_time(text.strip()):
            return text
        bare.append(text.strip())
        return text.replace(text.strip(), f'"{text.strip()}"')

    fixed = _WORD.sub(quote, value)
    if not bare:
        return None
    if assign is None:
        return _('write durations and times in quotes, like "{value}"').format(value=bare[0])
    said = _("write durations and times in quotes: {key} = {value}")
    return said.format(key=assign[1].strip(), value=fixed)


def _is_span_or_time(token: str) -> bool:
    """A duration with a unit (``30m``), a time (``8:30``) or a range; a bare number is TOML's."""
    if _NUMBER.fullmatch(token):
        return False
    for parse in (parse_duration, parse_time_of_day, Span.parse):
        with suppress(DurationError):
            parse(token)
            return True
    return False
