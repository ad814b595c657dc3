#!/usr/bin/env python3
"""The same analysis as `strata analyze` with pandas + scipy, for the benchmark: read the CSV, drop
duplicate units, aggregate per variant x segment, SRM chi-squared per segment and overall, a two-proportion
z test (binary) and Welch's t test (continuous) per segment x treatment, Holm over the primary family.

    python3 Benchmarks/analyze_pandas.py bench-data/analyze-10m.csv
"""
import sys

import numpy as np
import pandas as pd
import scipy.stats as st
from statsmodels.stats.multitest import multipletests


def main(path):
    frame = pd.read_csv(path, dtype={"unit_id": str, "variant": "category", "segment": "category"})
    frame = frame.drop_duplicates("unit_id")
    grouped = frame.groupby(["segment", "variant"], observed=True).agg(
        n=("unit_id", "size"), conversions=("converted", "sum"),
        revenue_n=("revenue", "count"), revenue_mean=("revenue", "mean"), revenue_sd=("revenue", "std"))
    pvalues = []
    for segment, table in grouped.groupby(level=0, observed=True):
        table = table.droplevel(0)
        st.chisquare(table["n"].to_numpy())
        control = table.loc["control"]
        for variant in ["v1", "v2"]:
            row = table.loc[variant]
            pooled = (control.conversions + row.conversions) / (control.n + row.n)
            z = (row.conversions / row.n - control.conversions / control.n) / np.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / row.n))
            pvalues.append(2 * st.norm.sf(abs(z)))
            st.ttest_ind_from_stats(row.revenue_mean, row.revenue_sd, row.revenue_n,
                                    control.revenue_mean, control.revenue_sd, control.revenue_n, equal_var=False)
    adjusted = multipletests(pvalues, method="holm")[1]
    print(grouped)
    print("holm-adjusted p:", adjusted)


if __name__ == "__main__":
    main(sys.argv[1])
