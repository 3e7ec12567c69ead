"""The command line (`pactwatch`): commands, tables for the terminal, export."""

from deploy.cli.main import main

__all__ = ["main"]
