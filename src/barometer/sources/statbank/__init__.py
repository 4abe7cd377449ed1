"""Statistics Denmark's StatBank as a source of observations (ANCHORS.md §5, DOMAIN.md §6)."""

from barometer.sources.statbank.client import StatbankClient
from barometer.sources.statbank.errors import LayoutError, StatbankError
from barometer.sources.statbank.fetch import Fetched, TableResult, fetch_tables

__all__ = [
    "Fetched",
    "LayoutError",
    "StatbankClient",
    "StatbankError",
    "TableResult",
    "fetch_tables",
]
