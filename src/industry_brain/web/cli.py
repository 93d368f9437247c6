"""`industry-brain serve`: the web platform on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from industry_brain.cli.support import DbOption, err, friendly_errors, settings_for


@friendly_errors
def serve_command(
    db: DbOption = None,
    host: Annotated[
        str | None,
        typer.Option("--host", help="监听地址 (address to listen on); 默认 127.0.0.1 或 INDUSTRY_BRAIN_HOST"),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", help="端口 (port); 默认 8000 或 INDUSTRY_BRAIN_PORT", min=1, max=65535),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--job-workers",
            help="同时启动的后台任务处理进程数；默认 1 或 INDUSTRY_BRAIN_JOB_WORKERS，0 为不启动",
            min=0,
            max=32,
        ),
    ] = None,
) -> None:
    """启动网页平台与 JSON 接口 (start the web platform and the JSON API)."""
    import uvicorn

    from industry_brain.core.jobs import spawn_workers, stop_workers
    from industry_brain.web.app import create_app

    settings = settings_for(db)
    host = host or settings.host
    port = port or settings.port
    app = create_app(settings)
    err.print(
        f"产业大脑：http://{host}:{port}/  接口文档 (API docs)：http://{host}:{port}/api/docs",
        highlight=False,
    )
    # long work runs in worker processes, so WeasyPrint or an evaluation never holds this
    # process's GIL while it answers requests
    count = settings.job_workers if workers is None else workers
    processes = spawn_workers(settings, count)
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            # no trusted proxy unless the operator names one: otherwise a client could choose
            # its own address with X-Forwarded-For and escape the sign-in limit
            proxy_headers=bool(settings.forwarded_allow_ips),
            forwarded_allow_ips=settings.forwarded_allow_ips or None,
            log_level="warning",
            access_log=False,
        )
    finally:
        stop_workers(processes)
