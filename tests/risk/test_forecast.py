"""The seasonal watch list's forecaster: scores checked by hand, no look-ahead, the command on the
real FluSight series."""

from __future__ import annotations

import csv
import math
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentinelle.cli import app
from sentinelle.risk import forecast

WEEKS = [date(2023, 1, 7) + timedelta(weeks=k) for k in range(80)]
WAVE = [20 + 300 * math.exp(-((k % 52) - 45) ** 2 / 40) + (k % 3) for k in range(80)]


def test_scores_by_hand() -> None:
    assert forecast.interval_score(10, 20, 0.5, 15) == 10  # inside: its width
    assert forecast.interval_score(10, 20, 0.5, 25) == 10 + 4 * 5  # 5 above, 2/alpha = 4 per unit
    # A point forecast (every quantile the same) scores its absolute error.
    assert forecast.wis({q: 10.0 for q in forecast.QUANTILES}, 14.0) == pytest.approx(4.0)
    assert len(forecast.QUANTILES) == 23 and forecast.QUANTILES[11] == 0.5
    s = forecast.score([forecast.Forecast(WEEKS[0], "a", 1, WEEKS[1], q, 10.0 + 10 * (q >= 0.5))
                        for q in forecast.QUANTILES], {("a", WEEKS[1]): 15.0})
    assert s.forecasts == 1 and s.mae == 5.0 and s.coverage_50 == 1.0 and s.coverage_95 == 1.0


@pytest.mark.parametrize("name", [m for m in forecast.METHODS if m not in forecast.POOLED])
def test_nothing_after_the_origin_is_read(name: str) -> None:
    origin = WEEKS[60]
    method = forecast.Method(name=name)
    before = forecast.forecast_group(WEEKS, WAVE, origin, 4, "a", method)
    changed = WAVE[:61] + [v * 10 + 999 for v in WAVE[61:]]
    after = forecast.forecast_group(WEEKS, changed, origin, 4, "a", method)
    assert before and before == after
    # 23 ordered quantiles per horizon, each target the week after the last week used.
    for h in range(1, 5):
        values = [f.value for f in before if f.horizon == h]
        assert len(values) == 23 and values == sorted(values) and min(values) >= 0
        assert {f.target_end_date for f in before if f.horizon == h} == {origin + timedelta(weeks=h)}


@pytest.mark.parametrize("name", forecast.POOLED)
def test_the_pooled_regression_reads_nothing_after_the_origin(name: str) -> None:
    origin = WEEKS[60]
    # Three groups; the driver leads the wave by two weeks.
    series = {g: (WEEKS, [v * (1 + i) for v in WAVE]) for i, g in enumerate("abc")}
    driver = {g: (WEEKS, [WAVE[min(k + 2, 79)] / 1000 for k in range(80)]) for g in "abc"}
    method = forecast.Method(name=name)
    before = forecast.forecast_pooled(series, origin, 4, method, driver)
    later = {g: (w, v[:61] + [x * 10 + 999 for x in v[61:]]) for g, (w, v) in series.items()}
    later_driver = {g: (w, v[:61] + [x * 7 for x in v[61:]]) for g, (w, v) in driver.items()}
    assert before and before == forecast.forecast_pooled(later, origin, 4, method, later_driver)
    for g in "abc":
        for h in range(1, 5):
            values = [f.value for f in before if f.group == g and f.horizon == h]
            assert len(values) == 23 and values == sorted(values) and min(values) >= 0
    with pytest.raises(ValueError, match="driver"):
        list(forecast.backtest(series, origin, origin, 4, forecast.Method(name="driver")))


def test_the_baselines_are_what_they_say() -> None:
    origin = WEEKS[60]
    flat = forecast.forecast_group(WEEKS, WAVE, origin, 2, "a", forecast.Method(name="flat"))
    assert [f.value for f in flat if f.quantile == 0.5] == [pytest.approx(WAVE[60])] * 2
    seasonal = forecast.forecast_group(WEEKS, WAVE, origin, 2, "a", forecast.Method(name="seasonal"))
    assert [f.value for f in seasonal if f.quantile == 0.5] == [pytest.approx(WAVE[61 - 52]), pytest.approx(WAVE[62 - 52])]
    # Too little history: no forecast rather than a made-up one.
    assert forecast.forecast_group(WEEKS, WAVE, WEEKS[3], 4, "a") == []


def test_the_command_on_the_real_flusight_series(tmp_path: Path, shared_data: Path) -> None:
    series = shared_data / "flusight" / "target-hospital-admissions.csv"
    out = tmp_path / "forecasts.csv"
    runner = CliRunner()
    done = runner.invoke(app, ["forecast", "backtest", "--series", str(series), "--date-column", "date",
                               "--value-column", "value", "--group-column", "location", "--from", "2024-01-06",
                               "--to", "2024-01-13", "--max-horizon", "4", "--out", str(out), "--method", "flat",
                               "--score"])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["origin_date", "group", "horizon", "target_end_date", "quantile", "value"]
    assert {r["origin_date"] for r in rows} == {"2024-01-06", "2024-01-13"}
    assert len({r["group"] for r in rows}) == 53 and {r["horizon"] for r in rows} == {"1", "2", "3", "4"}
    assert len(rows) == 2 * 53 * 4 * 23 and "WIS" in done.output
    # A group named like a formula is written so that a spreadsheet shows it and never runs it.
    hostile = tmp_path / "hostile.csv"
    hostile.write_text("date,value,location\n" + "".join(f"{(date(2024, 1, 6) - timedelta(weeks=k)).isoformat()},{k},"
                                                         "=HYPERLINK(1)\n" for k in range(10)), encoding="utf-8")
    assert runner.invoke(app, ["forecast", "backtest", "--series", str(hostile), "--from", "2024-01-06", "--to",
                               "2024-01-06", "--out", str(out), "--method", "flat"]).exit_code == 0
    assert {r["group"] for r in csv.DictReader(out.open(encoding="utf-8"))} == {"'=HYPERLINK(1)"}
    # A wrong column is named, in French.
    bad = runner.invoke(app, ["forecast", "backtest", "--series", str(series), "--value-column", "admissions",
                              "--from", "2024-01-06", "--to", "2024-01-06", "--out", str(out)])
    assert bad.exit_code != 0 and "colonne « admissions » absente" in bad.output


def test_the_command_with_an_epidemic_driver(tmp_path: Path, shared_data: Path) -> None:
    flusight = shared_data / "flusight"
    out = tmp_path / "forecasts.csv"
    runner = CliRunner()
    common = ["forecast", "backtest", "--series", str(flusight / "target-hospital-admissions.csv"),
              "--from", "2024-01-06", "--to", "2024-01-06", "--out", str(out), "--method", "driver"]
    refused = runner.invoke(app, common)
    assert refused.exit_code != 0 and "--driver" in refused.output
    done = runner.invoke(app, [*common, "--driver", str(flusight / "target-ed-visits-prop.csv"), "--score"])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len({r["group"] for r in rows}) >= 50 and {r["horizon"] for r in rows} == {"1", "2", "3", "4"}
    wrong = runner.invoke(app, [*common, "--driver", str(flusight / "target-ed-visits-prop.csv"),
                                "--driver-column", "share"])
    assert wrong.exit_code != 0 and "--driver-column" in wrong.output
