"""Result notices (评价结果告知书): how long assembling and writing them takes, as Word and as PDF.

    uv run python bench/bench_notice.py [--enterprises 200]

A SQLite database in a temporary folder holds an evaluated run of `--enterprises` enterprises
(the tests' mixed fixture, huangyan-2022). Timed in this process, after one warm-up document:
one enterprise's notice assembled (`enterprise_notice`), written as Word and as PDF; then every
notice of the run assembled (`scope_notices`) and written as one Word and one PDF document.
Baseline: the Word document of the same notices, in the same run; the PDF is printed as a
ratio to it. The PDF's speed depends on HarfBuzz's subsetter (libharfbuzz-subset0): without it
WeasyPrint subsets the CJK font with fontTools, about 12 s a document.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # evaluation_fixtures: the mixed district


def _timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=200)
    args = parser.parse_args(argv)

    import pypdf

    from evaluation_fixtures import YEAR, mixed
    from industry_brain.core.db import transaction
    from industry_brain.core.scope import Scope
    from industry_brain.core.settings import get_settings
    from industry_brain.evaluation.method import load_method
    from industry_brain.evaluation.notice import enterprise_notice, scope_notices
    from industry_brain.evaluation.notice_render import write_notices
    from industry_brain.evaluation.service import run_evaluation
    from industry_brain.registry import open_database

    print(f"uptime: {os.popen('uptime').read().strip()}")
    with tempfile.TemporaryDirectory(prefix="ib-notice-") as folder:
        tmp = Path(folder)
        url = f"sqlite:///{tmp / 'notice.db'}"
        settings = get_settings(environ={}, database_url=url)
        engine = open_database(url)
        facts = mixed(7, args.enterprises)
        with transaction(engine) as session:
            summary, _ = run_evaluation(
                session, year=YEAR, method=load_method("huangyan-2022"), settings=settings, facts=facts
            )
        today = dt.date(YEAR + 1, 6, 1)
        write_notices([], tmp / "warm.pdf", fmt="pdf", settings=settings)  # loads fonts and pango

        def one() -> object:
            with transaction(engine) as session:
                return enterprise_notice(
                    session,
                    run_id=summary.run_id,
                    credit_code=facts["credit_code"][5],
                    scope=Scope.system(),
                    today=today,
                )

        def every() -> list[object]:
            with transaction(engine) as session:
                return scope_notices(session, run_id=summary.run_id, scope=Scope.system(), today=today)

        single, s_assemble = _timed(one)
        _, s_docx = _timed(lambda: write_notices([single], tmp / "1.docx", fmt="docx", settings=settings))
        _, s_pdf = _timed(lambda: write_notices([single], tmp / "1.pdf", fmt="pdf", settings=settings))
        notices, a_assemble = _timed(every)
        _, a_docx = _timed(lambda: write_notices(notices, tmp / "all.docx", fmt="docx", settings=settings))
        _, a_pdf = _timed(lambda: write_notices(notices, tmp / "all.pdf", fmt="pdf", settings=settings))
        pages = len(pypdf.PdfReader(str(tmp / "all.pdf")).pages)
        size = (tmp / "all.pdf").stat().st_size / 1e6
        engine.dispose()
    print(f"{'what':<44} {'seconds':>8} {'ratio':>8}")
    print(f"{'one notice: assemble':<44} {s_assemble:8.2f}")
    print(f"{'one notice: Word (baseline)':<44} {s_docx:8.2f} {1:7.2f}x")
    print(f"{'one notice: PDF':<44} {s_pdf:8.2f} {s_pdf / s_docx:7.2f}x")
    print(f"{f'{len(notices)} notices: assemble':<44} {a_assemble:8.2f}")
    print(f"{f'{len(notices)} notices: Word (baseline)':<44} {a_docx:8.2f} {1:7.2f}x")
    label = f"{len(notices)} notices: PDF ({pages} pages, {size:.2f} MB)"
    print(f"{label:<44} {a_pdf:8.2f} {a_pdf / a_docx:7.2f}x")


if __name__ == "__main__":
    main()
