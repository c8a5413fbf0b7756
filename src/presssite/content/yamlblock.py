"""The front-matter block: cut from the file, refused when hostile, loaded with key lines.

``split()`` cuts a Markdown file into its YAML block and body and loads the block with
PyYAML's *safe* loader (the C one when available: this is the hot path of a large site).
The composer's node marks give the 1-based file line of every key, nested keys included,
named ``photos[0].src``, ``source.url``, ``contact.email`` (sequence indexes are 0-based,
as in jq and JSON paths).

Front matter is a handful of keys, so anything the format never needs is refused before
YAML builds values, each with the file and line: a block over ``MAX_CHARS``, anchors and
aliases (``&a``/``*a``: nine levels of ``[*a, *a, ...]`` expand to a billion strings, the
"billion laughs"), tags other than the standard scalars (``!!python/object``, ``!!set``),
and nesting deeper than ``MAX_DEPTH``. libyaml's parser slows down quadratically with flow
nesting (60,000 brackets take half a minute), so brackets are counted in the text first.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from presssite import keycheck
from presssite.errors import ContentError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_DATE_HINT = "write e.g. 2025-11-06T09:30:00+07:00"
_CLOSING = re.compile(r"^---[^\S\n]*$", re.M)  # a line "---", trailing whitespace allowed

MAX_CHARS = 64 * 1024  # a front matter is a few hundred characters; 64 KiB is plenty
MAX_DEPTH = 8  # the format needs 3 (photos[0].src); extra: gets a few more levels
# The explicit tags a user may write (``!!str 2025``): the standard scalars only.
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)
# Text that may hold an anchor, alias or tag: the event scan runs only then (a plain
# front matter is loaded directly: the scan would cost a third of the YAML time).
_MARKS = re.compile(r"[&*!]")
_DEEP_LINE = re.compile(rf"^[ \t?:-]{{{MAX_DEPTH},}}", re.M)  # indentation or "- - - -"
_OPENING_QUOTE = re.compile(r"""^\s*(?:-\s+)*(?:[^\s"'#][^:#]*:\s+)?(["'])(.*)$""")


def split(text: str, path: Path) -> tuple[dict[str, Any], dict[str, int], str, int]:
    """Cut ``text`` into (front matter, key -> line, body, 1-based line where the body starts).

    Raises ``ContentError`` naming the file and line when the block is missing, not
    closed, hostile (see the module), not valid YAML, or not a mapping of keys to values.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    # Lines end at "\n" only (after CRLF/CR are normalised), as markdown-it counts them.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_end = text.find("\n")
    if text[: first_end if first_end != -1 else None].rstrip() != "---":
        raise ContentError(
            "no front matter: the file must start with a line '---'",
            path=path,
            line=1,
            hint="start the file with ---, then title: and date:, then ---, then the body",
        )
    # The first later line that is "---" once stripped (found without splitting the body).
    found = _CLOSING.search(text, first_end + 1) if first_end != -1 else None
    if found is None:
        raise ContentError(
            "front matter is not closed",
            path=path,
            line=1,
            hint="end the front matter with a line '---' before the body",
        )
    source = text[first_end + 1 : found.start()] or "\n"
    body = text[found.end() + 1 :]
    close = text.count("\n", first_end + 1, found.start()) + 1  # the closing line's index
    body_line = close + 2
    offset = 2  # YAML line 0 is file line 2

    refuse_hostile(source, path, offset)
    bad = keycheck.unpublishable(body)
    if bad is not None:
        raise ContentError(
            f"the body contains the control character U+{ord(body[bad]):04X}, "
            "which no page can show",
            path=path,
            line=body_line + body.count("\n", 0, bad),
            hint="remove it (it often comes with text pasted from a word processor)",
        )
    data, node = _load(source, path, offset, close)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(
            "front matter is not a mapping of keys to values",
            path=path,
            line=offset,
            hint="write one 'key: value' per line, e.g. title: ...",
        )
    key_lines: dict[str, int] = {}
    if node is not None:
        _record_lines(node, "", key_lines, offset, path)
    return data, key_lines, body, body_line


def refuse_hostile(source: str, path: Path, offset: int = 2) -> None:
    """Raise ``ContentError`` for a block the format never needs (see the module).

    Linear in the block's size: the size and the brackets are checked on the text, and
    the YAML events (which never expand an alias) are read only when the text could hold
    an anchor, alias, tag or deep nesting, stopping at the first offence.
    """
    if len(source) > MAX_CHARS:
        raise ContentError(
            f"front matter is too long ({len(source):,} characters; at most {MAX_CHARS:,})",
            path=path,
            line=1,
            hint="keep long text in the body, below the closing ---",
        )
    brackets = source.count("[") + source.count("{")
    if brackets > 2 * MAX_DEPTH:
        line = _line_of_depth(source, 2 * MAX_DEPTH + 1)
        if line is not None:
            raise _too_deep(path, line + offset)
    if brackets < MAX_DEPTH and not _MARKS.search(source) and not _DEEP_LINE.search(source):
        return
    loader = _Loader(source)
    try:
        depth = 0
        while (event := loader.get_event()) is not None:
            line = event.start_mark.line + offset
            if isinstance(event, AliasEvent) or (
                isinstance(event, NodeEvent) and event.anchor is not None
            ):
                raise ContentError(
                    "YAML anchors and aliases (&name, *name) are not allowed in front matter",
                    path=path,
                    line=line,
                    hint="write the value out in full where it is needed",
                )
            tag = getattr(event, "tag", None)
            if tag is not None and tag not in _SCALAR_TAGS and not _implicit(event):
                raise ContentError(
                    f"YAML tag {tag!r} is not allowed in front matter",
                    path=path,
                    line=line,
                    hint="remove the tag: values are text, numbers, true/false and dates",
                )
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(path, line)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # not valid YAML: _load() reports it with its lines
    finally:
        loader.dispose()


def _implicit(event: Any) -> bool:
    """True for a tag the parser filled in itself (a collection's), not one written."""
    return bool(getattr(event, "implicit", False) is True)


def _too_deep(path: Path, line: int) -> ContentError:
    return ContentError(
        f"front matter is nested too deeply (more than {MAX_DEPTH} levels)",
        path=path,
        line=line,
        hint="front matter needs a few levels at most; put deep data in a file of the bundle",
    )


def _line_of_depth(source: str, limit: int) -> int | None:
    """The 0-based line where the bracket nesting first reaches ``limit``, if it does.

    Quotes are not followed: brackets in quoted text count too, which refuses only text
    with more than twice ``MAX_DEPTH`` brackets open at once.
    """
    depth = 0
    for index, char in enumerate(source):
        if char in "[{":
            depth += 1
            if depth >= limit:
                return source.count("\n", 0, index)
        elif char in "]}" and depth:
            depth -= 1
    return None


def _load(source: str, path: Path, offset: int, close: int) -> tuple[Any, Node | None]:
    """Compose and construct the block; YAML errors name where the problem starts."""
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        try:
            data = loader.construct_document(node) if node is not None else {}
        except (ValueError, TypeError, OverflowError) as exc:
            raise ContentError(
                f"invalid value: {exc}",
                path=path,
                line=_bad_timestamp_line(node, offset),
                hint=f"a date must be a real calendar date; {_DATE_HINT}",
            ) from None
    except yaml.MarkedYAMLError as exc:
        raise _parse_error(exc, source, path, offset, close) from None
    except yaml.YAMLError as exc:
        raise ContentError(f"front matter is not valid YAML: {exc}", path=path, line=1) from None
    finally:
        loader.dispose()
    return data, node


def _parse_error(
    exc: yaml.MarkedYAMLError, source: str, path: Path, offset: int, close: int
) -> ContentError:
    """A YAML error at the line where the problem starts, saying where YAML stopped.

    YAML notices an unclosed quote only lines later, where the text after it stops
    making sense; the quote that opened it is found by looking back from there.
    """
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    lines = source.split("\n")
    stopped = mark.line if mark is not None else 0
    start = exc.context_mark.line if exc.context_mark is not None else stopped
    quote = _unclosed_quote(lines, min(start, stopped), stopped)
    if quote is not None:
        line = quote
        hint = "this quoted value is not closed: add the closing quote at the end of the value"
    else:
        line = stopped
        hint = _yaml_hint(lines[stopped] if stopped + 1 < close else "")
    message = f"front matter is not valid YAML: {problem}"
    if line != stopped:
        message += f" (YAML stopped at line {stopped + offset})"
    elif exc.context and exc.context_mark is not None and start != stopped:
        message += f" ({exc.context} that starts at line {start + offset})"
    return ContentError(message, path=path, line=line + offset, hint=hint)


def _unclosed_quote(lines: list[str], first: int, last: int) -> int | None:
    """The first line in ``first..last`` whose value opens a quote it does not close."""
    for index in range(first, min(last, len(lines) - 1) + 1):
        found = _OPENING_QUOTE.match(lines[index])
        if found is None:
            continue
        quote, rest = found.groups()
        rest = rest.replace('\\"', "") if quote == '"' else rest.replace("''", "")
        if quote not in rest:
            return index
    return None


def _yaml_hint(source_line: str) -> str:
    if "\t" in source_line:
        return "indent with spaces, not tabs"
    return (
        "check the indentation, and quote values that contain ': ' "
        "or start with one of [ { * & ! | > ' \" % @"
    )


def _record_lines(node: Node, prefix: str, out: dict[str, int], offset: int, path: Path) -> None:
    """Record the line of every key below ``node``; refuse duplicate keys.

    YAML silently keeps the last of two equal keys; a duplicated ``embargo`` would
    then quietly override the first, so it is an error here. (The recursion is bounded:
    ``refuse_hostile`` allows no aliases and ``MAX_DEPTH`` levels.)
    """
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            name = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            line = key_node.start_mark.line + offset
            if key_node.value in seen:
                raise ContentError(
                    f"duplicate key (first at line {seen[key_node.value]})",
                    path=path,
                    line=line,
                    key=name,
                    hint="keep one of them",
                )
            seen[key_node.value] = line
            out[name] = line
            _record_lines(value_node, name, out, offset, path)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            name = f"{prefix}[{index}]"
            out[name] = item.start_mark.line + offset
            _record_lines(item, name, out, offset, path)


def _bad_timestamp_line(node: Node | None, offset: int) -> int:
    """The line of the first timestamp the constructor refuses (e.g. month 13)."""
    constructor = yaml.constructor.SafeConstructor()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop(0)
        if isinstance(current, ScalarNode) and current.tag == _TIMESTAMP_TAG:
            try:
                constructor.construct_yaml_timestamp(current)
            except (ValueError, TypeError, OverflowError):
                return current.start_mark.line + offset
        elif isinstance(current, MappingNode):
            stack.extend(v for pair in current.value for v in pair)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)
    return offset
