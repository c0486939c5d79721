"""Writes the series the history scenarios read, from the data files beside
them (standard library only; run from the repository root):

- data/dependence.csv: E, the bilateral goods trade of a pair (data/trade-goods.csv)
  in percent of the GDP of `from` (data/gdp-current-usd.csv), for both
  directions of every pair: E = 100 * trade / GDP.
- data/affinity-vdem.csv: N, normative affinity from regime similarity,
  N = 1 - 2 |p_a - p_b| with p the V-Dem electoral democracy index
  (data/vdem-polyarchy.csv), clipped to [-1, 1].

docs/model.md (section 6.1) explains the choices.
"""

import csv


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def by_country_year(path, column):
    return {(r["iso3"], int(r["year"])): float(r[column]) for r in rows(path)}


gdp = by_country_year("data/gdp-current-usd.csv", "gdp_usd")
poly = by_country_year("data/vdem-polyarchy.csv", "v2x_polyarchy")

with open("data/dependence.csv", "w", newline="") as f:
    f.write("# E: bilateral goods trade in percent of the GDP of `from`, written by\n")
    f.write("# scripts/derive_series.py from data/trade-goods.csv and data/gdp-current-usd.csv.\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["from", "to", "year", "E", "trade_musd", "gdp_usd", "trade_kind"])
    trade = rows("data/trade-goods.csv")
    for a, b in sorted({(r["a"], r["b"]) for r in trade}):
        for frm, to in [(a, b), (b, a)]:
            for r in trade:
                if (r["a"], r["b"]) != (a, b):
                    continue
                year = int(r["year"])
                g = gdp[(frm, year)]
                e = 100.0 * float(r["trade_musd"]) * 1e6 / g
                w.writerow([frm, to, year, f"{e:.4f}", r["trade_musd"], f"{g:.0f}", r["kind"]])

PAIRS = [("USA", "RUS"), ("USA", "CHN"), ("RUS", "CHN"), ("USA", "IND"), ("RUS", "IND"), ("CHN", "IND")]
with open("data/affinity-vdem.csv", "w", newline="") as f:
    f.write("# N: normative affinity from regime similarity, N = 1 - 2 |p_a - p_b|, p = V-Dem\n")
    f.write("# v2x_polyarchy; written by scripts/derive_series.py from data/vdem-polyarchy.csv.\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["a", "b", "year", "N", "polyarchy_a", "polyarchy_b"])
    for a, b in PAIRS:
        for year in range(1985, 2023):
            pa, pb = poly[(a, year)], poly[(b, year)]
            n = max(-1.0, min(1.0, 1.0 - 2.0 * abs(pa - pb)))
            w.writerow([a, b, year, f"{n:.4f}", pa, pb])

# Capability: approximate CINC scores (National Material Capabilities v6.0,
# Singer, Bremer and Stuckey 1972; Greig and Enterline) at anchor years,
# two significant figures, interpolated linearly between anchors and held
# after 2016, the last year of the data set.
CINC = {
    "USA": {1992: 0.146, 1995: 0.142, 2000: 0.146, 2005: 0.149, 2010: 0.146, 2016: 0.133},
    "RUS": {1992: 0.058, 1995: 0.048, 2000: 0.045, 2005: 0.040, 2010: 0.039, 2016: 0.0365},
    "CHN": {1992: 0.108, 1995: 0.120, 2000: 0.129, 2005: 0.158, 2010: 0.196, 2016: 0.2306},
    "IND": {1992: 0.060, 2000: 0.066, 2010: 0.072, 2016: 0.073},
}
with open("data/capability-cinc.csv", "w", newline="") as f:
    f.write("# Capability w: CINC score (NMC v6.0) at anchor years, approximate (see data/README.md);\n")
    f.write("# other years interpolated or held. Written by scripts/derive_series.py.\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["iso3", "year", "cinc", "kind"])
    for iso, anchors in CINC.items():
        years = sorted(anchors)
        for year in range(1991, 2023):
            if year in anchors:
                value, kind = anchors[year], "literature (NMC v6.0, approximate)"
            elif year < years[0]:
                value, kind = anchors[years[0]], f"held from {years[0]}"
            elif year > years[-1]:
                value, kind = anchors[years[-1]], f"held from {years[-1]} (last year of NMC v6.0)"
            else:
                lo = max(y for y in years if y < year)
                hi = min(y for y in years if y > year)
                f_ = (year - lo) / (hi - lo)
                value = anchors[lo] * (1 - f_) + anchors[hi] * f_
                kind = f"interpolated between {lo} and {hi}"
            w.writerow([iso, year, f"{value:.4f}", kind])
