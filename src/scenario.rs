//! Scenario files: a model, its closure, solver settings, what to report and a list of
//! counterfactuals, each a set of shocks, in TOML. `docs/user-guide.md` documents the format
//! with an annotated example; `examples/scenarios/` holds runnable ones.
//!
//! ```toml
//! title = "Tariff war"
//! [model]
//! family = "hos.two_by_two_by_two"
//! parameters = { endowments = [[60, 40], [40, 60]], cost_shares = [[0.7, 0.3], [0.3, 0.7]] }
//! [[counterfactual]]
//! name = "home_tariff"
//! shock = [{ type = "tariff", importer = "H", good = "Y", rate = 0.3 }]
//! ```
//!
//! Reading goes in two passes so that every error has a position: the first learns which
//! family the model belongs to, the second reads the family's parameters with their own types.
//! Shocks are checked against the model when a [`crate::Study`] is prepared.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use cge_calibrate::trade::TradeParameters;
use cge_calibrate::world::WorldParameters;
use cge_core::families::hos::{MultiRegion, SmallOpenEconomy, TwoByTwoByTwo};
use cge_core::families::mobility::{
    CapitalMobilityParams, MigrationParams, SectoralMobilityParams,
};
use cge_core::{ModelSpec, NumeraireSpec};
use cge_solver::{LinearSolver, Method, Options};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{closest, did_you_mean, humanize, Error};

/// The model families a scenario can name, as `family = "..."`.
pub const FAMILIES: [&str; 6] = [
    "hos.two_by_two_by_two",
    "hos.small_open_economy",
    "hos.multi_region",
    "mobility.migration",
    "mobility.sectoral",
    "mobility.capital",
];

/// The calibrated datasets a scenario can name, as `dataset = "..."`.
pub const DATASETS: [&str; 2] = ["world", "trade"];

/// A model family with its parameters (`cge_core::families`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Family {
    /// `hos.two_by_two_by_two`: the 2×2×2 Heckscher–Ohlin–Samuelson model.
    TwoByTwoByTwo(TwoByTwoByTwo),
    /// `hos.small_open_economy`: a small open economy facing world prices.
    SmallOpenEconomy(SmallOpenEconomy),
    /// `hos.multi_region`: R regions × G goods × F factors.
    MultiRegion(MultiRegion),
    /// `mobility.migration`: an origin and a host region with migration.
    Migration(MigrationParams),
    /// `mobility.sectoral`: factors mobile, specific or CET-mobile between sectors.
    Sectoral(SectoralMobilityParams),
    /// `mobility.capital`: a host economy with an upward-sloping supply of foreign capital.
    Capital(CapitalMobilityParams),
}

impl Family {
    /// The family's name in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            Family::TwoByTwoByTwo(_) => FAMILIES[0],
            Family::SmallOpenEconomy(_) => FAMILIES[1],
            Family::MultiRegion(_) => FAMILIES[2],
            Family::Migration(_) => FAMILIES[3],
            Family::Sectoral(_) => FAMILIES[4],
            Family::Capital(_) => FAMILIES[5],
        }
    }

    /// The family's model spec.
    ///
    /// # Errors
    /// The family's validation errors (negative endowments, shares, cone of diversification).
    pub fn spec(&self) -> Result<ModelSpec, cge_core::CoreError> {
        match self {
            Family::TwoByTwoByTwo(p) => p.spec(),
            Family::SmallOpenEconomy(p) => p.spec(),
            Family::MultiRegion(p) => p.spec(),
            Family::Migration(p) => p.spec(),
            Family::Sectoral(p) => p.spec(),
            Family::Capital(p) => p.spec(),
        }
    }
}

macro_rules! family_from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<$t> for Family {
            fn from(p: $t) -> Self {
                Family::$v(p)
            }
        }
    )*};
}
family_from!(
    TwoByTwoByTwo => TwoByTwoByTwo,
    SmallOpenEconomy => SmallOpenEconomy,
    MultiRegion => MultiRegion,
    MigrationParams => Migration,
    SectoralMobilityParams => Sectoral,
    CapitalMobilityParams => Capital
);

/// A calibrated dataset from `data/` (`cge_calibrate`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Dataset {
    /// `world`: the two-region world model of the migration and trade reproductions
    /// (`cge_calibrate::world`), projected to `year`.
    World {
        /// Its parameters (defaults: the central values).
        parameters: WorldParameters,
        /// The horizon year of the benchmark.
        year: i32,
        /// Whether the new migrants of a migration shock are a consumer of their own.
        new_migrants: bool,
    },
    /// `trade`: the four-region trade model of the liberalization reproduction
    /// (`cge_calibrate::trade`).
    Trade {
        /// Its parameters (defaults: the central values).
        parameters: TradeParameters,
    },
}

/// Where a scenario's model comes from.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ModelSource {
    /// A model family with its parameters.
    Family(Family),
    /// A model file (a `cge_core::ModelSpec` in `.toml` or `.json`).
    File(PathBuf),
    /// A model spec built in Rust.
    Spec(Box<ModelSpec>),
    /// A calibrated dataset.
    Dataset(Dataset),
}

/// How the model is closed: the numeraire and fixed auxiliaries (MPSGE's `.FX`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Closure {
    /// The numeraire (default: the model's own, or MPSGE's largest income).
    pub numeraire: Option<NumeraireSpec>,
    /// Auxiliaries fixed or bounded for every counterfactual.
    pub fixes: Vec<Fix>,
}

/// Bounds on an auxiliary; equal bounds fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// The auxiliary.
    pub auxiliary: String,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// How counterfactuals are solved.
#[derive(Debug, Clone, PartialEq)]
pub struct SolverSettings {
    /// The solver's options (default `cge_solver::Options::default()`). A study raises the
    /// tolerance to its model's round-off floor when it is below
    /// (`cge_core::Model::solver_options`).
    pub options: Options,
    /// When a direct solve fails, apply the shocks in steps (default false).
    pub continuation: bool,
    /// Number of equal steps of the continuation, halved on failure (default 4).
    pub continuation_steps: usize,
}

impl Default for SolverSettings {
    fn default() -> Self {
        Self {
            options: Options::default(),
            continuation: false,
            continuation_steps: 4,
        }
    }
}

/// What the report shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSettings {
    /// Activity levels (default true).
    pub activities: bool,
    /// Prices (default true).
    pub prices: bool,
    /// Incomes (default true).
    pub incomes: bool,
    /// Auxiliaries (default true; none in most models).
    pub auxiliaries: bool,
    /// Welfare: equivalent variation by consumer (default true).
    pub welfare: bool,
    /// Unit of money in reports (default: the dataset's or family's, else "benchmark money").
    pub money_unit: Option<String>,
    /// Decimals of percentages and money in the table (default 2).
    pub decimals: usize,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            activities: true,
            prices: true,
            incomes: true,
            auxiliaries: true,
            welfare: true,
            money_unit: None,
            decimals: 2,
        }
    }
}

/// One counterfactual: a named set of shocks applied to the benchmark.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Counterfactual {
    /// Its name (a column of the report, the `scenario` column of the results).
    pub name: String,
    /// What it represents.
    pub description: Option<String>,
    /// The shocks, applied together.
    pub shocks: Vec<Shock>,
    /// Positions of the shocks' fields in the scenario file, for errors.
    pub(crate) spans: Vec<FieldSpans>,
}

/// Byte ranges of a shock's fields in its file ("" = the whole shock).
pub(crate) type FieldSpans = BTreeMap<&'static str, Range<usize>>;

/// A shock as written: its `type` and named fields. The same fields in a file
/// (`{ type = "tariff", importer = "H", good = "Y", rate = 0.3 }`) and in Rust
/// (`Shock::new("tariff").importer("H").good("Y").rate(0.3)`). The user guide lists every type
/// with its fields; [`crate::Study`] checks them against the model.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Shock {
    /// The type: `tariff`, `endowment`, `input_tax`, ...
    pub kind: String,
    /// Name fields (sector, commodity, consumer, importer, ...).
    pub names: BTreeMap<String, String>,
    /// Number fields (rate, quantity, scale, ...).
    pub values: BTreeMap<String, f64>,
}

macro_rules! shock_fields {
    (names: [$($n:ident),*], values: [$($v:ident),*]) => {
        /// The file form of a shock: every field optional, unknown fields rejected.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ShockRaw {
            #[serde(rename = "type")]
            kind: Spanned<String>,
            $($n: Option<Spanned<String>>,)*
            $($v: Option<Spanned<f64>>,)*
        }

        impl ShockRaw {
            fn into_shock(self) -> (Shock, FieldSpans) {
                let mut spans = FieldSpans::new();
                spans.insert("type", self.kind.span());
                let mut shock = Shock::new(self.kind.into_inner());
                $(if let Some(x) = self.$n {
                    spans.insert(stringify!($n), x.span());
                    shock.names.insert(stringify!($n).to_string(), x.into_inner());
                })*
                $(if let Some(x) = self.$v {
                    spans.insert(stringify!($v), x.span());
                    shock.values.insert(stringify!($v).to_string(), x.into_inner());
                })*
                (shock, spans)
            }
        }

        impl Shock {
            $(
                #[doc = concat!("Sets the shock's `", stringify!($n), "`.")]
                pub fn $n(mut self, name: impl Into<String>) -> Self {
                    self.names.insert(stringify!($n).to_string(), name.into());
                    self
                }
            )*
            $(
                #[doc = concat!("Sets the shock's `", stringify!($v), "`.")]
                pub fn $v(mut self, value: f64) -> Self {
                    self.values.insert(stringify!($v).to_string(), value);
                    self
                }
            )*
        }
    };
}

shock_fields!(
    names: [sector, commodity, consumer, from, to, nest, auxiliary, importer, exporter, good,
            factor, region],
    values: [rate, quantity, scale, share, elasticity, cost, multiplier, migrants,
             labour_force_increase, value, lower, upper]
);

impl Shock {
    /// A shock of type `kind` with no fields yet.
    pub fn new(kind: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            names: BTreeMap::new(),
            values: BTreeMap::new(),
        }
    }

    /// A one-line description: `tariff importer=H good=Y rate=0.3`.
    pub fn describe(&self) -> String {
        let mut s = self.kind.clone();
        for (k, v) in &self.names {
            s.push_str(&format!(" {k}={v}"));
        }
        for (k, v) in &self.values {
            s.push_str(&format!(" {k}={v}"));
        }
        s
    }
}

/// A scenario: a model, its closure, solver and report settings, and counterfactuals.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Title of the report.
    pub title: String,
    /// What the scenario studies.
    pub description: Option<String>,
    /// The model.
    pub model: ModelSource,
    /// The closure.
    pub closure: Closure,
    /// Solver settings.
    pub solver: SolverSettings,
    /// Report settings.
    pub report: ReportSettings,
    /// The counterfactuals, all against the same benchmark.
    pub counterfactuals: Vec<Counterfactual>,
    /// File name and text, for errors with positions.
    pub(crate) origin: Option<Origin>,
}

/// The file a scenario was read from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Origin {
    pub file: String,
    pub text: String,
}

impl Scenario {
    /// A scenario on a model source with default settings and no counterfactual.
    pub fn new(title: impl Into<String>, model: ModelSource) -> Self {
        Self {
            title: title.into(),
            description: None,
            model,
            closure: Closure::default(),
            solver: SolverSettings::default(),
            report: ReportSettings::default(),
            counterfactuals: Vec::new(),
            origin: None,
        }
    }

    /// Reads a scenario file. A model file named in it is found relative to the scenario.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read; [`Error::Scenario`] with file, line and column
    /// for malformed TOML, unknown fields and names, and values of the wrong type.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            action: "read",
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let mut s = Self::parse(&text, &path.display().to_string())?;
        if let ModelSource::File(f) = &mut s.model {
            if f.is_relative() {
                if let Some(dir) = path.parent() {
                    *f = dir.join(&*f);
                }
            }
        }
        Ok(s)
    }

    /// Reads a scenario from TOML text; `file` names it in errors.
    ///
    /// # Errors
    /// As [`Scenario::from_path`].
    pub fn parse(text: &str, file: &str) -> Result<Self, Error> {
        let head: FileRaw<toml::Value> = from_toml(text, file)?;
        let model = &head.model;
        let sources = [
            model.family.as_ref().map(|f| ("family", f.span())),
            model.file.as_ref().map(|f| ("file", f.span())),
            model.dataset.as_ref().map(|f| ("dataset", f.span())),
        ];
        let given: Vec<(&str, Range<usize>)> = sources.into_iter().flatten().collect();
        let err = |span: Range<usize>, msg: String| Error::at(file, text, span, msg);
        if given.len() != 1 {
            let span = given.get(1).map_or(0..0, |g| g.1.clone());
            return Err(err(
                span,
                format!(
                    "[model] needs exactly one of `family`, `file` or `dataset`, found {}",
                    if given.is_empty() {
                        "none".to_string()
                    } else {
                        given
                            .iter()
                            .map(|g| format!("`{}`", g.0))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    }
                ),
            ));
        }
        let source = if let Some(family) = &model.family {
            let span = family.span();
            if model.parameters.is_none() {
                return Err(err(
                    span,
                    format!(
                        "family `{}` needs a [model.parameters] table",
                        family.get_ref()
                    ),
                ));
            }
            macro_rules! typed {
                ($t:ty, $v:ident) => {{
                    let full: FileRaw<$t> = from_toml(text, file)?;
                    let p = full.model.parameters.map(Spanned::into_inner);
                    match p {
                        Some(p) => Family::$v(p),
                        None => return Err(err(span, "missing [model.parameters]".into())),
                    }
                }};
            }
            let f = match family.get_ref().as_str() {
                "hos.two_by_two_by_two" => typed!(TwoByTwoByTwo, TwoByTwoByTwo),
                "hos.small_open_economy" => typed!(SmallOpenEconomy, SmallOpenEconomy),
                "hos.multi_region" => typed!(MultiRegion, MultiRegion),
                "mobility.migration" => typed!(MigrationParams, Migration),
                "mobility.sectoral" => typed!(SectoralMobilityParams, Sectoral),
                "mobility.capital" => typed!(CapitalMobilityParams, Capital),
                other => {
                    return Err(err(
                        span,
                        format!(
                            "unknown family `{other}`{}; the families are {}",
                            did_you_mean(&closest(other, FAMILIES)),
                            FAMILIES.join(", ")
                        ),
                    ))
                }
            };
            ModelSource::Family(f)
        } else if let Some(f) = &model.file {
            if model.parameters.is_some() {
                return Err(err(
                    f.span(),
                    "a model file takes no [model.parameters]; edit the file instead".into(),
                ));
            }
            ModelSource::File(PathBuf::from(f.get_ref()))
        } else if let Some(d) = &model.dataset {
            let overrides = model.parameters.as_ref();
            ModelSource::Dataset(dataset(d, overrides, model, file, text)?)
        } else {
            return Err(err(
                0..0,
                "[model] needs `family`, `file` or `dataset`".into(),
            ));
        };
        if model.family.is_none() && model.dataset.is_none() {
            if let Some(y) = &model.year {
                return Err(err(y.span(), "`year` applies to a dataset only".into()));
            }
        }

        let closure = closure(&head.closure, file, text)?;
        let solver = solver(&head.solver, file, text)?;
        let mut counterfactuals: Vec<Counterfactual> = Vec::new();
        for cf in head.counterfactual {
            let span = cf.span();
            let cf = cf.into_inner();
            let name = cf.name.get_ref().trim().to_string();
            if name.is_empty() {
                return Err(err(
                    cf.name.span(),
                    "a counterfactual needs a non-empty `name`".into(),
                ));
            }
            if counterfactuals.iter().any(|c| c.name == name) {
                return Err(err(
                    cf.name.span(),
                    format!("duplicate counterfactual name `{name}`"),
                ));
            }
            let mut shocks = Vec::new();
            let mut spans = Vec::new();
            for raw in cf.shock {
                let whole = raw.span();
                let (shock, mut s) = raw.into_inner().into_shock();
                s.insert("", whole);
                shocks.push(shock);
                spans.push(s);
            }
            if shocks.is_empty() {
                return Err(err(
                    span,
                    format!("counterfactual `{name}` has no shock; add `shock = [{{ type = ..., ... }}]`"),
                ));
            }
            counterfactuals.push(Counterfactual {
                name,
                description: cf.description,
                shocks,
                spans,
            });
        }
        Ok(Self {
            title: head.title.unwrap_or_else(|| file.to_string()),
            description: head.description,
            model: source,
            closure,
            solver,
            report: head.report,
            counterfactuals,
            origin: Some(Origin {
                file: file.to_string(),
                text: text.to_string(),
            }),
        })
    }

    /// The error for a shock field at its position in the file (or without one).
    pub(crate) fn shock_error(
        &self,
        cf: &Counterfactual,
        index: usize,
        field: Option<&str>,
        message: String,
    ) -> Error {
        let spans = cf.spans.get(index);
        let span = spans.and_then(|s| field.and_then(|f| s.get(f)).or_else(|| s.get("")));
        match (&self.origin, span) {
            (Some(o), Some(span)) => Error::at(
                &o.file,
                &o.text,
                span.clone(),
                format!("counterfactual `{}`: {message}", cf.name),
            ),
            _ => Error::invalid(
                format!(
                    "counterfactual `{}`, shock {} (`{}`)",
                    cf.name,
                    index + 1,
                    cf.shocks.get(index).map_or("", |s| s.kind.as_str())
                ),
                message,
            ),
        }
    }

    /// The error for the model section (family parameters that do not validate).
    pub(crate) fn model_error(&self, message: String) -> Error {
        match &self.origin {
            Some(o) => {
                let span = find_table(&o.text, "model.parameters")
                    .or_else(|| find_table(&o.text, "model"))
                    .unwrap_or(0..0);
                Error::at(&o.file, &o.text, span, message)
            }
            None => Error::invalid("model", message),
        }
    }
}

/// Byte range of a `[name]` header (or `name = ` key) in TOML text.
fn find_table(text: &str, name: &str) -> Option<Range<usize>> {
    let header = format!("[{name}]");
    text.find(&header).map(|i| i..i + header.len()).or_else(|| {
        let last = name.rsplit('.').next().unwrap_or(name);
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let t = line.trim_start();
            if t.starts_with(last) && t[last.len()..].trim_start().starts_with('=') {
                let start = offset + (line.len() - t.len());
                return Some(start..start + last.len());
            }
            offset += line.len();
        }
        None
    })
}

fn from_toml<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, Error> {
    toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Error::at(file, text, span, humanize(e.message()))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRaw<P> {
    title: Option<String>,
    description: Option<String>,
    model: ModelRaw<P>,
    #[serde(default)]
    closure: ClosureRaw,
    #[serde(default)]
    solver: SolverRaw,
    #[serde(default)]
    report: ReportSettings,
    #[serde(default)]
    counterfactual: Vec<Spanned<CounterfactualRaw>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelRaw<P> {
    family: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
    dataset: Option<Spanned<String>>,
    parameters: Option<Spanned<P>>,
    year: Option<Spanned<i32>>,
    new_migrants: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ClosureRaw {
    numeraire: Option<Spanned<NumeraireRaw>>,
    #[serde(default)]
    fix: Vec<Spanned<FixRaw>>,
}

/// `numeraire = "PL"`, `{ price = "PL", value = 1 }` or `{ income = "HH" }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumeraireRaw {
    Name(String),
    Table(NumeraireTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NumeraireTable {
    price: Option<String>,
    income: Option<String>,
    value: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixRaw {
    auxiliary: String,
    value: Option<f64>,
    lower: Option<f64>,
    upper: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SolverRaw {
    method: Option<Spanned<String>>,
    linear_solver: Option<Spanned<String>>,
    tolerance: Option<Spanned<f64>>,
    max_iterations: Option<usize>,
    continuation: Option<bool>,
    continuation_steps: Option<Spanned<usize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CounterfactualRaw {
    name: Spanned<String>,
    description: Option<String>,
    #[serde(default)]
    shock: Vec<Spanned<ShockRaw>>,
}

fn closure(raw: &ClosureRaw, file: &str, text: &str) -> Result<Closure, Error> {
    let numeraire = match &raw.numeraire {
        None => None,
        Some(n) => Some(match n.get_ref() {
            NumeraireRaw::Name(c) => NumeraireSpec::Price {
                commodity: c.clone(),
                value: None,
            },
            NumeraireRaw::Table(t) => match (&t.price, &t.income) {
                (Some(c), None) => NumeraireSpec::Price {
                    commodity: c.clone(),
                    value: t.value,
                },
                (None, Some(h)) => NumeraireSpec::Income {
                    consumer: h.clone(),
                    value: t.value,
                },
                _ => {
                    return Err(Error::at(
                        file,
                        text,
                        n.span(),
                        "expected a numeraire: a commodity name, `{ price = \"...\" }` or `{ income = \"...\" }`",
                    ))
                }
            },
        }),
    };
    let mut fixes = Vec::new();
    for f in &raw.fix {
        let fr = f.get_ref();
        let (lower, upper) = match (fr.value, fr.lower, fr.upper) {
            (Some(v), None, None) => (v, v),
            (None, l, u) if l.is_some() || u.is_some() => {
                (l.unwrap_or(f64::NEG_INFINITY), u.unwrap_or(f64::INFINITY))
            }
            _ => {
                return Err(Error::at(
                    file,
                    text,
                    f.span(),
                    "expected `value` (to fix the auxiliary) or `lower`/`upper` bounds",
                ))
            }
        };
        fixes.push(Fix {
            auxiliary: fr.auxiliary.clone(),
            lower,
            upper,
        });
    }
    Ok(Closure { numeraire, fixes })
}

/// The solver methods by their names in scenario files.
pub const METHODS: [(&str, Method); 5] = [
    ("auto", Method::Auto),
    ("newton", Method::NewtonLineSearch),
    ("dogleg", Method::Dogleg),
    ("broyden", Method::Broyden),
    ("semismooth", Method::Semismooth),
];

/// The choice named by `name` in `choices` (name, value), or an error at its position that
/// names the closest choice and lists them all.
fn choose<T: Copy>(
    choices: &[(&'static str, T)],
    what: &str,
    name: &Spanned<String>,
    file: &str,
    text: &str,
) -> Result<T, Error> {
    let found = name.get_ref().as_str();
    choices
        .iter()
        .find(|(n, _)| *n == found)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            Error::at(
                file,
                text,
                name.span(),
                format!(
                    "unknown {what} `{found}`{}; expected one of {}",
                    did_you_mean(&closest(found, names.iter().copied())),
                    names.join(", ")
                ),
            )
        })
}

fn solver(raw: &SolverRaw, file: &str, text: &str) -> Result<SolverSettings, Error> {
    let mut s = SolverSettings::default();
    if let Some(m) = &raw.method {
        s.options.method = choose(&METHODS, "solver method", m, file, text)?;
    }
    if let Some(l) = &raw.linear_solver {
        let choices = LinearSolver::ALL.map(|(kind, name)| (name, kind));
        s.options.linear_solver = choose(&choices, "linear solver", l, file, text)?;
    }
    if let Some(t) = &raw.tolerance {
        if !(t.get_ref().is_finite() && *t.get_ref() > 0.0) {
            return Err(Error::at(
                file,
                text,
                t.span(),
                format!("expected a tolerance > 0, found {}", t.get_ref()),
            ));
        }
        s.options.tolerance = *t.get_ref();
    }
    if let Some(n) = raw.max_iterations {
        s.options.max_iterations = n;
    }
    if let Some(c) = raw.continuation {
        s.continuation = c;
    }
    if let Some(n) = &raw.continuation_steps {
        if *n.get_ref() == 0 {
            return Err(Error::at(
                file,
                text,
                n.span(),
                "expected at least 1 step, found 0",
            ));
        }
        s.continuation_steps = *n.get_ref();
    }
    Ok(s)
}

/// Reads a dataset's name and parameter overrides (merged over the central values).
fn dataset<P>(
    name: &Spanned<String>,
    overrides: Option<&Spanned<toml::Value>>,
    model: &ModelRaw<P>,
    file: &str,
    text: &str,
) -> Result<Dataset, Error> {
    /// `default` with the parameters of `overrides` in place; `optional` names the parameters
    /// that may be absent from `default` (an `Option` that is `None` there).
    fn merge<T: Serialize + DeserializeOwned>(
        default: T,
        optional: &[&str],
        overrides: Option<&Spanned<toml::Value>>,
        file: &str,
        text: &str,
    ) -> Result<T, Error> {
        let Some(o) = overrides else {
            return Ok(default);
        };
        let mut base = toml::Value::try_from(&default)
            .map_err(|e| Error::invalid("dataset", e.to_string()))?;
        let (Some(table), Some(base_table)) = (o.get_ref().as_table(), base.as_table_mut()) else {
            return Err(Error::at(
                file,
                text,
                o.span(),
                "expected a table of parameters",
            ));
        };
        let mut known: Vec<String> = base_table.keys().cloned().collect();
        for &k in optional {
            if !known.iter().any(|name| name == k) {
                known.push(k.to_string());
            }
        }
        for (k, v) in table {
            if !known.contains(k) {
                let span = find_key(text, o.span(), k).unwrap_or(o.span());
                return Err(Error::at(
                    file,
                    text,
                    span,
                    format!(
                        "unknown parameter `{k}`{}; the parameters are {}",
                        did_you_mean(&closest(k, known.iter().map(String::as_str))),
                        known.join(", ")
                    ),
                ));
            }
            base_table.insert(k.clone(), v.clone());
        }
        base.try_into()
            .map_err(|e: toml::de::Error| Error::at(file, text, o.span(), humanize(e.message())))
    }
    match name.get_ref().as_str() {
        "world" => {
            let parameters: WorldParameters = merge(
                WorldParameters::default(),
                &WorldParameters::OPTIONAL,
                overrides,
                file,
                text,
            )?;
            let year = model
                .year
                .as_ref()
                .map_or(parameters.migration_horizon, |y| *y.get_ref());
            if !(cge_calibrate::world::BASE_YEAR..=2100).contains(&year) {
                let span = model.year.as_ref().map_or(name.span(), Spanned::span);
                return Err(Error::at(
                    file,
                    text,
                    span,
                    format!("expected a year in 2001..=2100, found {year}"),
                ));
            }
            Ok(Dataset::World {
                parameters,
                year,
                new_migrants: model.new_migrants.unwrap_or(true),
            })
        }
        "trade" => {
            if let Some(y) = &model.year {
                return Err(Error::at(
                    file,
                    text,
                    y.span(),
                    "the trade dataset takes its year from the parameter `horizon`",
                ));
            }
            Ok(Dataset::Trade {
                parameters: merge(TradeParameters::default(), &[], overrides, file, text)?,
            })
        }
        other => Err(Error::at(
            file,
            text,
            name.span(),
            format!(
                "unknown dataset `{other}`{}; the datasets are {}",
                did_you_mean(&closest(other, DATASETS)),
                DATASETS.join(", ")
            ),
        )),
    }
}

/// The position of `key =` in the table that starts at `within` (up to the next header).
fn find_key(text: &str, within: Range<usize>, key: &str) -> Option<Range<usize>> {
    let mut offset = within.start;
    let region = text.get(within.start..)?;
    for (i, line) in region.split_inclusive('\n').enumerate() {
        if i > 0 && line.trim_start().starts_with('[') && offset >= within.end {
            break;
        }
        for pattern in [format!("{key} ="), format!("{key}=")] {
            if let Some(j) = line.find(&pattern) {
                let before = line[..j].chars().last();
                if before.is_none_or(|c| c == ' ' || c == '{' || c == ',' || c == '\t') {
                    return Some(offset + j..offset + j + key.len());
                }
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = r#"
title = "t"
[model]
family = "hos.two_by_two_by_two"
[model.parameters]
endowments = [[60, 40], [40, 60]]
cost_shares = [[0.7, 0.3], [0.3, 0.7]]

[[counterfactual]]
name = "a"
shock = [{ type = "tariff", importer = "H", good = "Y", rate = 0.3 }]
"#;

    #[test]
    fn reads_a_family_scenario() {
        let s = Scenario::parse(TINY, "t.toml").unwrap();
        assert!(matches!(
            s.model,
            ModelSource::Family(Family::TwoByTwoByTwo(_))
        ));
        let cf = &s.counterfactuals[0];
        assert_eq!(
            cf.shocks[0],
            Shock::new("tariff").importer("H").good("Y").rate(0.3)
        );
        assert!(cf.spans[0].contains_key("importer"));
    }

    #[test]
    fn the_linear_solver_is_chosen_by_name() {
        let with = |name: &str| {
            let text = TINY.replace(
                "[[counterfactual]]",
                &format!("[solver]\nlinear_solver = \"{name}\"\n\n[[counterfactual]]"),
            );
            Scenario::parse(&text, "t.toml")
        };
        let s = with("iterative").unwrap();
        assert_eq!(s.solver.options.linear_solver, LinearSolver::Iterative);
        let e = with("iterativ").unwrap_err().to_string();
        assert!(e.starts_with("t.toml:10:17:"), "{e}");
        assert!(
            e.contains("unknown linear solver `iterativ`")
                && e.contains("iterative")
                && e.contains("auto, dense, sparse, iterative"),
            "{e}"
        );
    }

    #[test]
    fn type_errors_have_positions() {
        let text = TINY.replace("rate = 0.3", "rate = \"high\"");
        let e = Scenario::parse(&text, "t.toml").unwrap_err().to_string();
        assert!(e.starts_with("t.toml:11:"), "{e}");
        assert!(
            e.contains("expected a number, found string \"high\""),
            "{e}"
        );
    }

    #[test]
    fn unknown_family_suggests() {
        let text = TINY.replace("hos.two_by_two_by_two", "hos.two_by_two");
        let e = Scenario::parse(&text, "t.toml").unwrap_err().to_string();
        assert!(e.contains("did you mean `hos.two_by_two_by_two`"), "{e}");
    }

    #[test]
    fn unknown_parameter_of_a_family() {
        let text = TINY.replace("cost_shares", "cost_share");
        let e = Scenario::parse(&text, "t.toml").unwrap_err().to_string();
        assert!(
            e.starts_with("t.toml:7:1: unknown field `cost_share`"),
            "{e}"
        );
    }

    #[test]
    fn dataset_overrides_merge_and_reject_unknown_keys() {
        let text = "[model]\ndataset = \"world\"\nyear = 2015\nnew_migrants = false\n[model.parameters]\nsigma_armington = 6\n";
        let s = Scenario::parse(text, "w.toml").unwrap();
        let ModelSource::Dataset(Dataset::World {
            parameters, year, ..
        }) = s.model
        else {
            panic!("not the world dataset");
        };
        assert_eq!((parameters.sigma_armington, year), (6.0, 2015));
        let bad = text.replace("sigma_armington", "sigma_armingtn");
        let e = Scenario::parse(&bad, "w.toml").unwrap_err().to_string();
        assert!(
            e.starts_with("w.toml:6:1:") && e.contains("did you mean `sigma_armington`"),
            "{e}"
        );
    }
}
