//! The crate's one error type.

use cge_solver::{EvalError, SolveError};

/// Everything that can go wrong while reading, validating, shocking or solving a model.
///
/// Every variant names the item concerned and, where there is one, the offending value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// A model file could not be parsed; `line` and `column` start at 1.
    #[error("{source_name}:{line}:{column}: {message}")]
    Parse {
        /// The file name, or `<json>` / `<toml>` for a string.
        source_name: String,
        /// Line of the error (1-based).
        line: usize,
        /// Column of the error (1-based).
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A model file could not be read or written.
    #[error("cannot read or write `{path}`: {message}")]
    Io {
        /// The path.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A model file that parses but describes an invalid model: the validation error, with the
    /// position in the file of the item it names (the first quoted occurrence of that name).
    #[error("{path}:{line}:{column}: {source}")]
    InFile {
        /// The file.
        path: String,
        /// Line of the item (1-based; 1 when the item's name does not appear in the file).
        line: usize,
        /// Column of the item (1-based).
        column: usize,
        /// The validation error.
        source: Box<CoreError>,
    },
    /// A file name whose extension is neither `.json` nor `.toml`.
    #[error("cannot tell the format of `{path}`: expected a `.json` or `.toml` extension")]
    UnknownFormat {
        /// The path.
        path: String,
    },
    /// A model that would not fit in the memory allowed (see [`crate::memory`]).
    #[error(
        "{what} would need about {:.2} GiB ({unknowns} unknowns, {triplets} Jacobian entries), more than the limit of {:.2} GiB; make it smaller or raise the memory limit",
        crate::memory::gib(*.estimate_bytes),
        crate::memory::gib(*.limit_bytes)
    )]
    TooLarge {
        /// The model or family.
        what: String,
        /// Its unknowns.
        unknowns: u64,
        /// Its Jacobian triplets.
        triplets: u64,
        /// The estimate \[bytes\].
        estimate_bytes: u64,
        /// The limit \[bytes\].
        limit_bytes: u64,
    },
    /// A reference to a name that the model does not declare.
    #[error("{context}: unknown {kind} `{name}`{}", suggestion_text(.suggestions))]
    UnknownName {
        /// "commodity", "sector", "consumer", "auxiliary", "nest", ...
        kind: &'static str,
        /// The name as written.
        name: String,
        /// Where the name was used.
        context: String,
        /// The closest valid names, best first (may be empty).
        suggestions: Vec<String>,
    },
    /// Two items of the same kind share a name.
    #[error("duplicate {kind} name `{name}`")]
    DuplicateName {
        /// "commodity", "sector", "consumer", "auxiliary" or "nest".
        kind: &'static str,
        /// The repeated name.
        name: String,
    },
    /// A quantity that is negative, NaN or infinite.
    #[error("{context}: quantity {value} must be finite and >= 0")]
    InvalidQuantity {
        /// Which quantity.
        context: String,
        /// Its value.
        value: f64,
    },
    /// A reference price that is not finite and positive.
    #[error("{context}: reference price {value} must be finite and > 0")]
    InvalidReferencePrice {
        /// Which price.
        context: String,
        /// Its value.
        value: f64,
    },
    /// An elasticity that is negative or not finite.
    #[error("{context}: elasticity {value} must be finite and >= 0")]
    InvalidElasticity {
        /// Which elasticity.
        context: String,
        /// Its value.
        value: f64,
    },
    /// A tax rate outside its domain (input and demand taxes > −1, output taxes < 1).
    #[error("{context}: tax rate {rate} is invalid: {reason}")]
    InvalidTax {
        /// Which tax.
        context: String,
        /// Its rate.
        rate: f64,
        /// The rule broken.
        reason: &'static str,
    },
    /// An income share outside [0, 1], or shares paid by one consumer summing above 1.
    #[error("income share from `{from}` to `{to}` is {share}: must lie in [0, 1] (and the shares a consumer pays may not exceed 1 in total)")]
    InvalidShare {
        /// Paying consumer.
        from: String,
        /// Receiving consumer.
        to: String,
        /// The share.
        share: f64,
    },
    /// A coefficient (constraint term, affine intercept or slope) that is not finite, or a
    /// numeraire value that is not finite and positive.
    #[error("{context}: {value} must be {expected}")]
    InvalidNumber {
        /// Which number.
        context: String,
        /// Its value.
        value: f64,
        /// What it must be ("finite", "finite and > 0").
        expected: &'static str,
    },
    /// Auxiliary bounds with lower > upper, a NaN bound, or a start outside them.
    #[error("auxiliary `{name}`: bounds [{lower}, {upper}] with start {start} are inconsistent")]
    InvalidBounds {
        /// The auxiliary.
        name: String,
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
        /// Start value.
        start: f64,
    },
    /// A nest (or a sector's outputs) with no children, or whose reference value is zero, so
    /// that its value shares are undefined.
    #[error("{context}: nest has no positive reference value")]
    EmptyNest {
        /// Which nest.
        context: String,
    },
    /// A consumer without any demand.
    #[error("consumer `{consumer}` has no demand: every consumer must spend its income")]
    NoDemand {
        /// The consumer.
        consumer: String,
    },
    /// A model without any commodity.
    #[error("model `{model}` declares no commodity")]
    EmptyModel {
        /// The model's name.
        model: String,
    },
    /// A shock that would change the model's structure: a tax on a flow declared without a
    /// tax, or a transfer or income share that the model does not have. Declare it in the
    /// spec (with a zero value) so that the Jacobian pattern stays fixed.
    #[error("{context}: not declared in the model; declare it in the spec (a zero value is fine) so that the model's structure stays fixed")]
    NotDeclared {
        /// What was asked for.
        context: String,
    },
    /// A shock that matches several items.
    #[error("{context}: matches {count} items; make the spec unambiguous")]
    Ambiguous {
        /// What was asked for.
        context: String,
        /// How many items matched.
        count: usize,
    },
    /// The benchmark does not balance: zero profit, market clearance or income balance fail
    /// at the benchmark point. Each entry names the condition and the amount.
    #[error("benchmark of model `{model}` is not balanced (tolerance {tolerance:.3e}):{}", imbalance_text(.items))]
    Unbalanced {
        /// The model's name.
        model: String,
        /// The tolerance used.
        tolerance: f64,
        /// Every failing condition.
        items: Vec<Imbalance>,
    },
    /// A point given to the model has the wrong length.
    #[error("point has length {found}, model `{model}` has {expected} unknowns")]
    DimensionMismatch {
        /// The model's name.
        model: String,
        /// Number of unknowns.
        expected: usize,
        /// The point's length.
        found: usize,
    },
    /// An array of a model family's parameters has the wrong length.
    #[error("{context}: has length {found}, expected {expected}")]
    WrongSize {
        /// Which array (and which row of it).
        context: String,
        /// The length it must have.
        expected: usize,
        /// Its length.
        found: usize,
    },
    /// Endowments outside the cone of diversification: at the benchmark factor prices the
    /// economy cannot employ its endowments with every good produced (Rybczynski; Dixit &
    /// Norman 1980, ch. 4), so the integrated benchmark cannot be calibrated.
    #[error(
        "{context}: endowments {endowments:?} lie outside the cone of diversification: {reason}"
    )]
    OutsideCone {
        /// The country or region.
        context: String,
        /// Its endowments, in the order of the factors.
        endowments: Vec<f64>,
        /// Which output would be negative, or why the cone is empty.
        reason: String,
    },
    /// The model rejected a point (for example a zero price entering a CES nest).
    #[error("evaluation failed: {0}")]
    Eval(#[from] EvalError),
    /// The solver failed; its diagnostics are inside.
    #[error(transparent)]
    Solve(#[from] SolveError),
}

/// One failing benchmark condition.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Imbalance {
    /// "zero profit", "market clearance", "income balance" or "auxiliary constraint".
    pub condition: String,
    /// The sector, commodity, consumer or auxiliary.
    pub name: String,
    /// The residual: cost − revenue, supply − demand, income − receipts, or the constraint's
    /// complementarity error.
    pub amount: f64,
}

fn suggestion_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        let quoted: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
        format!(" (did you mean {}?)", quoted.join(" or "))
    }
}

fn imbalance_text(items: &[Imbalance]) -> String {
    items
        .iter()
        .map(|i| format!("\n  {} `{}`: {:+.6e}", i.condition, i.name, i.amount))
        .collect()
}

/// Up to three of `candidates` closest to `name`, best first: within an edit distance of a
/// third of its length (at least 1), ignoring case, or starting with it (or it with them) when it
/// has three characters or more. Used by every "unknown name" message, here and in the `cge`
/// command.
pub fn closest_names<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let limit = (name.chars().count() / 3).max(1);
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let cl = c.to_lowercase();
            let d = levenshtein(&lower, &cl);
            // A name that is the start of a valid one (`hos.two_by_two`) is close too.
            let prefix = lower.len() >= 3 && (cl.starts_with(&lower) || lower.starts_with(&cl));
            (d <= limit || prefix).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// [`closest_names`], under the name the crate's validation uses.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    closest_names(name, candidates)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_distances() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("PL", "PL"), 0);
    }

    #[test]
    fn suggestions_rank_closest_first() {
        let s = suggest("PLL", ["PL", "PK", "PX", "labour"]);
        assert_eq!(s[0], "PL");
        assert!(suggest("zzzzzz", ["PL"]).is_empty());
    }

    #[test]
    fn unknown_name_message_lists_suggestions() {
        let e = CoreError::UnknownName {
            kind: "commodity",
            name: "PLL".into(),
            context: "sector `X` input".into(),
            suggestions: vec!["PL".into()],
        };
        assert_eq!(
            e.to_string(),
            "sector `X` input: unknown commodity `PLL` (did you mean `PL`?)"
        );
    }
}
