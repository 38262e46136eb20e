"""``python -m microbreak``: the same as the ``microbreak`` command."""

import sys

from .cli import main

sys.exit(main())
