"""The seasonal forecaster's back-test on real epidemic data (issue 17, point 4).

Weekly influenza hospital admissions of 53 US locations (../shared/data/flusight, CDC via the
FluSight hub). For every Saturday origin of each season, each method forecasts 1 to 4 weeks ahead
from the rows dated up to the origin only (23 quantiles); scored against the same file's values:
weighted interval score, mean absolute error of the median, coverage of the 50 % and 95 % intervals.

Tuned on one season, reported on others: `--tune` scores the ETS variants (trend × window) on the
2022-23 season only and prints them; the defaults of forecast.Method are the best of them. The
report is on 2023-24, 2024-25 and 2025-26, which no choice looked at.

    .venv/bin/python bench/forecast_backtest.py --tune          # the 2022-23 choice
    .venv/bin/python bench/forecast_backtest.py [--seasons 2023-24,2024-25,2025-26] [--methods ets,flat,seasonal,driver,growth]

`driver` adds an epidemic activity series (the share of emergency visits for influenza, the same
hub's `target-ed-visits-prop.csv`) to a pooled regression of the admissions' change; `growth` is the
same regression without it. Their one choice (`driver_weeks`, 104) was set a priori.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from sentinelle.cli_risk import read_series
from sentinelle.risk import forecast

SERIES = Path(__file__).resolve().parents[2] / "shared" / "data" / "flusight" / "target-hospital-admissions.csv"
# The epidemic activity driver: the share of emergency visits for influenza (NSSP), same locations.
DRIVER = SERIES.parent / "target-ed-visits-prop.csv"
# Each season's origins: the Saturdays of mid-October to the end of May (the hubs' submission weeks).
SEASONS = {"2022-23": (date(2022, 10, 15), date(2023, 5, 27)), "2023-24": (date(2023, 10, 14), date(2024, 5, 25)),
           "2024-25": (date(2024, 10, 12), date(2025, 5, 24)), "2025-26": (date(2025, 10, 11), date(2026, 5, 23))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seasons", default="2023-24,2024-25,2025-26")
    parser.add_argument("--methods", default="ets,flat,seasonal,driver,growth")
    parser.add_argument("--tune", action="store_true", help="score the ETS variants on 2022-23 only")
    args = parser.parse_args()
    data = read_series(SERIES, "date", "value", "location")
    global DRIVEN
    DRIVEN = read_series(DRIVER, "date", "value", "location")
    truth = forecast.truth(data)
    print(f"{SERIES.name}: {len(data)} locations, {sum(len(w) for w, _ in data.values())} weeks")
    print("| season | method | forecasts | WIS | MAE (median) | 50 % coverage | 95 % coverage | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    if args.tune:
        variants = [(f"ets trend={t} window={w}", forecast.Method(trend=t, window=w))
                    for t in ("none", "damped") for w in (8, 16, 32)]
        # The intervals' calibration, on the chosen model.
        variants += [(f"ets spread={x}", forecast.Method(spread=x)) for x in (1.25, 1.5, 2.0)]
        for label, method in variants:
            _row(data, truth, "2022-23", label, method)
        return
    for season in args.seasons.split(","):
        start, end = SEASONS[season]
        made: dict[str, tuple[list[forecast.Forecast], float]] = {}
        for name in args.methods.split(","):
            began = time.perf_counter()
            made[name] = (list(forecast.backtest(data, start, end, 4, forecast.Method(name=name), driver=DRIVEN)),
                          time.perf_counter() - began)
        # Scored on the (origin, location, horizon) every method forecast: the driver is missing for a
        # few locations and weeks, and a method must not be judged on easier or fewer targets.
        keys = [{(f.origin_date, f.group, f.horizon) for f in fs} for fs, _ in made.values()]
        common = set.intersection(*keys)
        for name, (fs, seconds) in made.items():
            s = forecast.score([f for f in fs if (f.origin_date, f.group, f.horizon) in common], truth)
            print(f"| {season} | {name} | {s.forecasts} | {s.wis:.1f} | {s.mae:.1f} | {s.coverage_50:.1%} | "
                  f"{s.coverage_95:.1%} | {seconds:.0f} |", flush=True)


DRIVEN: forecast.Series = {}


def _row(data: forecast.Series, truth: dict, season: str, label: str, method: forecast.Method) -> None:
    """One method on one season's origins, scored, as a line of the results table."""
    start, end = SEASONS[season]
    began = time.perf_counter()
    s = forecast.score(forecast.backtest(data, start, end, 4, method, driver=DRIVEN), truth)
    print(f"| {season} | {label} | {s.forecasts} | {s.wis:.1f} | {s.mae:.1f} | {s.coverage_50:.1%} | "
          f"{s.coverage_95:.1%} | {time.perf_counter() - began:.0f} |", flush=True)


if __name__ == "__main__":
    main()
