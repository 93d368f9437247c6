"""One departmental file before it is written: title lines, columns, rows and what was injected.

Rows hold values in the file's own units (a column in 元 holds yuan). An injection refers to
its row object, not an index, so inserting rows (duplicates, blank lines) never misplaces it;
the spreadsheet row number is worked out when the file is laid out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from industry_brain.ingest.templates import FIELD_BY_NAME

Cell = str | float | int | None
Row = list[Cell]


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None  # template field, or None for a column the template ignores
    factor: float = 1.0  # file unit per canonical unit (元 column: 10000)
    decimals: int = 2  # for numbers
    text_numbers: bool = False  # numbers written as text with thousands separators
    numeric_codes: bool = False  # industry codes written as numbers

    @property
    def is_number(self) -> bool:
        spec = FIELD_BY_NAME.get(self.field or "")
        return spec is not None and spec.dimension is not None


@dataclass
class Injection:
    kind: str
    row: Row
    column: str | None
    value: str | None
    credit_code: str | None
    reject: bool
    skipped: bool = False


@dataclass
class Table:
    stem: str  # file name without extension
    source: str
    template: str
    period: str | None
    fmt: str  # xlsx | xls | csv | csv-gbk
    titles: list[str]
    columns: list[Column]
    rows: list[Row]
    totals: bool = False  # a 合计 row at the bottom
    footer: str | None = None  # a note row under the data
    blank_after: list[int] = field(default_factory=list)  # data positions followed by a blank row
    injections: list[Injection] = field(default_factory=list)

    def col(self, field_name: str) -> int | None:
        for i, c in enumerate(self.columns):
            if c.field == field_name:
                return i
        return None

    @property
    def suffix(self) -> str:
        return {"xlsx": ".xlsx", "xls": ".xls", "csv": ".csv", "csv-gbk": ".csv"}[self.fmt]

    @property
    def header_row(self) -> int:
        """1-based spreadsheet row of the header."""
        return len(self.titles) + 1

    def total_row(self) -> Row:
        out: Row = [None] * len(self.columns)
        out[0] = "合计"
        for j, c in enumerate(self.columns):
            if c.is_number and c.field not in ("year", "safety_accident", "env_violation"):
                values = [r[j] for r in self.rows if isinstance(r[j], (int, float))]
                out[j] = round(sum(values), c.decimals) if values else None  # type: ignore[arg-type]
        return out

    def layout(self) -> tuple[list[Row | None], dict[int, int]]:
        """Every line below the header (None = blank line) and each data row's 1-based
        spreadsheet row number, keyed by id(row)."""
        lines: list[Row | None] = []
        numbers: dict[int, int] = {}
        blanks = set(self.blank_after)
        for i, row in enumerate(self.rows):
            lines.append(row)
            numbers[id(row)] = self.header_row + len(lines)
            if i in blanks:
                lines.append(None)
        if self.totals:
            lines.append(self.total_row())
        if self.footer:
            lines.append([self.footer] + [None] * (len(self.columns) - 1))
        return lines, numbers

    @property
    def expected_rejects(self) -> int:
        return len({id(i.row) for i in self.injections if i.reject})

    @property
    def expected_skipped(self) -> int:
        dups = len({id(i.row) for i in self.injections if i.skipped})
        return dups + int(self.totals) + int(self.footer is not None)
