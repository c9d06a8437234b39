//! Parameters from the literature, with their sources: `data/literature_parameters.csv`.
//!
//! One row per number: the model it belongs to (`world`, `trade`), the parameter's name, an
//! index for the elements of a pair (`0`, `1`: high income, developing) or of a 2 × 2 matrix
//! (`importer.exporter`), the value, its unit and its source. The defaults of
//! [`crate::world::WorldParameters`] and [`crate::trade::TradeParameters`] are read from it;
//! [`read_literature_csv`] reads an edited copy, so that a user can change an assumption
//! without touching code ([`crate::world::WorldParameters::from_literature`]).

use std::cell::RefCell;

use serde::{Deserialize, Serialize};

use crate::data::{rows, Range};
use crate::error::CalibrateError;

/// File name of the shipped table, as used in error messages.
pub const LITERATURE_FILE: &str = "literature_parameters.csv";

/// The shipped table, embedded at compile time.
pub const LITERATURE_CSV: &str = include_str!("../../../data/literature_parameters.csv");

const HEADER: [&str; 6] = ["model", "parameter", "index", "value", "unit", "source"];

/// The models a row may belong to.
const MODELS: [&str; 2] = ["world", "trade"];

/// How [`Lookup`]'s errors name the table (the shipped file or a user's copy).
const TABLE: &str = "the literature table";

/// One number of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiteratureValue {
    /// `world` or `trade`.
    pub model: String,
    /// The parameter's name (a field of the model's parameters, or an input they derive from).
    pub parameter: String,
    /// Empty for a number, `i` for an element of a pair, `i.j` for one of a 2 × 2 matrix.
    pub index: String,
    /// The value.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// Where it comes from.
    pub source: String,
}

/// The shipped table.
///
/// # Errors
/// None for the shipped file (tested); see [`parse_literature_csv`].
pub fn literature() -> Result<Vec<LiteratureValue>, CalibrateError> {
    parse_literature_csv(LITERATURE_FILE, LITERATURE_CSV)
}

/// Reads a table in the layout of `data/literature_parameters.csv`.
///
/// # Errors
/// [`CalibrateError::Model`] with [`cge_core::CoreError::Io`] if the file cannot be read, and
/// the errors of [`parse_literature_csv`].
pub fn read_literature_csv(path: &std::path::Path) -> Result<Vec<LiteratureValue>, CalibrateError> {
    let (name, text) = crate::data::read_file(path)?;
    parse_literature_csv(&name, &text)
}

/// Parses the table; `file` names it in errors.
///
/// # Errors
/// [`CalibrateError::Header`], [`CalibrateError::FieldCount`], [`CalibrateError::Parse`] for
/// a model other than `world` or `trade` or a value that is not a number, [`CalibrateError::OutOfRange`] for a non-finite one,
/// [`CalibrateError::Duplicate`] for a second row of the same model, parameter and index.
pub fn parse_literature_csv(
    file: &str,
    text: &str,
) -> Result<Vec<LiteratureValue>, CalibrateError> {
    let mut out: Vec<LiteratureValue> = Vec::new();
    for row in rows(file, text, &HEADER)? {
        let row = row?;
        if !MODELS.contains(&row.text(0)) {
            return Err(CalibrateError::Parse {
                file: file.to_string(),
                line: row.line(),
                column: "model".into(),
                value: row.text(0).to_string(),
                expected: "`world` or `trade`",
            });
        }
        let value = LiteratureValue {
            model: row.text(0).to_string(),
            parameter: row.text(1).to_string(),
            index: row.text(2).to_string(),
            value: row.number(3, Range::Finite)?,
            unit: row.text(4).to_string(),
            source: row.text(5).to_string(),
        };
        if out.iter().any(|v| {
            (&v.model, &v.parameter, &v.index) == (&value.model, &value.parameter, &value.index)
        }) {
            return Err(CalibrateError::Duplicate {
                file: file.to_string(),
                line: row.line(),
                what: describe(&value.model, &value.parameter, &value.index),
            });
        }
        out.push(value);
    }
    Ok(out)
}

fn describe(model: &str, parameter: &str, index: &str) -> String {
    if index.is_empty() {
        format!("{model} parameter `{parameter}`")
    } else {
        format!("{model} parameter `{parameter}` index {index}")
    }
}

/// Looks up one model's rows and remembers which were read, so that a row nothing reads (a
/// misspelt name) is an error rather than ignored.
pub(crate) struct Lookup<'a> {
    rows: &'a [LiteratureValue],
    model: &'static str,
    read: RefCell<Vec<bool>>,
}

impl<'a> Lookup<'a> {
    pub(crate) fn new(rows: &'a [LiteratureValue], model: &'static str) -> Self {
        Self {
            rows,
            model,
            read: RefCell::new(vec![false; rows.len()]),
        }
    }

    /// The row of `parameter` at `index` in this model, if any.
    fn position(&self, parameter: &str, index: &str) -> Option<usize> {
        self.rows
            .iter()
            .position(|v| v.model == self.model && v.parameter == parameter && v.index == index)
    }

    fn at(&self, parameter: &str, index: &str) -> Result<f64, CalibrateError> {
        let k = self
            .position(parameter, index)
            .ok_or_else(|| CalibrateError::Missing {
                file: TABLE.into(),
                what: describe(self.model, parameter, index),
            })?;
        Ok(self.read_row(k))
    }

    /// The value of row `k`, marked as read.
    fn read_row(&self, k: usize) -> f64 {
        self.read.borrow_mut()[k] = true;
        self.rows[k].value
    }

    /// A number.
    pub(crate) fn number(&self, parameter: &str) -> Result<f64, CalibrateError> {
        self.at(parameter, "")
    }

    /// A number that may have no row (`None`: the model's structure without it).
    pub(crate) fn optional_number(&self, parameter: &str) -> Option<f64> {
        self.position(parameter, "").map(|k| self.read_row(k))
    }

    /// A year.
    pub(crate) fn year(&self, parameter: &'static str) -> Result<i32, CalibrateError> {
        let v = self.number(parameter)?;
        if v.fract() == 0.0 && (1900.0..=2200.0).contains(&v) {
            Ok(v as i32)
        } else {
            Err(CalibrateError::ParameterOutOfRange {
                name: parameter,
                value: v,
                low: 1900.0,
                high: 2200.0,
            })
        }
    }

    /// [high income, developing].
    pub(crate) fn pair(&self, parameter: &str) -> Result<[f64; 2], CalibrateError> {
        Ok([self.at(parameter, "0")?, self.at(parameter, "1")?])
    }

    /// [[0.0, 0.1], [1.0, 1.1]].
    pub(crate) fn matrix(&self, parameter: &str) -> Result<[[f64; 2]; 2], CalibrateError> {
        Ok([
            [self.at(parameter, "0.0")?, self.at(parameter, "0.1")?],
            [self.at(parameter, "1.0")?, self.at(parameter, "1.1")?],
        ])
    }

    /// Fails on a row of this model that nothing has read.
    pub(crate) fn finish(self) -> Result<(), CalibrateError> {
        let read = self.read.into_inner();
        match self
            .rows
            .iter()
            .zip(read)
            .find(|(v, read)| v.model == self.model && !read)
        {
            Some((v, _)) => Err(CalibrateError::Unknown {
                file: TABLE.into(),
                what: describe(&v.model, &v.parameter, &v.index),
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "model,parameter,index,value,unit,source\n";

    #[test]
    fn shipped_table_parses_and_every_row_is_read() {
        let table = literature().unwrap();
        assert!(table.len() > 40);
        assert!(table
            .iter()
            .all(|v| !v.source.is_empty() && !v.unit.is_empty()));
        crate::world::WorldParameters::from_literature(&table).unwrap();
        crate::trade::TradeParameters::from_literature(&table).unwrap();
    }

    #[test]
    fn an_edited_table_changes_the_parameters() {
        let edited =
            LITERATURE_CSV.replace("world,sigma_armington,,4.0,", "world,sigma_armington,,6.5,");
        let table = parse_literature_csv("edited.csv", &edited).unwrap();
        let p = crate::world::WorldParameters::from_literature(&table).unwrap();
        assert_eq!(p.sigma_armington, 6.5);
        // An optional parameter: absent from the shipped table, set by an added row.
        assert_eq!(p.export_transformation, None);
        let added = format!("{LITERATURE_CSV}world,export_transformation,,4,elasticity,a test\n");
        let table = parse_literature_csv("added.csv", &added).unwrap();
        let p = crate::world::WorldParameters::from_literature(&table).unwrap();
        assert_eq!(p.export_transformation, Some(4.0));
        let negative = added.replace("export_transformation,,4,", "export_transformation,,-1,");
        let table = parse_literature_csv("negative.csv", &negative).unwrap();
        let e = crate::world::WorldParameters::from_literature(&table).unwrap_err();
        assert!(e.to_string().contains("export_transformation"), "{e}");
        // A bad year is reported by its parameter's name.
        let year =
            LITERATURE_CSV.replace("world,trade_horizon,,2015,", "world,trade_horizon,,2015.5,");
        let table = parse_literature_csv("year.csv", &year).unwrap();
        let e = crate::world::WorldParameters::from_literature(&table).unwrap_err();
        assert!(e.to_string().contains("trade_horizon"), "{e}");
    }

    #[test]
    fn bad_tables_are_typed_errors() {
        let e = parse_literature_csv("t.csv", &format!("{HEAD}world,aid,,lots,US$ bn,x\n"))
            .unwrap_err();
        assert!(
            e.to_string().contains("t.csv line 2, column `value`"),
            "{e}"
        );
        let twice = format!("{HEAD}world,aid,,70,US$ bn,x\nworld,aid,,71,US$ bn,y\n");
        let e = parse_literature_csv("t.csv", &twice).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv line 3: a second row for world parameter `aid`"
        );
        // A missing row and a row nothing reads.
        let short = LITERATURE_CSV
            .lines()
            .filter(|l| !l.starts_with("world,aid,"))
            .collect::<Vec<_>>()
            .join("\n");
        let table = parse_literature_csv("short.csv", &short).unwrap();
        let e = crate::world::WorldParameters::from_literature(&table).unwrap_err();
        assert!(
            e.to_string().contains("no row for world parameter `aid`"),
            "{e}"
        );
        let extra = format!("{LITERATURE_CSV}world,aid_typo,,1,US$ bn,x\n");
        let table = parse_literature_csv("extra.csv", &extra).unwrap();
        let e = crate::world::WorldParameters::from_literature(&table).unwrap_err();
        assert!(e.to_string().contains("`aid_typo`"), "{e}");
    }
}
