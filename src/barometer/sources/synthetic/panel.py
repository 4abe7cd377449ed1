"""The person panel: one numpy array per attribute, rows sorted by person id (= PNR order)."""

from __future__ import annotations

import numpy as np

# Attribute → dtype. Dates are day numbers since 1970-01-01 (NO_DATE = null).
FIELDS: dict[str, type | np.dtype] = {
    "pid": np.int64,  # person id, stable across years; new persons get new (higher) ids
    "pnr": np.dtype("S10"),  # PNR: the id zero-padded to 10 ASCII digits
    "birth": np.int32,  # FOED_DAG
    "byear": np.int16,  # birth year (ALDER at 31 Dec Y = Y - byear)
    "sex": np.int8,  # KOEN 1 male, 2 female
    "kom": np.int16,  # index into origins.municipality_table().codes
    "ie": np.int8,  # IE_TYPE 1 Danish origin, 2 immigrant, 3 descendant
    "grp": np.int8,  # targets.DO / NV / W
    "country": np.int16,  # index into origins.country_table().codes (0 = Denmark)
    "arrival": np.int32,  # FOERSTE_INDVANDRING (NO_DATE unless immigrant)
    "arr_age": np.int8,  # age at first immigration (-1 unless immigrant)
    "addr": np.int64,  # ADRESSE_ID number (-1 = null)
    "adr": np.dtype("S12"),  # ADRESSE_ID as 12 ASCII digits (kept in step with addr)
    "area": np.int16,  # housing area index (-1 = none)
    "refugee": np.bool_,  # refugee / family-reunified (integration programme, I-kursist)
    "ability": np.float32,  # school ability (persistent)
    "edu_z": np.float32,  # education propensity (persistent)
    "emp_trait": np.float32,  # labour-market propensity (persistent)
    "emp_ar": np.float32,  # AR(1) labour-market shock
    "crime_trait": np.float32,
    "inc_trait": np.float32,
    "edu": np.int8,  # highest education main group (0 none yet, -1 unknown/null, 10..90)
    "socio": np.int16,  # SOCIO13 of the latest year
}


def address_bytes(addr: np.ndarray) -> np.ndarray:
    """ADRESSE_ID text (12 digits) of address numbers; blank for -1 (written as null)."""
    from .writer import ADDRESS_WIDTH, digit_bytes

    return digit_bytes(np.maximum(addr, 0), ADDRESS_WIDTH).view("S12").ravel()


class Panel:
    """Column store of the persons alive and resident at the end of the current year."""

    def __init__(self, cols: dict[str, np.ndarray]):
        missing = set(FIELDS) - set(cols)
        if missing:
            raise ValueError(f"missing panel fields: {sorted(missing)}")
        self.cols = {k: np.asarray(cols[k], dtype=FIELDS[k]) for k in FIELDS}

    def __len__(self) -> int:
        return len(self.cols["pid"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]

    def __setitem__(self, name: str, value: np.ndarray) -> None:
        self.cols[name] = np.asarray(value, dtype=FIELDS[name])

    def subset(self, keep: np.ndarray) -> Panel:
        return Panel({k: v[keep] for k, v in self.cols.items()})

    def append(self, *others: Panel) -> Panel:
        return Panel(
            {k: np.concatenate([self.cols[k]] + [o.cols[k] for o in others]) for k in FIELDS}
        )

    def set_address(self, where: np.ndarray, addr: np.ndarray) -> None:
        """Move persons ``where`` to address numbers ``addr`` (-1 = no address)."""
        self.cols["addr"][where] = addr
        self.cols["adr"][where] = address_bytes(addr)

    def age(self, year: int) -> np.ndarray:
        """ALDER: age at 31 December of ``year``."""
        return (year - self.cols["byear"]).astype(np.int16)

    def raised_in_dk(self) -> np.ndarray:
        """Danish origin, descendants and immigrants who arrived aged 0-12 (DOMAIN.md §1.5)."""
        return (self.cols["ie"] != 2) | (self.cols["arr_age"] <= 12)
