"""YAML read with the line of every value, so a refusal can name the line it is about."""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[str | int, ...]


def load(text: str) -> tuple[Any, dict[Path, int]]:
    """(data, lines): the document as plain Python data, and the 1-based line of each path
    (a path is the keys and list indexes leading to a value; () is the document)."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[Path, int] = {}
    if node is None:
        return None, {(): 1}
    return _build(node, (), lines), lines


def _build(node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for k, v in node.value:
            key = _scalar(k)
            lines[(*path, str(key))] = k.start_mark.line + 1
            out[str(key)] = _build(v, (*path, str(key)), lines)
            lines[(*path, str(key))] = k.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(v, (*path, i), lines) for i, v in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of `path`, or of its nearest ancestor that has one."""
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)
