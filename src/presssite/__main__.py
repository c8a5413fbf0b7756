"""``python -m presssite``: the same as the ``presssite`` command."""

from presssite.cli import main

main()
