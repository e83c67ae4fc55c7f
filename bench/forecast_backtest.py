"""The seasonal forecaster's back-test on real epidemic data (issue 17, point 4).

Weekly influenza hospital admissions of 53 US locations (../shared/data/flusight, CDC via the
FluSight hub). For every Saturday origin of each season, each method forecasts 1 to 4 weeks ahead
from the rows dated up to the origin only (23 quantiles); scored against the same file's values:
weighted interval score, mean absolute error of the median, coverage of the 50 % and 95 % intervals.

Tuned on one season, reported on others: `--tune` scores the ETS variants (trend × window) on the
2022-23 season only and prints them; the defaults of forecast.Method are the best of them. The
report is on 2023-24, 2024-25 and 2025-26, which no choice looked at.

    .venv/bin/python bench/forecast_backtest.py --tune          # the 2022-23 choice
    .venv/bin/python bench/forecast_backtest.py [--seasons 2023-24,2024-25,2025-26] [--methods ets,flat,seasonal]
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import date
from pathlib import Path

from sentinelle.cli_risk import read_series
from sentinelle.risk import forecast

SERIES = Path(__file__).resolve().parents[2] / "shared" / "data" / "flusight" / "target-hospital-admissions.csv"
# Each season's origins: the Saturdays of mid-October to the end of May (the hubs' submission weeks).
SEASONS = {"2022-23": (date(2022, 10, 15), date(2023, 5, 27)), "2023-24": (date(2023, 10, 14), date(2024, 5, 25)),
           "2024-25": (date(2024, 10, 12), date(2025, 5, 24)), "2025-26": (date(2025, 10, 11), date(2026, 5, 23))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seasons", default="2023-24,2024-25,2025-26")
    parser.add_argument("--methods", default="ets,flat,seasonal")
    parser.add_argument("--tune", action="store_true", help="score the ETS variants on 2022-23 only")
    args = parser.parse_args()
    data = read_series(SERIES, "date", "value", "location")
    truth = {(g, w): v for g, (weeks, values) in data.items() for w, v in zip(weeks, values, strict=True)
             if not math.isnan(v)}
    print(f"{SERIES.name}: {len(data)} locations, {sum(len(w) for w, _ in data.values())} weeks")
    print("| season | method | forecasts | WIS | MAE (median) | 50 % coverage | 95 % coverage | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    if args.tune:
        start, end = SEASONS["2022-23"]
        for trend in ("none", "damped"):
            for window in (8, 16, 32):
                began = time.perf_counter()
                method = forecast.Method(name="ets", trend=trend, window=window)
                s = forecast.score(forecast.backtest(data, start, end, 4, method), truth)
                print(f"| 2022-23 | ets trend={trend} window={window} | {s.forecasts} | {s.wis:.1f} | {s.mae:.1f} | "
                      f"{s.coverage_50:.1%} | {s.coverage_95:.1%} | {time.perf_counter() - began:.0f} |", flush=True)
        for spread in (1.25, 1.5, 2.0):  # the intervals' calibration, on the chosen model
            began = time.perf_counter()
            method = forecast.Method(name="ets", spread=spread)
            s = forecast.score(forecast.backtest(data, start, end, 4, method), truth)
            print(f"| 2022-23 | ets spread={spread} | {s.forecasts} | {s.wis:.1f} | {s.mae:.1f} | "
                  f"{s.coverage_50:.1%} | {s.coverage_95:.1%} | {time.perf_counter() - began:.0f} |", flush=True)
        return
    for season in args.seasons.split(","):
        start, end = SEASONS[season]
        for name in args.methods.split(","):
            began = time.perf_counter()
            made = list(forecast.backtest(data, start, end, 4, forecast.Method(name=name)))
            s = forecast.score(made, truth)
            print(f"| {season} | {name} | {s.forecasts} | {s.wis:.1f} | {s.mae:.1f} | {s.coverage_50:.1%} | "
                  f"{s.coverage_95:.1%} | {time.perf_counter() - began:.0f} |", flush=True)


if __name__ == "__main__":
    main()
