"""The detector's features in DuckDB against a straightforward pandas implementation of the same
features, from the same CSV files, in the same run: each line's due date, tolerance, common shift
and judgement, then per product × supplier (national) and day the lines judged and abnormal with
their 14-day sums. The two results are compared before the times are printed.

    .venv/bin/python bench/detection_pandas.py /tmp/sim10m      # a folder written by `sentinelle simulate`
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sentinelle.detection import detect as engine
from sentinelle.detection.calendar import working_days
from sentinelle.detection.ingest import connect, ingest

P = engine.Params()


def duckdb_features(folder: Path) -> pd.DataFrame:
    con = connect()
    ingest(con, folder / "orders.csv", folder / "deliveries.csv")
    engine.prepare(con)
    engine._judged(con, P)  # the features alone, without scoring
    return con.execute(f"""
        WITH d AS (SELECT product_id, supplier_id, judged_at AS t, count(*) AS n,
                          count(*) FILTER (WHERE abnormal) AS k FROM judged GROUP BY ALL)
        SELECT *, sum(n) OVER w AS n_win, sum(k) OVER w AS k_win FROM d
        WINDOW w AS (PARTITION BY product_id, supplier_id ORDER BY t
                     RANGE BETWEEN INTERVAL {P.window - 1} DAY PRECEDING AND CURRENT ROW)""").df()


def _quantile(values: pd.Series, q: float) -> float:
    return float(np.quantile(values.to_numpy(), q, method="inverted_cdf"))


def pandas_features(folder: Path) -> pd.DataFrame:
    orders = pd.read_csv(folder / "orders.csv", dtype=str, keep_default_na=False)
    deliveries = pd.read_csv(folder / "deliveries.csv", dtype=str, keep_default_na=False)
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"])
    orders["promised_at"] = pd.to_datetime(orders["promised_at"].replace("", None))
    orders["qty"] = orders["quantity_ordered"].astype(int)
    deliveries["delivered_at"] = pd.to_datetime(deliveries["delivered_at"])
    deliveries["q"] = deliveries["quantity_delivered"].astype(int)
    as_of = max(orders["ordered_at"].max(), deliveries["delivered_at"].max())
    cal = pd.DataFrame(working_days(orders["ordered_at"].min().date() - pd.Timedelta(days=7),
                                    (as_of + pd.Timedelta(days=400)).date()), columns=["d", "working", "wd"])
    cal["d"] = pd.to_datetime(cal["d"])
    wd_of = cal.set_index("d")["wd"]
    date_of = cal[cal["working"]].groupby("wd")["d"].min()

    # Full delivery date of each line.
    deliveries = deliveries.sort_values(["establishment_id", "line_id", "delivered_at"])
    deliveries["cum"] = deliveries.groupby(["establishment_id", "line_id"])["q"].cumsum()
    lines = orders.merge(deliveries, on=["establishment_id", "line_id"], how="left")
    full = lines[lines["cum"] >= lines["qty"]].groupby(["establishment_id", "line_id"])["delivered_at"].min()
    orders = orders.merge(full.rename("full_at").reset_index(), on=["establishment_id", "line_id"], how="left")
    orders["ordered_wd"] = orders["ordered_at"].map(wd_of)
    orders["full_wd"] = orders["full_at"].map(wd_of)
    orders["om"] = orders["ordered_at"].dt.to_period("M")
    orders["fm"] = orders["full_at"].dt.to_period("M")

    # Usual lead time per product × supplier and month: median over lines completed in the 6 months before.
    done = orders.dropna(subset=["full_at"])
    leads = []
    for m in orders["om"].unique():
        past = done[(done["fm"] < m) & (done["fm"] >= m - 6)]
        med = (past["full_wd"] - past["ordered_wd"]).groupby([past["product_id"], past["supplier_id"]]).agg(
            lambda v: _quantile(v, 0.5))
        leads.append(med.rename("lead").reset_index().assign(om=m))
    orders = orders.merge(pd.concat(leads), on=["product_id", "supplier_id", "om"], how="left")
    promised_wd = orders["promised_at"].map(wd_of)
    orders["due_wd"] = np.where(orders["promised_at"].notna(), promised_wd,
                                orders["ordered_wd"] + orders["lead"].fillna(P.default_lead).round())
    orders["due_wd"] = orders["due_wd"].astype(int)
    orders["due"] = orders["promised_at"].fillna(orders["due_wd"].map(date_of))
    orders["dm"] = orders["due"].dt.to_period("M")

    # Tolerance: 95th percentile and median of lateness of lines due in the 6 months before, completed before.
    done = orders.dropna(subset=["full_at"])
    tols = []
    for m in orders["dm"].unique():
        past = done[(done["fm"] < m) & (done["dm"] < m) & (done["dm"] >= m - 6)]
        late = (past["full_wd"] - past["due_wd"]).groupby([past["product_id"], past["supplier_id"]])
        tols.append(pd.DataFrame({"tol": late.agg(lambda v: _quantile(v, P.quantile)),
                                  "med": late.agg(lambda v: _quantile(v, 0.5))}).reset_index().assign(dm=m))
    orders = orders.merge(pd.concat(tols), on=["product_id", "supplier_id", "dm"], how="left")
    orders["judged0_wd"] = (orders["due_wd"] + np.ceil(orders["tol"].fillna(P.default_tolerance).clip(lower=0))
                            + P.margin_days).astype(int)
    orders["judged0"] = orders["judged0_wd"].map(date_of)

    # The common shift: per day, the median of (lateness known that day − usual), smoothed over 7 days.
    known = orders[orders["med"].notna() & (orders["judged0"] <= as_of)]
    shift = (np.minimum(known["full_wd"].fillna(known["judged0_wd"]), known["judged0_wd"]) - known["due_wd"]
             - known["med"]).groupby(known["judged0"]).agg(lambda v: _quantile(v, 0.5))
    smooth = shift.rolling("7D").median()
    orders["shift"] = orders["judged0"].map(smooth).fillna(0)
    # DuckDB rounds half away from zero; numpy to even: floor(x + 0.5) is the former for x >= -0.5.
    orders["judged_wd"] = orders["judged0_wd"] + np.maximum(0, np.floor(orders["shift"] + 0.5)).astype(int)
    orders["judged_at"] = orders["judged_wd"].map(date_of)
    judged = orders[orders["judged_at"] <= as_of].copy()
    judged["abnormal"] = judged["full_at"].isna() | (judged["full_at"] > judged["judged_at"])

    daily = judged.groupby(["product_id", "supplier_id", "judged_at"]).agg(
        n=("abnormal", "size"), k=("abnormal", "sum")).reset_index().rename(columns={"judged_at": "t"})
    rolled = (daily.set_index("t").groupby(["product_id", "supplier_id"])[["n", "k"]]
              .rolling(f"{P.window}D").sum().reset_index())
    return daily.merge(rolled.rename(columns={"n": "n_win", "k": "k_win"}), on=["product_id", "supplier_id", "t"])


def main() -> None:
    folder = Path(sys.argv[1])
    lines = sum(1 for _ in (folder / "orders.csv").open()) - 1
    start = time.perf_counter()
    ours = duckdb_features(folder)
    t_duck = time.perf_counter() - start
    start = time.perf_counter()
    theirs = pandas_features(folder)
    t_pandas = time.perf_counter() - start
    key = ["product_id", "supplier_id", "t"]
    ours["t"] = pd.to_datetime(ours["t"]).astype("datetime64[s]")
    theirs["t"] = theirs["t"].astype("datetime64[s]")
    a = ours.sort_values(key).reset_index(drop=True)[key + ["n", "k", "n_win", "k_win"]].astype(
        {"n": int, "k": int, "n_win": int, "k_win": int})
    b = theirs.sort_values(key).reset_index(drop=True)[key + ["n", "k", "n_win", "k_win"]].astype(
        {"n": int, "k": int, "n_win": int, "k_win": int})
    same = a.equals(b)
    print(f"{lines} order lines; rows {len(a)} (DuckDB) / {len(b)} (pandas); identical: {same}")
    print(f"\n| order lines | DuckDB s | pandas s | pandas / DuckDB |\n|---|---|---|---|\n"
          f"| {lines} | {t_duck:.1f} | {t_pandas:.1f} | {t_pandas / t_duck:.1f} |")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"pandas {pd.__version__}")
    if not same:
        diff = a.merge(b, on=key, how="outer", suffixes=("_duckdb", "_pandas"), indicator=True)
        print(diff[(diff["_merge"] != "both") | (diff["n_duckdb"] != diff["n_pandas"])].head(10))


if __name__ == "__main__":
    main()
