import sys

from signspark.cli import main

sys.exit(main())
