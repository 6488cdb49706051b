"""The outside world: HTTP service (FastAPI) and command line (Typer). Nothing imports ``api``."""
