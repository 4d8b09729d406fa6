"""Developer tools of the project (run as `python -m tools.<name>`)."""
