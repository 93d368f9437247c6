"""The extraction corpus (tests/data/extract_corpus): every document has its source recorded and
every hand label's number appears in the document it labels, in the form the extractor reads
(the .docx or .pdf built from the excerpt where the labels name one). The recall and precision
figures come from bench/extract_recall.py, not from a threshold here."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from extract_corpus import document_text, load, materialise, norm_name  # noqa: E402

DOCS = load()


def written(value: float, text: str) -> bool:
    """Whether the number stands in the text as a number of its own (7 is not the 7 of 2017; 29.0
    and 1506.30 are written with the zeros the label drops)."""
    whole, _, frac = f"{abs(value):.6f}".rstrip("0").partition(".")
    tail = rf"\.{frac}0*" if frac else r"(?:\.0+)?"
    return re.search(rf"(?<![\d.]){whole}{tail}(?![\d]|\.\d)", text) is not None


def test_the_corpus_is_large_enough_and_varied() -> None:
    assert len(DOCS) >= 15
    assert sum(d.heldout for d in DOCS) >= 5
    kinds = {d.labels["kind"] for d in DOCS}
    assert {"plan", "work_report", "statistics"} <= kinds
    assert {".docx", ".pdf"} <= {Path(d.labels.get("file") or "x.txt").suffix for d in DOCS}


@pytest.mark.parametrize("doc", DOCS, ids=[d.id for d in DOCS])
def test_each_label_is_sourced_and_its_number_is_in_the_document(doc, tmp_path) -> None:
    for field in ("title", "issuer", "area", "date", "kind", "items"):
        assert doc.labels.get(field), f"{doc.id}: no {field}"
    assert "source_url" in doc.labels and (doc.labels["source_url"] or doc.labels.get("source_note"))
    text = re.sub(r"(?<=\d) (?=\d)", "", document_text(materialise(doc, tmp_path)))
    for item in doc.items:
        assert norm_name(item["name"]), item
        assert item["figure"] in ("target", "actual"), item
        assert 2000 <= item["year"] <= 2035, item
        assert written(item["value"], text), f"{doc.id}: {item}"
        if item.get("unit"):
            assert item["unit"].replace("%", "") in text.replace("％", "%") or item["unit"] == "%", item


def test_a_number_is_found_only_as_itself() -> None:
    assert written(7, "增长7%") and not written(7, "2017年") and not written(7, "7.5%")
    assert written(29.0, "比重为 29.0%") and written(1506.3, "1506.30亿元") and not written(1.5, "1.56亿元")


def test_the_name_form_folds_what_documents_vary() -> None:
    assert norm_name("全市规模以上工业增加值") == norm_name("规上工业增加值")
    assert norm_name("地区生产总值（GDP）") == norm_name("地区生产总值")
    assert norm_name("其中:谷物") == "谷物"
    assert norm_name("规上工业增加值") != norm_name("规上工业总产值")
