"""`python -m polyphony`: the `polyphony` command, for environments without its script."""

from polyphony.cli import main

main()
