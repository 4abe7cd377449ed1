"""Errors from Statistics Denmark's StatBank API, named by the API's own error codes.

The API answers a bad request with HTTP 4xx and a JSON body such as
``{"errorTypeCode":"REQUEST-LIMIT","message":"Forespørgslen på op mod 6.224.652 celler er
over begrænsningen ..."}`` (ANCHORS.md §5.3). We keep the code so callers can react to it and
the message so the analyst sees what DST said.
"""

from __future__ import annotations

from barometer.errors import BarometerError

# What each documented code means for the analyst (ANCHORS.md §5.3).
ERROR_HINTS = {
    "REQUEST-LIMIT": "too many cells for a non-streamed format; use BULK or request fewer values",
    "EXTRACT-NOTFOUND": "the table, a variable or a value does not exist in the StatBank",
    "EXTRACT-NOTALLOWED": "the request is not allowed (BULK needs values for every variable)",
    "REQUEST-MISSING": "the request lacks a required parameter",
}


class StatbankError(BarometerError):
    """The StatBank could not give us what we asked for (the CLI prints it without traceback)."""

    def __init__(self, message: str, *, code: str | None = None, url: str | None = None) -> None:
        self.code = code
        self.url = url
        parts = [f"StatBank {code}" if code else "StatBank"]
        if url:
            parts.append(url)
        hint = ERROR_HINTS.get(code or "")
        text = f"{': '.join(parts)}: {message}"
        super().__init__(f"{text} ({hint})" if hint else text)


class LayoutError(StatbankError):
    """A table's layout (variables or codes) is not the one its mapping was written for."""
