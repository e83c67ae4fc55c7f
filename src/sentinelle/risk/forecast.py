"""Weekly forecasts with prediction intervals, and their back-test (the seasonal watch list's
forecaster, roadmap axis III.1).

For each weekly origin and each group (a location, a device category), forecast 1 to `max_horizon`
weeks after the last week used, from the rows dated up to the origin only, as the 23 quantiles the
public forecasting hubs use. Three methods, all measured the same way:

- `ets`: an exponential-smoothing state-space model (statsmodels' ETSModel, additive errors, with no
  trend or a damped one: `Method.trend`) fitted on log(1 + y) over the last `Method.window` weeks;
  its Gaussian prediction intervals on the log scale give the quantiles.
- `flat`: the last value, with intervals from the symmetrised past week-to-week changes, widened as
  the square root of the horizon (the FluSight hub's baseline).
- `seasonal`: the same week one year earlier (52 weeks), with intervals from the past errors of that
  rule.
- `driver`: a direct regression, pooled over the groups, of the target's change over h weeks (on the
  log scale) on its own last weekly change and on an epidemic activity series' last weekly change (the
  driver: a share of emergency visits, say, which rises before admissions); statsmodels' OLS fitted
  at each origin on the `Method.driver_weeks` weeks before it, the residuals' quantiles giving the
  intervals. `growth` is the same without the driver: what the driver adds, measured.

Scores (`score`): the weighted interval score (Bracher et al. 2021, the hubs' measure), the mean
absolute error of the median, and the coverage of the central 50 % and 95 % intervals.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

QUANTILES: tuple[float, ...] = (0.01, 0.025, *(round(0.05 * k, 2) for k in range(1, 20)), 0.975, 0.99)
METHODS = ("ets", "flat", "seasonal", "driver", "growth")
POOLED = ("driver", "growth")  # fitted over all groups at once


@dataclass(frozen=True)
class Method:
    """The forecaster's choices: `trend` and `window` chosen on the 2022-23 season only
    (bench/forecast_backtest.py --tune), the rest set a priori."""

    name: str = "ets"
    trend: str = "none"  # ETS trend: "none" (level only) or "damped" (chosen on the 2022-23 season)
    window: int = 16  # weeks of history the model is fitted on
    spread: float = 1.0  # ETS: its intervals' width on the log scale, times this (calibration)
    min_history: int = 6  # fewer weeks than this before the origin: no forecast for the group
    season: int = 52  # weeks in a year, for the seasonal rule
    driver_weeks: int = 104  # driver, growth: weeks of past changes the regression is fitted on


@dataclass(frozen=True)
class Forecast:
    origin_date: date
    group: str
    horizon: int
    target_end_date: date
    quantile: float
    value: float


def _ets(history: np.ndarray, horizons: int, method: Method) -> np.ndarray:
    """Quantiles (horizons × QUANTILES) from ETS on log(1 + y)."""
    y = np.log1p(np.maximum(history[-method.window:], 0.0))
    if np.ptp(y) == 0:  # a constant series: nothing to fit, the constant with no spread
        return np.tile(np.expm1(y[-1]), (horizons, len(QUANTILES)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short noisy series
        damped = method.trend == "damped"
        fit = ETSModel(pd.Series(y), error="add", trend="add" if damped else None,
                       damped_trend=damped).fit(disp=False, maxiter=200)
        prediction = fit.get_prediction(start=len(y), end=len(y) + horizons - 1)
        mean = np.asarray(prediction.predicted_mean)
        sd = np.sqrt(np.maximum(np.asarray(prediction.var_pred_mean), 0.0))
    z = norm.ppf(QUANTILES)
    return np.maximum(np.expm1(mean[:, None] + method.spread * sd[:, None] * z[None, :]), 0.0)


def _symmetric_quantiles(errors: np.ndarray) -> np.ndarray:
    """The QUANTILES of a set of errors made symmetric around 0 (so that the median is the point)."""
    both = np.concatenate([errors, -errors]) if len(errors) else np.zeros(1)
    return np.quantile(both, QUANTILES)


def _flat(history: np.ndarray, horizons: int) -> np.ndarray:
    spread = _symmetric_quantiles(np.diff(history))
    return np.array([np.maximum(history[-1] + spread * math.sqrt(h), 0.0) for h in range(1, horizons + 1)])


def _seasonal(history: np.ndarray, horizons: int, season: int) -> np.ndarray | None:
    if len(history) + 1 <= season:
        return None
    errors = history[season:] - history[:-season]
    spread = _symmetric_quantiles(errors)
    rows = []
    for h in range(1, horizons + 1):
        back = len(history) - 1 + h - season  # the same week one year before the target
        rows.append(np.maximum(history[back] + spread, 0.0))
    return np.array(rows)


def forecast_group(weeks: list[date], values: list[float], origin: date, max_horizon: int, group: str,
                   method: Method = Method()) -> list[Forecast]:
    """The forecasts of one group from one origin: only rows dated on or before `origin` are read.
    `weeks` are the group's week-ending dates in order (a week missing is a gap the models bridge)."""
    known = [(w, v) for w, v in zip(weeks, values, strict=True) if w <= origin and v is not None and not math.isnan(v)]
    if len(known) < method.min_history:
        return []
    last_week = known[-1][0]
    history = np.array([v for _, v in known], dtype=float)
    if method.name == "ets":
        table = _ets(history, max_horizon, method)
    elif method.name == "flat":
        table = _flat(history, max_horizon)
    elif method.name == "seasonal":
        seasonal = _seasonal(history, max_horizon, method.season)
        if seasonal is None:
            return []
        table = seasonal
    else:
        raise ValueError(f"méthode inconnue : {method.name} ({', '.join(METHODS)})")
    table = np.sort(table, axis=1)  # quantiles never cross
    return [Forecast(origin, group, h, last_week + timedelta(weeks=h), q, float(table[h - 1, k]))
            for h in range(1, max_horizon + 1) for k, q in enumerate(QUANTILES)]


def origins(start: date, end: date, anchor: date) -> list[date]:
    """The weekly origins between `start` and `end`, on the weekday of `anchor` (the series' week end)."""
    first = start + timedelta(days=(anchor.weekday() - start.weekday()) % 7)
    return [first + timedelta(weeks=k) for k in range(((end - first).days // 7) + 1)] if first <= end else []


Series = dict[str, tuple[list[date], list[float]]]  # each group's (week-ending dates, values), in order


def backtest_origins(series: Series, start: date, end: date) -> list[date]:
    """The origins of a back-test: each week between `start` and `end`, on the series' week-ending day."""
    return origins(start, end, max((weeks[-1] for weeks, _ in series.values() if weeks), default=start))


def _log_changes(series: Series, driver: Series | None, origin: date) -> dict[str, dict[date, tuple[float, ...]]]:
    """Per group and week known by `origin`: log(1 + y), its change from the week before, and the
    driver's log change (when a driver is given and known both weeks)."""
    found: dict[str, dict[date, tuple[float, ...]]] = {}
    for group, (weeks, values) in series.items():
        y = {w: math.log1p(max(v, 0.0)) for w, v in zip(weeks, values, strict=True) if w <= origin and not math.isnan(v)}
        x: dict[date, float] = {}
        if driver is not None and group in driver:
            x = {w: math.log(max(v, 0.0) + DRIVER_FLOOR) for w, v in zip(*driver[group], strict=True)
                 if w <= origin and not math.isnan(v)}
        rows: dict[date, tuple[float, ...]] = {}
        for w, level in y.items():
            before = w - timedelta(weeks=1)
            if before not in y:
                continue
            if driver is None:
                rows[w] = (level, level - y[before])
            elif w in x and before in x:
                rows[w] = (level, level - y[before], x[w] - x[before])
        found[group] = rows
    return found


DRIVER_FLOOR = 1e-4  # added before the log of a driver that may be 0 (a share of visits)


def forecast_pooled(series: Series, origin: date, max_horizon: int, method: Method,
                    driver: Series | None = None) -> list[Forecast]:
    """Every group's forecasts from one origin by the pooled regression (`driver`, or `growth` without
    the driver): only rows dated on or before `origin` are read, for the fit and for the forecast."""
    changes = _log_changes(series, driver if method.name == "driver" else None, origin)
    since = origin - timedelta(weeks=method.driver_weeks)
    out: list[Forecast] = []
    for h in range(1, max_horizon + 1):
        xs, ys = [], []
        for rows in changes.values():
            for w, row in rows.items():
                later = rows.get(w + timedelta(weeks=h))
                if w >= since and later is not None:  # its target week known by the origin
                    xs.append(row[1:])
                    ys.append(later[0] - row[0])
        if len(ys) < 10 * (len(xs[0]) + 1 if xs else 1):
            continue  # too few past changes to fit on
        design = sm.add_constant(np.array(xs), has_constant="add")
        fit = sm.OLS(np.array(ys), design).fit()
        spread = np.quantile(fit.resid, QUANTILES)
        for group in sorted(changes):
            rows = changes[group]
            if len(rows) < method.min_history:
                continue
            last = max(rows)
            row = rows[last]
            centre = float(fit.params @ np.array([1.0, *row[1:]]))
            values = np.sort(np.maximum(np.expm1(row[0] + centre + spread), 0.0))
            out.extend(Forecast(origin, group, h, last + timedelta(weeks=h), q, float(values[k]))
                       for k, q in enumerate(QUANTILES))
    return out


def backtest(series: Series, start: date, end: date, max_horizon: int, method: Method = Method(),
             progress: Callable[[], None] | None = None, driver: Series | None = None) -> Iterable[Forecast]:
    """Every group's forecasts from every weekly origin between `start` and `end` (`progress` is called
    after each group of each origin). `driver`: the epidemic activity series, by the same groups, for
    the `driver` method."""
    if method.name == "driver" and driver is None:
        raise ValueError("la méthode « driver » demande une série d'activité épidémique (--driver)")
    for origin in backtest_origins(series, start, end):
        if method.name in POOLED:
            yield from forecast_pooled(series, origin, max_horizon, method, driver)
            if progress is not None:
                for _ in series:
                    progress()
            continue
        for group in sorted(series):
            weeks, values = series[group]
            yield from forecast_group(weeks, values, origin, max_horizon, group, method)
            if progress is not None:
                progress()


def truth(series: Series) -> dict[tuple[str, date], float]:
    """What each group's series says of each week, (group, week) → value, to score forecasts against."""
    return {(g, w): v for g, (weeks, values) in series.items() for w, v in zip(weeks, values, strict=True)
            if not math.isnan(v)}


@dataclass
class Scores:
    forecasts: int  # (origin, group, horizon) triples scored
    wis: float
    mae: float
    coverage_50: float
    coverage_95: float


def interval_score(low: float, high: float, alpha: float, y: float) -> float:
    """The interval score of a central (1 − alpha) interval: its width, plus 2/alpha per unit missed."""
    return (high - low) + (2 / alpha) * max(low - y, 0.0) + (2 / alpha) * max(y - high, 0.0)


def wis(quantiles: dict[float, float], y: float) -> float:
    """Weighted interval score of one forecast given as {level: value} over QUANTILES (its median and
    the 11 central intervals they make)."""
    pairs = [(q, round(1 - q, 3)) for q in QUANTILES if q < 0.5]
    total = 0.5 * abs(y - quantiles[0.5])
    for low_q, high_q in pairs:
        alpha = 2 * low_q
        total += alpha / 2 * interval_score(quantiles[low_q], quantiles[high_q], alpha, y)
    return total / (len(pairs) + 0.5)


def score(forecasts: Iterable[Forecast], truth: dict[tuple[str, date], float]) -> Scores:
    """Scores of the forecasts whose target week is known in `truth` ((group, week) → value)."""
    by_target: dict[tuple[date, str, int], dict[float, float]] = {}
    ends: dict[tuple[date, str, int], date] = {}
    for f in forecasts:
        key = (f.origin_date, f.group, f.horizon)
        by_target.setdefault(key, {})[f.quantile] = f.value
        ends[key] = f.target_end_date
    rows = []
    for key, qs in by_target.items():
        y = truth.get((key[1], ends[key]))
        if y is None or len(qs) != len(QUANTILES):
            continue
        rows.append((wis(qs, y), abs(y - qs[0.5]), qs[0.25] <= y <= qs[0.75], qs[0.025] <= y <= qs[0.975]))
    if not rows:
        return Scores(0, math.nan, math.nan, math.nan, math.nan)
    table = np.array(rows, dtype=float)
    return Scores(len(rows), *(float(x) for x in table.mean(axis=0)))
