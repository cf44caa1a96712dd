"""Entry point for ``python -m brackets`` (see `brackets.cli`)."""

import sys

from .cli import main

sys.exit(main())
