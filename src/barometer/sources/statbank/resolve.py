"""Match a mapping's variables and codes to a table's ``tableinfo``: by code first, then by label.

Why: many codes of the tables the barometer reads are not confirmed (the collected evidence
grades them; RAS201's status variable id is a guess, and a derived catalogue drops leading
zeros, so ``"00"`` may be written ``0``). A mapping therefore names each variable and code
*and* its Danish and English label. The resolver uses the code when the table has it, else
the unique value whose label equals one of the mapping's labels, and says which it used. When
neither matches it stops with a message listing the table's real variables or codes, so the
analyst can correct the mapping (``barometer statbank info TABLE`` shows the same list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from barometer.sources.statbank.errors import LayoutError
from barometer.sources.statbank.mapping import CodeRef, VariableRef
from barometer.sources.statbank.tableinfo import TableInfo, Variable

MAX_LISTED = 40  # codes listed in a message; the rest are counted


def normalise(text: str | None) -> str:
    """Labels compare without case and with runs of white space as one space."""
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


TOTALS = {"i alt", "total", "in total", "alle", "hele landet", "all denmark"}


def is_total_label(text: str) -> bool:
    """'I alt', 'Total', 'Alder i alt', 'Age, total', 'Hele landet': a total's label (a
    subtotal such as 'Criminal code, total' has one too; see ``Resolver.total``)."""
    t = normalise(text)
    return t in TOTALS or t.endswith((" i alt", ", total"))


def list_codes(var: Variable) -> str:
    shown = [f"{c} ({t})" for c, t in var.values[:MAX_LISTED]]
    more = len(var.values) - MAX_LISTED
    return ", ".join(shown) + (f", … and {more} more" if more > 0 else "")


@dataclass
class Resolver:
    """Resolves references against one table and collects what it had to do by label."""

    info: TableInfo
    where: str  # 'the mapping RAS201.yaml'
    notes: list[str] = field(default_factory=list)
    _by_label: dict[str, list[str]] = field(default_factory=dict)
    _relabelled: dict[str, list[str]] = field(default_factory=dict)

    def variable(self, ref: VariableRef) -> Variable:
        for v in self.info.variables:
            if v.id.casefold() == ref.id.casefold():
                return v
        labels = {normalise(x) for x in (ref.da, ref.en) if x}
        hits = [v for v in self.info.variables if normalise(v.text) in labels]
        if len(hits) == 1:
            self.notes.append(
                f"{self.info.id}: variable {ref.id} is not in the table; matched by its label "
                f"{hits[0].text!r} to {hits[0].id}"
            )
            return hits[0]
        listing = ", ".join(f"{v.id} ({v.text})" for v in self.info.variables)
        raise LayoutError(
            f"table {self.info.id} has no variable {ref.show()} named in {self.where}, by id "
            f"or label; its variables are: {listing}"
        )

    def code(self, var: Variable, ref: CodeRef, *, optional: bool = False) -> str | None:
        """The table's code for ``ref``; None for an optional code the table lacks."""
        labels = {normalise(x) for x in (ref.da, ref.en) if x}
        codes = dict(var.values)
        found = ref.code if ref.code in codes else None
        if found is None:
            folded = [c for c in codes if c.casefold() == ref.code.casefold()]
            found = folded[0] if len(folded) == 1 else None
        if found is not None:
            if labels and normalise(codes[found]) not in labels:
                self._relabelled.setdefault(var.id, []).append(f"{found} is {codes[found]!r}")
            return found
        hits = [c for c, t in var.values if normalise(t) in labels]
        if len(hits) == 1:
            self._by_label.setdefault(var.id, []).append(f"{ref.code!r} → {hits[0]!r}")
            return hits[0]
        if len(hits) > 1:
            raise LayoutError(
                f"table {self.info.id}, variable {var.id}: the label of code {ref.show()} named "
                f"in {self.where} fits several codes ({', '.join(hits)}); name the code"
            )
        if optional:
            return None
        raise LayoutError(
            f"table {self.info.id}, variable {var.id}: code {ref.show()} named in {self.where} "
            f"matches neither a code nor a label; the table's codes are: {list_codes(var)}"
        )

    def codes(self, var: Variable, refs: list[CodeRef]) -> list[str]:
        return list(dict.fromkeys(self.code(var, r) for r in refs))

    def total(self, var: Variable) -> list[str]:
        """The variable's total, or every code when it has none (said in a note).

        The total is the value labelled just 'I alt'/'Total', else the first value when its
        label reads as a total ('Alder i alt', 'Nature of the offence, total'): StatBank lists
        the total first, and later values labelled so are subtotals (the recorded STRAF42
        tableinfo has 'Criminal code, total' among its offence types)."""
        plain = [c for c, t in var.values if normalise(t) in TOTALS]
        if len(plain) == 1:
            return plain
        if len(plain) > 1:
            raise LayoutError(
                f"table {self.info.id}, variable {var.id}: several totals ({', '.join(plain)}); "
                f"name the denominator codes in {self.where}"
            )
        if var.values and is_total_label(var.values[0][1]):
            return [var.values[0][0]]
        self.notes.append(
            f"{self.info.id}: {var.id} has no total; the denominator is the sum of all its "
            f"{len(var.values)} codes"
        )
        return var.codes()

    def finish(self) -> list[str]:
        """The notes, with one line per variable resolved by label or with other labels."""
        out = list(self.notes)
        for var, pairs in self._by_label.items():
            out.append(
                f"{self.info.id}: {var} codes not in the table, matched by label: "
                + ", ".join(pairs)
            )
        for var, pairs in self._relabelled.items():
            out.append(
                f"{self.info.id}: {var} codes found with other labels than {self.where} gives: "
                + "; ".join(pairs)
            )
        return out
