"""The evaluation rules on a case worked by hand."""

from __future__ import annotations

from datetime import date

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
