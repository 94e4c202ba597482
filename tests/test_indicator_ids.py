"""Readable ids for uncatalogued columns: the distinguishing end of the header, unique in the file."""

import re

import pandas as pd
import pytest

from conftest import skip_without_shared
from wijkmonitor.catalogue import header_parts, readable_ids
from wijkmonitor.ingest import with_lineage
from wijkmonitor.readers import read_file

STATLINE = "utrecht/statline/CBS-Utrecht_Nabijheid_voorzieningen__buurt_2023_14102024_164034.csv"
HASHED = re.compile(r"_[0-9a-f]{8}$")


def test_last_part_of_the_header_with_its_unit():
    ids = readable_ids(["Detailhandel/Winkels dagelijkse boodschappen/Afstand tot grote supermarkt",
                        "Gezondheid en welzijn/Afstand tot apotheek"],
                       {"Detailhandel/Winkels dagelijkse boodschappen/Afstand tot grote supermarkt": "km"})
    assert list(ids.values()) == ["afstand_tot_grote_supermarkt_km", "afstand_tot_apotheek"]


def test_a_last_part_shared_in_the_file_takes_its_group():
    names = ["Huisartsenpraktijk/Aantal binnen 1 km", "Apotheek/Aantal binnen 1 km", "Huisartsenpraktijk/Afstand"]
    assert readable_ids(names) == {
        "Huisartsenpraktijk/Aantal binnen 1 km": "huisartsenpraktijk_aantal_binnen_1_km",
        "Apotheek/Aantal binnen 1 km": "apotheek_aantal_binnen_1_km",
        "Huisartsenpraktijk/Afstand": "afstand",
    }
    # the older `|` separator gives the same ids; the order of the columns does not matter
    piped = readable_ids([n.replace("/", "|") for n in reversed(names)])
    assert piped["Apotheek|Aantal binnen 1 km"] == "apotheek_aantal_binnen_1_km"


def test_same_header_keeps_its_id_in_another_year_with_other_columns():
    one = readable_ids(["Zorg/Huisartsenpraktijk/Afstand tot huisartsenpraktijk", "Zorg/Apotheek/Aantal"])
    other = readable_ids(["Zorg/Huisartsenpraktijk/Afstand tot huisartsenpraktijk", "Zorg/Bibliotheek/Afstand"])
    assert one["Zorg/Huisartsenpraktijk/Afstand tot huisartsenpraktijk"] == "afstand_tot_huisartsenpraktijk"
    assert other["Zorg/Huisartsenpraktijk/Afstand tot huisartsenpraktijk"] == "afstand_tot_huisartsenpraktijk"


def test_hash_only_where_needed():
    ids = readable_ids(["Groep/Afstand (km)", "Groep/Afstand km", "Groep/Afstand tot school"])
    assert HASHED.search(ids["Groep/Afstand (km)"]) and HASHED.search(ids["Groep/Afstand km"])
    assert ids["Groep/Afstand (km)"] != ids["Groep/Afstand km"]
    assert ids["Groep/Afstand tot school"] == "afstand_tot_school"
    long = "Een/" + "zeer lange kop " * 6
    assert len(readable_ids([long])[long]) == 60 and HASHED.search(readable_ids([long])[long])


def test_brackets_and_lower_case_parts_stay_whole():
    assert header_parts("Bevolking/Dichtheid (inwoners/km2)") == ["Bevolking", "Dichtheid (inwoners/km2)"]
    assert header_parts("Onderwijs/Havo/vwo/Afstand tot school") == ["Onderwijs", "Havo/vwo", "Afstand tot school"]


def test_catalogued_ids_are_not_taken(catalogue):
    ids = catalogue.uncatalogued_ids(["Bevolking/Inwoners", "Bevolking/Dichtheid"])
    assert ids == {"Bevolking/Inwoners": "inwoners_uncatalogued", "Bevolking/Dichtheid": "dichtheid"}


def test_with_lineage_uses_the_units_of_the_file():
    rows = pd.DataFrame({"source_indicator": ["A/Afstand tot bos", "A/Afstand tot bos", "B/Aantal"],
                         "source_unit": ["km", "km", pd.NA], "vintage": [pd.NA] * 3})
    rows, resolved, uncatalogued = with_lineage(rows, "x.csv", "src", None, None)
    assert resolved == {"A/Afstand tot bos": "afstand_tot_bos_km", "B/Aantal": "aantal"}
    assert rows["indicator_id"].tolist() == ["afstand_tot_bos_km", "afstand_tot_bos_km", "aantal"]
    assert uncatalogued == ["A/Afstand tot bos", "B/Aantal"]


@skip_without_shared
@pytest.mark.realdata
def test_statline_proximity_columns_get_readable_ids(shared_data, catalogue):
    _, read = read_file(shared_data / STATLINE)
    _, resolved, uncatalogued = with_lineage(read.table, "statline.csv", "statline", catalogue, None)
    assert len(uncatalogued) == 110
    ids = [resolved[n] for n in uncatalogued]
    assert len(set(ids)) == 110

    def id_of(end):
        found = [resolved[n] for n in uncatalogued if n.endswith(end)]
        assert len(found) == 1, end
        return found[0]

    assert id_of("Winkels dagelijkse boodschappen/Afstand tot grote supermarkt") == "afstand_tot_grote_supermarkt_km"
    assert id_of("Aantal huisartsenpraktijken/Binnen 1 km") == "aantal_huisartsenpraktijken_binnen_1_km"
    assert id_of("Basisonderwijs/Afstand tot school") == "basisonderwijs_afstand_tot_school_km"
    assert id_of("Havo/vwo/Afstand tot school") == "havo_vwo_afstand_tot_school_km"
    assert id_of("Vmbo/Aantal scholen/Binnen 10  km") == "vmbo_aantal_scholen_binnen_10_km"
    assert id_of("Afstand tot brandweerkazerne") == "afstand_tot_brandweerkazerne_km"
    # a hash only where the readable id would be longer than 60: the hospitals' counts within 5/10/20 km,
    # which differ only in (incl./excl. buitenpolikliniek)
    hashed = sorted(n for n, i in zip(uncatalogued, ids, strict=True) if HASHED.search(i))
    assert len(hashed) == 6 and all("/Aantal ziekenhuizen/Binnen" in n for n in hashed)
    assert max(map(len, ids)) == 60
