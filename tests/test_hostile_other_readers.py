"""Hostile workbooks given to the readers outside the importer: a facts file for
`evaluate --input`, the water file of `evaluation report policy`, an actuals or area-actuals
file. Each is scanned and read under the same budget as an import, so it is refused with the
file's name and the reason, never loaded."""

from __future__ import annotations

import pytest

from hostile_corpus import CASES
from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import get_settings
from industry_brain.evaluation.inputs import read_facts_file
from industry_brain.ingest.reader import read_first_sheet, read_first_sheet_cells
from industry_brain.plans.actuals import read_cells

BY_NAME = {c.name: c for c in CASES}
# A lying directory, a far column and cells without references: what a loader would have trusted.
NAMES = ["lying-directory-small", "far-column-AAAA1", "cells-without-r"]


@pytest.mark.parametrize("name", NAMES)
def test_a_hostile_facts_file_is_refused_before_it_is_loaded(tmp_path, name):
    case = BY_NAME[name]
    path = case.build(tmp_path)
    with pytest.raises(FileRejected) as info:
        read_facts_file(path, settings=get_settings(**case.settings))
    assert info.value.file == path.name
    assert all(words in info.value.reason for words in case.expect), info.value.reason


@pytest.mark.parametrize("name", NAMES)
def test_a_hostile_actuals_file_is_refused_before_it_is_loaded(tmp_path, name):
    path = BY_NAME[name].build(tmp_path)
    with pytest.raises(FileRejected) as info:
        read_cells(path)
    assert info.value.file == path.name
    assert all(words in info.value.reason for words in BY_NAME[name].expect), info.value.reason


def test_an_honest_workbook_reads_as_openpyxl_would(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "actuals.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["指标", "年份", "数值"])
    sheet.append(["规上工业增加值", 2023, 12.5])
    sheet.append(["空行后", None, 7])
    book.save(path)
    settings = get_settings()
    assert read_first_sheet_cells(path, settings) == [
        ["指标", "年份", "数值"],
        ["规上工业增加值", 2023, 12.5],
        ["空行后", None, 7],
    ]
    assert read_cells(path) == read_first_sheet_cells(path, settings)
    frame = read_first_sheet(path, settings)
    assert frame.columns == ["指标", "年份", "数值"] and frame.height == 2
