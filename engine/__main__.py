"""`python -m engine` runs the `scorecard` command line."""

from engine.cli import main

main()
