"""`python -m scoring.cli …`: the `shuangchuang` command."""

from scoring.cli import main

main()
