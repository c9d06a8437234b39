#!/usr/bin/env python3
"""Derive the seven-region extracts for the complete-labour-mobility reproductions.

Run from the workspace root:  python3 data/derive/extract_regions.py

Reads (never at run time of the library, only here):
  /work/shared/data/pwt/pwt1001.csv                Penn World Table 10.01 (UTF-8 with BOM)
  /work/shared/data/worldbank/gdp_current_usd.csv  WDI NY.GDP.MKTP.CD (reconciliation only)
  data/mobility_regions.csv                        country -> region map (hand-made)

Writes:
  data/pwt_1977_regions.csv   Hamilton & Whalley (1984) benchmark year
  data/pwt_1998_regions.csv   Moses & Letnes (2004) benchmark year

For each region and year, over the countries that report output-side GDP at current PPPs
(cgdpo), its price level (pl_gdpo) and persons engaged (emp):
  gdp_xr_musd       sum of cgdpo * pl_gdpo: GDP at current exchange rates [million current US$]
                    (pl_gdpo is the PPP/exchange-rate price level relative to the USA in 2017,
                    so the product converts 2017-US$ PPP values into current US$)
  gdp_ppp_musd2017  sum of cgdpo [million 2017 US$ at current PPPs]
  emp_millions      sum of emp [million persons engaged]
  pop_millions      sum of pop [million persons]
  labsh             labour share, averaged with gdp_xr weights over the countries that report it;
                    a country without labsh thereby gets its region's average (the fallback)
  labsh_coverage    share of the region's gdp_xr in countries that report labsh
  hc                human capital index, averaged with emp weights over the reporting countries
  hc_coverage       share of the region's emp in countries that report hc

Standard library only. The outputs contain no quotes and no commas inside fields, so that the
Rust side can read them with a plain split on commas. The script stops with an error if a PWT
country is missing from the map, if a region has no country reporting labsh or hc, or if the
totals drift from the checks below.
"""

import csv
import os
import sys

RAW = os.environ.get("CGE_RAW_DATA", "/work/shared/data")
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)

YEARS = [1977, 1998]
REGIONS = [
    "north_america",
    "western_europe",
    "japan_oceania",
    "latin_america",
    "mena_eastern_europe",
    "sub_saharan_africa",
    "asia",
]
HEADER = [
    "region", "year", "countries", "emp_millions", "pop_millions", "gdp_xr_musd",
    "gdp_ppp_musd2017", "labsh", "labsh_coverage", "hc", "hc_coverage",
]
# Spot checks: United States GDP 1977 at exchange rates in PWT (cgdpo * pl_gdpo) against the
# WDI value (2,081.8 bn), and the share of WDI world GDP the regions cover.
US_1977_WDI_BN = 2081.826
MIN_WORLD_COVERAGE = 0.95


def plain(field):
    text = str(field)
    if "," in text or '"' in text or "\n" in text:
        sys.exit(f"field needs quoting, which the Rust reader does not support: {text!r}")
    return text


def read_map(path):
    with open(path, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    out = {}
    for row in csv.DictReader(lines):
        if row["code"] in out:
            sys.exit(f"{path}: duplicate code {row['code']}")
        if row["region"] not in REGIONS:
            sys.exit(f"{path}: unknown region {row['region']} for {row['code']}")
        out[row["code"]] = row["region"]
    return out


def read_wdi_world(path):
    out = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row["Country Code"] == "WLD":
                out[int(row["Year"])] = float(row["Value"])
    return out


def num(row, col):
    return float(row[col]) if row[col] != "" else None


def main():
    region_of = read_map(os.path.join(DATA, "mobility_regions.csv"))
    with open(os.path.join(RAW, "pwt", "pwt1001.csv"), encoding="utf-8-sig", newline="") as f:
        pwt = [r for r in csv.DictReader(f) if int(r["year"]) in YEARS]
    unmapped = sorted({r["countrycode"] for r in pwt} - set(region_of))
    if unmapped:
        sys.exit(f"PWT countries missing from mobility_regions.csv: {unmapped}")
    wdi_world = read_wdi_world(os.path.join(RAW, "worldbank", "gdp_current_usd.csv"))

    for year in YEARS:
        rows = [r for r in pwt if int(r["year"]) == year]
        included = [r for r in rows if all(num(r, c) is not None for c in ("cgdpo", "pl_gdpo", "emp"))]
        left_out = [r for r in rows if r not in included and num(r, "cgdpo") is not None]
        out_rows = []
        world_xr = 0.0
        for region in REGIONS:
            members = [r for r in included if region_of[r["countrycode"]] == region]
            if not members:
                sys.exit(f"{year} {region}: no country reports cgdpo, pl_gdpo and emp")
            xr = {r["countrycode"]: num(r, "cgdpo") * num(r, "pl_gdpo") for r in members}
            gdp_xr = sum(xr.values())
            gdp_ppp = sum(num(r, "cgdpo") for r in members)
            emp = sum(num(r, "emp") for r in members)
            pop = sum(num(r, "pop") for r in members)
            ls = [(num(r, "labsh"), xr[r["countrycode"]]) for r in members if num(r, "labsh") is not None]
            hc = [(num(r, "hc"), num(r, "emp")) for r in members if num(r, "hc") is not None]
            if not ls or not hc:
                sys.exit(f"{year} {region}: no country reports labsh or hc")
            labsh = sum(a * w for a, w in ls) / sum(w for _, w in ls)
            hc_avg = sum(a * w for a, w in hc) / sum(w for _, w in hc)
            out_rows.append([
                region, year, len(members), f"{emp:.4f}", f"{pop:.4f}", f"{gdp_xr:.1f}",
                f"{gdp_ppp:.1f}", f"{labsh:.6f}", f"{sum(w for _, w in ls) / gdp_xr:.6f}",
                f"{hc_avg:.6f}", f"{sum(w for _, w in hc) / emp:.6f}",
            ])
            world_xr += gdp_xr
            wage = labsh * gdp_xr / emp / 1e3
            print(f"{year} {region:20s} {len(members):3d} countries, emp {emp:8.1f} m, GDP "
                  f"{gdp_xr / 1e6:6.3f} tn US$, labsh {labsh:.3f}, hc {hc_avg:.3f}, "
                  f"labour income per worker {wage:6.2f} thousand US$")
        path = os.path.join(DATA, f"pwt_{year}_regions.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(",".join(HEADER) + "\n")
            for row in out_rows:
                f.write(",".join(plain(x) for x in row) + "\n")
        coverage = world_xr * 1e6 / wdi_world[year]
        left_gdp = sum(num(r, "cgdpo") * num(r, "pl_gdpo") for r in left_out
                       if num(r, "pl_gdpo") is not None)
        print(f"wrote {path}: {len(included)} countries; GDP {world_xr / 1e6:.3f} tn US$ = "
              f"{100 * coverage:.1f}% of WDI world GDP {wdi_world[year] / 1e12:.3f} tn; left out "
              f"for lack of emp: {len(left_out)} countries with {left_gdp / 1e3:.1f} bn US$ "
              f"({', '.join(sorted(r['countrycode'] for r in left_out))})")
        if coverage < MIN_WORLD_COVERAGE or coverage > 1.0:
            sys.exit(f"{year}: regions cover {100 * coverage:.1f}% of WDI world GDP")
        if year == 1977:
            us = next(r for r in rows if r["countrycode"] == "USA")
            us_bn = num(us, "cgdpo") * num(us, "pl_gdpo") / 1e3
            print(f"USA 1977 GDP at exchange rates: PWT {us_bn:.1f} bn, WDI {US_1977_WDI_BN} bn")
            if abs(us_bn / US_1977_WDI_BN - 1) > 0.01:
                sys.exit("USA 1977: PWT cgdpo * pl_gdpo is more than 1% off the WDI value")


if __name__ == "__main__":
    main()
