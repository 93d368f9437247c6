"""A sign-in while bulk notices are made: in the server's process (the direct download) and as a
background job (the worker process), in one run.

    uv run python bench/bench_jobs.py [--enterprises 50] [--signins 8]

`industry-brain serve` (with its one job worker) on a SQLite database in a temporary folder
holding an evaluated run of `--enterprises` enterprises (the tests' mixed fixture). Printed:
the sign-in time (POST /api/v1/auth/token, then GET /api/v1/me) of another user when the server
is idle; while the server itself lays out the direct PDF download of 50 notices (the most the
direct route allows, as every bulk download was before jobs); and while the worker lays out the
merged PDF of every notice as a job, with the job's own time from start to end. The load
average is printed first: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the fixtures: the mixed district, the server helpers

PASSWORD = "correct-horse-9"


def _sign_in(base: str, username: str) -> float:
    import httpx

    began = time.perf_counter()
    token = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": PASSWORD}, timeout=120
    ).json()["access_token"]
    httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=120)
    return time.perf_counter() - began


def _series(base: str, count: int, while_: threading.Event | None = None) -> list[float]:
    times = []
    for _ in range(count):
        if while_ is not None and while_.is_set():
            break
        times.append(_sign_in(base, "leader"))
        time.sleep(0.2)
    return times


def _show(label: str, times: list[float]) -> None:
    if not times:
        print(f"{label:<52} (no sign-in completed while it ran)")
        return
    print(f"{label:<52} median {statistics.median(times):6.2f} s   max {max(times):6.2f} s   n={len(times)}")


def _seed(url: str, enterprises: int) -> int:
    from evaluation_fixtures import YEAR, mixed
    from industry_brain.core.auth import create_user
    from industry_brain.core.db import transaction
    from industry_brain.core.settings import get_settings
    from industry_brain.evaluation.method import load_method
    from industry_brain.evaluation.service import run_evaluation
    from industry_brain.registry import open_database

    engine = open_database(url)
    with transaction(engine) as session:
        for name, role in (("analyst", "analyst"), ("leader", "leader")):
            create_user(session, username=name, role=role, password=PASSWORD)
        summary, _ = run_evaluation(
            session,
            year=YEAR,
            method=load_method("huangyan-2022"),
            settings=get_settings(environ={}, database_url=url),
            facts=mixed(7, enterprises),
        )
    engine.dispose()
    return int(summary.run_id or 0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=50)
    parser.add_argument("--signins", type=int, default=8)
    args = parser.parse_args(argv)

    import httpx

    from web_fixtures import free_port, serve, stop

    print(f"uptime: {os.popen('uptime').read().strip()}")
    with tempfile.TemporaryDirectory(prefix="ib-jobs-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'jobs.db'}"
        run_id = _seed(url, args.enterprises)
        port = free_port()
        process = serve(url, port, env={"INDUSTRY_BRAIN_JOBS_DIR": str(Path(folder) / "jobs")})
        base = f"http://127.0.0.1:{port}"
        try:
            _sign_in(base, "leader")  # warm-up
            _show("sign-in, server idle", _series(base, args.signins))
            form = {"username": "analyst", "password": PASSWORD}
            token = httpx.post(f"{base}/api/v1/auth/token", data=form).json()["access_token"]
            analyst = {"Authorization": f"Bearer {token}"}
            done = threading.Event()

            def direct() -> None:
                began = time.perf_counter()
                got = httpx.get(
                    f"{base}/api/v1/evaluation/runs/{run_id}/notices",
                    params={"format": "pdf"},
                    headers=analyst,
                    timeout=600,
                )
                print(f"  direct PDF download: HTTP {got.status_code} in {time.perf_counter() - began:.2f} s")
                done.set()

            if args.enterprises <= 50:
                worker = threading.Thread(target=direct)
                worker.start()
                time.sleep(0.3)
                _show("sign-in, while the server lays out the PDF", _series(base, args.signins, done))
                worker.join()
            else:
                print("  (direct download refused above 50 notices: run with --enterprises 50 to time it)")
            started = httpx.post(
                f"{base}/api/v1/jobs/evaluation-notices",
                json={"run_id": run_id, "format": "pdf"},
                headers=analyst,
            ).json()
            job_id = started["id"]
            while httpx.get(f"{base}/api/v1/jobs/{job_id}", headers=analyst).json()["state"] == "queued":
                time.sleep(0.1)
            _show("sign-in, while the worker lays out the PDF (job)", _series(base, args.signins))
            while (job := httpx.get(f"{base}/api/v1/jobs/{job_id}", headers=analyst).json())["state"] in (
                "queued",
                "running",
            ):
                time.sleep(0.3)
            print(f"  job {job_id}: {job['state_label']}, {job['total']} steps, {job['message']}")
            print(f"  job from start to end: {job['started_at']} → {job['finished_at']}")
        finally:
            stop(process)


if __name__ == "__main__":
    main()
