"""The cockpit page as a leader waits for it: sign in in Debian's chromium, open /cockpit and
time until every tile is complete (`.cockpit-ready` and `.cockpit-domains-ready`), then open it
again (warm). Against a running server, e.g. the demo's:

    ./scripts/demo.sh --no-serve            # or industry-brain demo --dir demo --no-serve --json
    INDUSTRY_BRAIN_DATABASE_URL=sqlite:///./demo/industry_brain.db uv run industry-brain serve --port 8000 &
    uv run python bench/bench_cockpit_page.py --base http://127.0.0.1:8000 --username leader --password PW

The first open after the server starts is cold only if it comes before the background warm-up
ends; `--wait 0` right after start measures that. Prints seconds and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import time

from playwright.sync_api import sync_playwright


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="leader")
    parser.add_argument("--password", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(f"{args.base}/login")
        page.fill("input[name=username]", args.username)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        for run in ("first", "again"):
            started = time.perf_counter()
            page.goto(f"{args.base}/cockpit")
            page.wait_for_selector(".cockpit-ready", timeout=120_000, state="attached")
            ready = time.perf_counter() - started
            page.wait_for_selector(".cockpit-domains-ready", timeout=120_000, state="attached")
            whole = time.perf_counter() - started
            print(f"{run}: indicators and clusters {ready:.2f} s, every tile {whole:.2f} s")
        browser.close()


if __name__ == "__main__":
    main()
