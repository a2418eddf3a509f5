"""Allow ``python -m feedwright``."""

from feedwright.cli import main

raise SystemExit(main())
