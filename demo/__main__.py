"""``python -m demo``: write the synthetic demo extracts (see ``demo``)."""

import sys

from demo.write import main

sys.exit(main())
