"""`python -m cnncalc`: the same as the `cnncalc` command."""

from cnncalc.cli import main

main()
