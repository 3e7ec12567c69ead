"""The `pactwatch` command: the parser, made of the command groups, and `main`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from deploy.cli import evaluation, pipeline, reads


def build_parser() -> argparse.ArgumentParser:
    """The `pactwatch` parser with every command group's subcommands."""
    parser = argparse.ArgumentParser(prog="pactwatch", description="The `pactwatch` command: "
                                     "run, demo, status, sql, shell.")
    sub = parser.add_subparsers(dest="command", required=True)
    pipeline.add_commands(sub)
    reads.add_commands(sub)
    evaluation.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command `argv` names; returns its exit status (0 ok, 1 failed, 2 config, 3
    warehouse)."""
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    try:
        code: int = args.func(args)
    except BrokenPipeError:  # `pactwatch sql … | head`: the reader left, not an error
        sys.stderr.close()
        return 0
    if args.command in ("run", "backfill"):  # the demo says it before the page's address
        print(f"done in {time.monotonic() - started:.1f}s")
    return code


if __name__ == "__main__":
    sys.exit(main())
