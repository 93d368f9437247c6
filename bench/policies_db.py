"""The database bench/bench_policies.py matches in its whole-command steps: N enterprises with
the figures of two years, as the platform stores them, in a SQLite file under bench/out/policies/
(made once per size and seed, reused while its manifest matches).

What is stored (the distributions of bench_policies.generate, one enterprise-year per
enterprise in the figures year 2024):

- `enterprise`: the master record (valid 奉化 credit codes, name, industry, township);
- one active `stats` batch per year (2024 and 2023): 是否规上, 营业收入, 实缴税金, 研发经费, with
  the same share of blanks as the in-memory bench;
- the 2024 accident and violation lists (`safety`, `environment`): 1% and 2% of enterprises
  (an enterprise absent from a list had none);
- a `titles` batch (6% of enterprises hold a title);
- a final 亩均 evaluation run of 2024 with a grade for 60% of enterprises;
- declared 技改投资 (`policy_figure`) for 30% of them.

    uv run --no-sync python bench/policies_db.py [--rows N] [--force]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "policies"
VERSION = 1  # of what is stored: a change here makes a new file
YEAR = 2024


def path_for(rows: int, seed: int = 15) -> Path:
    return OUT / f"policies_{rows}_{seed}.sqlite"


def ensure(rows: int, seed: int = 15, force: bool = False) -> Path:
    """The database for `rows` enterprises, made when absent or stale."""
    path = path_for(rows, seed)
    manifest = path.with_suffix(".json")
    want = {"rows": rows, "seed": seed, "version": VERSION}
    if not force and path.exists() and manifest.exists() and json.loads(manifest.read_text()) == want:
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    build(f"sqlite:///{path}", rows, seed)
    manifest.write_text(json.dumps(want))
    return path


def _frames(rows: int, seed: int) -> dict[str, pl.DataFrame]:
    sys.path.insert(0, str(HERE.parent / "tests"))
    from helpers import code

    rng = np.random.default_rng(seed)

    def gaps(x: np.ndarray, share: float) -> pl.Series:
        return pl.Series(x).set(pl.Series(rng.random(rows) < share), None)  # type: ignore[arg-type]

    codes = [code(i + 1) for i in range(rows)]
    revenue = rng.lognormal(7.5, 1.2, rows)
    master = pl.DataFrame(
        {
            "credit_code": codes,
            "name": [f"压测企业{i + 1:06d}有限公司" for i in range(rows)],
            "industry_code": [str(c) for c in rng.integers(1310, 4390, rows)],
            "township_code": [f"330213{t:03d}" for t in rng.integers(1, 12, rows)],
        }
    )
    now = {
        "credit_code": codes,
        "above_scale": gaps((revenue >= 2000).astype(float), 0.02),
        "revenue_wan": gaps(revenue, 0.03),
        "tax_wan": gaps(revenue * rng.uniform(0.01, 0.08, rows), 0.03),
        "rd_spend_wan": gaps(revenue * rng.uniform(0.0, 0.06, rows), 0.05),
    }
    prev = {
        "credit_code": codes,
        "above_scale": gaps((rng.random(rows) < 0.3).astype(float), 0.05),
        "revenue_wan": gaps(revenue / rng.uniform(0.8, 1.4, rows), 0.1),
    }
    held = rng.random(rows) < 0.06
    n_held = int(held.sum())
    return {
        "master": master,
        "now": pl.DataFrame(now),
        "prev": pl.DataFrame(prev),
        "accidents": pl.DataFrame({"credit_code": codes}).filter(pl.Series(rng.random(rows) < 0.01)),
        "violations": pl.DataFrame({"credit_code": codes}).filter(pl.Series(rng.random(rows) < 0.02)),
        "titles": pl.DataFrame(
            {
                "credit_code": pl.Series(codes).filter(pl.Series(held)),
                "title": rng.choice(np.array(["专精特新", "小巨人", "单项冠军", "首台（套）"]), n_held),
                "title_level": rng.choice(np.array(["国家级", "省级", "市级"]), n_held),
                "title_year": rng.integers(2021, 2025, n_held),
            }
        ),
        "grades": pl.DataFrame(
            {"credit_code": codes, "grade": rng.choice(np.array(["A", "B", "C", "D"]), rows)}
        ).filter(pl.Series(rng.random(rows) >= 0.4)),
        "declared": pl.DataFrame({"credit_code": codes, "value": rng.lognormal(5.5, 1.3, rows)}).filter(
            pl.Series(rng.random(rows) >= 0.7)
        ),
    }


def build(url: str, rows: int, seed: int) -> None:
    from sqlalchemy import text

    from industry_brain.core import bulk
    from industry_brain.core.db import transaction
    from industry_brain.registry import open_database

    f = _frames(rows, seed)
    at = dt.datetime(2025, 2, 1)
    engine = open_database(url)
    try:
        with transaction(engine) as session:
            bulk.insert_frame(
                session,
                "enterprise",
                f["master"].with_columns(
                    *[
                        pl.lit("registry").alias(f"{c}_source")
                        for c in ("name", "industry_code", "township_code")
                    ],
                    updated_at=pl.lit(at),
                ),
            )
            batches = [
                ("stats", "stats", str(YEAR), f["now"]),
                ("stats", "stats", str(YEAR - 1), f["prev"]),
                ("safety", "safety", str(YEAR), f["accidents"].with_columns(safety_accident=pl.lit(1))),
                (
                    "environment",
                    "environment",
                    str(YEAR),
                    f["violations"].with_columns(env_violation=pl.lit(1)),
                ),
                ("titles", "titles", "", f["titles"]),
            ]
            for batch, (source, template, period, frame) in enumerate(batches, start=1):
                _batch(session, text, batch, source, template, period, frame.height, at)
                records = frame.with_columns(
                    batch_id=pl.lit(batch), row=pl.int_range(2, frame.height + 2), period=pl.lit(period)
                )
                bulk.insert_frame(session, "record", records)
            _grades(session, text, f["grades"], at)
            bulk.insert_frame(
                session,
                "policy_figure",
                f["declared"].with_columns(
                    year=pl.lit(YEAR),
                    field=pl.lit("tech_investment_wan"),
                    department=pl.lit("区经信局（技改项目备案）"),
                    file=pl.lit("技改投资.xlsx"),
                    row=pl.int_range(2, f["declared"].height + 2),
                    imported_at=pl.lit(at),
                ),
            )
    finally:
        engine.dispose()


def _batch(session, text, batch, source, template, period, n, at) -> None:  # type: ignore[no-untyped-def]
    session.execute(
        text(
            "INSERT INTO import_batch (id, source, template, period, status, supplement, file_name,"
            " file_sha256, file_bytes, header_row, columns, rows_read, rows_accepted, rows_rejected,"
            " rows_skipped, warnings, imported_at) VALUES (:id, :source, :template, :period, 'active', 0,"
            " :file, :sha, 0, 1, '[]', :n, :n, 0, 0, 0, :at)"
        ),
        {"id": batch, "source": source, "template": template, "period": period, "n": n, "at": at}
        | {"file": f"{source}-{period or 'all'}.xlsx", "sha": f"{batch:064d}"},
    )


def _grades(session, text, grades: pl.DataFrame, at: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    from industry_brain.core import bulk

    session.execute(
        text(
            "INSERT INTO evaluation_run (id, year, method_id, method_version, method_fingerprint,"
            " method_yaml, input_hash, input_source, engine, status, version, enterprises, created_at)"
            " VALUES (1, :year, 'bench', 1, '', '', '', 'bench', 'duckdb', 'draft', 1, :n, :at)"
        ),
        {"year": YEAR, "n": grades.height, "at": at},
    )
    bulk.insert_frame(
        session,
        "evaluation_result",
        grades.with_columns(run_id=pl.lit(1), pool=pl.lit("规上"), imputed=pl.lit(""), vetoes=pl.lit("")),
    )
    # final once its results are in: the database refuses changes to a published run's results
    session.execute(text("UPDATE evaluation_run SET status = 'final', finalized_at = :at"), {"at": at})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    print(ensure(args.rows, force=args.force))


if __name__ == "__main__":
    main()
