#!/usr/bin/env python3
"""Derive the project's data extracts from the raw public files.

Run from the workspace root:  python3 data/derive/extract.py

Reads (never at run time of the library, only here):
  /work/shared/data/pwt/pwt1001.csv                   Penn World Table 10.01 (UTF-8 with BOM)
  /work/shared/data/worldbank/gdp_current_usd.csv     WDI NY.GDP.MKTP.CD
  /work/shared/data/worldbank/population.csv          WDI SP.POP.TOTL
  data/high_income_2001.csv                           World Bank FY2006 high-income list

Writes:
  data/worldbank_2001_2025_aggregates.csv
  data/pwt_2001_by_income_group.csv

Standard library only (csv, json). The outputs contain no quotes and no commas inside
fields, so that the Rust side can read them with a plain split on commas.
"""

import csv
import json
import os
import sys

RAW = os.environ.get("CGE_RAW_DATA", "/work/shared/data")
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)

AGGREGATES = ["WLD", "HIC", "LMY", "LIC", "LMC", "UMC"]
BASE_YEAR = 2001
MID_YEAR = 2015
PWT_YEAR = 2001


def read_wb(path):
    """{(code, year): (name, value string)} from a WDI long-format file."""
    out = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            out[(row["Country Code"], int(row["Year"]))] = (
                row["Country Name"],
                row["Value"],
            )
    return out


def read_high_income(path):
    codes = []
    with open(path, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    for row in csv.DictReader(lines):
        codes.append(row["code"])
    if len(codes) != len(set(codes)):
        sys.exit(f"{path}: duplicate codes")
    return set(codes)


def plain(field):
    """Refuse fields that would need quoting in the output."""
    text = str(field)
    if "," in text or '"' in text or "\n" in text:
        sys.exit(f"field needs quoting, which the Rust reader does not support: {text!r}")
    return text


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(plain(x) for x in row) + "\n")


def worldbank_aggregates():
    gdp = read_wb(os.path.join(RAW, "worldbank", "gdp_current_usd.csv"))
    pop = read_wb(os.path.join(RAW, "worldbank", "population.csv"))
    # The latest year for which both series report the world aggregate.
    last_gdp = max(y for (c, y) in gdp if c == "WLD")
    last_pop = max(y for (c, y) in pop if c == "WLD")
    last = min(last_gdp, last_pop)
    years = sorted({BASE_YEAR, MID_YEAR, last})
    rows = []
    for code in AGGREGATES:
        for year in years:
            if (code, year) not in gdp or (code, year) not in pop:
                print(f"  {code} {year}: not in both files, skipped", file=sys.stderr)
                continue
            name, g = gdp[(code, year)]
            _, p = pop[(code, year)]
            # Population is a head count: write it as an integer.
            rows.append([name, code, year, g, int(round(float(p)))])
    out = os.path.join(DATA, "worldbank_2001_2025_aggregates.csv")
    write_csv(out, ["aggregate", "code", "year", "gdp_usd", "population"], rows)
    print(f"wrote {out}: {len(rows)} rows, years {years} "
          f"(GDP ends {last_gdp}, population ends {last_pop})")
    return gdp, pop


def pwt_by_income_group(high_income):
    path = os.path.join(RAW, "pwt", "pwt1001.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if int(r["year"]) == PWT_YEAR]

    def num(r, col):
        return float(r[col]) if r[col] != "" else None

    groups = {"high_income": [], "low_middle_income": []}
    for r in rows:
        key = "high_income" if r["countrycode"] in high_income else "low_middle_income"
        groups[key].append(r)
    groups["world"] = rows

    out_rows = []
    summary = {}
    for name in ["high_income", "low_middle_income", "world"]:
        members = groups[name]
        emp = [(r, num(r, "emp")) for r in members if num(r, "emp") is not None]
        y = [(r, num(r, "rgdpo")) for r in members if num(r, "rgdpo") is not None]
        # Aggregate labour share = labour income / output: weight by output.
        ls = [(num(r, "labsh"), num(r, "rgdpo")) for r in members
              if num(r, "labsh") is not None and num(r, "rgdpo") is not None]
        # Human capital per worker: weight by persons engaged.
        hc = [(num(r, "hc"), num(r, "emp")) for r in members
              if num(r, "hc") is not None and num(r, "emp") is not None]
        emp_sum = sum(v for _, v in emp)
        y_sum = sum(v for _, v in y)
        ls_avg = sum(a * w for a, w in ls) / sum(w for _, w in ls)
        hc_avg = sum(a * w for a, w in hc) / sum(w for _, w in hc)
        ls_cov = sum(w for _, w in ls) / y_sum
        hc_cov = sum(w for _, w in hc) / emp_sum
        out_rows.append([
            name, PWT_YEAR, len(members), len(emp), f"{emp_sum:.4f}", len(y),
            f"{y_sum:.1f}", f"{ls_avg:.6f}", f"{ls_cov:.6f}", f"{hc_avg:.6f}", f"{hc_cov:.6f}",
        ])
        summary[name] = {"countries": len(members), "emp": emp_sum, "rgdpo": y_sum,
                         "labsh": ls_avg, "hc": hc_avg}
    matched = sorted(high_income & {r["countrycode"] for r in rows})
    out = os.path.join(DATA, "pwt_2001_by_income_group.csv")
    write_csv(out, [
        "group", "year", "countries", "countries_emp", "emp_millions", "countries_rgdpo",
        "rgdpo_musd2017", "labsh_rgdpo_weighted", "labsh_coverage", "hc_emp_weighted",
        "hc_coverage",
    ], out_rows)
    print(f"wrote {out}; high-income codes found in PWT: {len(matched)}")
    return summary


def main():
    high_income = read_high_income(os.path.join(DATA, "high_income_2001.csv"))
    gdp, pop = worldbank_aggregates()
    summary = pwt_by_income_group(high_income)

    # Checks against the spot values of /work/shared/data/README.md, and a reconciliation of
    # the hand-made FY2006 list with the WDI aggregate (which uses today's classification).
    def tn(code, year):
        return float(gdp[(code, year)][1]) / 1e12
    hic_list_gdp = sum(float(v) for (c, y), (_, v) in gdp.items()
                       if y == BASE_YEAR and c in high_income and v != "")
    hic_list_pop = sum(float(v) for (c, y), (_, v) in pop.items()
                       if y == BASE_YEAR and c in high_income and v != "")
    checks = {
        "gdp_2001_tn": {c: round(tn(c, BASE_YEAR), 2) for c in ["WLD", "HIC", "LMY"]},
        "gdp_2015_tn": {c: round(tn(c, MID_YEAR), 2) for c in ["WLD", "HIC", "LMY"]},
        "fy2006_list_gdp_2001_tn": round(hic_list_gdp / 1e12, 2),
        "fy2006_list_population_2001_m": round(hic_list_pop / 1e6, 1),
        "pwt_emp_2001_m": {k: round(v["emp"], 1) for k, v in summary.items()},
    }
    print(json.dumps(checks, indent=1))
    expected = {"WLD": 33.63, "HIC": 27.81, "LMY": 5.69}
    for code, value in expected.items():
        if abs(tn(code, BASE_YEAR) - value) > 0.005:
            sys.exit(f"GDP 2001 {code}: {tn(code, BASE_YEAR):.3f} tn, README says {value}")
    if abs(summary["world"]["emp"] - 2639) > 0.5:
        sys.exit(f"PWT emp 2001: {summary['world']['emp']:.1f} m, README says 2,639")


if __name__ == "__main__":
    main()
