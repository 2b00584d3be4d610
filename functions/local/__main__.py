"""`python -m functions.local`: the whole local stack in the foreground."""

from functions.local import main

main()
