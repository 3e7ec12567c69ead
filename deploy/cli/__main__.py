"""`python -m deploy.cli`: the same as the `pactwatch` command."""

import sys

from deploy.cli.main import main

sys.exit(main())
