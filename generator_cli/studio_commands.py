"""`artgan studio`: the local curation page (the `studio` extra: Starlette + uvicorn)."""

from __future__ import annotations

import ipaddress
import socket
import threading
import webbrowser
from pathlib import Path
from typing import Optional

import typer

from .console import err, fail, user_errors
from .post_commands import ModelOption, StateOption, default_state_dir


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def studio(
    model: Optional[str] = ModelOption,
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="Port to serve on (0: any free port)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on. The studio has no login: "
                             "anything but this machine's loopback lets others on the network paint and queue posts."),
    state: Optional[Path] = StateOption,
    open_browser: bool = typer.Option(True, "--open/--no-open", help="Open the page in the default browser."),
) -> None:
    """Paint, compare, star and queue paintings in a local web page; `artgan post` posts the queue's head."""
    try:
        import uvicorn
        from artgan.studio.app import create_app
        from artgan.studio.engine import open_engine
    except ImportError as exc:
        raise fail(f"the studio needs its extra ({exc.name} is missing): pip install 'artgan[studio]' "
                   "(from a checkout: pip install '.[studio]')") from None
    from artgan.scheduler.history import HistoryError

    with user_errors(HistoryError):
        engine = open_engine(state or default_state_dir(), model)
    if not is_loopback(host):
        err.print(f"[bold yellow]Warning:[/] listening on {host}: the studio has no login, so anyone who can reach "
                  "this address can paint here and queue tomorrow's post.", highlight=False)
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))  # say "port in use" in a sentence, before uvicorn would
            port = probe.getsockname()[1]
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port") from None
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/"
    config = uvicorn.Config(create_app(engine), host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    err.print(f"artgan studio on {url} with painter {engine.painter(None).model.name}; stop with Ctrl-C.", highlight=False)
    print(url, flush=True)  # the first line of stdout: scripts and tests read the address here
    if open_browser:
        threading.Timer(0.8, lambda: webbrowser.open(url)).start()
    server.run()
