"""The data contracts of detection (docs/DESIGN.md, "Data contracts"): column names and kinds.

Extra columns in an input file are kept out and ignored, never an error."""

from __future__ import annotations

# name -> (kind, required). Kinds: finess, text, date, int_pos (> 0), int_nonneg (>= 0).
ORDERS: dict[str, tuple[str, bool]] = {
    "establishment_id": ("finess", True),
    "order_id": ("text", True),
    "line_id": ("text", True),
    "product_id": ("text", True),
    "supplier_id": ("text", True),
    "ordered_at": ("date", True),
    "promised_at": ("date", False),
    "quantity_ordered": ("int_pos", True),
    "emdn_code": ("text", False),
    "atc_code": ("text", False),
    "gtin": ("text", False),
    "cip13": ("text", False),
    "region": ("text", False),
    "cancelled_at": ("date", False),
}

DELIVERIES: dict[str, tuple[str, bool]] = {
    "establishment_id": ("finess", True),
    "line_id": ("text", True),
    "delivered_at": ("date", True),
    "quantity_delivered": ("int_nonneg", True),
}

DISRUPTIONS = ("product_id", "supplier_id", "started_at", "rupture_at", "ended_at")

# What must not alarm in a simulated world (traps.csv): a trap on a supplier or at an establishment.
TRAPS = ("kind", "establishment_id", "supplier_id", "from", "to")

ALERTS = ("product_id", "supplier_id", "scope", "scope_id", "first_alert_at", "last_alert_at", "score", "reason",
          "path")

# An alert episode ends once the detector has stayed quiet this many days.
EPISODE_GAP_DAYS = 14
