"""`python -m wijkmonitor`: the same command as `wijkmonitor`."""

import sys

from .cli import main

sys.exit(main())
