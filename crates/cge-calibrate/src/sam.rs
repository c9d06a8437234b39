//! Social accounting matrices (SAMs) from CSV files, for the standard model of
//! [`cge_core::families::sam`] (Hosoe, Gasawa & Hashimoto 2010, ch. 6).
//!
//! The file is square: a header line with an empty first cell and the account names, then one
//! line per account with its name and the payments it receives from each column's account.
//! Empty cells are 0; no quoting. The book's two-sector SAM ships as `data/hosoe_sam.csv`
//! ([`hosoe_sam`]); its provenance is in `data/README.md`.
//!
//! ```
//! use cge_calibrate::sam;
//! use cge_core::families::sam::{SamLabels, StandardModel};
//!
//! # fn main() -> Result<(), cge_calibrate::CalibrateError> {
//! let matrix = sam::hosoe_sam()?;
//! let labels = SamLabels::hosoe(["BRD", "MLK"], ["CAP", "LAB"]);
//! let model = StandardModel::calibrate(&matrix, &labels)?;
//! model.build()?.check_benchmark()?;
//! # Ok(())
//! # }
//! ```

use cge_core::families::sam::{Sam, SamCell};

use crate::CalibrateError;

/// The two-sector SAM of Hosoe, Gasawa & Hashimoto (2010, ch. 6), from `data/hosoe_sam.csv`.
///
/// # Errors
/// None for the shipped file; the errors of [`parse_sam_csv`] otherwise.
pub fn hosoe_sam() -> Result<Sam, CalibrateError> {
    parse_sam_csv(
        include_str!("../../../data/hosoe_sam.csv"),
        "data/hosoe_sam.csv",
    )
}

/// Reads a SAM from a CSV file (see the module docs for the layout).
///
/// # Errors
/// [`CalibrateError::Model`] with [`cge_core::CoreError::Io`] if the file cannot be read, and the errors
/// of [`parse_sam_csv`].
pub fn read_sam_csv(path: &std::path::Path) -> Result<Sam, CalibrateError> {
    let (name, text) = crate::data::read_file(path)?;
    parse_sam_csv(&text, &name)
}

/// Parses a SAM from CSV text; `file` names it in errors. The balance is not checked here (the
/// calibration does, naming every account that does not balance).
///
/// # Errors
/// [`CalibrateError::EmptyFile`], [`CalibrateError::Header`] when the header's first cell is
/// not empty or the rows' names differ from the header's, [`CalibrateError::FieldCount`],
/// [`CalibrateError::Parse`] for a cell that is not a number, [`CalibrateError::OutOfRange`]
/// for a non-finite number.
pub fn parse_sam_csv(text: &str, file: &str) -> Result<Sam, CalibrateError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let expected = ",<account>,<account>,...";
    let Some((_, header)) = lines.next() else {
        return Err(CalibrateError::EmptyFile {
            file: file.to_string(),
            expected: expected.to_string(),
        });
    };
    let fields: Vec<&str> = header.split(',').map(str::trim).collect();
    if fields.len() < 2 || !fields[0].is_empty() {
        return Err(CalibrateError::Header {
            file: file.to_string(),
            expected: expected.to_string(),
            found: header.to_string(),
        });
    }
    let accounts: Vec<String> = fields[1..].iter().map(|s| s.to_string()).collect();
    let mut sam = Sam::new(accounts.iter().cloned());
    let mut seen = 0;
    for (number, line) in lines {
        let line_no = number + 1;
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != accounts.len() + 1 {
            return Err(CalibrateError::FieldCount {
                file: file.to_string(),
                line: line_no,
                expected: accounts.len() + 1,
                found: cells.len(),
            });
        }
        if seen >= accounts.len() || cells[0] != accounts[seen] {
            return Err(CalibrateError::Header {
                file: file.to_string(),
                expected: format!(
                    "row {} named `{}` as in the header",
                    seen + 1,
                    accounts.get(seen).map_or("", String::as_str)
                ),
                found: format!("line {line_no}: `{}`", cells[0]),
            });
        }
        for (col, cell) in cells[1..].iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let value: f64 = cell.parse().map_err(|_| CalibrateError::Parse {
                file: file.to_string(),
                line: line_no,
                column: accounts[col].clone(),
                value: cell.to_string(),
                expected: "a number",
            })?;
            if !value.is_finite() {
                return Err(CalibrateError::OutOfRange {
                    file: file.to_string(),
                    line: line_no,
                    column: accounts[col].clone(),
                    value,
                    expected: "a finite number",
                });
            }
            if value != 0.0 {
                sam.cells.push(SamCell {
                    row: seen,
                    col,
                    value,
                });
            }
        }
        seen += 1;
    }
    if seen != accounts.len() {
        return Err(CalibrateError::FieldCount {
            file: file.to_string(),
            line: seen + 1,
            expected: accounts.len(),
            found: seen,
        });
    }
    Ok(sam)
}

/// The SAM as CSV text in the layout [`parse_sam_csv`] reads (zeros as empty cells; values
/// printed so that they read back exactly).
pub fn sam_to_csv(sam: &Sam) -> String {
    let n = sam.accounts.len();
    let mut grid = vec![vec![0.0; n]; n];
    for c in sam.cells.iter().filter(|c| c.row < n && c.col < n) {
        grid[c.row][c.col] += c.value;
    }
    let mut out = String::new();
    out.push(',');
    out.push_str(&sam.accounts.join(","));
    out.push('\n');
    for (name, row) in sam.accounts.iter().zip(&grid) {
        out.push_str(name);
        for v in row {
            out.push(',');
            if *v != 0.0 {
                out.push_str(&format!("{v:?}"));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cge_core::families::sam::{SamLabels, StandardModel};

    #[test]
    fn csv_text_reads_back_exactly() {
        let mut sam = hosoe_sam().unwrap();
        sam.cells[0].value = 1.0 / 3.0;
        let back = parse_sam_csv(&sam_to_csv(&sam), "round trip").unwrap();
        assert_eq!(back, sam);
    }

    #[test]
    fn hosoe_sam_balances_and_reproduces_the_published_utility() {
        let sam = hosoe_sam().unwrap();
        sam.check_balance().unwrap();
        assert_eq!(sam.accounts.len(), 10);
        let labels = SamLabels::hosoe(["BRD", "MLK"], ["CAP", "LAB"]);
        let standard = StandardModel::calibrate(&sam, &labels).unwrap();
        let mut model = standard.build().unwrap();
        model.check_benchmark().unwrap();
        let bench = model.results_at(&model.benchmark_point()).unwrap();
        let u0 = standard.household_utility(&bench).unwrap();
        approx::assert_relative_eq!(u0, 25.508490012515818, max_relative = 1e-12);
        standard.scale_tariffs(&mut model, 0.0).unwrap();
        let results = model.solve_default().unwrap();
        let u1 = standard.household_utility(&results).unwrap();
        approx::assert_relative_eq!(u1, 26.092634381288686, max_relative = 1e-8);
    }

    #[test]
    fn csv_errors_name_line_and_column() {
        let e = parse_sam_csv("", "f.csv").unwrap_err();
        assert!(matches!(e, CalibrateError::EmptyFile { .. }), "{e}");
        let e = parse_sam_csv("X,A,B\n", "f.csv").unwrap_err();
        assert!(matches!(e, CalibrateError::Header { .. }), "{e}");
        let e = parse_sam_csv(",A,B\nA,1\n", "f.csv").unwrap_err();
        assert!(
            matches!(e, CalibrateError::FieldCount { line: 2, .. }),
            "{e}"
        );
        let e = parse_sam_csv(",A,B\nA,1,x\nB,,\n", "f.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.csv line 2, column `B`: cannot read `x` as a number"
        );
        let e = parse_sam_csv(",A,B\nB,1,2\nA,,\n", "f.csv").unwrap_err();
        assert!(matches!(e, CalibrateError::Header { .. }), "{e}");
        let e = parse_sam_csv(",A,B\nA,inf,1\nB,,\n", "f.csv").unwrap_err();
        assert!(matches!(e, CalibrateError::OutOfRange { .. }), "{e}");
        let sam = parse_sam_csv(",A,B\nA,,3\nB,3,\n", "f.csv").unwrap();
        sam.check_balance().unwrap();
    }
}
