"""``python -m normsharp`` runs the command line."""

from normsharp.cli import main

raise SystemExit(main())
