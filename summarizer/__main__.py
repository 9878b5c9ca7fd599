"""`python -m summarizer` runs the command-line tool."""

from summarizer.cli import main

main()
