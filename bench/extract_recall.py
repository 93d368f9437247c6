"""Recall and precision of `plans extract` on the seeds, against the hand-made plan packs.

A pack's quantified target counts as found when the extractor proposes a target with the same
target year and value (and the same unit, where both give one). Recall: found pack targets ÷
pack targets. Precision: proposals matching some target of a pack made from the same seed ÷
proposals. Run: uv run --no-sync python bench/extract_recall.py [--json]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import yaml

from industry_brain.plans.extract import extract

ROOT = Path(__file__).resolve().parents[1]
PACKS = ROOT / "src" / "industry_brain" / "plans" / "packs"
SEEDS = ROOT.parent / "shared" / "seeds"


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
            unused = Counter(range(len(got)))
            found = 0
            for w in wanted:
                k = next((k for k in unused if unused[k] and _matches(w, got[k])), None)
                if k is not None:
                    unused[k] -= 1
                    found += 1
            results.append(
                {
                    "seed": seed,
                    "pack": pack_id,
                    "targets": len(wanted),
                    "found": found,
                    "recall": found / len(wanted) if wanted else None,
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


def main() -> None:
    results = measure()
    if "--json" in sys.argv:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    for r in results:
        if r["pack"] == "*":
            print(f"{r['seed']:<28} precision {r['matching']}/{r['proposals']} = {r['precision'] or 0:.2f}")
        else:
            print(
                f"{r['seed']:<28} {r['pack']:<18} recall {r['found']}/{r['targets']} = {r['recall'] or 0:.2f}"
            )


if __name__ == "__main__":
    main()
