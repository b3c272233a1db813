"""Subcommands of the ``signspark`` CLI, one module each (see :mod:`signspark.cli`)."""
