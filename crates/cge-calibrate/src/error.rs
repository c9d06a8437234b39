//! The crate's one error type.

/// Everything that can go wrong while reading the shipped data, evaluating a closed form or
/// building the reproduction report.
///
/// Every variant names the item concerned and, where there is one, the offending value. Line
/// numbers start at 1 and count the header line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrateError {
    /// A data file with no header line.
    #[error("{file}: the file is empty; expected the header `{expected}`")]
    EmptyFile {
        /// The file name.
        file: String,
        /// The header the reader expects.
        expected: String,
    },
    /// A header line that differs from the one the reader expects.
    #[error("{file} line 1: header `{found}`, expected `{expected}`")]
    Header {
        /// The file name.
        file: String,
        /// The header the reader expects.
        expected: String,
        /// The header as written.
        found: String,
    },
    /// A row with the wrong number of comma-separated fields.
    #[error("{file} line {line}: {found} fields, expected {expected}")]
    FieldCount {
        /// The file name.
        file: String,
        /// The line (1-based, the header is line 1).
        line: usize,
        /// The number of columns in the header.
        expected: usize,
        /// The number of fields on the line.
        found: usize,
    },
    /// A field that cannot be read as its column's type.
    #[error("{file} line {line}, column `{column}`: cannot read `{value}` as {expected}")]
    Parse {
        /// The file name.
        file: String,
        /// The line (1-based, the header is line 1).
        line: usize,
        /// The column name from the header.
        column: String,
        /// The field as written.
        value: String,
        /// What the column holds ("a number", "an integer", ...).
        expected: &'static str,
    },
    /// A number that parses but is impossible for its column (negative GDP, a share above 1,
    /// NaN).
    #[error("{file} line {line}, column `{column}`: {value} is out of range, expected {expected}")]
    OutOfRange {
        /// The file name.
        file: String,
        /// The line (1-based, the header is line 1).
        line: usize,
        /// The column name from the header.
        column: String,
        /// The value read.
        value: f64,
        /// The admissible range, in words.
        expected: &'static str,
    },
    /// A row that a caller asked for and the file does not have.
    #[error("{file}: no row for {what}")]
    Missing {
        /// The file name.
        file: String,
        /// The row asked for, e.g. "code HIC, year 2001".
        what: String,
    },
    /// A second row for an item a file may give once.
    #[error("{file} line {line}: a second row for {what}")]
    Duplicate {
        /// The file name.
        file: String,
        /// The line (1-based, the header is line 1).
        line: usize,
        /// The item, e.g. "world parameter `aid`".
        what: String,
    },
    /// A row that names nothing the reader knows (a misspelt name).
    #[error("{file}: the row for {what} names no parameter")]
    Unknown {
        /// The file name.
        file: String,
        /// The row's item, e.g. "world parameter `aid_typo`".
        what: String,
    },
    /// A parameter of a closed-form formula outside its domain.
    #[error("parameter `{name}` = {value}: expected {expected}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The admissible range, in words.
        expected: &'static str,
    },
    /// A model parameter outside its admissible range.
    #[error("parameter `{name}` = {value}: expected a number in [{low}, {high}]")]
    ParameterOutOfRange {
        /// The parameter's name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// Smallest admissible value.
        low: f64,
        /// Largest admissible value.
        high: f64,
    },
    /// Benchmark data that cannot balance.
    #[error("the benchmark cannot balance: {what}")]
    Unbalanceable {
        /// What is wrong.
        what: String,
    },
    /// A SAM cell that is not a finite number or lies outside the accounts.
    #[error("SAM cell ({row}, {col}) = {value}: expected a finite number in the SAM's accounts")]
    InvalidCell {
        /// Receiving account (or `#k` for an index outside the accounts).
        row: String,
        /// Paying account.
        col: String,
        /// The value.
        value: f64,
    },
    /// The parameter fit failed.
    #[error("the parameter fit failed: {what}")]
    Fit {
        /// The optimizer's message.
        what: String,
    },
    /// An error of the model algebra or the solver, while building or solving a model.
    #[error(transparent)]
    Model(#[from] cge_core::CoreError),
}
