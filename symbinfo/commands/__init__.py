"""Subcommands of the ``symbinfo`` command line, one module each.

Each module defines ``register(subparsers)``, which adds its sub-parser and sets
``run=function(args) -> int`` as its default; :mod:`symbinfo.cli` registers the modules listed
in :data:`COMMAND_MODULES`, in that order.
"""

COMMAND_MODULES = (
    "symbinfo.commands.listing",
    "symbinfo.commands.derive",
    "symbinfo.commands.check",
    "symbinfo.commands.kernels",
    "symbinfo.commands.refs",
    "symbinfo.commands.conform",
    "symbinfo.commands.examples",
)
