"""Safe YAML loading that remembers where every value came from.

PyYAML's ``SafeLoader`` composes the node tree; we build plain dicts, lists and scalars
from it ourselves so that we can (1) record the file and line of every path, (2) refuse
duplicate keys, (3) refuse any tag outside YAML's core schema, so a tag never constructs
an object or runs code, and (4) refuse alias bombs (and recursive aliases) by counting
the expanded size of the tree before anything is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ScenarioError, dotted

#: Largest expanded tree we accept (nodes after aliases are followed). A real scenario has
#: a few thousand; a billion-laughs document has billions.
MAX_NODES = 200_000
#: Largest file we read; scenario files are a few kB.
MAX_BYTES = 2_000_000

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


def _build(node: yaml.Node, loader: _Loader, file: str, path: tuple, pos: Positions) -> Any:
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


def load_yaml_text(text: str, file: str) -> tuple[Any, Positions]:
    """Parse ``text`` safely; return the data and a map path -> (file, line)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "syntax error").strip()
        raise ScenarioError(f"YAML syntax error: {problem}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"not valid YAML: {exc}", file=file) from None
    finally:
        loader.dispose()
    if node is None:
        raise ScenarioError("the file is empty; expected a scenario mapping", file=file, line=1)
    _expanded_size(node, file, {}, set())
    pos: Positions = {}
    data = _build(node, loader, file, (), pos)
    return data, pos


def read_yaml_file(path: str | Path) -> tuple[Any, Positions]:
    """Read and parse a YAML file with clear errors for missing, unreadable or binary files."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise ScenarioError("no such file", file=name)
    if p.is_dir():
        raise ScenarioError("is a directory, expected a YAML scenario file", file=name)
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise ScenarioError(
            f"file is {size:,} bytes; scenario files are small (limit {MAX_BYTES:,})", file=name
        )
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror}", file=name) from None
    if b"\x00" in raw:
        raise ScenarioError("not a YAML text file (binary content)", file=name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not UTF-8 text (byte {exc.start})", file=name) from None
    return load_yaml_text(text, name)
