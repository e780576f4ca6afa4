"""Jinja filters that write the answers into the generated files without breaking them.

Cookiecutter loads this module from the template's folder (``_extensions`` in cookiecutter.json).
"""

import json
import re

from jinja2 import Environment
from jinja2.ext import Extension

# Characters that some format would not take as they are: line and paragraph separators (line
# breaks in YAML), noncharacters and other invisible code points of the Basic Multilingual Plane.
# They are written as \uXXXX, which Python, TOML, YAML and JSON all read.
UNPRINTABLE = re.compile(r"[^\x20-\x7e]")
# Characters that can start inline Markdown: code, emphasis, links, HTML, entities, headings'
# closing #s, strikethrough, tables, math.
MARKDOWN_INLINE = re.compile(r"[\\`*_\[\]<>#~&$|]")
# What makes a line a list item or a setext underline when it starts it (a quote's > is inline).
MARKDOWN_LINE_START = re.compile(r"^(?:[-+=]|\d+[.)])")


def quoted(value: str) -> str:
    """``value`` as a double-quoted string that Python, TOML, YAML and JSON all read back as ``value``.

    JSON's escapes (``\\"``, ``\\\\``, ``\\n``, ``\\uXXXX``) are valid in all four, and ``json.dumps``
    never writes ``\\/``. Jinja's ``tojson`` would split an emoji into a surrogate pair, which
    TOML refuses and Python and YAML read as two broken characters: here other characters stay
    as they are.
    """

    def escape(match: re.Match[str]) -> str:
        character = match[0]
        needs_escape = not character.isprintable() and ord(character) <= 0xFFFF
        return f"\\u{ord(character):04x}" if needs_escape else character

    return UNPRINTABLE.sub(escape, json.dumps(value, ensure_ascii=False))


def markdown_text(value: str) -> str:
    """``value`` as one line of Markdown that renders as ``value``: nothing in it becomes markup."""
    escaped = MARKDOWN_INLINE.sub(r"\\\g<0>", value.strip())
    return MARKDOWN_LINE_START.sub(lambda marker: marker[0][:-1] + "\\" + marker[0][-1], escaped)


class EscapingExtension(Extension):
    """The ``quoted`` and ``markdown_text`` filters."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(quoted=quoted, markdown_text=markdown_text)
