"""Write a .po catalog from a {msgid: translation} dict in a Python file (maintainer tool)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po


def main(source: str, target: str) -> None:
    table: dict[str, str] = runpy.run_path(source)["T"]
    catalog = Catalog(locale="zh_CN", project="shuangchuang", charset="utf-8")
    for msgid, text in table.items():
        catalog.add(msgid, text)
    with Path(target).open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
