"""Build the world map of production countries from an open outline of the countries.

Source: `countries-110m.json` of the npm package world-atlas 2.0.2 (ISC licence, Mike Bostock),
itself Natural Earth's 1:110m admin-0 countries (public domain); ISO numeric codes turned into the
two-letter codes the catalogue keeps by pycountry (installed for this tool only). Fetch and run:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz && .venv/bin/pip install pycountry
    .venv/bin/python tools/build_world_map.py package/countries-110m.json src/sentinelle/web/static/world-countries.json

Each country is projected (equirectangular, Antarctica left out), simplified (Douglas-Peucker,
0.6 px) and drawn as one SVG path per country, in a 720 × 330 view box.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pycountry

sys.path.insert(0, str(Path(__file__).parent))
from build_region_map import decode_arcs, polygons, ring, simplify

WIDTH, HEIGHT = 720, 330
NORTH, SOUTH = 84.0, -58.0  # Antarctica and the far north left out: no plant there
SCALE = WIDTH / 360.0


def project(lon: float, lat: float) -> tuple[float, float]:
    return (lon + 180.0) * SCALE, (NORTH - lat) * SCALE


def build(topo: dict) -> dict[str, object]:
    arcs = decode_arcs(topo)
    countries: dict[str, str] = {}
    for geometry in topo["objects"]["countries"]["geometries"]:
        found = pycountry.countries.get(numeric=str(geometry.get("id", "")).zfill(3)) if geometry.get("id") else None
        if found is None or found.alpha_2 == "AQ":
            continue  # Antarctica, and the few outlines Natural Earth gives no ISO code (Kosovo, N. Cyprus)
        parts = []
        for polygon in polygons(geometry):
            for indexes in polygon:
                points = simplify([project(lon, lat) for lon, lat in ring(arcs, indexes)], 0.6)
                if len(points) >= 3:
                    parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
        if parts:
            countries[found.alpha_2] = countries.get(found.alpha_2, "") + "".join(parts)
    return {"width": WIDTH, "height": HEIGHT, "countries": dict(sorted(countries.items())),
            "source": "Natural Earth 1:110m (domaine public), via world-atlas 2.0.2 (licence ISC)"}


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    target.write_text(json.dumps(build(json.loads(source.read_text(encoding="utf-8"))), separators=(",", ":")),
                      encoding="utf-8")


if __name__ == "__main__":
    main()
