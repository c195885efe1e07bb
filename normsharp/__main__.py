"""``python -m normsharp`` runs the command line."""

from normsharp.cli import entry

entry()
