"""Reference codes vendored from ../shared/reference."""

from barometer.codes import (
    area_codes,
    area_level,
    load_countries,
    load_education_main_groups,
    load_main_group_names,
    load_municipalities,
    load_regions,
    load_socio13,
)

MENAPT = {
    "Syria",
    "Kuwait",
    "Libya",
    "Saudi Arabia",
    "Lebanon",
    "Somalia",
    "Iraq",
    "Qatar",
    "Sudan",
    "Bahrain",
    "Djibouti",
    "Jordan",
    "Algeria",
    "United Arab Emirates",
    "Tunisia",
    "Egypt",
    "Morocco",
    "Iran",
    "Yemen",
    "Mauritania",
    "Oman",
    "Afghanistan",
    "Pakistan",
    "Turkey",
}  # DOMAIN.md §4.2, the 24 countries


def test_98_municipalities_in_5_regions():
    munis = load_municipalities()
    assert len(munis) == 98
    assert all(len(c) == 3 and c.isdigit() for c in munis)
    assert set(load_regions()) == {"081", "082", "083", "084", "085"}
    per_region = {r: sum(m.region_code == r for m in munis.values()) for r in load_regions()}
    assert all(n > 0 for n in per_region.values())
    # SOURCES.md: 84 has 29, 83 has 22, 82 has 19, 85 has 17 and 81 has 11
    assert per_region == {"084": 29, "083": 22, "082": 19, "085": 17, "081": 11}
    assert munis["101"].name == "København" and munis["101"].region_code == "084"
    assert "411" not in munis  # Christiansø is not a municipality


def test_area_codes_and_levels():
    codes = area_codes()
    assert len(codes) == 1 + 5 + 98 and codes[0] == "000"
    assert area_level("000") == "country"
    assert area_level("084") == "region"
    assert area_level("751") == "municipality"


def test_the_24_menapt_countries():
    countries = load_countries()
    menapt = [c for c in countries.values() if c.is_menapt]
    assert len(menapt) == 24
    names = {c.name_en.split(" (")[0] for c in menapt}
    assert names == MENAPT
    assert not any(c.is_western for c in menapt)
    israel = next(c for c in countries.values() if c.name_en == "Israel")
    assert not israel.is_menapt and not israel.is_western


def test_western_countries():
    countries = load_countries()
    for code in ("5154", "5180", "5170", "5390", "5110"):  # Poland, Germany, UK, USA, Norway
        assert countries[code].is_western, countries[code].name_en
    assert not countries["5488"].is_western  # Vietnam
    assert not countries["5100"].is_western and countries["5100"].kind == "danish"


def test_education_main_groups():
    groups = load_education_main_groups()
    assert groups["215"] == "20" and groups["300"] == "30" and groups["1"] == "10"
    assert set(groups.values()) == set(load_main_group_names())
    assert load_main_group_names()["25"][0] == "Danskundervisning ved sprogcentre"


def test_socio13_employed_codes():
    socio = load_socio13()
    employed = sorted(c for c, e in socio.items() if e)
    assert employed == [110, 111, 112, 113, 114, 120, 131, 132, 133, 134, 135, 139]
    assert not socio[210] and not socio[310] and not socio[0]
