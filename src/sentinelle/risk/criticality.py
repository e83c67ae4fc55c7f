"""The criticality the EU's Union list of critical medicines uses (issue 17, point 2): the
seriousness of the disease a substance treats (low, medium, high) times how few therapeutic
alternatives it has, rated low, medium or high. The national agency imports the ratings as a CSV
(`sentinelle import union-list FILE`); they weigh in the medicines' vulnerability and the priority
list's patient criticality.

The grid (ours, after the Union list methodology's two criteria; docs/risk.md): alternatives rated 3
when there are none, 2 for one or two, 1 for three or more; seriousness 1 to 3; their product 6 or
more is high, 3 to 5 medium, below 3 low.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue import substances
from sentinelle.catalogue.models import Product
from sentinelle.errors import Invalid, require
from sentinelle.importing import ImportReport, csv_rows
from sentinelle.risk import policy
from sentinelle.risk.models import LEVELS, UnionCriticality
from sentinelle.store.base import utcnow
from sentinelle.store.db import upsert_rows

# The words a file may use for a level, in French or English.
WORDS = {"faible": "low", "low": "low", "moyenne": "medium", "moyen": "medium", "medium": "medium",
         "élevée": "high", "elevee": "high", "élevé": "high", "eleve": "high", "forte": "high", "high": "high"}
YES = {"oui", "yes", "1", "true", "vrai"}
NO = {"non", "no", "0", "false", "faux", ""}
# On 0–1, for the scores that use it.
WEIGHT = {"low": 1 / 3, "medium": 2 / 3, "high": 1.0}


def alternatives_level(alternatives: int) -> int:
    return 3 if alternatives == 0 else 2 if alternatives <= 2 else 1


def criticality(seriousness: str, alternatives: int) -> str:
    """low, medium or high, from the seriousness (low, medium, high) and the number of alternatives."""
    product = (LEVELS.index(seriousness) + 1) * alternatives_level(alternatives)
    return "high" if product >= 6 else "medium" if product >= 3 else "low"


def import_csv(session: Session, user: User | None, text: str, source: str = "") -> ImportReport:
    """Ratings, one substance per row (columns `substance`, `seriousness`, `alternatives`, optional
    `union_list` and `source`; comma or semicolon). All or nothing: a bad row is named and nothing is
    written. A substance rated again is updated. Audited once."""
    if user is not None:
        require(user, policy.can_rate_criticality(user), "seule l'agence nationale importe les criticités")
    report = ImportReport(source=source or "criticités")
    reader = csv_rows(text)
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in ("substance", "seriousness", "alternatives") if c not in columns]
    if missing:
        raise Invalid(f"colonne(s) attendue(s) : {', '.join(missing)} (en-tête : substance ; seriousness ; "
                      "alternatives ; union_list ; source)", "file")
    rows: dict[str, dict[str, object]] = {}
    for line, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        name = row.get("substance", "")
        key = substances.key([name]) if name else ""
        if not key:
            report.reject(line, "substance", "nom de substance manquant ou illisible")
            continue
        seriousness = WORDS.get(row.get("seriousness", "").lower())
        if seriousness is None:
            report.reject(line, "seriousness", f"« {row.get('seriousness', '')} » : faible, moyenne ou élevée attendu")
            continue
        try:
            alternatives = int(row.get("alternatives", ""))
            if alternatives < 0:
                raise ValueError
        except ValueError:
            report.reject(line, "alternatives", f"« {row.get('alternatives', '')} » : nombre entier positif ou nul attendu")
            continue
        listed = row.get("union_list", "").lower()
        if listed not in YES | NO:
            report.reject(line, "union_list", f"« {listed} » : oui ou non attendu")
            continue
        if key in rows:
            report.reject(line, "substance", f"« {name} » déjà donnée plus haut dans le fichier")
            continue
        rows[key] = {"substance_key": key, "name": name[:300], "seriousness": seriousness,
                     "alternatives": alternatives, "criticality": criticality(seriousness, alternatives),
                     "on_union_list": listed in YES, "source": row.get("source", "")[:2000], "rated_at": utcnow()}
    report.refuse_if_rejected()
    known = set(session.scalars(select(UnionCriticality.substance_key)
                                .where(UnionCriticality.substance_key.in_(list(rows)))))
    upsert_rows(session, UnionCriticality, list(rows.values()), ["substance_key"])
    report.created, report.updated = len(rows) - len(known), len(known)
    audit.record(session, user, audit.Action.RISK_CRITICALITY, "union_criticality", None,
                 after={"rows": len(rows), "source": report.source})
    return report


def by_product(session: Session) -> dict[int, UnionCriticality]:
    """Each medicine whose substances are rated: its rating."""
    rows = session.execute(select(Product.id, UnionCriticality).join(
        UnionCriticality, UnionCriticality.substance_key == Product.substance_key))
    return {pid: rating for pid, rating in rows}


def of_product(session: Session, product: Product) -> UnionCriticality | None:
    if not product.substance_key:
        return None
    return session.get(UnionCriticality, product.substance_key)
