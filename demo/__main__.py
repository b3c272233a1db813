"""``python -m demo``: start the browser demo (see ``--help``)."""

import sys

from demo.command import main

sys.exit(main())
