"""Safe YAML loading that remembers where every value came from.

PyYAML's ``SafeLoader`` composes the node tree; we build plain dicts, lists and scalars
from it ourselves so that we can (1) record the file and line of every path, (2) refuse
duplicate keys, (3) refuse any tag outside YAML's core schema, so a tag never constructs
an object or runs code, and (4) refuse alias bombs (and recursive aliases) by counting
the expanded size of the tree before anything is built.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from .errors import ScenarioError, dotted

#: Largest expanded tree we accept (nodes after aliases are followed). A real scenario has
#: a few thousand; a billion-laughs document has billions.
MAX_NODES = 200_000
#: Largest file we read; scenario files are a few kB.
MAX_BYTES = 2_000_000
#: Deepest nesting of mappings and lists we accept. A real scenario nests five levels; PyYAML
#: composes recursively, so a document nested a few hundred levels deep would otherwise end
#: in a RecursionError instead of a one-line error.
MAX_DEPTH = 64

_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

Positions = dict[tuple, tuple[str, int]]


class _Loader(yaml.SafeLoader):
    """SafeLoader whose implicit timestamps stay strings (no datetime objects)."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

if getattr(yaml, "__with_libyaml__", False):
    class _CLoader(yaml.CSafeLoader):
        """The same loader on libyaml's C parser and composer (about 20 times faster): the
        nodes carry the same tags (resolved by the same Python resolvers) and start lines."""

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
else:  # pragma: no cover - PyYAML built without libyaml
    _CLoader = None  # type: ignore[assignment,misc]

#: where PyYAML and libyaml part ways (PyYAML refuses a tab inside a value, and lines may end in
#: other ways than '\n', and libyaml skips a byte-order mark anywhere): such a text goes the
#: pure-Python way
_SLOW_CHARS = re.compile("[\t\r\x85\u2028\u2029\ufeff]")
_DEPTH_EVENTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_DEPTH_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _expanded_size(node: yaml.Node, file: str, memo: dict[int, int], stack: set[int]) -> int:
    key = id(node)
    if key in memo:
        return memo[key]
    if key in stack:
        raise ScenarioError(
            "recursive YAML alias (a structure that contains itself) is not allowed",
            file=file,
            line=node.start_mark.line + 1,
        )
    stack.add(key)
    size = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _expanded_size(child, file, memo, stack)
            if size > MAX_NODES:
                break
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, file, memo, stack) + _expanded_size(v, file, memo, stack)
            if size > MAX_NODES:
                break
    stack.discard(key)
    memo[key] = size
    if size > MAX_NODES:
        raise ScenarioError(
            f"document expands to more than {MAX_NODES:,} values through aliases "
            "(an alias bomb?); refused",
            file=file,
            line=node.start_mark.line + 1,
        )
    return size


def _build(node: yaml.Node, loader: yaml.constructor.SafeConstructor, file: str, path: tuple, pos: Positions) -> Any:
    line = node.start_mark.line + 1
    pos.setdefault(path, (file, line))
    if node.tag not in _CORE_TAGS:
        raise ScenarioError(
            f"YAML tag '{node.tag}' is not allowed (only plain values, lists and mappings)",
            file=file,
            line=line,
        )
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":
                raise ScenarioError(
                    "YAML merge keys ('<<') are not supported; write the values out",
                    file=file,
                    line=knode.start_mark.line + 1,
                )
            if not isinstance(knode, yaml.ScalarNode):
                raise ScenarioError(
                    "mapping keys must be plain names", file=file, line=knode.start_mark.line + 1
                )
            key = _build(knode, loader, file, path + ("<key>",), {})
            if key in out:
                first = pos.get(path + (key,), (file, "?"))[1]
                raise ScenarioError(
                    f"duplicate key '{key}' (first given on line {first})",
                    file=file,
                    line=knode.start_mark.line + 1,
                    field=dotted(path + (key,)),
                )
            pos[path + (key,)] = (file, knode.start_mark.line + 1)
            out[key] = _build(vnode, loader, file, path + (key,), pos)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, loader, file, path + (i,), pos) for i, child in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _check_depth(text: str, file: str) -> None:
    """Refuse documents nested deeper than :data:`MAX_DEPTH` before the recursive composer
    (and our own recursive walks) see them. The scanner is iterative, so this is safe."""
    opens = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowMappingStartToken,
             yaml.FlowSequenceStartToken)
    closes = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
    depth = 0
    for token in yaml.scan(text, Loader=_Loader):
        if isinstance(token, opens):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(f"nested more than {MAX_DEPTH} levels deep; a scenario nests a few levels",
                                    file=file, line=token.start_mark.line + 1)
        elif isinstance(token, closes):
            depth -= 1


def _reader_error(exc: yaml.reader.ReaderError, text: str, file: str) -> ScenarioError:
    """A character YAML does not allow (a raw control character): say which and where."""
    line = text.count("\n", 0, max(exc.position, 0)) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return ScenarioError(f"character {char!r} (U+{ord(char):04X}) is not allowed in YAML text; "
                         "expected printable text", file=file, line=line)


def _load_fast(text: str, file: str) -> tuple[Any, Positions] | None:
    """:func:`load_yaml_text` on libyaml, for a document the pure-Python path would accept as
    it is; ``None`` for anything else (no libyaml, a character the reader refuses, a syntax
    error, too deep a nesting, a refused tag or key...), which the pure-Python path then reads
    again to give its own error, word for word and line for line.

    libyaml's parser is iterative; its composer is recursive, so the depth is counted on the
    parser's events first. Events open at least as many levels as the tokens
    :func:`_check_depth` counts (an indentless sequence is an event, not a token), so a
    document within :data:`MAX_DEPTH` here passes that check too."""
    if _CLoader is None or _SLOW_CHARS.search(text) or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    try:
        flow: list[bool] = []  # the open collections, True for a flow one ([...], {...})
        for event in yaml.parse(text, Loader=_CLoader):
            if isinstance(event, _DEPTH_EVENTS):
                flow.append(bool(event.flow_style))
                if len(flow) > MAX_DEPTH:
                    return None
            elif isinstance(event, _DEPTH_ENDS):
                flow.pop()
            elif (isinstance(event, yaml.ScalarEvent) and not event.style and "?" in event.value
                  and any(flow)):
                return None  # libyaml takes 'a?b' in [...] as one value, PyYAML refuses it
        loader = _CLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        if node is None:
            return None
        _expanded_size(node, file, {}, set())
        pos: Positions = {}
        return _build(node, loader, file, (), pos), pos
    except (yaml.YAMLError, ScenarioError, RecursionError):
        return None


def load_yaml_text(text: str, file: str) -> tuple[Any, Positions]:
    """Parse ``text`` safely; return the data and a map path -> (file, line)."""
    fast = _load_fast(text, file)
    if fast is not None:
        return fast
    loader: _Loader | None = None
    try:
        # the reader checks for non-printable characters when it is built, so inside the try
        _check_depth(text, file)
        loader = _Loader(text)
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, file) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "syntax error").strip()
        raise ScenarioError(f"YAML syntax error: {problem}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"not valid YAML: {exc}", file=file) from None
    except RecursionError:  # a last guard: _check_depth should have refused it
        raise ScenarioError("nested too deeply", file=file) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise ScenarioError("the file is empty; expected a scenario mapping", file=file, line=1)
    _expanded_size(node, file, {}, set())
    pos: Positions = {}
    data = _build(node, loader, file, (), pos)
    return data, pos


def read_regular_file(path: str | Path, limit: int | None = None, what: str = "a YAML scenario file") -> bytes:
    """The bytes of a regular file, refusing anything else and anything over ``limit`` bytes.

    The limit counts the bytes actually read, not the size the file system reports: that is 0
    for a device or a pipe, so a link to /dev/zero would otherwise fill memory. The file is
    opened non-blocking, so a FIFO with no writer is refused at once instead of hanging.
    """
    limit = MAX_BYTES if limit is None else limit
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise ScenarioError("no such file", file=name)
    if p.is_dir():
        raise ScenarioError(f"is a directory, expected {what}", file=name)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror}", file=name) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ScenarioError(f"not a regular file (a device, pipe or socket); expected {what}", file=name)
        chunks: list[bytes] = []
        got = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > limit:
                raise ScenarioError(f"file is more than {limit:,} bytes; expected {what} (they are small)",
                                    file=name)
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror}", file=name) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def read_yaml_file(path: str | Path) -> tuple[Any, Positions]:
    """Read and parse a YAML file with clear errors for missing, unreadable or binary files."""
    name = str(path)
    raw = read_regular_file(path)
    if b"\x00" in raw:
        raise ScenarioError("not a YAML text file (binary content)", file=name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not UTF-8 text (byte {exc.start})", file=name) from None
    return load_yaml_text(text, name)
