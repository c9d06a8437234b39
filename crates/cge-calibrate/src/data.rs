//! The shipped data extracts, embedded at compile time and parsed into typed rows.
//!
//! The files live in the workspace's `data/` folder, with their provenance in
//! `data/README.md`; `data/derive/extract.py` derives them from the raw public files. They are
//! plain comma-separated text with a header line, no quoting and no commas inside fields, so
//! a small reader suffices: it checks the header, the number of fields on each line, and that
//! every number parses and lies in its column's range, and reports the file, line, column and
//! value of the first problem.

use crate::error::CalibrateError;

/// File name of the World Bank aggregates extract, as used in error messages.
pub const WORLDBANK_AGGREGATES_FILE: &str = "worldbank_2001_2025_aggregates.csv";

/// File name of the Penn World Table income-group extract, as used in error messages.
pub const PWT_INCOME_GROUPS_FILE: &str = "pwt_2001_by_income_group.csv";

/// World Bank WDI GDP (current US$, NY.GDP.MKTP.CD) and population (SP.POP.TOTL) of the
/// income aggregates WLD, HIC, LMY, LIC, LMC, UMC in 2001, 2015 and the latest year both
/// series report. Source: World Bank, World Development Indicators (CC BY 4.0).
pub const WORLDBANK_AGGREGATES_CSV: &str =
    include_str!("../../../data/worldbank_2001_2025_aggregates.csv");

/// Penn World Table 10.01 sums and averages for 2001 by World Bank income group (FY2006
/// high-income list). Source: Feenstra, Inklaar & Timmer (2015), AER 105(10): 3150–3182
/// (CC BY 4.0).
pub const PWT_INCOME_GROUPS_CSV: &str = include_str!("../../../data/pwt_2001_by_income_group.csv");

const WORLDBANK_HEADER: [&str; 5] = ["aggregate", "code", "year", "gdp_usd", "population"];

const PWT_HEADER: [&str; 11] = [
    "group",
    "year",
    "countries",
    "countries_emp",
    "emp_millions",
    "countries_rgdpo",
    "rgdpo_musd2017",
    "labsh_rgdpo_weighted",
    "labsh_coverage",
    "hc_emp_weighted",
    "hc_coverage",
];

/// One World Bank aggregate in one year.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldBankAggregate {
    /// The World Bank's name of the aggregate, e.g. "High income".
    pub aggregate: String,
    /// The World Bank's code: WLD, HIC, LMY, LIC, LMC or UMC.
    pub code: String,
    /// Calendar year.
    pub year: i32,
    /// GDP [current US$].
    pub gdp_usd: f64,
    /// Total population \[persons\].
    pub population: f64,
}

/// The country groups of the Penn World Table extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeGroup {
    /// World Bank high-income economies (FY2006 classification, `data/high_income_2001.csv`).
    HighIncome,
    /// Every other economy in the Penn World Table.
    LowMiddleIncome,
    /// All economies in the Penn World Table.
    World,
}

impl IncomeGroup {
    /// The group's name as written in the data file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HighIncome => "high_income",
            Self::LowMiddleIncome => "low_middle_income",
            Self::World => "world",
        }
    }

    fn from_field(field: &str) -> Option<Self> {
        [Self::HighIncome, Self::LowMiddleIncome, Self::World]
            .into_iter()
            .find(|g| g.as_str() == field)
    }
}

/// Penn World Table 10.01 totals for one income group in one year.
///
/// Sums run over the countries that report the variable; the averages over the countries that
/// report both the variable and its weight, and the coverage fields say what share of the
/// weight they cover.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PwtIncomeGroup {
    /// The country group.
    pub group: IncomeGroup,
    /// Calendar year.
    pub year: i32,
    /// Countries of the group in the Penn World Table.
    pub countries: u32,
    /// Countries reporting persons engaged.
    pub countries_emp: u32,
    /// Persons engaged, `emp` [million persons].
    pub emp_millions: f64,
    /// Countries reporting output-side real GDP.
    pub countries_rgdpo: u32,
    /// Output-side real GDP at chained PPPs, `rgdpo` [million 2017 US$].
    pub rgdpo_musd2017: f64,
    /// Share of labour compensation in GDP, `labsh`, averaged with `rgdpo` weights \[fraction\].
    pub labsh_rgdpo_weighted: f64,
    /// Share of the group's `rgdpo` in countries that report `labsh` \[fraction\].
    pub labsh_coverage: f64,
    /// Human capital index, `hc`, averaged with `emp` weights [index, 1 = no schooling].
    pub hc_emp_weighted: f64,
    /// Share of the group's `emp` in countries that report `hc` \[fraction\].
    pub hc_coverage: f64,
}

/// The shipped World Bank aggregates extract, parsed.
///
/// # Errors
///
/// Any [`CalibrateError`] of [`parse_worldbank_aggregates`]; none for the shipped file, which
/// a test parses.
pub fn worldbank_aggregates() -> Result<Vec<WorldBankAggregate>, CalibrateError> {
    parse_worldbank_aggregates(WORLDBANK_AGGREGATES_FILE, WORLDBANK_AGGREGATES_CSV)
}

/// The shipped Penn World Table income-group extract, parsed.
///
/// # Errors
///
/// Any [`CalibrateError`] of [`parse_pwt_income_groups`]; none for the shipped file, which a
/// test parses.
pub fn pwt_income_groups() -> Result<Vec<PwtIncomeGroup>, CalibrateError> {
    parse_pwt_income_groups(PWT_INCOME_GROUPS_FILE, PWT_INCOME_GROUPS_CSV)
}

/// Parses text laid out as `data/worldbank_2001_2025_aggregates.csv`; `file` names it in
/// errors.
///
/// # Errors
///
/// [`CalibrateError::EmptyFile`], [`CalibrateError::Header`], [`CalibrateError::FieldCount`],
/// [`CalibrateError::Parse`] (a field that is not a number or integer) and
/// [`CalibrateError::OutOfRange`] (GDP or population not finite and positive).
pub fn parse_worldbank_aggregates(
    file: &str,
    text: &str,
) -> Result<Vec<WorldBankAggregate>, CalibrateError> {
    rows(file, text, &WORLDBANK_HEADER)?
        .map(|row| {
            let row = row?;
            Ok(WorldBankAggregate {
                aggregate: row.text(0).to_owned(),
                code: row.text(1).to_owned(),
                year: row.integer(2)?,
                gdp_usd: row.number(3, Range::Positive)?,
                population: row.number(4, Range::Positive)?,
            })
        })
        .collect()
}

/// Parses text laid out as `data/pwt_2001_by_income_group.csv`; `file` names it in errors.
///
/// # Errors
///
/// [`CalibrateError::EmptyFile`], [`CalibrateError::Header`], [`CalibrateError::FieldCount`],
/// [`CalibrateError::Parse`] (an unknown group, or a field that is not a number or count) and
/// [`CalibrateError::OutOfRange`] (a total that is not positive, a share or coverage outside
/// [0, 1], a human capital index below 1).
pub fn parse_pwt_income_groups(
    file: &str,
    text: &str,
) -> Result<Vec<PwtIncomeGroup>, CalibrateError> {
    rows(file, text, &PWT_HEADER)?
        .map(|row| {
            let row = row?;
            let group = IncomeGroup::from_field(row.text(0)).ok_or_else(|| {
                row.parse_error(0, "one of high_income, low_middle_income, world")
            })?;
            Ok(PwtIncomeGroup {
                group,
                year: row.integer(1)?,
                countries: row.integer(2)?,
                countries_emp: row.integer(3)?,
                emp_millions: row.number(4, Range::Positive)?,
                countries_rgdpo: row.integer(5)?,
                rgdpo_musd2017: row.number(6, Range::Positive)?,
                labsh_rgdpo_weighted: row.number(7, Range::Fraction)?,
                labsh_coverage: row.number(8, Range::Fraction)?,
                hc_emp_weighted: row.number(9, Range::AtLeastOne)?,
                hc_coverage: row.number(10, Range::Fraction)?,
            })
        })
        .collect()
}

/// The row of `rows` for aggregate `code` in `year`.
///
/// # Errors
///
/// [`CalibrateError::Missing`] when there is none.
pub fn find_aggregate<'a>(
    rows: &'a [WorldBankAggregate],
    code: &str,
    year: i32,
) -> Result<&'a WorldBankAggregate, CalibrateError> {
    rows.iter()
        .find(|r| r.code == code && r.year == year)
        .ok_or_else(|| CalibrateError::Missing {
            file: WORLDBANK_AGGREGATES_FILE.to_owned(),
            what: format!("code {code}, year {year}"),
        })
}

/// The row of `rows` for `group`.
///
/// # Errors
///
/// [`CalibrateError::Missing`] when there is none.
pub fn find_group(
    rows: &[PwtIncomeGroup],
    group: IncomeGroup,
) -> Result<&PwtIncomeGroup, CalibrateError> {
    rows.iter()
        .find(|r| r.group == group)
        .ok_or_else(|| CalibrateError::Missing {
            file: PWT_INCOME_GROUPS_FILE.to_owned(),
            what: format!("group {}", group.as_str()),
        })
}

/// Admissible values of a numeric column.
#[derive(Clone, Copy)]
pub(crate) enum Range {
    Finite,
    Positive,
    Fraction,
    AtLeastOne,
}

impl Range {
    fn admits(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Self::Finite => true,
                Self::Positive => x > 0.0,
                Self::Fraction => (0.0..=1.0).contains(&x),
                Self::AtLeastOne => x >= 1.0,
            }
    }

    fn words(self) -> &'static str {
        match self {
            Self::Finite => "a finite number",
            Self::Positive => "a finite number > 0",
            Self::Fraction => "a fraction in [0, 1]",
            Self::AtLeastOne => "a finite number >= 1",
        }
    }
}

/// A user's file: its name for error messages and its text.
///
/// # Errors
/// [`CalibrateError::Model`] with [`cge_core::CoreError::Io`] if it cannot be read.
pub(crate) fn read_file(path: &std::path::Path) -> Result<(String, String), CalibrateError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| cge_core::CoreError::Io {
        path: name.clone(),
        message: e.to_string(),
    })?;
    Ok((name, text))
}

/// One data line, split into fields, with what an error message needs.
pub(crate) struct Row<'a> {
    file: &'a str,
    line: usize,
    header: &'a [&'a str],
    fields: Vec<&'a str>,
}

impl Row<'_> {
    pub(crate) fn text(&self, i: usize) -> &str {
        self.fields[i]
    }

    /// The line number (1-based, the header is line 1).
    pub(crate) fn line(&self) -> usize {
        self.line
    }

    fn parse_error(&self, i: usize, expected: &'static str) -> CalibrateError {
        CalibrateError::Parse {
            file: self.file.to_owned(),
            line: self.line,
            column: self.header[i].to_owned(),
            value: self.fields[i].to_owned(),
            expected,
        }
    }

    pub(crate) fn integer<T: std::str::FromStr>(&self, i: usize) -> Result<T, CalibrateError> {
        self.fields[i]
            .parse()
            .map_err(|_| self.parse_error(i, "an integer"))
    }

    pub(crate) fn number(&self, i: usize, range: Range) -> Result<f64, CalibrateError> {
        let x: f64 = self.fields[i]
            .parse()
            .map_err(|_| self.parse_error(i, "a number"))?;
        if range.admits(x) {
            Ok(x)
        } else {
            Err(CalibrateError::OutOfRange {
                file: self.file.to_owned(),
                line: self.line,
                column: self.header[i].to_owned(),
                value: x,
                expected: range.words(),
            })
        }
    }
}

/// Checks the header and yields the data lines split on commas; blank lines are skipped, a
/// byte-order mark and Windows line ends are tolerated.
pub(crate) fn rows<'a>(
    file: &'a str,
    text: &'a str,
    header: &'a [&'a str],
) -> Result<impl Iterator<Item = Result<Row<'a>, CalibrateError>> + 'a, CalibrateError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .enumerate()
        .map(|(i, l)| (i + 1, l));
    let expected = header.join(",");
    let first = lines
        .next()
        .filter(|(_, l)| !l.trim().is_empty())
        .ok_or_else(|| CalibrateError::EmptyFile {
            file: file.to_owned(),
            expected: expected.clone(),
        })?;
    if first.1.trim() != expected {
        return Err(CalibrateError::Header {
            file: file.to_owned(),
            expected,
            found: first.1.to_owned(),
        });
    }
    Ok(lines
        .filter(|(_, l)| !l.trim().is_empty())
        .map(move |(line, l)| {
            let fields: Vec<&str> = l.split(',').map(str::trim).collect();
            if fields.len() != header.len() {
                return Err(CalibrateError::FieldCount {
                    file: file.to_owned(),
                    line,
                    expected: header.len(),
                    found: fields.len(),
                });
            }
            Ok(Row {
                file,
                line,
                header,
                fields,
            })
        }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    const WB_HEADER: &str = "aggregate,code,year,gdp_usd,population";

    fn wb(body: &str) -> Result<Vec<WorldBankAggregate>, CalibrateError> {
        parse_worldbank_aggregates("test.csv", &format!("{WB_HEADER}\n{body}"))
    }

    #[test]
    fn shipped_worldbank_file_parses_and_matches_spot_values() -> Result<(), CalibrateError> {
        let rows = worldbank_aggregates()?;
        assert_eq!(rows.len(), 18);
        // Spot values of the raw data's README: 33.63, 27.81 and 5.69 tn in 2001.
        for (code, tn) in [("WLD", 33.63), ("HIC", 27.81), ("LMY", 5.69)] {
            let r = find_aggregate(&rows, code, 2001)?;
            assert_relative_eq!(r.gdp_usd / 1e12, tn, max_relative = 0.005 / tn);
        }
        for (code, tn) in [("WLD", 75.36), ("HIC", 49.77), ("LMY", 25.33)] {
            let r = find_aggregate(&rows, code, 2015)?;
            assert_relative_eq!(r.gdp_usd / 1e12, tn, max_relative = 0.005 / tn);
        }
        // High income and low & middle income leave out only the economies the World Bank does
        // not classify today (Venezuela among them): under 2% of world population.
        let wld = find_aggregate(&rows, "WLD", 2001)?;
        let hic = find_aggregate(&rows, "HIC", 2001)?;
        let lmy = find_aggregate(&rows, "LMY", 2001)?;
        assert!(hic.gdp_usd + lmy.gdp_usd <= wld.gdp_usd);
        assert!((hic.gdp_usd + lmy.gdp_usd) / wld.gdp_usd > 0.99);
        assert!((hic.population + lmy.population) / wld.population > 0.98);
        Ok(())
    }

    #[test]
    fn shipped_pwt_file_parses_and_adds_up() -> Result<(), CalibrateError> {
        let rows = pwt_income_groups()?;
        assert_eq!(rows.len(), 3);
        let hi = find_group(&rows, IncomeGroup::HighIncome)?;
        let lmi = find_group(&rows, IncomeGroup::LowMiddleIncome)?;
        let world = find_group(&rows, IncomeGroup::World)?;
        // Spot value of the raw data's README: 2,639 million persons engaged in 2001.
        assert_relative_eq!(world.emp_millions, 2639.0, max_relative = 0.5 / 2639.0);
        assert_relative_eq!(
            hi.emp_millions + lmi.emp_millions,
            world.emp_millions,
            max_relative = 1e-6
        );
        assert_relative_eq!(
            hi.rgdpo_musd2017 + lmi.rgdpo_musd2017,
            world.rgdpo_musd2017,
            max_relative = 1e-6
        );
        assert_eq!(hi.countries + lmi.countries, world.countries);
        assert!(hi.labsh_rgdpo_weighted > lmi.labsh_rgdpo_weighted);
        assert!(hi.hc_emp_weighted > lmi.hc_emp_weighted);
        Ok(())
    }

    #[test]
    fn tolerates_bom_crlf_and_blank_lines() -> Result<(), CalibrateError> {
        let text = format!("\u{feff}{WB_HEADER}\r\nWorld,WLD,2001,1e13,6e9\r\n\r\n");
        let rows = parse_worldbank_aggregates("test.csv", &text)?;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].code, "WLD");
        Ok(())
    }

    #[test]
    fn empty_file_is_an_error() {
        let err = parse_worldbank_aggregates("test.csv", "\n").unwrap_err();
        assert!(matches!(err, CalibrateError::EmptyFile { .. }));
        assert_eq!(
            err.to_string(),
            "test.csv: the file is empty; expected the header \
             `aggregate,code,year,gdp_usd,population`"
        );
    }

    #[test]
    fn wrong_header_is_an_error() {
        let err = parse_worldbank_aggregates("test.csv", "code,year\nWLD,2001\n").unwrap_err();
        assert!(matches!(err, CalibrateError::Header { .. }));
        assert_eq!(
            err.to_string(),
            "test.csv line 1: header `code,year`, expected `aggregate,code,year,gdp_usd,population`"
        );
    }

    #[test]
    fn wrong_field_count_is_an_error() {
        // A quoted name with a comma is exactly what the files must not contain.
        let err = wb("World,WLD,2001,1e13,6e9\n\"Bahamas, The\",BHS,2001,1e9,3e5\n").unwrap_err();
        assert_eq!(
            err,
            CalibrateError::FieldCount {
                file: "test.csv".into(),
                line: 3,
                expected: 5,
                found: 6
            }
        );
        assert_eq!(err.to_string(), "test.csv line 3: 6 fields, expected 5");
    }

    #[test]
    fn unparsable_number_is_an_error() {
        let err = wb("World,WLD,2001,lots,6e9\n").unwrap_err();
        assert_eq!(
            err,
            CalibrateError::Parse {
                file: "test.csv".into(),
                line: 2,
                column: "gdp_usd".into(),
                value: "lots".into(),
                expected: "a number"
            }
        );
        assert_eq!(
            err.to_string(),
            "test.csv line 2, column `gdp_usd`: cannot read `lots` as a number"
        );
        let err = wb("World,WLD,2001.5,1e13,6e9\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "test.csv line 2, column `year`: cannot read `2001.5` as an integer"
        );
    }

    #[test]
    fn unknown_group_is_an_error() {
        let text = format!("{}\nrich,2001,1,1,1,1,1,0.5,1,2,1\n", PWT_HEADER.join(","));
        let err = parse_pwt_income_groups("pwt.csv", &text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "pwt.csv line 2, column `group`: cannot read `rich` as one of high_income, \
             low_middle_income, world"
        );
    }

    #[test]
    fn out_of_range_values_are_errors() {
        let err = wb("World,WLD,2001,-1e13,6e9\n").unwrap_err();
        assert_eq!(
            err,
            CalibrateError::OutOfRange {
                file: "test.csv".into(),
                line: 2,
                column: "gdp_usd".into(),
                value: -1e13,
                expected: "a finite number > 0"
            }
        );
        assert_eq!(
            err.to_string(),
            "test.csv line 2, column `gdp_usd`: -10000000000000 is out of range, \
             expected a finite number > 0"
        );
        let err = wb("World,WLD,2001,1e13,NaN\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "test.csv line 2, column `population`: NaN is out of range, \
             expected a finite number > 0"
        );
        let text = format!("{}\nworld,2001,1,1,1,1,1,1.5,1,2,1\n", PWT_HEADER.join(","));
        let err = parse_pwt_income_groups("pwt.csv", &text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "pwt.csv line 2, column `labsh_rgdpo_weighted`: 1.5 is out of range, \
             expected a fraction in [0, 1]"
        );
        let text = format!(
            "{}\nworld,2001,1,1,1,1,1,0.5,1,0.5,1\n",
            PWT_HEADER.join(",")
        );
        let err = parse_pwt_income_groups("pwt.csv", &text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "pwt.csv line 2, column `hc_emp_weighted`: 0.5 is out of range, \
             expected a finite number >= 1"
        );
    }

    #[test]
    fn missing_rows_are_errors() -> Result<(), CalibrateError> {
        let rows = worldbank_aggregates()?;
        let err = find_aggregate(&rows, "XYZ", 2001).unwrap_err();
        assert!(matches!(err, CalibrateError::Missing { .. }));
        assert_eq!(
            err.to_string(),
            "worldbank_2001_2025_aggregates.csv: no row for code XYZ, year 2001"
        );
        let err = find_group(&[], IncomeGroup::World).unwrap_err();
        assert_eq!(
            err.to_string(),
            "pwt_2001_by_income_group.csv: no row for group world"
        );
        Ok(())
    }
}
