"""Recall and precision of `plans extract`, on the seeds and on the extraction corpus, separately.

Seeds (against the hand-made plan packs; targets only): a pack's quantified target counts as
found when the extractor proposes a target with the same target year and value (and the same unit,
where both give one); names are not compared, the packs name indicators in their own words.
Precision: proposed targets matching some target of a pack made from the same seed ÷ proposed
targets.

Corpus (tests/data/extract_corpus, hand-labelled; docs/plans-extraction.md): a labelled item counts
as found when a proposal (a target or an actual figure) has the same name in normalised form
(bench/extract_corpus.norm_name: full-width folded, punctuation and brackets dropped, 规模以上 as
规上, a leading 全市/全区/其中/预计 dropped), the same value, the same unit and the same year. Each
proposal matches one label at most. Recall: found ÷ labels; precision: matching proposals ÷
proposals. The held-out documents (`heldout: true`) are reported apart: they are not tuned on.

Run: uv run --no-sync python bench/extract_recall.py [--seeds | --corpus] [--json] [--misses]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract_corpus import key, load, materialise

from industry_brain.plans.extract import extract

ROOT = Path(__file__).resolve().parents[1]
PACKS = ROOT / "src" / "industry_brain" / "plans" / "packs"
SEEDS = Path(os.environ.get("INDUSTRY_BRAIN_SEEDS") or ROOT.parent / "shared" / "seeds")


def _unit(u: str | None) -> str:
    return (u or "").replace("％", "%").strip()


def pack_targets(pack: dict) -> list[tuple[int, float, str]]:
    out = []
    for ind in pack.get("indicators") or []:
        target = ind.get("target") or {}
        if ind.get("direction") == "qualitative" or target.get("value") is None:
            continue
        year = target.get("year") or (pack.get("period") or {}).get("end")
        out.append((int(year), float(target["value"]), _unit(ind.get("unit"))))
    return out


def _matches(want: tuple[int, float, str], got: tuple[int, float, str]) -> bool:
    same = want[0] == got[0] and abs(want[1] - got[1]) < 1e-9
    return same and (not want[2] or not got[2] or want[2] == got[2])


def measure() -> list[dict]:
    """Per seed and pack: recall of the pack's targets; per seed (pack "*"): precision."""
    by_seed: dict[str, list[tuple[str, list]]] = {}
    for path in sorted(PACKS.glob("*.yaml")):
        pack = yaml.safe_load(path.read_text(encoding="utf-8"))
        by_seed.setdefault(pack["source"]["file"], []).append((pack["id"], pack_targets(pack)))
    results = []
    for seed, packs in sorted(by_seed.items()):
        proposals = extract(SEEDS / seed)
        got = [
            (p.target_year, p.target_value, _unit(p.unit)) for p in proposals if p.target_value is not None
        ]
        all_wanted = [t for _, targets in packs for t in targets]
        for pack_id, wanted in packs:
            used: set[int] = set()
            for w in wanted:
                k = next((k for k, g in enumerate(got) if k not in used and _matches(w, g)), None)
                if k is not None:
                    used.add(k)
            results.append(
                {
                    "seed": seed,
                    "pack": pack_id,
                    "targets": len(wanted),
                    "found": len(used),
                    "recall": len(used) / len(wanted) if wanted else None,
                }
            )
        precise = sum(any(_matches(w, g) for w in all_wanted) for g in got)
        results.append(
            {
                "seed": seed,
                "pack": "*",
                "proposals": len(got),
                "matching": precise,
                "precision": precise / len(got) if got else None,
            }
        )
    return results


def _proposal_key(p) -> tuple | None:
    value = p.target_value if p.target_value is not None else p.actual_value
    if value is None or p.target_year is None:
        return None
    return key(p.name, value, p.unit, p.target_year)


def measure_corpus() -> list[dict]:
    """Per corpus document: labels, proposals, matches, and what was missed or extra."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for doc in load():
            path = materialise(doc, Path(tmp))
            proposals = [k for p in extract(path, year=doc.year) if (k := _proposal_key(p))]
            wanted = [key(i["name"], i["value"], i.get("unit"), i["year"]) for i in doc.items]
            left = list(proposals)
            missed = []
            for w in wanted:
                if w in left:
                    left.remove(w)
                else:
                    missed.append(w)
            found = len(wanted) - len(missed)
            results.append(
                {
                    "doc": doc.id,
                    "heldout": doc.heldout,
                    "batch": int(doc.labels.get("batch") or 1),
                    "format": path.suffix,
                    "labels": len(wanted),
                    "proposals": len(proposals),
                    "found": found,
                    "recall": found / len(wanted) if wanted else None,
                    "precision": found / len(proposals) if proposals else None,
                    "missed": missed,
                    "extra": left,
                }
            )
    return results


def _total(rows: list[dict]) -> tuple[int, int, int]:
    return (sum(r["found"] for r in rows), sum(r["labels"] for r in rows), sum(r["proposals"] for r in rows))


def _ratio(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.2f}" if b else f"{a}/0"


def print_seeds(results: list[dict]) -> None:
    print("== seeds (against the plan packs; targets, year + value + unit) ==")
    for r in results:
        if r["pack"] == "*":
            print(f"{r['seed']:<28} {'':<18} precision {_ratio(r['matching'], r['proposals'])}")
        else:
            print(f"{r['seed']:<28} {r['pack']:<18} recall {_ratio(r['found'], r['targets'])}")
    packs = [r for r in results if r["pack"] != "*"]
    seeds = [r for r in results if r["pack"] == "*"]
    found, targets = sum(r["found"] for r in packs), sum(r["targets"] for r in packs)
    matching, proposals = sum(r["matching"] for r in seeds), sum(r["proposals"] for r in seeds)
    print(f"{'seeds overall':<47} recall {_ratio(found, targets)}   precision {_ratio(matching, proposals)}")


def print_corpus(results: list[dict], misses: bool) -> None:
    print("== corpus (hand labels; name + value + unit + year) ==")
    for r in results:
        mark = " [held out]" if r["heldout"] else ""
        print(
            f"{r['doc'] + r['format'] + mark:<42} recall {_ratio(r['found'], r['labels']):<16}"
            f" precision {_ratio(r['found'], r['proposals'])}"
        )
        if misses:
            for m in r["missed"]:
                print(f"    missed {m}")
            for e in r["extra"]:
                print(f"    extra  {e}")
    batches = sorted({r["batch"] for r in results})
    for title, rows in (
        ("tuning", [r for r in results if not r["heldout"]]),
        ("held out", [r for r in results if r["heldout"]]),
        *((f"batch {b}", [r for r in results if r["batch"] == b]) for b in batches if len(batches) > 1),
        ("all", results),
    ):
        found, labels, proposals = _total(rows)
        print(
            f"corpus {title + ' (' + str(len(rows)) + ' documents)':<35} recall {_ratio(found, labels):<16}"
            f" precision {_ratio(found, proposals)}"
        )


def main() -> None:
    args = set(sys.argv[1:])
    seeds = "--corpus" not in args
    corpus = "--seeds" not in args
    if "--json" in args:
        out: dict = {}
        if seeds:
            out["seeds"] = measure()
        if corpus:
            out["corpus"] = measure_corpus()
        print(json.dumps(out, ensure_ascii=False, indent=2, default=list))
        return
    if seeds and not SEEDS.exists():
        print(f"== seeds: not found at {SEEDS} (set INDUSTRY_BRAIN_SEEDS) ==")
    elif seeds:
        print_seeds(measure())
    if corpus:
        print_corpus(measure_corpus(), "--misses" in args)


if __name__ == "__main__":
    main()
