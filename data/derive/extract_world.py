#!/usr/bin/env python3
"""Derive the inputs of the calibrated world model (cge-calibrate, `world` module).

Run from the workspace root:  python3 data/derive/extract_world.py

Reads (only here, never at run time):
  /work/shared/data/pwt/pwt1001.csv                   Penn World Table 10.01
  /work/shared/data/worldbank/gdp_current_usd.csv     WDI NY.GDP.MKTP.CD
  data/high_income_2001.csv                           World Bank FY2006 high-income list

Writes data/world_model_inputs.csv with, for each income group (high income = the FY2006
list; low & middle income = every other economy):
  gdp_2001_usd        GDP 2001, current US$, summed over the group's WDI country rows
  emp_2001, emp_2019  PWT persons engaged [millions], countries reporting both years
  rgdpna_2001, rgdpna_2019  PWT real GDP at constant 2017 national prices [million 2017 US$],
                      countries reporting both years
  growth_gdp, growth_emp   average annual growth 2001-2019 implied by those sums

and data/world_1997.csv, the same two groups in 1997 (the base year of the GTAP 5 data of
Walmsley & Winters 2005), over the PWT countries that report `emp` in 1997:
  gdp_1997_usd        GDP 1997, current US$ (= 1997 prices), summed over those countries' WDI rows
  emp_1997            PWT persons engaged [millions]

Standard library only.
"""

import csv
import os
import sys

RAW = os.environ.get("CGE_RAW_DATA", "/work/shared/data")
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
Y0, Y1 = 2001, 2019
Y_WW = 1997


def high_income_codes():
    with open(os.path.join(DATA, "high_income_2001.csv"), encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return {row["code"] for row in csv.DictReader(lines)}


def number(text):
    text = (text or "").strip()
    return float(text) if text else None


def main():
    high = high_income_codes()
    pwt = {}
    with open(os.path.join(RAW, "pwt", "pwt1001.csv"), encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            year = int(row["year"])
            if year in (Y0, Y1, Y_WW):
                pwt[(row["countrycode"], year)] = row
    gdp = {}
    gdp_ww = {}
    with open(os.path.join(RAW, "worldbank", "gdp_current_usd.csv"), encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if int(row["Year"]) == Y0:
                gdp[row["Country Code"]] = number(row["Value"])
            elif int(row["Year"]) == Y_WW:
                gdp_ww[row["Country Code"]] = number(row["Value"])
    # WDI mixes countries and aggregates; PWT's country list tells countries apart.
    pwt_countries = {code for code, _ in pwt}
    groups = {"high_income": lambda c: c in high, "low_middle_income": lambda c: c not in high}
    rows = []
    for name, member in groups.items():
        totals = {"gdp_2001_usd": 0.0, "emp_2001": 0.0, "emp_2019": 0.0, "rgdpna_2001": 0.0, "rgdpna_2019": 0.0}
        countries = 0
        for code in sorted(pwt_countries):
            if not member(code):
                continue
            a, b = pwt.get((code, Y0)), pwt.get((code, Y1))
            if a is None or b is None:
                continue
            countries += 1
            if gdp.get(code) is not None:
                totals["gdp_2001_usd"] += gdp[code]
            e0, e1 = number(a["emp"]), number(b["emp"])
            if e0 is not None and e1 is not None:
                totals["emp_2001"] += e0
                totals["emp_2019"] += e1
            g0, g1 = number(a["rgdpna"]), number(b["rgdpna"])
            if g0 is not None and g1 is not None:
                totals["rgdpna_2001"] += g0
                totals["rgdpna_2019"] += g1
        years = Y1 - Y0
        growth_gdp = (totals["rgdpna_2019"] / totals["rgdpna_2001"]) ** (1 / years) - 1
        growth_emp = (totals["emp_2019"] / totals["emp_2001"]) ** (1 / years) - 1
        rows.append([name, countries] + [f"{totals[k]:.1f}" for k in totals] + [f"{growth_gdp:.6f}", f"{growth_emp:.6f}"])
        print(f"{name}: {countries} countries, GDP 2001 {totals['gdp_2001_usd'] / 1e12:.2f} tn US$, "
              f"emp {totals['emp_2001']:.1f} -> {totals['emp_2019']:.1f} m ({growth_emp:.2%}/yr), "
              f"real GDP growth {growth_gdp:.2%}/yr")
    out = os.path.join(DATA, "world_model_inputs.csv")
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["group", "countries", "gdp_2001_usd", "emp_2001", "emp_2019", "rgdpna_2001", "rgdpna_2019", "growth_gdp", "growth_emp"])
        w.writerows(rows)
    print(f"wrote {out}")
    rows = []
    for name, member in groups.items():
        countries, total_gdp, total_emp = 0, 0.0, 0.0
        for code in sorted(pwt_countries):
            row = pwt.get((code, Y_WW))
            if not member(code) or row is None or number(row["emp"]) is None:
                continue
            countries += 1
            total_emp += number(row["emp"])
            if gdp_ww.get(code) is not None:
                total_gdp += gdp_ww[code]
        rows.append([name, countries, f"{total_gdp:.1f}", f"{total_emp:.1f}"])
        print(f"{name} {Y_WW}: {countries} countries, GDP {total_gdp / 1e12:.2f} tn US$, emp {total_emp:.1f} m")
    out = os.path.join(DATA, "world_1997.csv")
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["group", "countries", "gdp_1997_usd", "emp_1997"])
        w.writerows(rows)
    print(f"wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
