"""`python -m eligibility`: the same command as the `eligibility` console script."""

import sys

from .cli import main

sys.exit(main())
