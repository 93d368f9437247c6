"""YAML that remembers where each mapping starts, so a rule file's error can name its line.

Officials' data files (the working-day calendar, the alert rules) are refused with the line and
the reason; every mapping read through LineLoader carries its 1-based line under "__line__"."""

from __future__ import annotations

from typing import Any

import yaml

LINE = "__line__"


class LineLoader(yaml.SafeLoader):
    """A SafeLoader whose mappings keep their line under LINE."""


def _mapping_with_line(loader: LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
