"""scoring.cli: the `shuangchuang` command (scoring.cli.main) and its entry point, `main` below."""

from __future__ import annotations

import gc


def main() -> None:
    """The `shuangchuang` console command (also `python -m scoring.cli`).

    Start-up builds some 140,000 objects that live as long as the process (modules, classes, the
    commands and, for `serve`, the application) and next to no garbage, yet the cyclic collector
    walked them again and again while they were built: about a fifth of a server's start-up. So the
    collector is off while the commands are imported; they are then set aside (gc.freeze) and the
    collector runs as usual for what the command itself does. `serve` turns it off again while its
    application is imported and built, until api.app.create_served_app does the same.
    """
    gc.disable()
    try:
        from scoring.cli.main import app
    finally:
        gc.freeze()
        gc.enable()
    app()
