"""Reading hand-written YAML strictly: each error names the file, the path inside it and the reason."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from industry_brain.core.errors import IndustryBrainError

KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class PackError(IndustryBrainError):
    """A pack file that cannot be used; names the file, the path inside it and the reason."""

    def __init__(self, file: str, path: str, reason: str) -> None:
        self.file = file
        self.path = path
        self.reason = reason
        super().__init__(f"{file}: {path}: {reason}" if path else f"{file}: {reason}")


class Reader:
    """Reads one file's parsed YAML, raising PackError with the path of the offending value."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, path: str, reason: str) -> PackError:
        return PackError(self.file, path, reason)

    def mapping(self, value: Any, path: str, keys: Mapping[str, bool]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"应为映射 (expected a mapping, got {_kind(value)})")
        for key in value:
            if key not in keys:
                known = ", ".join(keys)
                raise self.fail(_join(path, str(key)), f"未知字段 (unknown key; known: {known})")
        for key, required in keys.items():
            if required and key not in value:
                raise self.fail(_join(path, key), "缺少必填字段 (missing required key)")
        return value

    def text(self, value: Any, path: str, *, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            hint = " — 请加引号 (write it in quotes)" if isinstance(value, int | float) else ""
            raise self.fail(path, f"应为文字 (expected text, got {_kind(value)}){hint}")
        if not value.strip():
            raise self.fail(path, "不能为空 (must not be empty)")
        return value

    def req_text(self, value: Any, path: str) -> str:
        result = self.text(value, path)
        assert result is not None
        return result

    def integer(self, value: Any, path: str, *, optional: bool = False) -> int | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"应为整数 (expected an integer, got {_kind(value)})")
        return value

    def year(self, value: Any, path: str) -> int:
        year = self.integer(value, path)
        assert year is not None
        if not 1949 <= year <= 2100:
            raise self.fail(path, f"年份 {year} 不合理 (year out of range)")
        return year

    def number(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"应为数字 (expected a number, got {_kind(value)})")
        return value

    def texts(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(path, f"应为列表 (expected a list, got {_kind(value)})")
        return tuple(self.req_text(v, f"{path}[{i}]") for i, v in enumerate(value))

    def items(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, f"应为列表 (expected a list, got {_kind(value)})")
        return value

    def ident(self, value: Any, path: str) -> str:
        ident = self.req_text(value, path)
        if not KEBAB.match(ident):
            raise self.fail(path, f"编号 {ident!r} 应为小写字母、数字和连字符 (kebab-case)")
        return ident


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
