"""scoring.cli: the `shuangchuang` command (scoring.cli.main) and its entry point, `main` below."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    """The `shuangchuang` console command (also `python -m scoring.cli`).

    Start-up builds many objects that live as long as the process (modules, classes, the commands)
    and next to no garbage, yet the cyclic collector walked them again and again while they were
    built. So the collector is off while the commands are imported; they are then set aside
    (gc.freeze) and the collector runs as usual for what the command itself does.

    `serve` loads its own module only (scoring.cli.serve) and hands over to the server process
    (scoring.cli.server_process), which does the same for the application it builds.
    """
    if sys.argv[1:2] == ["serve"]:
        from scoring.cli.serve import serve_app

        serve_app(args=sys.argv[2:], prog_name="shuangchuang serve")
        return
    gc.disable()
    try:
        from scoring.cli.main import app
    finally:
        gc.freeze()
        gc.enable()
    app()
