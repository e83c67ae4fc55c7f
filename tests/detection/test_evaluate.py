"""The evaluation rules on a case worked by hand."""

from __future__ import annotations

from datetime import date

from sentinelle.detection import evaluate as ev
from sentinelle.detection.evaluate import Disruption, merge_episodes, score

D = date.fromisoformat
TRUTH = [
    Disruption("P1", "S1", D("2025-03-01"), D("2025-04-01"), D("2025-05-01")),
    Disruption("P2", "S2", D("2025-06-01"), None, D("2025-07-01")),
    Disruption("P3", "S3", D("2025-06-01"), D("2025-06-05"), D("2025-07-01")),
]


def test_precision_recall_lead_time_and_false_rate() -> None:
    alerts = [
        ("P1", "S1", D("2025-03-10"), D("2025-03-20")),  # national: right, 22 days ahead
        ("P1", "S1", D("2025-03-15"), D("2025-04-02")),  # same episode in a region: merged with it
        ("P1", "S1", D("2025-09-01"), D("2025-09-02")),  # long after: false
        ("P2", "", D("2025-05-29"), D("2025-06-10")),  # product-wide, 3 days before the start: right
        ("P9", "S9", D("2025-02-01"), D("2025-02-01")),  # nothing there: false
    ]
    s = score(alerts, TRUTH, product_months=400)
    assert (s.alarms, s.true_alarms, s.detected, s.disruptions) == (4, 2, 2, 3)
    assert (s.precision, s.recall) == (0.5, round(2 / 3, 4))
    assert s.median_lead_days == 22  # P2 has no rupture: no lead time
    assert s.false_alerts_per_1000_product_months == 5.0


def test_episodes_merge_across_scopes_until_14_quiet_days() -> None:
    merged = merge_episodes([("P", "S", D("2025-01-01"), D("2025-01-05")), ("P", "S", D("2025-01-19"), D("2025-01-20")),
                             ("P", "S", D("2025-02-10"), D("2025-02-10"))])
    assert merged == [("P", "S", D("2025-01-01"), D("2025-01-20")), ("P", "S", D("2025-02-10"), D("2025-02-10"))]


def test_no_alert_at_all() -> None:
    s = score([], TRUTH, product_months=100)
    assert (s.precision, s.recall, s.median_lead_days, s.false_alerts_per_1000_product_months) == (None, 0.0, None, 0.0)


def test_false_alarms_are_explained_by_the_trap_behind_them() -> None:
    truth = [ev.Disruption("P1", "S1", date(2024, 3, 1), date(2024, 3, 20), date(2024, 4, 30))]
    traps = [{"kind": "receiving_backlog", "establishment_id": "750000001", "supplier_id": "", "from": "2024-05-01",
              "to": "2024-06-10"},
             {"kind": "chronically_late", "establishment_id": "", "supplier_id": "S9", "from": "2024-01-01",
              "to": "2024-12-31"}]
    slow = "5 lignes anormales sur 9 en 14 j (habituel 2 %), 2 établissement(s)"
    alerts = [("P1", "S1", "national", "FR", date(2024, 3, 10), date(2024, 3, 30), 9.0, slow, "slow"),  # right
              ("P2", "S2", "region", "11", date(2024, 6, 1), date(2024, 6, 5), 7.0, "…", "pooled"),  # the backlog
              ("P3", "S9", "national", "FR", date(2024, 10, 1), date(2024, 10, 2), 7.0, slow, "slow"),  # late supplier
              ("P4", "S4", "national", "FR", date(2024, 8, 12), date(2024, 8, 20), 7.0, slow, "slow"),  # August
              ("P5", "S5", "national", "FR", date(2024, 10, 7), date(2024, 10, 9), 7.0, slow, "slow")]  # nothing
    behind = {alerts[1][:5]: {"750000001", "750000002"}, alerts[4][:5]: {"750000001"}}
    assert ev.explain_false_alarms(alerts, truth, traps, behind) == {
        "receiving_backlog, pooled": 1, "chronically_late, slow": 1, "august_or_year_end, slow": 1, "other, slow": 1}
