//! The fluent counterfactual API: a [`Study`] is a scenario's model built, closed and checked
//! at its benchmark; counterfactuals apply shocks to copies of it, solve, and return an
//! [`Outcome`] whose results are read by name against the benchmark.
//!
//! ```
//! use cge::core::families::hos::TwoByTwoByTwo;
//! use cge::{Shock, Study};
//!
//! let study = Study::family(TwoByTwoByTwo::new([[60.0, 40.0], [40.0, 60.0]], [[0.7, 0.3], [0.3, 0.7]]))?;
//! let outcome = study
//!     .counterfactual("home_tariff")
//!     .shock(Shock::new("tariff").importer("H").good("Y").rate(0.3))
//!     .solve()?;
//! println!("EV of H: {:.3}", outcome.ev("H")?);
//! assert!(outcome.pct_change("price", "PY.H")?.unwrap() > 0.0);
//! # Ok::<(), cge::Error>(())
//! ```

use std::path::Path;

use cge_calibrate::trade::{self, TRADED};
use cge_calibrate::world::{
    self, names as world_names, Baseline, LabourAccounts, WorldData, WorldParameters,
};
use cge_core::families::hos::{
    armington_sector, export_sector, factor_price, good_price, import_sector, trade_sector,
    GoodsKind, FOREIGN_EXCHANGE, HOUSEHOLD,
};
use cge_core::families::mobility::{
    MigrationControl, LICENCE, MIGRATE, NEW_MIGRANTS, ORIGIN_RESIDENTS, POOL_LABOUR,
};
use cge_core::{CoreError, Model, ModelSpec, NestChild, NestSpec, Results};
use cge_solver::{Problem, SolveError};

use crate::error::{closest, did_you_mean, Error};
use crate::scenario::{Counterfactual, Dataset, Family, ModelSource, Scenario, Shock};

/// A scenario's model, built, closed and checked at its benchmark, ready for counterfactuals.
#[derive(Debug, Clone)]
pub struct Study {
    scenario: Scenario,
    spec: ModelSpec,
    model: Model,
    benchmark: Results,
    context: Context,
    money_unit: String,
}

/// What shocks can refer to beyond the model's own names.
#[derive(Debug, Clone)]
enum Context {
    Plain,
    Family(Family),
    World {
        parameters: Box<WorldParameters>,
        baseline: Baseline,
        new_migrants: bool,
    },
    Trade,
}

/// A parameter of the model that a shock sets (one of the algebra's setters).
#[derive(Debug, Clone, PartialEq)]
enum Target {
    InputTax(String, String),
    OutputTax(String, String),
    DemandTax(String, String),
    InputQuantity(String, String),
    OutputQuantity(String, String),
    Endowment(String, String),
    Transfer(String, String, String),
    IncomeShare(String, String),
    Elasticity(String, Option<String>),
    Transformation(String),
    DemandElasticity(String, Option<String>),
    AuxiliaryBounds(String),
    NumeraireValue,
}

/// A target moved from its benchmark value to a new one; continuation moves it in steps.
#[derive(Debug, Clone, PartialEq)]
struct Action {
    target: Target,
    benchmark: f64,
    value: f64,
    /// For auxiliary bounds: (lower, upper), applied whole.
    bounds: Option<(f64, f64)>,
    /// Which shock (index) and field produced it, for errors.
    shock: usize,
    field: &'static str,
}

/// Money unit of the calibrated datasets.
const DATASET_MONEY: &str = "US$ bn a year, 2001 prices";

impl Study {
    /// Reads a scenario file and prepares its model.
    ///
    /// # Errors
    /// Scenario errors with positions, model validation errors, a benchmark that does not
    /// replicate.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::new(Scenario::from_path(path)?)
    }

    /// Prepares a family model with default settings.
    ///
    /// # Errors
    /// As [`Study::new`].
    pub fn family(family: impl Into<Family>) -> Result<Self, Error> {
        Self::new(Scenario::new(
            "family model",
            ModelSource::Family(family.into()),
        ))
    }

    /// Prepares a model spec with default settings.
    ///
    /// # Errors
    /// As [`Study::new`].
    pub fn spec(spec: ModelSpec) -> Result<Self, Error> {
        Self::new(Scenario::new(
            spec.name.clone(),
            ModelSource::Spec(Box::new(spec)),
        ))
    }

    /// Prepares the calibrated world model (`cge_calibrate::world`) of a horizon year.
    ///
    /// # Errors
    /// As [`Study::new`].
    pub fn world(
        parameters: WorldParameters,
        year: i32,
        new_migrants: bool,
    ) -> Result<Self, Error> {
        Self::new(Scenario::new(
            "calibrated world model",
            ModelSource::Dataset(Dataset::World {
                parameters,
                year,
                new_migrants,
            }),
        ))
    }

    /// Builds the scenario's model, applies its closure, checks that the benchmark replicates
    /// and solves it (which must take no iteration).
    ///
    /// # Errors
    /// [`Error::Core`] or [`Error::Calibrate`] for invalid parameters or a benchmark that does
    /// not replicate; [`Error::Scenario`] for closure names that the model lacks.
    pub fn new(mut scenario: Scenario) -> Result<Self, Error> {
        let (mut spec, context, unit) = match &scenario.model {
            ModelSource::Family(f) => {
                let spec = f
                    .spec()
                    .map_err(|e| scenario.model_error(format!("family `{}`: {e}", f.name())))?;
                let unit = match f {
                    Family::Migration(p) => p.money_unit.clone(),
                    _ => "benchmark money".to_string(),
                };
                (spec, Context::Family(f.clone()), unit)
            }
            ModelSource::File(path) => (
                ModelSpec::from_path(path)?,
                Context::Plain,
                "benchmark money".to_string(),
            ),
            ModelSource::Spec(spec) => ((**spec).clone(), Context::Plain, "benchmark money".into()),
            ModelSource::Dataset(Dataset::World {
                parameters,
                year,
                new_migrants,
            }) => {
                let data = WorldData::load()?;
                let baseline = Baseline::project(&data, *year);
                let spec = world::build(&baseline, parameters, *new_migrants)
                    .map_err(|e| scenario.model_error(format!("dataset `world`: {e}")))?;
                (
                    spec,
                    Context::World {
                        parameters: Box::new(parameters.clone()),
                        baseline,
                        new_migrants: *new_migrants,
                    },
                    DATASET_MONEY.to_string(),
                )
            }
            ModelSource::Dataset(Dataset::Trade { parameters }) => {
                let data = WorldData::load()?;
                let spec = trade::build(&data, parameters)
                    .map_err(|e| scenario.model_error(format!("dataset `trade`: {e}")))?;
                (spec, Context::Trade, DATASET_MONEY.to_string())
            }
        };
        if let Some(n) = &scenario.closure.numeraire {
            spec.numeraire = Some(n.clone());
        }
        let mut model = spec.build().map_err(|e| closure_error(&scenario, e))?;
        for fix in &scenario.closure.fixes {
            model
                .set_auxiliary_bounds(&fix.auxiliary, fix.lower, fix.upper)
                .map_err(|e| closure_error(&scenario, e))?;
        }
        model.check_benchmark()?;
        // A tolerance below the round-off of the model's residuals cannot be met.
        scenario.solver.options = model.at_tolerance_floor(scenario.solver.options.clone());
        let mut solved = model.clone();
        let benchmark = solved
            .solve(&scenario.solver.options)
            .map_err(|e| not_solved(&solved, "benchmark", e, false))?;
        let money_unit = scenario.report.money_unit.clone().unwrap_or(unit);
        Ok(Self {
            scenario,
            spec,
            model,
            benchmark,
            context,
            money_unit,
        })
    }

    /// The scenario: settings and the counterfactuals of its file.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The model spec after the closure.
    pub fn model_spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// The benchmark model (closed, unshocked).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The benchmark's results.
    pub fn benchmark(&self) -> &Results {
        &self.benchmark
    }

    /// Unit of money in reports.
    pub fn money_unit(&self) -> &str {
        &self.money_unit
    }

    /// A one-line description of the model: its source, size and numeraire.
    pub fn describe_model(&self) -> String {
        let source = match &self.scenario.model {
            ModelSource::Family(f) => format!("family {}", f.name()),
            ModelSource::File(p) => format!("file {}", p.display()),
            ModelSource::Spec(_) => "spec".to_string(),
            ModelSource::Dataset(Dataset::World { year, .. }) => format!("dataset world, {year}"),
            ModelSource::Dataset(Dataset::Trade { parameters }) => {
                format!("dataset trade, {}", parameters.horizon)
            }
        };
        let n = &self.benchmark.numeraire;
        format!(
            "{} ({source}): {} sectors, {} commodities, {} consumers; numeraire: {} `{}` = {}",
            self.spec.name,
            self.model.sector_names().len(),
            self.model.commodity_names().len(),
            self.model.consumer_names().len(),
            n.kind,
            n.name,
            format!("{:.6}", n.value)
                .trim_end_matches('0')
                .trim_end_matches('.')
        )
    }

    /// Starts a counterfactual to build with shocks.
    pub fn counterfactual(&self, name: impl Into<String>) -> CounterfactualBuilder<'_> {
        CounterfactualBuilder {
            study: self,
            counterfactual: Counterfactual {
                name: name.into(),
                ..Counterfactual::default()
            },
        }
    }

    /// Checks that every shock of a counterfactual names things the model has.
    ///
    /// # Errors
    /// [`Error::Scenario`] (from a file) or [`Error::Invalid`] naming the shock and field, with
    /// the closest valid names.
    pub fn validate(&self, cf: &Counterfactual) -> Result<(), Error> {
        let actions = self.resolve(cf)?;
        let mut model = self.model.clone();
        self.apply(&mut model, cf, &actions, 1.0)
    }

    /// Solves every counterfactual of the scenario file, in order.
    pub fn run_all(&self) -> Vec<Result<Outcome, Error>> {
        self.scenario
            .counterfactuals
            .iter()
            .map(|cf| self.run(cf))
            .collect()
    }

    /// Applies a counterfactual's shocks to a copy of the benchmark model and solves it; with
    /// `continuation` in the solver settings, a failed solve is retried with the shocks applied
    /// in steps.
    ///
    /// # Errors
    /// Shock errors as [`Study::validate`]; [`Error::NotSolved`] naming the equations with the
    /// largest residuals.
    pub fn run(&self, cf: &Counterfactual) -> Result<Outcome, Error> {
        let actions = self.resolve(cf)?;
        let mut model = self.model.clone();
        self.apply(&mut model, cf, &actions, 1.0)?;
        let options = &self.scenario.solver.options;
        let first = model.solve(options);
        let (results, steps) = match first {
            Ok(r) => (r, 1),
            Err(e) if !self.scenario.solver.continuation || !is_not_converged(&e) => {
                return Err(not_solved(&model, &cf.name, e, false));
            }
            Err(_) => self.continuation(cf, &actions)?,
        };
        Ok(Outcome {
            name: cf.name.clone(),
            description: cf.description.clone(),
            results,
            benchmark: self.benchmark.clone(),
            money_unit: self.money_unit.clone(),
            steps,
        })
    }

    /// Applies the shocks in steps of at most 1/n, halving a step that fails.
    fn continuation(
        &self,
        cf: &Counterfactual,
        actions: &[Action],
    ) -> Result<(Results, usize), Error> {
        let options = &self.scenario.solver.options;
        let mut model = self.model.clone();
        let mut t = 0.0_f64;
        let mut step = 1.0 / self.scenario.solver.continuation_steps as f64;
        let mut steps = 0;
        loop {
            let next = (t + step).min(1.0);
            self.apply(&mut model, cf, actions, next)?;
            match model.solve(options) {
                Ok(r) => {
                    steps += 1;
                    t = next;
                    if t >= 1.0 {
                        return Ok((r, steps));
                    }
                }
                Err(e) if is_not_converged(&e) && step > 1e-3 => {
                    step *= 0.5;
                }
                Err(e) => return Err(not_solved(&model, &cf.name, e, true)),
            }
        }
    }

    /// Sets every action's target at benchmark + t (value − benchmark).
    fn apply(
        &self,
        model: &mut Model,
        cf: &Counterfactual,
        actions: &[Action],
        t: f64,
    ) -> Result<(), Error> {
        for a in actions {
            let v = a.benchmark + t * (a.value - a.benchmark);
            set(model, &a.target, v, a.bounds).map_err(|e| {
                let field = field_of_error(&cf.shocks[a.shock], &e).unwrap_or(a.field);
                self.scenario
                    .shock_error(cf, a.shock, Some(field), e.to_string())
            })?;
        }
        Ok(())
    }

    /// Translates shocks into the algebra's setters with benchmark and target values.
    fn resolve(&self, cf: &Counterfactual) -> Result<Vec<Action>, Error> {
        let mut actions = Vec::new();
        for (i, shock) in cf.shocks.iter().enumerate() {
            let err = |field: Option<&str>, message: String| {
                self.scenario.shock_error(cf, i, field, message)
            };
            let r = Resolver {
                study: self,
                shock,
                index: i,
            };
            r.resolve(&mut actions)
                .map_err(|(field, msg)| err(field, msg))?;
        }
        Ok(actions)
    }
}

fn is_not_converged(e: &CoreError) -> bool {
    matches!(e, CoreError::Solve(SolveError::NotConverged { .. }))
}

fn closure_error(scenario: &Scenario, e: CoreError) -> Error {
    match &scenario.origin {
        Some(o) => {
            let span = o.text.find("[closure]").map_or(0..0, |i| i..i + 9);
            Error::at(&o.file, &o.text, span, format!("closure: {e}"))
        }
        None => Error::invalid("closure", e.to_string()),
    }
}

/// Names equation i of the model (the one complementary to unknown i).
pub fn equation_name(model: &Model, i: usize) -> String {
    let (ns, nc, nh) = (
        model.sector_names().len(),
        model.commodity_names().len(),
        model.consumer_names().len(),
    );
    if i < ns {
        format!("zero profit `{}`", model.sector_names()[i])
    } else if i < ns + nc {
        format!("market clearance `{}`", model.commodity_names()[i - ns])
    } else if i < ns + nc + nh {
        format!("income balance `{}`", model.consumer_names()[i - ns - nc])
    } else {
        let k = i - ns - nc - nh;
        format!(
            "constraint `{}`",
            model.auxiliary_names().get(k).map_or("?", String::as_str)
        )
    }
}

/// The equations with the largest complementarity errors at x, largest first.
pub fn worst_equations(model: &Model, x: &[f64], count: usize) -> Vec<(String, f64)> {
    let mut f = vec![0.0; model.dim()];
    if x.len() != model.dim() || model.residual(x, &mut f).is_err() {
        return Vec::new();
    }
    let bounds = model.bounds();
    let mut scored: Vec<(f64, usize)> = (0..model.dim())
        .map(|i| {
            let (lo, hi) = bounds
                .as_ref()
                .map_or((f64::NEG_INFINITY, f64::INFINITY), |b| {
                    (b.lower[i], b.upper[i])
                });
            let projected = (x[i] - f[i]).max(lo).min(hi);
            ((x[i] - projected).abs(), i)
        })
        .filter(|(e, _)| *e > 0.0 || e.is_nan())
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(count)
        .map(|(_, i)| (equation_name(model, i), f[i]))
        .collect()
}

fn not_solved(model: &Model, name: &str, e: CoreError, continuation_tried: bool) -> Error {
    match e {
        CoreError::Solve(SolveError::NotConverged {
            diagnostics,
            last_x,
        }) => Error::NotSolved {
            counterfactual: name.to_string(),
            reason: diagnostics.summary(),
            worst: worst_equations(model, &last_x, 5),
            continuation_tried,
        },
        other => Error::NotSolved {
            counterfactual: name.to_string(),
            reason: other.to_string(),
            worst: Vec::new(),
            continuation_tried,
        },
    }
}

/// The shock field holding the name a library error complains about.
fn field_of_error(shock: &Shock, e: &CoreError) -> Option<&'static str> {
    let CoreError::UnknownName { name, .. } = e else {
        return None;
    };
    const FIELDS: [&str; 12] = [
        "sector",
        "commodity",
        "consumer",
        "from",
        "to",
        "nest",
        "auxiliary",
        "importer",
        "exporter",
        "good",
        "factor",
        "region",
    ];
    FIELDS
        .into_iter()
        .find(|f| shock.names.get(*f).is_some_and(|v| v == name))
}

fn set(
    model: &mut Model,
    target: &Target,
    v: f64,
    bounds: Option<(f64, f64)>,
) -> Result<(), CoreError> {
    match target {
        Target::InputTax(s, c) => model.set_input_tax(s, c, v),
        Target::OutputTax(s, c) => model.set_output_tax(s, c, v),
        Target::DemandTax(h, c) => model.set_demand_tax(h, c, v),
        Target::InputQuantity(s, c) => model.set_input_quantity(s, c, v),
        Target::OutputQuantity(s, c) => model.set_output_quantity(s, c, v),
        Target::Endowment(h, c) => model.set_endowment(h, c, v),
        Target::Transfer(a, b, c) => model.set_transfer(a, b, c, v),
        Target::IncomeShare(a, b) => model.set_income_share(a, b, v),
        Target::Elasticity(s, n) => model.set_elasticity(s, n.as_deref(), v),
        Target::Transformation(s) => model.set_transformation(s, v),
        Target::DemandElasticity(h, n) => model.set_demand_elasticity(h, n.as_deref(), v),
        Target::AuxiliaryBounds(a) => {
            let (lo, hi) = bounds.unwrap_or((v, v));
            model.set_auxiliary_bounds(a, lo, hi)
        }
        Target::NumeraireValue => model.set_numeraire_value(v),
    }
}

// ---------------------------------------------------------------------------------------------
// Benchmark values of targets, read from the spec
// ---------------------------------------------------------------------------------------------

fn leaves<'a>(nest: &'a NestSpec, out: &mut Vec<&'a cge_core::Flow>) {
    for c in &nest.children {
        match c {
            NestChild::Flow(f) => out.push(f),
            NestChild::Nest(n) => leaves(n, out),
        }
    }
}

fn find_nest<'a>(nest: &'a NestSpec, name: &str) -> Option<&'a NestSpec> {
    if nest.name.as_deref() == Some(name) {
        return Some(nest);
    }
    nest.children.iter().find_map(|c| match c {
        NestChild::Nest(n) => find_nest(n, name),
        NestChild::Flow(_) => None,
    })
}

/// The target's benchmark value in the spec, when the spec has exactly one such item.
fn benchmark_value(spec: &ModelSpec, model: &Model, target: &Target) -> Option<f64> {
    let sector = |s: &str| spec.sectors.iter().find(|x| x.name == s);
    let consumer = |h: &str| spec.consumers.iter().find(|x| x.name == h);
    let unique = |v: Vec<f64>| if v.len() == 1 { Some(v[0]) } else { None };
    let flows_of = |nest: &NestSpec, c: &str, taxed: bool| -> Vec<f64> {
        let mut ls = Vec::new();
        leaves(nest, &mut ls);
        ls.into_iter()
            .filter(|f| f.commodity == c && (!taxed || f.tax.is_some()))
            .map(|f| {
                if taxed {
                    f.tax.as_ref().map_or(0.0, |t| t.rate)
                } else {
                    f.quantity
                }
            })
            .collect()
    };
    match target {
        Target::InputTax(s, c) => unique(flows_of(&sector(s)?.inputs, c, true)),
        Target::InputQuantity(s, c) => unique(flows_of(&sector(s)?.inputs, c, false)),
        Target::OutputTax(s, c) | Target::OutputQuantity(s, c) => {
            let taxed = matches!(target, Target::OutputTax(..));
            let v: Vec<f64> = sector(s)?
                .outputs
                .items
                .iter()
                .filter(|f| f.commodity == *c && (!taxed || f.tax.is_some()))
                .map(|f| {
                    if taxed {
                        f.tax.as_ref().map_or(0.0, |t| t.rate)
                    } else {
                        f.quantity
                    }
                })
                .collect();
            unique(v)
        }
        Target::DemandTax(h, c) => unique(flows_of(&consumer(h)?.demand, c, true)),
        Target::Endowment(h, c) => unique(
            consumer(h)?
                .endowments
                .iter()
                .filter(|e| e.commodity == *c)
                .map(|e| e.quantity)
                .collect(),
        ),
        Target::Transfer(a, b, c) => spec
            .transfers
            .iter()
            .find(|t| t.from == *a && t.to == *b && t.commodity == *c)
            .map(|t| t.quantity),
        Target::IncomeShare(a, b) => spec
            .income_shares
            .iter()
            .find(|t| t.from == *a && t.to == *b)
            .map(|t| t.share),
        Target::Elasticity(s, n) => {
            let inputs = &sector(s)?.inputs;
            let nest = match n {
                None => inputs,
                Some(name) => find_nest(inputs, name)?,
            };
            Some(nest.elasticity.unwrap_or(0.0))
        }
        Target::Transformation(s) => Some(sector(s)?.outputs.elasticity),
        Target::DemandElasticity(h, n) => {
            let demand = &consumer(h)?.demand;
            let nest = match n {
                None => demand,
                Some(name) => find_nest(demand, name)?,
            };
            Some(nest.elasticity.unwrap_or(1.0))
        }
        Target::AuxiliaryBounds(_) => Some(0.0),
        Target::NumeraireValue => Some(model.numeraire_value()),
    }
}

// ---------------------------------------------------------------------------------------------
// Shock types
// ---------------------------------------------------------------------------------------------

/// Every shock type, with its name fields (required, then optional in brackets) and value
/// fields; `docs/user-guide.md` explains each.
pub const SHOCK_TYPES: [(&str, &str); 20] = [
    ("input_tax", "sector, commodity; rate | scale"),
    ("output_tax", "sector, commodity; rate | scale"),
    ("demand_tax", "consumer, commodity; rate | scale"),
    ("endowment", "consumer, commodity; quantity | scale"),
    ("input_quantity", "sector, commodity; quantity | scale"),
    ("output_quantity", "sector, commodity; quantity | scale"),
    ("transfer", "from, to, commodity; quantity"),
    ("income_share", "from, to; share"),
    ("elasticity", "sector, [nest]; elasticity | scale"),
    ("transformation", "sector; elasticity | scale"),
    ("demand_elasticity", "consumer, [nest]; elasticity | scale"),
    ("auxiliary", "auxiliary; value | lower, upper"),
    ("numeraire", "value"),
    (
        "tariff",
        "family names ([importer], [exporter], [good]); rate | scale",
    ),
    ("trade_cost", "[importer], exporter, good; cost"),
    ("factor_endowment", "[region], factor; quantity | scale"),
    ("world_price", "good; multiplier"),
    ("quota", "migrants | labour_force_increase"),
    ("wedge", "rate"),
    ("remittance_share", "share"),
];

type ShockResult<T> = Result<T, (Option<&'static str>, String)>;

struct Resolver<'a> {
    study: &'a Study,
    shock: &'a Shock,
    index: usize,
}

/// A value: set outright, or the benchmark value times a scale.
enum Amount {
    Set(f64, &'static str),
    Scale(f64),
}

impl Resolver<'_> {
    fn name(&self, field: &'static str) -> ShockResult<&str> {
        self.shock
            .names
            .get(field)
            .map(String::as_str)
            .ok_or_else(|| {
                (
                    None,
                    format!(
                        "shock `{}` needs `{field}`{}",
                        self.shock.kind,
                        self.usage()
                    ),
                )
            })
    }

    fn opt_name(&self, field: &'static str) -> Option<&str> {
        self.shock.names.get(field).map(String::as_str)
    }

    fn usage(&self) -> String {
        SHOCK_TYPES
            .iter()
            .find(|(k, _)| *k == self.shock.kind)
            .map(|(k, f)| format!(" (a `{k}` shock takes {f})"))
            .unwrap_or_default()
    }

    /// Checks that the shock has no field outside `names` and `values`.
    fn only(&self, names: &[&str], values: &[&str]) -> ShockResult<()> {
        for k in self.shock.names.keys() {
            if !names.contains(&k.as_str()) {
                return Err((
                    field_static(k),
                    format!(
                        "shock `{}` does not take `{k}`{}",
                        self.shock.kind,
                        self.usage()
                    ),
                ));
            }
        }
        for k in self.shock.values.keys() {
            if !values.contains(&k.as_str()) {
                return Err((
                    field_static(k),
                    format!(
                        "shock `{}` does not take `{k}`{}",
                        self.shock.kind,
                        self.usage()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Exactly one of `set` (an outright value) or `scale` if allowed.
    fn amount(&self, set: &'static str, scale: bool) -> ShockResult<Amount> {
        let v = self.shock.values.get(set).copied();
        let s = if scale {
            self.shock.values.get("scale").copied()
        } else {
            None
        };
        let check = |field: &'static str, x: f64| -> ShockResult<f64> {
            if x.is_finite() {
                Ok(x)
            } else {
                Err((Some(field), format!("`{field}` must be finite, found {x}")))
            }
        };
        match (v, s) {
            (Some(x), None) => Ok(Amount::Set(check(set, x)?, set)),
            (None, Some(x)) => {
                let x = check("scale", x)?;
                if x < 0.0 {
                    return Err((
                        Some("scale"),
                        format!(
                            "`scale` multiplies the benchmark value and must be >= 0, found {x}"
                        ),
                    ));
                }
                Ok(Amount::Scale(x))
            }
            (Some(_), Some(_)) => {
                Err((Some("scale"), format!("give `{set}` or `scale`, not both")))
            }
            (None, None) => Err((
                None,
                format!(
                    "shock `{}` needs `{set}`{}{}",
                    self.shock.kind,
                    if scale { " or `scale`" } else { "" },
                    self.usage()
                ),
            )),
        }
    }

    /// An action on a target, its benchmark read from the spec.
    fn action(&self, target: Target, amount: &Amount, field: &'static str) -> ShockResult<Action> {
        let study = self.study;
        let benchmark = match benchmark_value(&study.spec, &study.model, &target) {
            Some(b) => b,
            None => {
                // Let the algebra say what is wrong (unknown name with suggestions, a flow
                // without a tax, an ambiguous flow), on a copy.
                let mut probe = study.model.clone();
                let e =
                    set(&mut probe, &target, 0.5, None)
                        .err()
                        .unwrap_or(CoreError::NotDeclared {
                            context: format!("{target:?}"),
                        });
                let f = field_of_error(self.shock, &e).or(Some(field));
                return Err((f, e.to_string()));
            }
        };
        let (value, field) = match amount {
            Amount::Set(v, f) => (*v, *f),
            Amount::Scale(s) => (benchmark * s, "scale"),
        };
        Ok(Action {
            target,
            benchmark,
            value,
            bounds: None,
            shock: self.index,
            field,
        })
    }

    fn pick<'n>(
        &self,
        field: &'static str,
        value: &str,
        names: &'n [String],
    ) -> ShockResult<&'n str> {
        names
            .iter()
            .find(|n| *n == value)
            .map(String::as_str)
            .ok_or_else(|| {
                (
                    Some(field),
                    format!(
                        "unknown {field} `{value}`{}; the model has {}",
                        did_you_mean(&closest(value, names.iter().map(String::as_str))),
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    }

    fn resolve(&self, out: &mut Vec<Action>) -> ShockResult<()> {
        let kind = self.shock.kind.as_str();
        let two = |a: &'static str, b: &'static str| -> ShockResult<(String, String)> {
            Ok((self.name(a)?.to_string(), self.name(b)?.to_string()))
        };
        match kind {
            "input_tax" | "output_tax" | "input_quantity" | "output_quantity" => {
                let quantity = kind.ends_with("quantity");
                let set = if quantity { "quantity" } else { "rate" };
                self.only(&["sector", "commodity"], &[set, "scale"])?;
                let (s, c) = two("sector", "commodity")?;
                let target = match kind {
                    "input_tax" => Target::InputTax(s, c),
                    "output_tax" => Target::OutputTax(s, c),
                    "input_quantity" => Target::InputQuantity(s, c),
                    _ => Target::OutputQuantity(s, c),
                };
                out.push(self.action(target, &self.amount(set, true)?, "sector")?);
            }
            "demand_tax" | "endowment" => {
                let set = if kind == "endowment" {
                    "quantity"
                } else {
                    "rate"
                };
                self.only(&["consumer", "commodity"], &[set, "scale"])?;
                let (h, c) = two("consumer", "commodity")?;
                let target = if kind == "endowment" {
                    Target::Endowment(h, c)
                } else {
                    Target::DemandTax(h, c)
                };
                out.push(self.action(target, &self.amount(set, true)?, "consumer")?);
            }
            "transfer" => {
                self.only(&["from", "to", "commodity"], &["quantity", "scale"])?;
                let (a, b) = two("from", "to")?;
                let c = self.name("commodity")?.to_string();
                out.push(self.action(
                    Target::Transfer(a, b, c),
                    &self.amount("quantity", true)?,
                    "from",
                )?);
            }
            "income_share" => {
                self.only(&["from", "to"], &["share", "scale"])?;
                let (a, b) = two("from", "to")?;
                out.push(self.action(
                    Target::IncomeShare(a, b),
                    &self.amount("share", true)?,
                    "from",
                )?);
            }
            "elasticity" | "transformation" => {
                let nest_ok = kind == "elasticity";
                self.only(
                    if nest_ok {
                        &["sector", "nest"]
                    } else {
                        &["sector"]
                    },
                    &["elasticity", "scale"],
                )?;
                let s = self.name("sector")?.to_string();
                let target = if nest_ok {
                    Target::Elasticity(s, self.opt_name("nest").map(str::to_string))
                } else {
                    Target::Transformation(s)
                };
                out.push(self.action(target, &self.amount("elasticity", true)?, "sector")?);
            }
            "demand_elasticity" => {
                self.only(&["consumer", "nest"], &["elasticity", "scale"])?;
                let h = self.name("consumer")?.to_string();
                let target = Target::DemandElasticity(h, self.opt_name("nest").map(str::to_string));
                out.push(self.action(target, &self.amount("elasticity", true)?, "consumer")?);
            }
            "auxiliary" => {
                self.only(&["auxiliary"], &["value", "lower", "upper"])?;
                let a = self.name("auxiliary")?.to_string();
                let v = &self.shock.values;
                let bounds = match (v.get("value"), v.get("lower"), v.get("upper")) {
                    (Some(x), None, None) => (*x, *x),
                    (None, l, u) if l.is_some() || u.is_some() => (
                        l.copied().unwrap_or(f64::NEG_INFINITY),
                        u.copied().unwrap_or(f64::INFINITY),
                    ),
                    _ => {
                        return Err((
                            None,
                            "shock `auxiliary` needs `value` (to fix it) or `lower`/`upper`".into(),
                        ))
                    }
                };
                let mut act = self.action(
                    Target::AuxiliaryBounds(a),
                    &Amount::Set(0.0, "value"),
                    "auxiliary",
                )?;
                act.bounds = Some(bounds);
                out.push(act);
            }
            "numeraire" => {
                self.only(&[], &["value", "scale"])?;
                out.push(self.action(
                    Target::NumeraireValue,
                    &self.amount("value", true)?,
                    "value",
                )?);
            }
            _ => return self.family_shock(out),
        }
        Ok(())
    }

    /// Shocks named in a family's or dataset's own terms.
    fn family_shock(&self, out: &mut Vec<Action>) -> ShockResult<()> {
        let kind = self.shock.kind.as_str();
        let unknown = || {
            let all: Vec<&str> = SHOCK_TYPES.iter().map(|(k, _)| *k).collect();
            (
                Some("type"),
                format!(
                    "unknown shock type `{kind}`{}; the types are {}",
                    did_you_mean(&closest(kind, all.iter().copied())),
                    all.join(", ")
                ),
            )
        };
        let not_here = |what: &str| {
            (
                Some("type"),
                format!("shock `{kind}` does not apply to {what}; use the algebra's shocks (input_tax, endowment, ...) on its names"),
            )
        };
        if !SHOCK_TYPES.iter().any(|(k, _)| *k == kind) {
            return Err(unknown());
        }
        match &self.study.context {
            Context::Family(Family::TwoByTwoByTwo(p)) => {
                let countries = p.countries.to_vec();
                let goods = p.goods.to_vec();
                let factors = p.factors.to_vec();
                match kind {
                    "tariff" => {
                        self.only(&["importer", "good"], &["rate", "scale"])?;
                        let imp = self.pick("importer", self.name("importer")?, &countries)?;
                        let good = self.pick("good", self.name("good")?, &goods)?;
                        let origin = if imp == countries[0] {
                            &countries[1]
                        } else {
                            &countries[0]
                        };
                        let t = Target::InputTax(
                            trade_sector(good, origin, imp),
                            good_price(good, origin),
                        );
                        out.push(self.action(t, &self.amount("rate", true)?, "importer")?);
                    }
                    "trade_cost" => {
                        self.only(&["exporter", "good"], &["cost"])?;
                        let exp = self.pick("exporter", self.name("exporter")?, &countries)?;
                        let good = self.pick("good", self.name("good")?, &goods)?;
                        let cost = self.cost()?;
                        let b = p.benchmark().map_err(|e| (None, e.to_string()))?;
                        let (g, o) = (index(&goods, good), index(&countries, exp));
                        let dest = &countries[1 - o];
                        let t = Target::InputQuantity(
                            trade_sector(good, exp, dest),
                            good_price(good, exp),
                        );
                        let q = b.route_quantity[g][o];
                        out.push(self.action(
                            t,
                            &Amount::Set(q * (1.0 + cost), "cost"),
                            "exporter",
                        )?);
                    }
                    "factor_endowment" => {
                        self.only(&["region", "factor"], &["quantity", "scale"])?;
                        let r = self.pick("region", self.name("region")?, &countries)?;
                        let f = self.pick("factor", self.name("factor")?, &factors)?;
                        let t = Target::Endowment(r.to_string(), factor_price(f, r));
                        out.push(self.action(t, &self.amount("quantity", true)?, "factor")?);
                    }
                    _ => {
                        return Err(not_here(
                            "the 2x2x2 model (its shocks: tariff, trade_cost, factor_endowment)",
                        ))
                    }
                }
            }
            Context::Family(Family::SmallOpenEconomy(p)) => {
                let goods = p.goods.to_vec();
                let factors = p.factors.to_vec();
                match kind {
                    "tariff" => {
                        self.only(&["good"], &["rate", "scale"])?;
                        let good = self.pick("good", self.name("good")?, &goods)?;
                        let t = Target::InputTax(import_sector(good), FOREIGN_EXCHANGE.into());
                        out.push(self.action(t, &self.amount("rate", true)?, "good")?);
                    }
                    "world_price" => {
                        self.only(&["good"], &["multiplier"])?;
                        let good = self.pick("good", self.name("good")?, &goods)?;
                        let m = self.shock.values.get("multiplier").copied().ok_or((None, format!("shock `world_price` needs `multiplier`{}", self.usage())))?;
                        if !(m.is_finite() && m > 0.0) {
                            return Err((Some("multiplier"), format!("`multiplier` must be finite and > 0, found {m}")));
                        }
                        for (t, f) in [
                            (Target::OutputQuantity(export_sector(good), FOREIGN_EXCHANGE.into()), "good"),
                            (Target::InputQuantity(import_sector(good), FOREIGN_EXCHANGE.into()), "good"),
                        ] {
                            out.push(self.action(t, &Amount::Scale(m), f)?);
                        }
                    }
                    "factor_endowment" => {
                        self.only(&["factor"], &["quantity", "scale"])?;
                        let f = self.pick("factor", self.name("factor")?, &factors)?;
                        let t = Target::Endowment(HOUSEHOLD.into(), format!("P{f}"));
                        out.push(self.action(t, &self.amount("quantity", true)?, "factor")?);
                    }
                    _ => return Err(not_here("the small open economy (its shocks: tariff, world_price, factor_endowment)")),
                }
            }
            Context::Family(Family::MultiRegion(p)) => match kind {
                "tariff" => {
                    self.only(&["importer", "exporter", "good"], &["rate", "scale"])?;
                    let amount = self.amount("rate", true)?;
                    let before = out.len();
                    for (g, o, d) in self.routes(&p.goods, &p.regions)? {
                        let sector = match p.kind {
                            GoodsKind::Armington => armington_sector(&g, &d),
                            GoodsKind::Homogeneous => trade_sector(&g, &o, &d),
                        };
                        let t = Target::InputTax(sector, good_price(&g, &o));
                        if benchmark_value(&self.study.spec, &self.study.model, &t).is_some() {
                            out.push(self.action(t, &amount, "importer")?);
                        }
                    }
                    if out.len() == before {
                        return Err((
                            None,
                            "no trade route of the model matches this tariff".into(),
                        ));
                    }
                }
                "factor_endowment" => {
                    self.only(&["region", "factor"], &["quantity", "scale"])?;
                    let r = self.pick("region", self.name("region")?, &p.regions)?;
                    let f = self.pick("factor", self.name("factor")?, &p.factors)?;
                    let t = Target::Endowment(r.to_string(), factor_price(f, r));
                    out.push(self.action(t, &self.amount("quantity", true)?, "factor")?);
                }
                _ => {
                    return Err(not_here(
                        "the multi-region model (its shocks: tariff, factor_endowment)",
                    ))
                }
            },
            Context::Family(Family::Migration(p)) => match kind {
                "quota" => {
                    self.only(&[], &["migrants", "labour_force_increase"])?;
                    let MigrationControl::Quota { licence_holder } = &p.control else {
                        return Err((Some("type"), "the model is under wedge control: shock `wedge` instead, or set `control = { kind = \"quota\", ... }`".into()));
                    };
                    let v = &self.shock.values;
                    let migrants = match (v.get("migrants"), v.get("labour_force_increase")) {
                        (Some(m), None) => *m,
                        (None, Some(x)) => p.quota_for_labour_force_increase(*x),
                        _ => return Err((None, "shock `quota` needs `migrants` or `labour_force_increase` (one of them)".into())),
                    };
                    if !(migrants.is_finite() && migrants >= 0.0) {
                        return Err((
                            Some("migrants"),
                            format!("a quota must be finite and >= 0 migrants, found {migrants}"),
                        ));
                    }
                    let t = Target::Endowment(licence_holder.clone(), LICENCE.into());
                    out.push(self.action(t, &Amount::Set(migrants, "migrants"), "migrants")?);
                }
                "wedge" => {
                    self.only(&[], &["rate", "scale"])?;
                    let t = Target::InputTax(MIGRATE.into(), POOL_LABOUR.into());
                    out.push(self.action(t, &self.amount("rate", true)?, "rate")?);
                }
                "remittance_share" => {
                    self.only(&[], &["share", "scale"])?;
                    let t = Target::IncomeShare(NEW_MIGRANTS.into(), ORIGIN_RESIDENTS.into());
                    out.push(self.action(t, &self.amount("share", true)?, "share")?);
                }
                _ => {
                    return Err(not_here(
                        "the migration model (its shocks: quota, wedge, remittance_share)",
                    ))
                }
            },
            Context::World {
                parameters,
                baseline,
                new_migrants,
            } => match kind {
                "tariff" => {
                    self.only(&["importer"], &["rate", "scale"])?;
                    use cge_calibrate::world::{tariff_input, REGIONS};
                    let regions: Vec<String> = REGIONS.map(String::from).to_vec();
                    let amount = self.amount("rate", true)?;
                    let imps: Vec<String> = match self.opt_name("importer") {
                        Some(i) => vec![self.pick("importer", i, &regions)?.to_string()],
                        None => regions.clone(),
                    };
                    for imp in imps {
                        let importer = REGIONS.iter().position(|r| *r == imp);
                        if let Some((sector, good)) =
                            importer.and_then(|k| tariff_input(parameters, k))
                        {
                            let t = Target::InputTax(sector, good);
                            out.push(self.action(t, &amount, "importer")?);
                        }
                    }
                }
                "quota" => {
                    self.only(&[], &["labour_force_increase", "migrants"])?;
                    if !new_migrants {
                        return Err((Some("type"), "the world model was built without new migrants: set `new_migrants = true` under [model]".into()));
                    }
                    let hic = baseline.high_income;
                    let v = &self.shock.values;
                    let persons = match (v.get("migrants"), v.get("labour_force_increase")) {
                        (Some(m), None) => *m,
                        (None, Some(x)) => x * hic.employment,
                        (None, None) => parameters.migration_increase * hic.employment,
                        _ => return Err((None, "give `migrants` (million persons) or `labour_force_increase`, not both".into())),
                    };
                    if !(persons.is_finite() && persons >= 0.0) {
                        return Err((None, format!("the number of new migrants must be finite and >= 0, found {persons}")));
                    }
                    // As cge_calibrate::world::migration: the new migrants leave their
                    // developing-country labour, earn the migrant wage in the host and remit a
                    // share ρ of their income.
                    let wage = LabourAccounts::new(baseline, parameters).migrant_wage;
                    let share = parameters.remittance_share / (1.0 - parameters.remittance_share);
                    let nm = world_names::NEW_MIGRANTS;
                    let mut targets = Vec::new();
                    let home: Vec<String> = self
                        .study
                        .spec
                        .consumers
                        .iter()
                        .filter(|c| c.name == nm)
                        .flat_map(|c| c.endowments.iter().map(|e| e.commodity.clone()))
                        .filter(|c| c != world_names::MIGRANT_LABOUR)
                        .collect();
                    for c in home {
                        targets.push((Target::Endowment(nm.into(), c), 0.0));
                    }
                    targets.push((
                        Target::Endowment(nm.into(), world_names::MIGRANT_LABOUR.into()),
                        persons * wage,
                    ));
                    targets.push((
                        Target::IncomeShare(nm.into(), world_names::DEVELOPING_RESIDENTS.into()),
                        share,
                    ));
                    for (t, v) in targets {
                        out.push(self.action(
                            t,
                            &Amount::Set(v, "labour_force_increase"),
                            "labour_force_increase",
                        )?);
                    }
                }
                _ => return Err(not_here("the world dataset (its shocks: tariff, quota)")),
            },
            Context::Trade => match kind {
                "tariff" => {
                    self.only(&["importer", "exporter", "good"], &["rate", "scale"])?;
                    let goods: Vec<String> = TRADED.iter().map(|g| g.to_string()).collect();
                    let regions: Vec<String> =
                        trade::regions().into_iter().map(|r| r.name).collect();
                    let amount = self.amount("rate", true)?;
                    for (g, o, d) in self.routes(&goods, &regions)? {
                        let t = Target::InputTax(format!("ARM{g}_{d}"), format!("{g}_{o}"));
                        out.push(self.action(t, &amount, "importer")?);
                    }
                }
                _ => return Err(not_here("the trade dataset (its shock: tariff)")),
            },
            Context::Family(f) => return Err(not_here(&format!("family `{}`", f.name()))),
            Context::Plain => return Err(not_here("a model file (no family names)")),
        }
        Ok(())
    }

    fn cost(&self) -> ShockResult<f64> {
        let c = self.shock.values.get("cost").copied().ok_or((
            None,
            format!("shock `trade_cost` needs `cost`{}", self.usage()),
        ))?;
        if !(c.is_finite() && c >= 0.0) {
            return Err((
                Some("cost"),
                format!("`cost` must be finite and >= 0, found {c}"),
            ));
        }
        Ok(c)
    }

    /// Every (good, exporter, importer) with exporter ≠ importer that the shock's optional
    /// `good`, `exporter` and `importer` select.
    fn routes(
        &self,
        goods: &[String],
        regions: &[String],
    ) -> ShockResult<Vec<(String, String, String)>> {
        let filter = |field: &'static str, names: &[String]| -> ShockResult<Vec<String>> {
            match self.opt_name(field) {
                Some(n) => Ok(vec![self.pick(field, n, names)?.to_string()]),
                None => Ok(names.to_vec()),
            }
        };
        let gs = filter("good", goods)?;
        let os = filter("exporter", regions)?;
        let ds = filter("importer", regions)?;
        let mut v = Vec::new();
        for g in &gs {
            for o in &os {
                for d in &ds {
                    if o != d {
                        v.push((g.clone(), o.clone(), d.clone()));
                    }
                }
            }
        }
        if v.is_empty() {
            return Err((
                Some("importer"),
                "the importer and the exporter are the same region".into(),
            ));
        }
        Ok(v)
    }
}

fn index(names: &[String], name: &str) -> usize {
    names.iter().position(|n| n == name).unwrap_or(0)
}

fn field_static(k: &str) -> Option<&'static str> {
    const ALL: [&str; 24] = [
        "sector",
        "commodity",
        "consumer",
        "from",
        "to",
        "nest",
        "auxiliary",
        "importer",
        "exporter",
        "good",
        "factor",
        "region",
        "rate",
        "quantity",
        "scale",
        "share",
        "elasticity",
        "cost",
        "multiplier",
        "migrants",
        "labour_force_increase",
        "value",
        "lower",
        "upper",
    ];
    ALL.into_iter().find(|a| *a == k)
}

// ---------------------------------------------------------------------------------------------
// The builder and the outcome
// ---------------------------------------------------------------------------------------------

/// Builds a counterfactual shock by shock; [`CounterfactualBuilder::solve`] runs it.
#[derive(Debug)]
pub struct CounterfactualBuilder<'a> {
    study: &'a Study,
    counterfactual: Counterfactual,
}

impl CounterfactualBuilder<'_> {
    /// Describes the counterfactual.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.counterfactual.description = Some(text.into());
        self
    }

    /// Adds a shock.
    pub fn shock(mut self, shock: Shock) -> Self {
        self.counterfactual.shocks.push(shock);
        self
    }

    /// Adds a tax on input `commodity` of `sector` at `rate` (a fraction).
    pub fn input_tax(self, sector: &str, commodity: &str, rate: f64) -> Self {
        self.shock(
            Shock::new("input_tax")
                .sector(sector)
                .commodity(commodity)
                .rate(rate),
        )
    }

    /// Sets `consumer`'s endowment of `commodity` to `quantity`.
    pub fn endowment(self, consumer: &str, commodity: &str, quantity: f64) -> Self {
        self.shock(
            Shock::new("endowment")
                .consumer(consumer)
                .commodity(commodity)
                .quantity(quantity),
        )
    }

    /// Multiplies `consumer`'s endowment of `commodity` by `scale`.
    pub fn scale_endowment(self, consumer: &str, commodity: &str, scale: f64) -> Self {
        self.shock(
            Shock::new("endowment")
                .consumer(consumer)
                .commodity(commodity)
                .scale(scale),
        )
    }

    /// Sets the transfer of `quantity` units of `commodity` from `from` to `to`.
    pub fn transfer(self, from: &str, to: &str, commodity: &str, quantity: f64) -> Self {
        self.shock(
            Shock::new("transfer")
                .from(from)
                .to(to)
                .commodity(commodity)
                .quantity(quantity),
        )
    }

    /// The counterfactual built so far.
    pub fn build(self) -> Counterfactual {
        self.counterfactual
    }

    /// Solves the counterfactual.
    ///
    /// # Errors
    /// As [`Study::run`].
    pub fn solve(self) -> Result<Outcome, Error> {
        self.study.run(&self.counterfactual)
    }
}

/// A solved counterfactual with its benchmark, read by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The counterfactual's name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// The solution.
    pub results: Results,
    /// The benchmark.
    pub benchmark: Results,
    /// Unit of money of incomes and equivalent variations.
    pub money_unit: String,
    /// Number of solves (more than 1 after continuation).
    pub steps: usize,
}

/// The kinds of variables an [`Outcome`] reports by name.
pub const VARIABLES: [&str; 5] = ["activity", "price", "income", "auxiliary", "ev"];

impl Outcome {
    fn table<'a>(
        results: &'a Results,
        kind: &str,
    ) -> Result<&'a std::collections::BTreeMap<String, f64>, Error> {
        match kind {
            "activity" => Ok(&results.activities),
            "price" => Ok(&results.prices),
            "income" => Ok(&results.incomes),
            "auxiliary" => Ok(&results.auxiliaries),
            other => Err(Error::invalid(
                "outcome",
                format!(
                    "unknown variable kind `{other}`{}; the kinds are activity, price, income, auxiliary, ev",
                    did_you_mean(&closest(other, VARIABLES))
                ),
            )),
        }
    }

    fn lookup(&self, results: &Results, kind: &str, name: &str) -> Result<f64, Error> {
        if kind == "ev" {
            return self.ev(name);
        }
        let t = Self::table(results, kind)?;
        t.get(name).copied().ok_or_else(|| {
            Error::invalid(
                format!("outcome `{}`", self.name),
                format!(
                    "unknown {kind} `{name}`{}",
                    did_you_mean(&closest(name, t.keys().map(String::as_str)))
                ),
            )
        })
    }

    /// The value of a variable: `get("price", "PL.H")`; kinds are [`VARIABLES`].
    ///
    /// # Errors
    /// [`Error::Invalid`] for an unknown kind or name, with the closest names.
    pub fn get(&self, kind: &str, name: &str) -> Result<f64, Error> {
        self.lookup(&self.results, kind, name)
    }

    /// The benchmark value of a variable.
    ///
    /// # Errors
    /// As [`Outcome::get`].
    pub fn benchmark_value(&self, kind: &str, name: &str) -> Result<f64, Error> {
        if kind == "ev" {
            return Ok(0.0);
        }
        self.lookup(&self.benchmark, kind, name)
    }

    /// The change from the benchmark in percent; `None` when the benchmark value is zero (an
    /// idle sector). For `ev`, the equivalent variation in % of benchmark income.
    ///
    /// # Errors
    /// As [`Outcome::get`].
    pub fn pct_change(&self, kind: &str, name: &str) -> Result<Option<f64>, Error> {
        if kind == "ev" {
            self.ev(name)?;
            return Ok(self
                .results
                .welfare
                .get(name)
                .map(|w| w.equivalent_variation_percent));
        }
        let v = self.get(kind, name)?;
        let b = self.benchmark_value(kind, name)?;
        Ok(pct(v, b))
    }

    /// A price by commodity name.
    ///
    /// # Errors
    /// As [`Outcome::get`].
    pub fn price(&self, commodity: &str) -> Result<f64, Error> {
        self.get("price", commodity)
    }

    /// An activity level by sector name.
    ///
    /// # Errors
    /// As [`Outcome::get`].
    pub fn activity(&self, sector: &str) -> Result<f64, Error> {
        self.get("activity", sector)
    }

    /// An income by consumer name \[money\].
    ///
    /// # Errors
    /// As [`Outcome::get`].
    pub fn income(&self, consumer: &str) -> Result<f64, Error> {
        self.get("income", consumer)
    }

    /// The equivalent variation of a consumer \[money at benchmark prices\].
    ///
    /// # Errors
    /// [`Error::Invalid`] for an unknown consumer.
    pub fn ev(&self, consumer: &str) -> Result<f64, Error> {
        self.results
            .welfare
            .get(consumer)
            .map(|w| w.equivalent_variation)
            .ok_or_else(|| {
                Error::invalid(
                    format!("outcome `{}`", self.name),
                    format!(
                        "unknown consumer `{consumer}`{}",
                        did_you_mean(&closest(
                            consumer,
                            self.results.welfare.keys().map(String::as_str)
                        ))
                    ),
                )
            })
    }

    /// The sum of every consumer's equivalent variation \[money\].
    pub fn total_ev(&self) -> f64 {
        self.results
            .welfare
            .values()
            .map(|w| w.equivalent_variation)
            .sum()
    }
}

/// 100 (v − b) / b, or `None` for a zero benchmark.
pub fn pct(v: f64, b: f64) -> Option<f64> {
    (b.abs() > 1e-12).then(|| 100.0 * (v - b) / b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cge_core::families::hos::TwoByTwoByTwo;

    fn study() -> Study {
        Study::family(TwoByTwoByTwo::new(
            [[60.0, 40.0], [40.0, 60.0]],
            [[0.7, 0.3], [0.3, 0.7]],
        ))
        .unwrap()
    }

    #[test]
    fn zero_shock_returns_the_benchmark() {
        let s = study();
        let o = s
            .counterfactual("none")
            .shock(Shock::new("tariff").importer("H").good("Y").rate(0.0))
            .solve()
            .unwrap();
        for (k, v) in &o.results.prices {
            assert!((v - o.benchmark.prices[k]).abs() < 1e-9, "{k}");
        }
        assert!(o.total_ev().abs() < 1e-8);
    }

    #[test]
    fn unknown_names_suggest() {
        let s = study();
        let e = s
            .counterfactual("x")
            .shock(Shock::new("tariff").importer("Hh").good("Y").rate(0.1))
            .solve()
            .unwrap_err();
        assert!(e.to_string().contains("did you mean `H`"), "{e}");
        let e = s
            .counterfactual("x")
            .input_tax("X.H", "PLL.H", 0.1)
            .solve()
            .unwrap_err();
        assert!(e.to_string().contains("PL.H"), "{e}");
        let e = s
            .counterfactual("x")
            .shock(Shock::new("tarif"))
            .solve()
            .unwrap_err();
        assert!(e.to_string().contains("did you mean `tariff`"), "{e}");
    }

    #[test]
    fn scale_multiplies_the_benchmark() {
        let s = study();
        let o = s
            .counterfactual("x")
            .scale_endowment("H", "PL.H", 1.1)
            .solve()
            .unwrap();
        assert!(o.pct_change("activity", "X.H").unwrap().unwrap() > 0.0);
        assert!(o.get("price", "nope").is_err());
    }
}

#[cfg(test)]
mod world_tests {
    use super::*;

    #[test]
    fn a_tolerance_below_the_models_round_off_is_raised_and_others_kept() {
        let p = WorldParameters::default();
        let scenario = |tolerance: f64| {
            let mut s = Scenario::new(
                "world",
                ModelSource::Dataset(Dataset::World {
                    parameters: p.clone(),
                    year: p.migration_horizon,
                    new_migrants: true,
                }),
            );
            s.solver.options.tolerance = tolerance;
            s
        };
        let raised = Study::new(scenario(1e-10)).unwrap();
        let floor = raised.model().tolerance_floor();
        assert!(floor > 1e-9, "{floor}");
        assert_eq!(raised.scenario().solver.options.tolerance, floor);
        let kept = Study::new(scenario(1e-6)).unwrap();
        assert_eq!(kept.scenario().solver.options.tolerance, 1e-6);
    }

    #[test]
    fn world_quota_matches_the_reproduction() {
        let p = WorldParameters::default();
        let study = Study::world(p.clone(), p.migration_horizon, true).unwrap();
        let o = study
            .counterfactual("gep")
            .shock(Shock::new("quota").labour_force_increase(p.migration_increase))
            .solve()
            .unwrap();
        let reference = world::migration(&WorldData::load().unwrap(), &p).unwrap();
        let ev = o.ev(world_names::NEW_MIGRANTS).unwrap();
        assert!(
            (ev - reference.new_migrants).abs() < 1e-6 * reference.new_migrants.abs().max(1.0),
            "{ev} vs {}",
            reference.new_migrants
        );
    }
}
