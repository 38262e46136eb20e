"""The size of ``microbreak/`` at a commit (or the work tree): physical lines and code lines.

Code lines are those holding a token that is not a comment or a docstring, so trimming prose
and cutting code show apart. Physical lines are what ``wc -l`` counts.

    .venv/bin/python bench/code_size.py [REV] [--files]
"""

from __future__ import annotations

import argparse
import ast
import io
import subprocess
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROSE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}


def docstring_lines(source: str) -> set[int]:
    """The line numbers of every module, class and function docstring."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def code_lines(source: str) -> int:
    """How many lines hold code: not blank, not only a comment, not a docstring."""
    prose = docstring_lines(source)
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in PROSE and token.type != tokenize.ENDMARKER:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - prose)


def sources(rev: str | None) -> dict[str, str]:
    """Every ``microbreak/**/*.py`` with its text, at ``rev`` or in the work tree."""
    if rev is None:
        return {
            str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
            for path in sorted((ROOT / "microbreak").rglob("*.py"))
        }
    git = ["git", "-C", str(ROOT)]
    listed = subprocess.run(
        [*git, "ls-tree", "-r", "--name-only", rev, "microbreak"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {
        name: subprocess.run(
            [*git, "show", f"{rev}:{name}"], capture_output=True, text=True, check=True
        ).stdout
        for name in listed
        if name.endswith(".py")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", nargs="?", help="a commit (default: the work tree)")
    parser.add_argument("--files", action="store_true", help="one line per file as well")
    args = parser.parse_args()
    physical = code = 0
    for name, source in sources(args.rev).items():
        lines, counted = source.count("\n"), code_lines(source)
        physical, code = physical + lines, code + counted
        if args.files:
            print(f"{lines:6} {counted:6}  {name}")
    print(f"physical lines {physical:,}, code lines {code:,}")


if __name__ == "__main__":
    main()
