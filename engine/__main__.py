"""`python -m engine` runs the `scorecard` command line."""

from engine.cli.app import main

main()
