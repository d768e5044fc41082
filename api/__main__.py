"""`python -m api …` is the `hdnd` command, for images that run the code without installing it."""

from api.cli import main

main()
