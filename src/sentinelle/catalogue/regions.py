"""The 18 French regions (INSEE codes, 2016 map), with their place on the tile map."""

from __future__ import annotations

from typing import NamedTuple


class Region(NamedTuple):
    code: str
    name: str
    # Column and row on the schematic tile map of the dashboard (not geography to scale).
    col: int
    row: int

    def label_lines(self) -> tuple[str, ...]:
        """The name on at most two lines for the map tiles, cut at the separator nearest its middle."""
        if len(self.name) <= 14:
            return (self.name,)
        cuts = [i for i, ch in enumerate(self.name) if ch in "- "]
        cut = min(cuts, key=lambda i: abs(i - len(self.name) / 2))
        return (self.name[: cut + 1].strip(), self.name[cut + 1 :].strip())


REGIONS: tuple[Region, ...] = (
    Region("32", "Hauts-de-France", 3, 0),
    Region("28", "Normandie", 2, 1),
    Region("11", "Île-de-France", 3, 1),
    Region("44", "Grand Est", 4, 1),
    Region("53", "Bretagne", 1, 2),
    Region("52", "Pays de la Loire", 2, 2),
    Region("24", "Centre-Val de Loire", 3, 2),
    Region("27", "Bourgogne-Franche-Comté", 4, 2),
    Region("75", "Nouvelle-Aquitaine", 2, 3),
    Region("84", "Auvergne-Rhône-Alpes", 4, 3),
    Region("76", "Occitanie", 3, 4),
    Region("93", "Provence-Alpes-Côte d'Azur", 4, 4),
    Region("94", "Corse", 5, 5),
    Region("01", "Guadeloupe", 0, 6),
    Region("02", "Martinique", 1, 6),
    Region("03", "Guyane", 2, 6),
    Region("04", "La Réunion", 3, 6),
    Region("06", "Mayotte", 4, 6),
)

BY_CODE: dict[str, Region] = {r.code: r for r in REGIONS}


def region_name(code: str | None) -> str:
    if code is None:
        return "—"
    region = BY_CODE.get(code)
    return region.name if region else code
