"""Tests against the live StatBank API: outside `tests/`, so `make test` (no network) never
collects them. Run them on purpose, on a machine with internet access:

    .venv/bin/pytest tests_live
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit"))
