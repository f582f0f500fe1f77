"""The ``symbinfo`` command line: one console script, one subcommand per task.

Exit codes (a contract scripts can rely on):

====  ========================================================================
code  meaning
====  ========================================================================
0     success
1     findings: something was computed and found wrong (a refuted step, an
      accuracy bound exceeded)
2     abnormal termination: bad usage, unreadable input, or an undecided step
====  ========================================================================
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from enum import IntEnum

from symbinfo import __version__
from symbinfo.commands import COMMAND_MODULES


class ExitCode(IntEnum):
    """Exit codes of the ``symbinfo`` command."""

    OK = 0
    FINDINGS = 1
    ERROR = 2


EPILOG = """exit codes:
  0  success
  1  findings: something computed was found wrong (a refuted step, an exceeded bound)
  2  bad usage, unreadable input, or an undecided step"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with the sub-parsers of :data:`COMMAND_MODULES`."""
    parser = argparse.ArgumentParser(
        prog="symbinfo", description="Information theory for machine learning, symbolically.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"symbinfo {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` and return its exit code (no ``sys.exit``)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 0 for --help/--version, 2 for bad usage
        return ExitCode.OK if exit_.code in (0, None) else ExitCode.ERROR
    if args.command is None:
        parser.print_help()
        return ExitCode.ERROR
    return int(args.run(args))


def console_main() -> None:
    """Entry point of the ``symbinfo`` console script."""
    sys.exit(main())
