//! The compiled model: validation of a spec, the mixed complementarity problem (equations E9–E18
//! of `docs/model.md`) with its analytic sparse Jacobian, shocks and solving.

use rustc_hash::FxHashMap;
use std::ops::Range;
use std::sync::{Mutex, OnceLock};

use cge_solver::{Bounds, EvalError, Options, Pattern, Problem, Solver, StructureCache};
use rayon::prelude::*;

use crate::error::{suggest, CoreError, Imbalance};
use crate::memory::MemoryEstimate;
use crate::results::Results;
use crate::spec::{Affine, ModelSpec, NestChild, NestSpec, NumeraireSpec, SectorSpec, VarRef};
use crate::tolerances;
use crate::tree::{split_by, Forest, ForestPart, LeafTax, StateBlock, Tree, TreeState, NONE};

/// Who owns a tree, and so which unknown sets its activity level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// Inputs of sector j (level Y_j).
    Inputs(usize),
    /// Outputs of sector j (level Y_j).
    Outputs(usize),
    /// Final demand of consumer h (level U_h = M_h / (E_h π_h)).
    Demand(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Endowment {
    pub consumer: usize,
    pub commodity: usize,
    pub quantity: f64,
    /// (aux, intercept, slope) of the scale (E14).
    pub scale: Option<(usize, f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Transfer {
    pub from: usize,
    pub to: usize,
    pub commodity: usize,
    pub quantity: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Share {
    pub from: usize,
    pub to: usize,
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Aux {
    pub lower: f64,
    pub upper: f64,
    pub start: f64,
    /// (unknown index, coefficient).
    pub terms: Vec<(usize, f64)>,
    pub constant: f64,
}

/// Which unknown is the numeraire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumeraireKind {
    Price(usize),
    Income(usize),
}

/// A validated, compiled general-equilibrium model: an MCP in the unknowns
/// x = [activities Y ≥ 0] ++ [prices p ≥ 0] ++ [incomes M free] ++ [auxiliaries z].
///
/// Built by [`ModelSpec::build`]. It implements [`Problem`], so any `cge_solver` method can
/// solve it; [`Model::solve`] does so from the last solution and returns [`Results`]. Shocks
/// (`set_*` methods) change parameters but never the structure, so the Jacobian pattern stays
/// fixed, except [`Model::set_elasticity`] turning the top input nest of a sector with demands
/// at the output price to or from Leontief (its exact zeros are then left out or emitted).
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) name: String,
    pub(crate) commodities: Vec<String>,
    pub(crate) commodity_price: Vec<f64>,
    pub(crate) sectors: Vec<String>,
    /// Activity level of each sector at the benchmark (E20).
    pub(crate) benchmark_level: Vec<f64>,
    pub(crate) consumers: Vec<String>,
    pub(crate) aux_names: Vec<String>,
    pub(crate) forest: Forest,
    pub(crate) owner: Vec<Owner>,
    pub(crate) sector_trees: Vec<(usize, usize)>,
    pub(crate) consumer_tree: Vec<usize>,
    /// Named nests: (tree, element, name).
    pub(crate) nests: Vec<(usize, usize, String)>,
    pub(crate) endowments: Vec<Endowment>,
    pub(crate) transfers: Vec<Transfer>,
    pub(crate) shares: Vec<Share>,
    pub(crate) aux: Vec<Aux>,
    pub(crate) numeraire: NumeraireKind,
    pub(crate) numeraire_value: f64,
    /// Benchmark expenditure E_h = benchmark income M̄_h (E11).
    pub(crate) benchmark_income: Vec<f64>,
    /// The model's scale for tolerances (see [`crate::tolerances`]).
    pub(crate) scale: f64,
    pub(crate) last: Option<Vec<f64>>,
    /// Per sector: input demands written at the output price (E22).
    pub(crate) at_output_price: Vec<bool>,
    /// Consecutive trees evaluated together, in parallel across blocks; fixed by the structure
    /// (never by the number of threads), so results are bit-identical with any thread count.
    pub(crate) blocks: Vec<Range<usize>>,
    /// Consecutive trees whose residual terms are summed apart (about [`RESIDUAL_GROUPS`]
    /// groups, fixed by the structure like `blocks`).
    pub(crate) residual_groups: Vec<Range<usize>>,
    /// Where each tree's Jacobian triplets start; computed once, on first use.
    pub(crate) layout: OnceLock<Layout>,
    /// The solver's analysis of the Jacobian pattern, kept across solves.
    pub(crate) structure: StructureCache,
    /// Evaluation states for reuse.
    pub(crate) states: StatePool,
}

/// The Jacobian's triplet layout: each block of trees' triplets in block order, then the
/// endowment, transfer, share, income, auxiliary and numeraire entries.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub total: usize,
    /// Fill positions (see [`Pattern::with_fill`]).
    pub fill: usize,
    /// Triplets and fill positions of each block of trees, then of the rest (emitted after
    /// the trees, with no fill): the lengths of the slices each block writes.
    pub block_lens: Vec<usize>,
    pub block_fill_lens: Vec<usize>,
    /// Largest element and leaf counts of one tree (sizes of per-thread scratch).
    pub max_elems: usize,
    pub max_leaves: usize,
}

/// Elements per evaluation block: large enough that a block's work dwarfs the cost of handing
/// it to a thread.
const BLOCK_ELEMS: usize = 2_048;

/// Tree states kept for reuse by later evaluations: a fresh one per residual meant touching
/// new memory at every evaluation (a tenth of the dense standard SAM model's solve, N = 1,280,
/// was page faults). Every evaluation overwrites a state entirely, so reuse is invisible.
///
/// The pool also keeps the evaluation behind the latest residual, with its point, for the
/// Jacobian that Newton's methods ask for at the same point
/// ([`Problem::jacobian_after_residual`]): evaluating the trees again would cost as much
/// as the residual itself.
#[derive(Default)]
pub(crate) struct StatePool {
    free: Mutex<Vec<TreeState>>,
    latest: Mutex<Latest>,
    /// The residual's per-group sums ([`Model::raw_residual`]), kept between residuals.
    sums: Mutex<Vec<Vec<f64>>>,
}

/// The latest residual's evaluation and its point (the point's buffer is kept for the next).
#[derive(Default)]
struct Latest {
    point: Vec<f64>,
    state: Option<EvalState>,
}

impl StatePool {
    fn take(&self) -> Option<TreeState> {
        self.free.lock().ok()?.pop()
    }

    pub(crate) fn give(&self, state: TreeState) {
        if let Ok(mut states) = self.free.lock() {
            // Evaluations run one at a time, except when a caller runs several in parallel.
            if states.len() < 2 {
                states.push(state);
            }
        }
    }

    /// Keeps `st`, the evaluation at x, as the latest; the one it replaces returns to the pool.
    fn keep_latest(&self, x: &[f64], st: EvalState) {
        let Ok(mut latest) = self.latest.lock() else {
            return;
        };
        let replaced = latest.state.replace(st);
        latest.point.clear();
        latest.point.extend_from_slice(x);
        drop(latest);
        if let Some(old) = replaced {
            self.give(old.trees);
        }
    }

    /// `groups` zeroed vectors of length n for the residual's per-group sums.
    fn take_sums(&self, groups: usize, n: usize) -> Vec<Vec<f64>> {
        let mut sums = self
            .sums
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        sums.resize_with(groups, Vec::new);
        for v in &mut sums {
            v.clear();
            v.resize(n, 0.0);
        }
        sums
    }

    fn give_sums(&self, sums: Vec<Vec<f64>>) {
        if let Ok(mut kept) = self.sums.lock() {
            *kept = sums;
        }
    }

    /// Forgets the latest evaluation (the model's parameters change).
    fn forget_latest(&self) {
        let replaced = self.latest.lock().ok().and_then(|mut l| l.state.take());
        if let Some(old) = replaced {
            self.give(old.trees);
        }
    }

    /// The latest evaluation if it was at exactly x (bit for bit).
    fn take_latest_at(&self, x: &[f64]) -> Option<EvalState> {
        let mut latest = self.latest.lock().ok()?;
        let same = latest.point.len() == x.len()
            && latest
                .point
                .iter()
                .zip(x)
                .all(|(a, b)| a.to_bits() == b.to_bits());
        if same {
            latest.state.take()
        } else {
            None
        }
    }
}

impl std::fmt::Debug for StatePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StatePool")
    }
}

impl Clone for StatePool {
    /// A clone starts with no states of its own.
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// The state of the model at one point, shared by the residual and the Jacobian.
pub(crate) struct EvalState {
    pub trees: TreeState,
    /// Activity level of each tree: Y_j or U_h.
    pub level: Vec<f64>,
    /// ∂level/∂(its unknown): 1 for Y_j, 1/(E_h π_h) for M_h.
    pub dlevel: Vec<f64>,
    /// Per tree: the factor (V_out R / (V_in π))^σ applied to the Shephard quantities of an
    /// input tree whose demands are written at the output price (E22); 1 otherwise.
    pub kappa: Vec<f64>,
}

// ---------------------------------------------------------------------------------------------
// Compilation and validation
// ---------------------------------------------------------------------------------------------

/// Name → index tables with suggestions for unknown names. Hashed with FxHash: a model
/// compiles one lookup per flow (1.6 million for the dense SAM model at N = 1,280), where the
/// standard library's SipHash, built against collision attacks that do not concern a model's
/// own names, cost three times as much.
struct Names<'a> {
    kind: &'static str,
    names: &'a [String],
    index: FxHashMap<&'a str, usize>,
}

impl<'a> Names<'a> {
    fn new(kind: &'static str, names: &'a [String]) -> Result<Self, CoreError> {
        let mut index = FxHashMap::default();
        for (i, n) in names.iter().enumerate() {
            if index.insert(n.as_str(), i).is_some() {
                return Err(CoreError::DuplicateName {
                    kind,
                    name: n.clone(),
                });
            }
        }
        Ok(Self { kind, names, index })
    }

    fn find(&self, name: &str, context: impl Into<String>) -> Result<usize, CoreError> {
        self.find_lazy(name, || context.into())
    }

    /// [`Names::find`] with the context built only for an error (models have millions of
    /// flows).
    fn find_lazy(&self, name: &str, context: impl FnOnce() -> String) -> Result<usize, CoreError> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| CoreError::UnknownName {
                kind: self.kind,
                name: name.to_string(),
                context: context(),
                suggestions: suggest(name, self.names.iter().map(String::as_str)),
            })
    }
}

fn check_quantity(value: f64, context: impl FnOnce() -> String) -> Result<(), CoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(CoreError::InvalidQuantity {
            context: context(),
            value,
        })
    }
}

fn check_elasticity(value: f64, context: impl FnOnce() -> String) -> Result<(), CoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(CoreError::InvalidElasticity {
            context: context(),
            value,
        })
    }
}

fn check_finite(value: f64, context: impl FnOnce() -> String) -> Result<(), CoreError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(CoreError::InvalidNumber {
            context: context(),
            value,
            expected: "finite",
        })
    }
}

/// A numeraire fixed at zero or below would put zero prices into CES functions.
fn check_numeraire(value: f64) -> Result<(), CoreError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(CoreError::InvalidNumber {
            context: "numeraire value".to_string(),
            value,
            expected: "finite and > 0",
        })
    }
}

/// Input and demand taxes must exceed −1, output taxes must stay below 1, so that the price
/// paid or received stays positive (E1, E2).
fn check_tax(rate: f64, sign: f64, context: impl FnOnce() -> String) -> Result<(), CoreError> {
    let reason = if !rate.is_finite() {
        "must be finite"
    } else if sign > 0.0 && rate <= -1.0 {
        "an input or demand tax must exceed -1"
    } else if sign < 0.0 && rate >= 1.0 {
        "an output tax must be below 1"
    } else {
        return Ok(());
    };
    Err(CoreError::InvalidTax {
        context: context(),
        rate,
        reason,
    })
}

fn check_shares(shares: &[Share], consumers: &[String]) -> Result<(), CoreError> {
    let mut paid = vec![0.0; consumers.len()];
    for s in shares {
        // The running total names the share that pushes a payer above 1.
        paid[s.from] += s.share;
        if !(s.share >= 0.0 && s.share <= 1.0) || paid[s.from] > 1.0 {
            return Err(CoreError::InvalidShare {
                from: consumers[s.from].clone(),
                to: consumers[s.to].clone(),
                share: s.share,
            });
        }
    }
    Ok(())
}

fn check_bounds(name: &str, lower: f64, upper: f64, start: f64) -> Result<(), CoreError> {
    if lower <= upper
        && start >= lower
        && start <= upper
        && lower < f64::INFINITY
        && upper > f64::NEG_INFINITY
        && start.is_finite()
    {
        Ok(())
    } else {
        Err(CoreError::InvalidBounds {
            name: name.to_string(),
            lower,
            upper,
            start,
        })
    }
}

/// (elements, leaves) that [`Scope::add_nest`] makes of a nest: one element per nest and one
/// element and one leaf per flow.
fn nest_size(nest: &NestSpec) -> (usize, usize) {
    nest.children
        .iter()
        .fold((1, 0), |(e, l), child| match child {
            NestChild::Flow(_) => (e + 1, l + 1),
            NestChild::Nest(sub) => {
                let (se, sl) = nest_size(sub);
                (e + se, l + sl)
            }
        })
}

/// The name tables of a spec, shared by every tree's compilation.
struct Tables<'a> {
    commodities: Names<'a>,
    consumers: Names<'a>,
    auxes: Names<'a>,
    commodity_price: &'a [f64],
}

/// Compiles trees into a forest of their own, resolving names with the shared tables: the
/// sectors are compiled in parallel, then their forests concatenated ([`Forest::concat`]).
struct Scope<'a> {
    tables: &'a Tables<'a>,
    forest: Forest,
    /// Named nests: (tree, element, name), in this forest's indices.
    nests: Vec<Nest>,
}

/// A named nest: (tree, element, name).
type Nest = (usize, usize, String);

/// Compiled trees in their place in the model's forest, with their named nests.
type Placed = (Vec<Tree>, Vec<Nest>);

impl<'a> Scope<'a> {
    fn new(tables: &'a Tables<'a>) -> Self {
        Self {
            tables,
            forest: Forest::default(),
            nests: Vec::new(),
        }
    }

    /// Empties the forest and nests for the next sector or consumer, keeping their memory.
    fn clear(&mut self) {
        self.forest.clear();
        self.nests.clear();
    }

    /// Copies the compiled trees into their part of the model's forest; returns them and the
    /// named nests in the model's element indices (tree indices still local).
    fn place(
        &mut self,
        part: &mut ForestPart<'_>,
        model: &str,
        what: impl FnOnce() -> String,
    ) -> Result<Placed, CoreError> {
        let trees = part.fill_from(&mut self.forest).map_err(|(e, l)| {
            CoreError::Eval(EvalError::new(format!(
                "model `{model}`: {} compiled into {e} elements and {l} leaves, not the spec's count",
                what()
            )))
        })?;
        let e0 = trees.first().map_or(0, |t| t.elems.start);
        let nests = self
            .nests
            .drain(..)
            .map(|(t, e, name)| (t, e + e0, name))
            .collect();
        Ok((trees, nests))
    }

    fn affine(&self, a: &Affine, context: &str) -> Result<(usize, f64, f64), CoreError> {
        let k = self.tables.auxes.find(&a.aux, context)?;
        check_finite(a.intercept, || format!("{context}: intercept"))?;
        check_finite(a.slope, || format!("{context}: slope"))?;
        Ok((k, a.intercept, a.slope))
    }

    /// Adds a nest and its descendants under `parent` (pre-order).
    fn add_nest(
        &mut self,
        tree: usize,
        parent: usize,
        nest: &NestSpec,
        default_sigma: f64,
        context: &str,
    ) -> Result<(), CoreError> {
        let nest_context = match &nest.name {
            Some(n) => format!("{context} nest `{n}`"),
            None => context.to_string(),
        };
        let sigma = nest.elasticity.unwrap_or(default_sigma);
        check_elasticity(sigma, || nest_context.clone())?;
        if nest.children.is_empty() {
            return Err(CoreError::EmptyNest {
                context: nest_context,
            });
        }
        let node = self.forest.push_node(parent, sigma);
        if let Some(n) = &nest.name {
            if self.nests.iter().any(|(t, _, m)| *t == tree && m == n) {
                return Err(CoreError::DuplicateName {
                    kind: "nest",
                    name: n.clone(),
                });
            }
            self.nests.push((tree, node, n.clone()));
        }
        for child in &nest.children {
            match child {
                NestChild::Flow(flow) => {
                    self.add_flow(node, flow, 1.0, &nest_context)?;
                }
                NestChild::Nest(sub) => {
                    self.add_nest(tree, node, sub, default_sigma, &nest_context)?;
                }
            }
        }
        Ok(())
    }

    /// Adds one flow as a leaf; `sign` is +1 for inputs and demands, −1 for outputs.
    fn add_flow(
        &mut self,
        parent: usize,
        flow: &crate::spec::Flow,
        sign: f64,
        context: &str,
    ) -> Result<(), CoreError> {
        let what = if sign > 0.0 { "flow" } else { "output" };
        let context = || format!("{context} {what} `{}`", flow.commodity);
        let c = self
            .tables
            .commodities
            .find_lazy(&flow.commodity, context)?;
        check_quantity(flow.quantity, context)?;
        let (tax, t0) = match &flow.tax {
            None => (None, 0.0),
            Some(t) => {
                let tax_context = format!("{} tax", context());
                let agent = self.tables.consumers.find(&t.agent, &tax_context)?;
                check_tax(t.rate, sign, || tax_context.clone())?;
                let (rate, endogenous) = match &t.endogenous {
                    None => (t.rate, None),
                    Some(a) => {
                        let (k, intercept, slope) = self.affine(a, &tax_context)?;
                        (intercept, Some((k, slope)))
                    }
                };
                (
                    Some(LeafTax {
                        rate,
                        agent,
                        endogenous,
                    }),
                    t.rate,
                )
            }
        };
        // Conventions: a benchmark tax is carried by the reference price.
        let ref_price = flow
            .reference_price
            .unwrap_or(self.tables.commodity_price[c] * (1.0 + sign * t0));
        if !(ref_price.is_finite() && ref_price > 0.0) {
            return Err(CoreError::InvalidReferencePrice {
                context: context(),
                value: ref_price,
            });
        }
        self.forest
            .push_leaf(parent, c, flow.quantity, ref_price, sign, tax);
        Ok(())
    }
}

impl Model {
    /// Validates and compiles a spec (the same as [`ModelSpec::build`]).
    ///
    /// # Errors
    /// See [`ModelSpec::build`].
    pub fn new(spec: &ModelSpec) -> Result<Self, CoreError> {
        if spec.commodities.is_empty() {
            return Err(CoreError::EmptyModel {
                model: spec.name.clone(),
            });
        }
        let commodities: Vec<String> = spec.commodities.iter().map(|c| c.name.clone()).collect();
        let sectors: Vec<String> = spec.sectors.iter().map(|s| s.name.clone()).collect();
        for s in &spec.sectors {
            check_quantity(s.benchmark_level, || {
                format!("benchmark level of sector `{}`", s.name)
            })?;
        }
        let benchmark_level: Vec<f64> = spec.sectors.iter().map(|s| s.benchmark_level).collect();
        let consumers: Vec<String> = spec.consumers.iter().map(|c| c.name.clone()).collect();
        let aux_names: Vec<String> = spec.auxiliaries.iter().map(|a| a.name.clone()).collect();
        let commodity_price: Vec<f64> =
            spec.commodities.iter().map(|c| c.reference_price).collect();
        for c in &spec.commodities {
            if !(c.reference_price.is_finite() && c.reference_price > 0.0) {
                return Err(CoreError::InvalidReferencePrice {
                    context: format!("commodity `{}`", c.name),
                    value: c.reference_price,
                });
            }
        }
        let sector_names = Names::new("sector", &sectors)?;
        let tables = Tables {
            commodities: Names::new("commodity", &commodities)?,
            consumers: Names::new("consumer", &consumers)?,
            auxes: Names::new("auxiliary", &aux_names)?,
            commodity_price: &commodity_price,
        };
        let (ns, nc, nh) = (sectors.len(), commodities.len(), consumers.len());

        // Trees: sectors' inputs and outputs, then consumers' demands. Each sector or consumer
        // is compiled into a small forest of its own, reused from one to the next, and copied
        // into its part of the model's forest (sized from the spec); the sectors in parallel.
        let sizes: Vec<(usize, usize)> = (spec.sectors.iter())
            .map(|s| {
                let (e, l) = nest_size(&s.inputs);
                (e + 1 + s.outputs.items.len(), l + s.outputs.items.len())
            })
            .chain(spec.consumers.iter().map(|c| nest_size(&c.demand)))
            .collect();
        let mut forest = Forest::with_parts(&sizes);
        let mut parts = forest.parts(&sizes);
        let consumer_parts = parts.split_off(ns.min(parts.len()));
        let compile_sector = |scope: &mut Scope<'_>, s: &SectorSpec| -> Result<(), CoreError> {
            let context = format!("sector `{}` inputs", s.name);
            let t_in = scope.forest.begin_tree();
            scope.add_nest(t_in, NONE, &s.inputs, 0.0, &context)?;
            scope
                .forest
                .end_tree()
                .map_err(|_| CoreError::EmptyNest { context })?;
            let context = format!("sector `{}` outputs", s.name);
            check_elasticity(s.outputs.elasticity, || context.clone())?;
            if s.outputs.items.is_empty() {
                return Err(CoreError::EmptyNest { context });
            }
            scope.forest.begin_tree();
            // A CET frontier is the CES formula with σ = −η (E5).
            let root = scope.forest.push_node(NONE, -s.outputs.elasticity);
            for item in &s.outputs.items {
                scope.add_flow(root, item, -1.0, &format!("sector `{}`", s.name))?;
            }
            scope
                .forest
                .end_tree()
                .map_err(|_| CoreError::EmptyNest { context })
        };
        let compiled: Vec<Result<Placed, CoreError>> = (spec.sectors.par_iter())
            .zip(parts)
            .map_init(
                || Scope::new(&tables),
                |scope, (s, mut part)| {
                    scope.clear();
                    compile_sector(scope, s)?;
                    scope.place(&mut part, &spec.name, || format!("sector `{}`", s.name))
                },
            )
            .collect();
        let mut trees = Vec::with_capacity(2 * ns + nh);
        let mut nests = Vec::new();
        for c in compiled {
            let (t, n) = c?;
            nests.extend(n.into_iter().map(|(k, e, name)| (k + trees.len(), e, name)));
            trees.extend(t);
        }
        let mut owner = Vec::new();
        let mut sector_trees = Vec::new();
        for j in 0..ns {
            owner.push(Owner::Inputs(j));
            owner.push(Owner::Outputs(j));
            sector_trees.push((2 * j, 2 * j + 1));
        }
        let mut consumer_tree = Vec::new();
        let mut endowments = Vec::new();
        let mut scope = Scope::new(&tables);
        for ((h, c), mut part) in spec.consumers.iter().enumerate().zip(consumer_parts) {
            if c.demand.children.is_empty() {
                return Err(CoreError::NoDemand {
                    consumer: c.name.clone(),
                });
            }
            let context = format!("consumer `{}` demand", c.name);
            scope.clear();
            let t = scope.forest.begin_tree();
            scope.add_nest(t, NONE, &c.demand, 1.0, &context)?;
            scope.forest.end_tree().map_err(|_| CoreError::NoDemand {
                consumer: c.name.clone(),
            })?;
            let (t, n) = scope.place(&mut part, &spec.name, || format!("consumer `{}`", c.name))?;
            nests.extend(n.into_iter().map(|(k, e, name)| (k + trees.len(), e, name)));
            trees.extend(t);
            owner.push(Owner::Demand(h));
            consumer_tree.push(2 * ns + h);
            for e in &c.endowments {
                let context = format!("consumer `{}` endowment `{}`", c.name, e.commodity);
                let commodity = tables.commodities.find(&e.commodity, &context)?;
                check_quantity(e.quantity, || context.clone())?;
                let scale = match &e.scale {
                    None => None,
                    Some(a) => Some(scope.affine(a, &context)?),
                };
                endowments.push(Endowment {
                    consumer: h,
                    commodity,
                    quantity: e.quantity,
                    scale,
                });
            }
        }
        forest.trees = trees;

        let mut transfers = Vec::new();
        for t in &spec.transfers {
            let context = format!("transfer from `{}` to `{}`", t.from, t.to);
            let tr = Transfer {
                from: tables.consumers.find(&t.from, &context)?,
                to: tables.consumers.find(&t.to, &context)?,
                commodity: tables.commodities.find(&t.commodity, &context)?,
                quantity: t.quantity,
            };
            check_quantity(t.quantity, || context.clone())?;
            transfers.push(tr);
        }
        let mut shares = Vec::new();
        for s in &spec.income_shares {
            let context = format!("income share from `{}` to `{}`", s.from, s.to);
            shares.push(Share {
                from: tables.consumers.find(&s.from, &context)?,
                to: tables.consumers.find(&s.to, &context)?,
                share: s.share,
            });
        }
        check_shares(&shares, &consumers)?;

        let var_base = [0, ns, ns + nc, ns + nc + nh];
        let mut aux = Vec::new();
        for a in &spec.auxiliaries {
            let start = a.start.unwrap_or(clamp(0.0, a.lower, a.upper));
            check_bounds(&a.name, a.lower, a.upper, start)?;
            let context = format!("auxiliary `{}` constraint", a.name);
            let mut terms = Vec::new();
            for term in &a.constraint.terms {
                check_finite(term.coef, || format!("{context}: coefficient"))?;
                let var = match &term.var {
                    VarRef::Activity(n) => var_base[0] + sector_names.find(n, &context)?,
                    VarRef::Price(n) => var_base[1] + tables.commodities.find(n, &context)?,
                    VarRef::Income(n) => var_base[2] + tables.consumers.find(n, &context)?,
                    VarRef::Auxiliary(n) => var_base[3] + tables.auxes.find(n, &context)?,
                };
                terms.push((var, term.coef));
            }
            check_finite(a.constraint.constant, || format!("{context}: constant"))?;
            aux.push(Aux {
                lower: a.lower,
                upper: a.upper,
                start,
                terms,
                constant: a.constraint.constant,
            });
        }

        let blocks = tree_blocks(&forest, &owner);
        let residual_groups = group_blocks(&blocks, &forest);
        let benchmark_income: Vec<f64> = consumer_tree
            .iter()
            .map(|&t| forest.trees[t].value)
            .collect();
        let (numeraire, numeraire_value) = match &spec.numeraire {
            Some(NumeraireSpec::Price { commodity, value }) => {
                let i = tables.commodities.find(commodity, "numeraire")?;
                (NumeraireKind::Price(i), value.unwrap_or(commodity_price[i]))
            }
            Some(NumeraireSpec::Income { consumer, value }) => {
                let h = tables.consumers.find(consumer, "numeraire")?;
                (
                    NumeraireKind::Income(h),
                    value.unwrap_or(benchmark_income[h]),
                )
            }
            // MPSGE's default: the largest benchmark income (the first one on a tie).
            None => match (0..nh).reduce(|best, h| {
                if benchmark_income[h] > benchmark_income[best] {
                    h
                } else {
                    best
                }
            }) {
                Some(h) => (NumeraireKind::Income(h), benchmark_income[h]),
                // Without consumers prices have no level to pin; fix the first price.
                None => (NumeraireKind::Price(0), commodity_price[0]),
            },
        };
        check_numeraire(numeraire_value)?;

        let scale = forest
            .trees
            .iter()
            .map(|t| t.value)
            .chain(
                endowments
                    .iter()
                    .map(|e| e.quantity * commodity_price[e.commodity]),
            )
            .fold(1.0_f64, f64::max);

        Ok(Self {
            name: spec.name.clone(),
            commodities,
            commodity_price,
            sectors,
            consumers,
            aux_names,
            forest,
            owner,
            sector_trees,
            consumer_tree,
            nests,
            endowments,
            transfers,
            shares,
            aux,
            numeraire,
            numeraire_value,
            benchmark_income,
            benchmark_level,
            scale,
            last: None,
            at_output_price: spec
                .sectors
                .iter()
                .map(|s| s.demand_at_output_price)
                .collect(),
            blocks,
            residual_groups,
            layout: OnceLock::new(),
            structure: StructureCache::new(),
            states: StatePool::default(),
        })
    }
}

/// About how many groups of trees have their residual terms summed apart: each group adds a
/// vector of the model's dimension to every residual.
const RESIDUAL_GROUPS: usize = 16;

/// The blocks merged into about [`RESIDUAL_GROUPS`] consecutive groups of at least a
/// [`RESIDUAL_GROUPS`]th of the elements each (the last may have fewer).
fn group_blocks(blocks: &[Range<usize>], forest: &Forest) -> Vec<Range<usize>> {
    let elems =
        |b: &Range<usize>| -> usize { b.clone().map(|t| forest.trees[t].elems.len()).sum() };
    let total: usize = blocks.iter().map(elems).sum();
    let target = total.div_ceil(RESIDUAL_GROUPS).max(1);
    let mut groups: Vec<Range<usize>> = Vec::new();
    let mut size = 0;
    for b in blocks {
        match groups.last_mut() {
            Some(g) if size < target => g.end = b.end,
            _ => {
                groups.push(b.clone());
                size = 0;
            }
        }
        size += elems(b);
    }
    groups
}

/// Splits the trees into runs of consecutive trees with at least [`BLOCK_ELEMS`] elements (the
/// last may be smaller), never separating a sector's input and output trees (E22 reads the
/// outputs while scaling the inputs).
fn tree_blocks(forest: &Forest, owner: &[Owner]) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut start = 0;
    let mut elems = 0;
    for (t, tree) in forest.trees.iter().enumerate() {
        elems += tree.elems.len();
        let splittable = !matches!(owner[t], Owner::Inputs(_));
        if elems >= BLOCK_ELEMS && splittable {
            blocks.push(start..t + 1);
            start = t + 1;
            elems = 0;
        }
    }
    if start < forest.trees.len() || blocks.is_empty() {
        blocks.push(start..forest.trees.len());
    }
    blocks
}

// ---------------------------------------------------------------------------------------------
// Layout of the unknowns
// ---------------------------------------------------------------------------------------------

impl Model {
    /// The model's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of unknowns (= equations).
    pub fn dim(&self) -> usize {
        self.sectors.len() + self.commodities.len() + self.consumers.len() + self.aux.len()
    }

    /// Sector names, in the order of the activity unknowns.
    pub fn sector_names(&self) -> &[String] {
        &self.sectors
    }

    /// Commodity names, in the order of the price unknowns.
    pub fn commodity_names(&self) -> &[String] {
        &self.commodities
    }

    /// Consumer names, in the order of the income unknowns.
    pub fn consumer_names(&self) -> &[String] {
        &self.consumers
    }

    /// Auxiliary names, in the order of the auxiliary unknowns.
    pub fn auxiliary_names(&self) -> &[String] {
        &self.aux_names
    }

    /// Index of activity Y_j in x.
    pub fn activity_index(&self, j: usize) -> usize {
        j
    }

    /// Index of price p_i in x.
    pub fn price_index(&self, i: usize) -> usize {
        self.sectors.len() + i
    }

    /// Index of income M_h in x.
    pub fn income_index(&self, h: usize) -> usize {
        self.sectors.len() + self.commodities.len() + h
    }

    /// Index of auxiliary z_k in x.
    pub fn auxiliary_index(&self, k: usize) -> usize {
        self.sectors.len() + self.commodities.len() + self.consumers.len() + k
    }

    /// Index in x of the numeraire unknown.
    pub fn numeraire_index(&self) -> usize {
        match self.numeraire {
            NumeraireKind::Price(i) => self.price_index(i),
            NumeraireKind::Income(h) => self.income_index(h),
        }
    }

    /// The value at which the numeraire is fixed.
    pub fn numeraire_value(&self) -> f64 {
        self.numeraire_value
    }

    /// Benchmark income M̄_h of each consumer (= its benchmark expenditure E_h) \[money\].
    pub fn benchmark_incomes(&self) -> &[f64] {
        &self.benchmark_income
    }

    /// The model's scale: its largest benchmark value (at least 1), the unit of its
    /// tolerances.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The benchmark point (E20): Y = 1, p = p̄, M = benchmark expenditure, z = start.
    pub fn benchmark_point(&self) -> Vec<f64> {
        let mut x = Vec::with_capacity(self.dim());
        x.extend_from_slice(&self.benchmark_level);
        x.extend_from_slice(&self.commodity_price);
        x.extend_from_slice(&self.benchmark_income);
        x.extend(self.aux.iter().map(|a| a.start));
        x
    }

    /// The last solution found by [`Model::solve`], if any.
    pub fn last_solution(&self) -> Option<&[f64]> {
        self.last.as_deref()
    }

    /// Forgets the last solution, so that the next solve starts from the benchmark.
    pub fn reset_start(&mut self) {
        self.last = None;
    }

    /// A description of unknown `i` ("activity `X`", "price `PL`", ...).
    pub fn describe_unknown(&self, i: usize) -> String {
        let (ns, nc, nh) = (
            self.sectors.len(),
            self.commodities.len(),
            self.consumers.len(),
        );
        if i < ns {
            format!("activity `{}`", self.sectors[i])
        } else if i < ns + nc {
            format!("price `{}`", self.commodities[i - ns])
        } else if i < ns + nc + nh {
            format!("income `{}`", self.consumers[i - ns - nc])
        } else if i < self.dim() {
            format!("auxiliary `{}`", self.aux_names[i - ns - nc - nh])
        } else {
            format!("unknown {i}")
        }
    }

    fn tree_context(&self, t: usize) -> String {
        match self.owner[t] {
            Owner::Inputs(j) => format!("inputs of sector `{}`", self.sectors[j]),
            Owner::Outputs(j) => format!("outputs of sector `{}`", self.sectors[j]),
            Owner::Demand(h) => format!("demand of consumer `{}`", self.consumers[h]),
        }
    }

    fn tree_of_leaf(&self, l: usize) -> usize {
        self.forest
            .trees
            .iter()
            .position(|t| t.leaves.contains(&l))
            .unwrap_or(0)
    }

    /// The unknown that sets tree t's level: Y_j or M_h.
    fn level_unknown(&self, t: usize) -> usize {
        match self.owner[t] {
            Owner::Inputs(j) | Owner::Outputs(j) => self.activity_index(j),
            Owner::Demand(h) => self.income_index(h),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation: residual (E9–E18) and Jacobian
// ---------------------------------------------------------------------------------------------

impl Model {
    fn check_len(&self, x: &[f64]) -> Result<(), EvalError> {
        if x.len() == self.dim() {
            Ok(())
        } else {
            Err(EvalError::new(format!(
                "point has length {}, model `{}` has {} unknowns",
                x.len(),
                self.name,
                self.dim()
            )))
        }
    }

    fn prices<'a>(&self, x: &'a [f64]) -> &'a [f64] {
        &x[self.price_index(0)..self.income_index(0)]
    }

    fn auxes<'a>(&self, x: &'a [f64]) -> &'a [f64] {
        &x[self.auxiliary_index(0)..]
    }

    /// Evaluates every tree and level at x. Blocks of trees are evaluated in parallel; each
    /// tree is evaluated alone, so the state is the same with any number of threads.
    pub(crate) fn evaluate(&self, x: &[f64]) -> Result<EvalState, EvalError> {
        self.check_len(x)?;
        let fo = &self.forest;
        let mut trees = self.states.take().unwrap_or_else(|| fo.structural_state());
        let p = self.prices(x);
        let z = self.auxes(x);
        let failed = {
            // Cut the state into one mutable view per block.
            let mut views = Vec::with_capacity(self.blocks.len());
            let (mut r, mut pi, mut edge, mut xs) = (
                &mut trees.r[..],
                &mut trees.pi[..],
                &mut trees.edge[..],
                &mut trees.x[..],
            );
            let (mut e0, mut l0) = (0, 0);
            for b in &self.blocks {
                let (Some(first), Some(last)) = (b.clone().next(), b.clone().next_back()) else {
                    continue;
                };
                let e1 = fo.trees[last].elems.end;
                let l1 = fo.trees[last].leaves.end;
                debug_assert_eq!(
                    (fo.trees[first].elems.start, fo.trees[first].leaves.start),
                    (e0, l0)
                );
                let (r_here, r_rest) = std::mem::take(&mut r).split_at_mut(l1 - l0);
                let (pi_here, pi_rest) = std::mem::take(&mut pi).split_at_mut(e1 - e0);
                let (edge_here, edge_rest) = std::mem::take(&mut edge).split_at_mut(e1 - e0);
                let (x_here, x_rest) = std::mem::take(&mut xs).split_at_mut(e1 - e0);
                views.push((
                    b.clone(),
                    StateBlock {
                        e0,
                        l0,
                        r: r_here,
                        pi: pi_here,
                        edge: edge_here,
                        x: x_here,
                    },
                ));
                (r, pi, edge, xs) = (r_rest, pi_rest, edge_rest, x_rest);
                (e0, l0) = (e1, l1);
            }
            let run = |(b, view): (Range<usize>, StateBlock<'_>)| fo.evaluate_block(b, p, z, view);
            let outcomes: Vec<Result<(), usize>> = if views.len() > 1 {
                views.into_par_iter().map(run).collect()
            } else {
                views.into_iter().map(run).collect()
            };
            // The first failing block in tree order: the same error with any thread count.
            outcomes.into_iter().find_map(Result::err)
        };
        if let Some(l) = failed {
            let c = fo.commodity[l];
            return Err(EvalError::at(
                self.price_index(c),
                format!(
                    "relative price {} of `{}` in the {} is not positive, but its nest has a non-zero elasticity",
                    trees.r[l],
                    self.commodities[c],
                    self.tree_context(self.tree_of_leaf(l))
                ),
            ));
        }
        let mut level = vec![0.0; self.owner.len()];
        let mut dlevel = vec![1.0; self.owner.len()];
        let mut kappa = vec![1.0; self.owner.len()];
        for (t, o) in self.owner.iter().enumerate() {
            match *o {
                Owner::Inputs(j) | Owner::Outputs(j) => level[t] = x[self.activity_index(j)],
                Owner::Demand(h) => {
                    // E11: utility U = M / (E π).
                    let root = fo.trees[t].elems.start;
                    let e_pi = self.benchmark_income[h] * trees.pi[root];
                    if !(e_pi > 0.0 && e_pi.is_finite()) {
                        return Err(EvalError::at(
                            self.income_index(h),
                            format!(
                                "consumer `{}` faces a non-positive price index {}",
                                self.consumers[h], trees.pi[root]
                            ),
                        ));
                    }
                    level[t] = x[self.income_index(h)] / e_pi;
                    dlevel[t] = 1.0 / e_pi;
                }
            }
        }
        // E22: demands at the output price, κ = (V_out R / (V_in π))^σ.
        for (j, &(t_in, t_out)) in self.sector_trees.iter().enumerate() {
            if !self.at_output_price[j] {
                continue;
            }
            let root = fo.trees[t_in].elems.start;
            let sigma = fo.sigma[root];
            if sigma == 0.0 {
                continue;
            }
            let revenue = fo.trees[t_out].value * trees.pi[fo.trees[t_out].elems.start];
            let cost = fo.trees[t_in].value * trees.pi[root];
            if !(revenue > 0.0 && revenue.is_finite() && cost > 0.0 && cost.is_finite()) {
                return Err(EvalError::at(
                    self.activity_index(j),
                    format!(
                        "sector `{}` writes its demands at its output price, but its unit revenue {revenue} or unit cost {cost} is not positive",
                        self.sectors[j]
                    ),
                ));
            }
            let k = if sigma == 1.0 {
                revenue / cost
            } else {
                (revenue / cost).powf(sigma)
            };
            kappa[t_in] = k;
            for e in fo.trees[t_in].elems.clone() {
                trees.x[e] *= k;
            }
        }
        Ok(EvalState {
            trees,
            level,
            dlevel,
            kappa,
        })
    }

    /// The raw equations at x, before the numeraire replaces its own: zero profit (E9),
    /// market clearance (E10), income balance (E12–E16), auxiliary constraints (E17).
    pub(crate) fn raw_residual(&self, x: &[f64], st: &EvalState, f: &mut [f64]) {
        let p = self.prices(x);
        let z = self.auxes(x);
        // The trees' terms by groups of trees fixed by the structure, in parallel, each into
        // a vector of its own, summed in group order: the same bits with any thread count.
        f.fill(0.0);
        if let [all] = &self.residual_groups[..] {
            self.add_tree_terms(all.clone(), p, z, st, f);
        } else {
            let mut parts = self.states.take_sums(self.residual_groups.len(), f.len());
            parts
                .par_iter_mut()
                .zip(&self.residual_groups)
                .for_each(|(part, g)| self.add_tree_terms(g.clone(), p, z, st, part));
            for part in &parts {
                for (fi, v) in f.iter_mut().zip(part) {
                    *fi += v;
                }
            }
            self.states.give_sums(parts);
        }
        for e in &self.endowments {
            let q = e.quantity * endowment_scale(e, z);
            f[self.price_index(e.commodity)] += q;
            f[self.income_index(e.consumer)] -= p[e.commodity] * q;
        }
        for tr in &self.transfers {
            let v = p[tr.commodity] * tr.quantity;
            f[self.income_index(tr.to)] -= v;
            f[self.income_index(tr.from)] += v;
        }
        for s in &self.shares {
            let v = s.share * x[self.income_index(s.from)];
            f[self.income_index(s.to)] -= v;
            f[self.income_index(s.from)] += v;
        }
        for h in 0..self.consumers.len() {
            f[self.income_index(h)] += x[self.income_index(h)];
        }
        for (k, a) in self.aux.iter().enumerate() {
            f[self.auxiliary_index(k)] =
                a.constant + a.terms.iter().map(|&(v, c)| c * x[v]).sum::<f64>();
        }
    }

    /// Adds the terms of `trees` to `f`: zero profit (E9), their flows' market terms (E10)
    /// and tax revenue (E13).
    fn add_tree_terms(
        &self,
        trees: Range<usize>,
        p: &[f64],
        z: &[f64],
        st: &EvalState,
        f: &mut [f64],
    ) {
        let fo = &self.forest;
        for t in trees {
            let tree = &fo.trees[t];
            let root = tree.elems.start;
            // E9: unit cost − unit revenue; inputs carry sign +1, outputs −1.
            if let Owner::Inputs(j) | Owner::Outputs(j) = self.owner[t] {
                let sign = if matches!(self.owner[t], Owner::Inputs(_)) {
                    1.0
                } else {
                    -1.0
                };
                f[self.activity_index(j)] += sign * tree.value * st.trees.pi[root];
            }
            let level = st.level[t];
            for l in tree.leaves.clone() {
                let c = fo.commodity[l];
                let q = fo.quantity[l] * st.trees.x[fo.leaf_elem[l]] * level;
                // E10: outputs supply, inputs and demands use.
                f[self.price_index(c)] -= fo.sign[l] * q;
                // E13: tax revenue t·p·q to the agent.
                if let Some(tax) = &fo.tax[l] {
                    f[self.income_index(tax.agent)] -= fo.tax_rate(l, z) * p[c] * q;
                }
            }
        }
    }

    /// ∂r_m/∂(unknown) for a leaf m: its price, and its auxiliary through an endogenous tax
    /// (E1, E2); an unused second slot has column `NONE`.
    fn rcols(&self, m: usize, p: &[f64], z: &[f64]) -> [(usize, f64); 2] {
        let fo = &self.forest;
        let c = fo.commodity[m];
        let t = fo.tax_rate(m, z);
        let first = (
            self.price_index(c),
            (1.0 + fo.sign[m] * t) / fo.ref_price[m],
        );
        let second = match fo.tax[m].as_ref().and_then(|t| t.endogenous) {
            Some((k, slope)) => (
                self.auxiliary_index(k),
                fo.sign[m] * slope * p[c] / fo.ref_price[m],
            ),
            None => (NONE, 0.0),
        };
        [first, second]
    }

    /// The output tree whose revenue index replaces tree t's unit cost in its demands (E22).
    fn output_tree_of(&self, t: usize) -> Option<usize> {
        match self.owner[t] {
            Owner::Inputs(j) if self.at_output_price[j] => Some(self.sector_trees[j].1),
            _ => None,
        }
    }

    /// Whether tree t is a Leontief input tree with demands at the output price (E22): its
    /// leaves directly under the root have fixed unit demands, so their sensitivities and
    /// their dependence on the output prices are exact zeros. The pattern depends on it.
    fn leontief_at_output(&self, t: usize) -> bool {
        self.output_tree_of(t).is_some()
            && self.forest.sigma[self.forest.trees[t].elems.start] == 0.0
    }

    /// Forgets everything derived from the Jacobian's pattern, after a change of it.
    fn pattern_changed(&mut self) {
        self.layout = OnceLock::new();
        self.structure.clear();
    }

    /// Emits tree t's Jacobian triplets in a fixed order that depends on the structure only;
    /// the pattern and the values come from this one function (see [`Sink`]). `h` and `dx` are
    /// scratch of at least the tree's element and leaf counts, `h` all zero.
    fn emit_tree<S: Sink>(
        &self,
        t: usize,
        x: &[f64],
        st: &EvalState,
        sink: &mut S,
        h: &mut [f64],
        dx: &mut [f64],
    ) {
        let fo = &self.forest;
        let p = self.prices(x);
        let z = self.auxes(x);
        let tree = &fo.trees[t];
        let level = st.level[t];
        let level_col = self.level_unknown(t);
        let is_demand = matches!(self.owner[t], Owner::Demand(_));
        let at_output = self.output_tree_of(t);
        let leontief_at_output = self.leontief_at_output(t);
        let root = tree.elems.start;
        // Zero profit (E9): ∂(V π)/∂r_m = q_m p̄_m X_m (Shephard's lemma, with the Shephard
        // quantity, not the E22 demand).
        if let Owner::Inputs(j) | Owner::Outputs(j) = self.owner[t] {
            let row = self.activity_index(j);
            let kappa = st.kappa[t];
            for m in tree.leaves.clone() {
                let d = fo.sign[m] * fo.quantity[m] * fo.ref_price[m] * st.trees.x[fo.leaf_elem[m]]
                    / kappa;
                for (col, f) in self.rcols(m, p, z) {
                    if col != NONE {
                        sink.push(row, col, d * f);
                    }
                }
            }
        }
        // Level derivatives and the direct price and tax terms of tax revenue (E10, E13).
        for l in tree.leaves.clone() {
            let c = fo.commodity[l];
            let qx = fo.quantity[l] * st.trees.x[fo.leaf_elem[l]];
            sink.push(
                self.price_index(c),
                level_col,
                -fo.sign[l] * qx * st.dlevel[t],
            );
            if let Some(tax) = &fo.tax[l] {
                let row = self.income_index(tax.agent);
                let rate = fo.tax_rate(l, z);
                sink.push(row, level_col, -rate * p[c] * qx * st.dlevel[t]);
                sink.push(row, self.price_index(c), -rate * qx * level);
                if let Some((k, slope)) = tax.endogenous {
                    sink.push(row, self.auxiliary_index(k), -slope * p[c] * qx * level);
                }
            }
        }
        // Price sensitivities of quantities (E8): dQ_l/dr_m = q_l L (dX_l/dr_m + X_l λ_m)
        // with λ_m = ∂ln L/∂r_m = −∂ln π/∂r_m for a consumer, −σ ∂ln π/∂r_m for demands at
        // the output price (E22), 0 otherwise. Under E22, λ_m cancels the root's term for
        // every pair of leaves in different children of the root: those entries are exact
        // zeros and are not emitted.
        let sigma_root = fo.sigma[root];
        let pi_root = st.trees.pi[root];
        for m in tree.leaves.clone() {
            let group = if at_output.is_some() {
                fo.root_child_leaves(t, m)
            } else {
                tree.leaves.clone()
            };
            // A leaf directly under a Leontief root (E22) has a fixed unit demand: its
            // entries are exact zeros, not emitted (N² of them for a dense input–output
            // table).
            if leontief_at_output && fo.parent[fo.leaf_elem[m]] == root {
                continue;
            }
            // Sinks of positions only skip the numbers (the pattern and layout passes).
            let g = if S::VALUES {
                fo.sensitivities(t, m, &st.trees, group.clone(), h, dx)
            } else {
                0.0
            };
            let lambda = if is_demand {
                -g / pi_root
            } else if at_output.is_some() && sigma_root != 0.0 {
                -sigma_root * g / pi_root
            } else {
                0.0
            };
            let cols = self.rcols(m, p, z);
            for l in group.clone() {
                let xl = st.trees.x[fo.leaf_elem[l]];
                let dq = fo.quantity[l] * level * (dx[l - group.start] + xl * lambda);
                self.push_quantity_change(sink, l, cols, dq, p, z);
            }
        }
        // E22: the demands' dependence on the output prices, ∂ln κ/∂ρ_o = σ (∂R/∂ρ_o) / R.
        // Zeros under a Leontief root, whose positions are the fill of eliminating the
        // activity level: fill positions, which ILU(0) needs (on the 50 × 30 × 5 synthetic
        // world GMRES takes ~80 iterations per system with them; without, it reaches its
        // 500-iteration limit and falls back to the sparse LU).
        let Some(t_out) = at_output else {
            return;
        };
        let out = &fo.trees[t_out];
        if leontief_at_output {
            if sink.records_fill() {
                for o in out.leaves.clone() {
                    for (col, _) in self.rcols(o, p, z) {
                        if col == NONE {
                            continue;
                        }
                        for l in tree.leaves.clone() {
                            sink.push_fill(self.price_index(fo.commodity[l]), col);
                            if let Some(tax) = &fo.tax[l] {
                                sink.push_fill(self.income_index(tax.agent), col);
                            }
                        }
                    }
                }
            }
            return;
        }
        let revenue_index = st.trees.pi[out.elems.start];
        for o in out.leaves.clone() {
            let dln = sigma_root * st.trees.edge[fo.leaf_elem[o]] / revenue_index;
            let cols = self.rcols(o, p, z);
            for l in tree.leaves.clone() {
                let dq = fo.quantity[l] * level * st.trees.x[fo.leaf_elem[l]] * dln;
                self.push_quantity_change(sink, l, cols, dq, p, z);
            }
        }
    }

    /// Emits what a change dq·f of leaf l's quantity, per unit of each unknown in `cols`
    /// (column, f), does to its commodity's market (E10) and to the revenue of a tax on it
    /// (E13).
    fn push_quantity_change<S: Sink>(
        &self,
        sink: &mut S,
        l: usize,
        cols: [(usize, f64); 2],
        dq: f64,
        p: &[f64],
        z: &[f64],
    ) {
        let fo = &self.forest;
        let c = fo.commodity[l];
        for (col, f) in cols {
            if col == NONE {
                continue;
            }
            sink.push(self.price_index(c), col, -fo.sign[l] * dq * f);
            if let Some(tax) = &fo.tax[l] {
                let rate = fo.tax_rate(l, z);
                sink.push(self.income_index(tax.agent), col, -rate * p[c] * dq * f);
            }
        }
    }

    /// Emits the triplets that belong to no tree: endowments, transfers, income shares, income
    /// identities, auxiliary constraints and the numeraire.
    fn emit_rest<S: Sink>(&self, x: &[f64], sink: &mut S) {
        let p = self.prices(x);
        let z = self.auxes(x);
        // Endowments (E10, E12, E14).
        for e in &self.endowments {
            let scale = endowment_scale(e, z);
            let (pr, mr) = (self.price_index(e.commodity), self.income_index(e.consumer));
            sink.push(mr, pr, -e.quantity * scale);
            if let Some((k, _, slope)) = e.scale {
                let zc = self.auxiliary_index(k);
                sink.push(pr, zc, e.quantity * slope);
                sink.push(mr, zc, -p[e.commodity] * e.quantity * slope);
            }
        }
        // Transfers (E15) and income shares (E16).
        for tr in &self.transfers {
            let pc = self.price_index(tr.commodity);
            sink.push(self.income_index(tr.to), pc, -tr.quantity);
            sink.push(self.income_index(tr.from), pc, tr.quantity);
        }
        for s in &self.shares {
            let from = self.income_index(s.from);
            sink.push(self.income_index(s.to), from, -s.share);
            sink.push(from, from, s.share);
        }
        for h in 0..self.consumers.len() {
            let m = self.income_index(h);
            sink.push(m, m, 1.0);
        }
        // Auxiliary constraints (E17).
        for (k, a) in self.aux.iter().enumerate() {
            for &(v, c) in &a.terms {
                sink.push(self.auxiliary_index(k), v, c);
            }
        }
        // Numeraire (E18): its row is x_num − value.
        let num = self.numeraire_index();
        sink.push_unskipped(num, num, 1.0);
    }

    /// A state with harmless values, for emitting the pattern.
    fn structural_eval_state(&self) -> EvalState {
        EvalState {
            trees: self.forest.structural_state(),
            level: vec![1.0; self.owner.len()],
            dlevel: vec![1.0; self.owner.len()],
            kappa: vec![1.0; self.owner.len()],
        }
    }

    /// The triplet layout, computed on first use by counting each tree's triplets.
    pub(crate) fn layout(&self) -> &Layout {
        // Counted outside the cell's initialisation: the count uses rayon, and a thread
        // waiting on it may run another solve of this model, which must not re-enter the cell
        // (as in `StructureCache`). Two threads may both count; the first result is kept.
        if let Some(layout) = self.layout.get() {
            return layout;
        }
        let counted = self.count_layout();
        self.layout.get_or_init(|| counted)
    }

    /// The triplet layout, counted by blocks of trees in parallel.
    fn count_layout(&self) -> Layout {
        let fo = &self.forest;
        let st = self.structural_eval_state();
        let x = self.benchmark_point();
        let max_elems = fo.trees.iter().map(|t| t.elems.len()).max().unwrap_or(0);
        let max_leaves = fo.trees.iter().map(|t| t.leaves.len()).max().unwrap_or(0);
        let skip_row = self.numeraire_index();
        // Each block's trees counted on one thread; then the rest, which has no fill.
        let (mut block_lens, mut block_fill_lens): (Vec<usize>, Vec<usize>) = self
            .blocks
            .par_iter()
            .map(|b| {
                let mut h = vec![0.0; max_elems];
                let mut dx = vec![0.0; max_leaves];
                let mut sink = CountSink {
                    count: 0,
                    fill: 0,
                    skip_row,
                };
                for t in b.clone() {
                    self.emit_tree(t, &x, &st, &mut sink, &mut h, &mut dx);
                }
                (sink.count, sink.fill)
            })
            .unzip();
        let mut sink = CountSink {
            count: 0,
            fill: 0,
            skip_row,
        };
        self.emit_rest(&x, &mut sink);
        block_lens.push(sink.count);
        block_fill_lens.push(0);
        Layout {
            total: block_lens.iter().sum(),
            fill: block_fill_lens.iter().sum(),
            block_lens,
            block_fill_lens,
            max_elems,
            max_leaves,
        }
    }

    /// Number of Jacobian triplets (duplicated positions counted), the length of
    /// [`Problem::jacobian_pattern`]; the structure is analysed once per model.
    pub fn jacobian_len(&self) -> usize {
        self.layout().total
    }

    /// Number of fill positions of [`Problem::jacobian_pattern`] (zeros of the Jacobian where
    /// elimination fills in, see [`Pattern::with_fill`]).
    pub fn jacobian_fill_len(&self) -> usize {
        self.layout().fill
    }

    /// An estimate of the memory a solve of this model needs \[bytes\]: the model, the
    /// Jacobian in the solver's triplet and compressed forms, and its LU factors or the
    /// iterative solver's preconditioner (see [`MemoryEstimate`]).
    pub fn memory_estimate(&self) -> MemoryEstimate {
        self.memory_estimate_for(cge_solver::LinearSolver::Auto)
    }

    /// [`Model::memory_estimate`] for a solve with `linear_solver`.
    pub fn memory_estimate_for(&self, linear_solver: cge_solver::LinearSolver) -> MemoryEstimate {
        self.memory_estimate_with(&Options {
            linear_solver,
            ..Options::default()
        })
    }

    /// [`Model::memory_estimate`] for a solve with `options` (see
    /// [`MemoryEstimate::with_options`]).
    pub fn memory_estimate_with(&self, options: &Options) -> MemoryEstimate {
        let fo = &self.forest;
        let model_bytes =
            crate::memory::model_bytes(fo.parent.len() as u64, fo.leaf_elem.len() as u64);
        // Fill positions are stored like triplets (counted as such, an upper estimate).
        MemoryEstimate::with_options(
            self.dim() as u64,
            (self.jacobian_len() + self.jacobian_fill_len()) as u64,
            model_bytes,
            options,
        )
    }

    /// The full residual at x with the numeraire's equation replaced, plus the dropped
    /// equation's value (the Walras residual).
    #[cfg(test)]
    fn residual_and_walras(&self, x: &[f64], f: &mut [f64]) -> Result<f64, EvalError> {
        let (walras, st) = self.residual_with_state(x, f)?;
        self.states.give(st.trees);
        Ok(walras)
    }

    /// The full residual at x with the numeraire's equation replaced, the dropped equation's
    /// value (the Walras residual) and the evaluation at x.
    fn residual_with_state(&self, x: &[f64], f: &mut [f64]) -> Result<(f64, EvalState), EvalError> {
        if f.len() != self.dim() {
            return Err(EvalError::new(format!(
                "residual buffer has length {}, expected {}",
                f.len(),
                self.dim()
            )));
        }
        let st = self.evaluate(x)?;
        self.raw_residual(x, &st, f);
        let num = self.numeraire_index();
        let walras = f[num];
        f[num] = x[num] - self.numeraire_value;
        Ok((walras, st))
    }
}

/// x moved into [lower, upper]; unlike `f64::clamp` it never panics (on NaN or lower > upper
/// it returns a value that validation then rejects).
fn clamp(x: f64, lower: f64, upper: f64) -> f64 {
    if x < lower {
        lower
    } else if x > upper {
        upper
    } else {
        x
    }
}

/// E14: the endowment's scale intercept + slope·z (1 when unscaled).
fn endowment_scale(e: &Endowment, z: &[f64]) -> f64 {
    match e.scale {
        None => 1.0,
        Some((k, intercept, slope)) => intercept + slope * z[k],
    }
}

/// Receives Jacobian triplets: records positions, counts them, or writes values in order.
/// Entries in the numeraire's row are dropped in every mode, so the modes always agree.
/// Fill positions (zeros of J where elimination fills in, see [`Pattern::with_fill`]) are
/// recorded by the pattern mode and counted by the count mode; the value mode has none.
trait Sink {
    /// Whether the sink keeps values (not only positions or counts): emitters may skip
    /// computing them otherwise.
    const VALUES: bool;
    fn push_unskipped(&mut self, row: usize, col: usize, value: f64);
    fn skip_row(&self) -> usize;
    fn push(&mut self, row: usize, col: usize, value: f64) {
        if row != self.skip_row() {
            self.push_unskipped(row, col, value);
        }
    }
    fn push_fill_unskipped(&mut self, _row: usize, _col: usize) {}
    fn push_fill(&mut self, row: usize, col: usize) {
        if row != self.skip_row() {
            self.push_fill_unskipped(row, col);
        }
    }
    fn records_fill(&self) -> bool {
        false
    }
}

/// Writes a pattern's triplets and fill positions into preallocated slices.
struct SliceSink<'a> {
    rows: &'a mut [usize],
    cols: &'a mut [usize],
    fill_rows: &'a mut [usize],
    fill_cols: &'a mut [usize],
    pos: usize,
    fill_pos: usize,
    skip_row: usize,
}

impl SliceSink<'_> {
    /// Whether every slot was written, and no more.
    fn is_full(&self) -> bool {
        self.pos == self.rows.len() && self.fill_pos == self.fill_rows.len()
    }
}

impl Sink for SliceSink<'_> {
    const VALUES: bool = false;
    fn push_unskipped(&mut self, row: usize, col: usize, _value: f64) {
        if let (Some(r), Some(c)) = (self.rows.get_mut(self.pos), self.cols.get_mut(self.pos)) {
            (*r, *c) = (row, col);
        }
        self.pos += 1;
    }
    fn push_fill_unskipped(&mut self, row: usize, col: usize) {
        if let (Some(r), Some(c)) = (
            self.fill_rows.get_mut(self.fill_pos),
            self.fill_cols.get_mut(self.fill_pos),
        ) {
            (*r, *c) = (row, col);
        }
        self.fill_pos += 1;
    }
    fn records_fill(&self) -> bool {
        true
    }
    fn skip_row(&self) -> usize {
        self.skip_row
    }
}

struct CountSink {
    count: usize,
    fill: usize,
    skip_row: usize,
}

impl Sink for CountSink {
    const VALUES: bool = false;
    fn push_unskipped(&mut self, _row: usize, _col: usize, _value: f64) {
        self.count += 1;
    }
    fn push_fill_unskipped(&mut self, _row: usize, _col: usize) {
        self.fill += 1;
    }
    fn records_fill(&self) -> bool {
        true
    }
    fn skip_row(&self) -> usize {
        self.skip_row
    }
}

/// Writes values into a slice in order; `pos` past the end means the layout and the emitter
/// disagree (reported by the caller, never a panic).
struct ValueSink<'a> {
    out: &'a mut [f64],
    pos: usize,
    skip_row: usize,
}

impl Sink for ValueSink<'_> {
    const VALUES: bool = true;
    fn push_unskipped(&mut self, _row: usize, _col: usize, value: f64) {
        if let Some(slot) = self.out.get_mut(self.pos) {
            *slot = value;
        }
        self.pos += 1;
    }
    fn skip_row(&self) -> usize {
        self.skip_row
    }
}

impl Problem for Model {
    fn name(&self) -> &str {
        &self.name
    }

    fn dim(&self) -> usize {
        Model::dim(self)
    }

    fn residual(&self, x: &[f64], f: &mut [f64]) -> Result<(), EvalError> {
        let (_, st) = self.residual_with_state(x, f)?;
        self.states.keep_latest(x, st);
        Ok(())
    }

    fn jacobian_pattern(&self) -> Pattern {
        let st = self.structural_eval_state();
        let x = self.benchmark_point();
        let layout = self.layout();
        let skip_row = self.numeraire_index();
        let (mut rows, mut cols) = (vec![0; layout.total], vec![0; layout.total]);
        let (mut fill_rows, mut fill_cols) = (vec![0; layout.fill], vec![0; layout.fill]);
        // Each block of trees writes its own slices, as in `jacobian_at`; the last is the rest.
        let mut sinks: Vec<SliceSink<'_>> = split_by(&mut rows, &layout.block_lens)
            .into_iter()
            .zip(split_by(&mut cols, &layout.block_lens))
            .zip(split_by(&mut fill_rows, &layout.block_fill_lens))
            .zip(split_by(&mut fill_cols, &layout.block_fill_lens))
            .map(|(((rows, cols), fill_rows), fill_cols)| SliceSink {
                rows,
                cols,
                fill_rows,
                fill_cols,
                pos: 0,
                fill_pos: 0,
                skip_row,
            })
            .collect();
        let mut rest = sinks.pop();
        let layout_ok = self
            .blocks
            .par_iter()
            .zip(sinks)
            .map(|(b, mut sink)| {
                let mut h = vec![0.0; layout.max_elems];
                let mut dx = vec![0.0; layout.max_leaves];
                for t in b.clone() {
                    self.emit_tree(t, &x, &st, &mut sink, &mut h, &mut dx);
                }
                sink.is_full()
            })
            .collect::<Vec<bool>>();
        if let Some(sink) = rest.as_mut() {
            self.emit_rest(&x, sink);
        }
        // An emitter that disagrees with its layout (a bug) leaves slots unwritten; the
        // Jacobian then reports the disagreement as an error.
        debug_assert!(
            layout_ok.iter().all(|&ok| ok) && rest.as_ref().is_some_and(SliceSink::is_full)
        );
        Pattern::from_triplets(self.dim(), rows, cols)
            .and_then(|p| p.with_fill(fill_rows, fill_cols))
            // Every emitted index is a valid unknown, so this cannot fail; fall back to dense
            // rather than panic.
            .unwrap_or_else(|_| Pattern::dense(self.dim()))
    }

    fn jacobian(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let st = self.evaluate(x)?;
        self.jacobian_at(x, st, values)
    }

    fn jacobian_after_residual(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        // Every setter forgets the kept evaluation, so one kept at this very point is this
        // point's.
        let st = match self.states.take_latest_at(x) {
            Some(st) => st,
            None => self.evaluate(x)?,
        };
        self.jacobian_at(x, st, values)
    }

    fn structure_cache(&self) -> Option<&StructureCache> {
        Some(&self.structure)
    }

    fn bounds(&self) -> Option<Bounds> {
        let n = self.dim();
        let mut b = Bounds::free(n);
        for i in 0..self.sectors.len() + self.commodities.len() {
            b.lower[i] = 0.0;
        }
        for (k, a) in self.aux.iter().enumerate() {
            b.lower[self.auxiliary_index(k)] = a.lower;
            b.upper[self.auxiliary_index(k)] = a.upper;
        }
        Some(b)
    }
}

impl Model {
    /// The Jacobian's values at x from `st`, the evaluation at x.
    fn jacobian_at(&self, x: &[f64], st: EvalState, values: &mut [f64]) -> Result<(), EvalError> {
        let layout = self.layout();
        if values.len() != layout.total {
            self.states.give(st.trees);
            return Err(EvalError::new(format!(
                "Jacobian buffer has length {}, the pattern has {} entries",
                values.len(),
                layout.total
            )));
        }
        let skip_row = self.numeraire_index();
        // One disjoint slice of `values` per block of trees: each value is computed the same
        // way whatever thread computes it, so the Jacobian is bit-identical with any thread
        // count.
        let mut parts = split_by(values, &layout.block_lens);
        let rest = parts.pop().unwrap_or_default();
        let views: Vec<(Range<usize>, &mut [f64])> =
            self.blocks.iter().cloned().zip(parts).collect();
        let run = |(b, out): (Range<usize>, &mut [f64])| -> bool {
            let len = out.len();
            let mut h = vec![0.0; layout.max_elems];
            let mut dx = vec![0.0; layout.max_leaves];
            let mut sink = ValueSink {
                out,
                pos: 0,
                skip_row,
            };
            for t in b {
                self.emit_tree(t, x, &st, &mut sink, &mut h, &mut dx);
            }
            sink.pos == len
        };
        let consistent = if views.len() > 1 {
            views.into_par_iter().map(run).collect::<Vec<bool>>()
        } else {
            views.into_iter().map(run).collect()
        };
        let mut sink = ValueSink {
            out: rest,
            pos: 0,
            skip_row,
        };
        self.emit_rest(x, &mut sink);
        self.states.give(st.trees);
        if consistent.iter().all(|&ok| ok) && sink.pos == sink.out.len() {
            Ok(())
        } else {
            Err(EvalError::new(format!(
                "model `{}`: the Jacobian emitter disagrees with its layout",
                self.name
            )))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Benchmark check, results and solving
// ---------------------------------------------------------------------------------------------

impl Model {
    /// Checks that the benchmark point (E20) is an equilibrium with the current parameters: zero
    /// profit in every sector, clearance of every market, balance of every income, and every
    /// auxiliary constraint complementary to its start. This is MPSGE's "iteration limit 0"
    /// replication check.
    ///
    /// # Errors
    /// [`CoreError::Unbalanced`] naming every failing condition with its amount (tolerance
    /// [`tolerances::BENCHMARK_RELATIVE`] × [`Model::scale`]); [`CoreError::Eval`] if the
    /// benchmark cannot be evaluated.
    pub fn check_benchmark(&self) -> Result<(), CoreError> {
        let x = self.benchmark_point();
        let st = self.evaluate(&x)?;
        let mut f = vec![0.0; self.dim()];
        self.raw_residual(&x, &st, &mut f);
        let tolerance = tolerances::BENCHMARK_RELATIVE * self.scale;
        let mut items = Vec::new();
        let mut report = |condition: &str, name: &str, amount: f64| {
            if amount.is_nan() || amount.abs() > tolerance {
                items.push(Imbalance {
                    condition: condition.to_string(),
                    name: name.to_string(),
                    amount,
                });
            }
        };
        for (j, s) in self.sectors.iter().enumerate() {
            // An idle sector may lose money at benchmark prices (complementarity), not earn it.
            let margin = f[self.activity_index(j)];
            let amount = if self.benchmark_level[j] == 0.0 {
                margin.min(0.0)
            } else {
                margin
            };
            report("zero profit", s, amount);
        }
        for (i, c) in self.commodities.iter().enumerate() {
            report("market clearance", c, f[self.price_index(i)]);
        }
        for (h, c) in self.consumers.iter().enumerate() {
            report("income balance", c, f[self.income_index(h)]);
        }
        for (k, a) in self.aux.iter().enumerate() {
            // Complementarity error: zero when the constraint holds with the right sign at a
            // bound, or with equality in between.
            let i = self.auxiliary_index(k);
            let projected = clamp(x[i] - f[i], a.lower, a.upper);
            report("auxiliary constraint", &self.aux_names[k], x[i] - projected);
        }
        if items.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Unbalanced {
                model: self.name.clone(),
                tolerance,
                items,
            })
        }
    }

    /// Results at an arbitrary point x (normally a solution).
    ///
    /// # Errors
    /// [`CoreError::DimensionMismatch`] or [`CoreError::Eval`].
    pub fn results_at(&self, x: &[f64]) -> Result<Results, CoreError> {
        if x.len() != self.dim() {
            return Err(CoreError::DimensionMismatch {
                model: self.name.clone(),
                expected: self.dim(),
                found: x.len(),
            });
        }
        Results::new(self, x)
    }

    /// The smallest convergence tolerance the model's residuals can meet:
    /// [`tolerances::SOLVE_RELATIVE`] × [`Model::scale`] (below it they are round-off).
    pub fn tolerance_floor(&self) -> f64 {
        tolerances::SOLVE_RELATIVE * self.scale
    }

    /// The solver's default options with the convergence tolerance raised, for large models,
    /// to [`Model::tolerance_floor`] (the default absolute 1e-10 lies below the round-off of
    /// residuals in the tens of thousands of money units).
    pub fn solver_options(&self) -> Options {
        self.at_tolerance_floor(Options::default())
    }

    /// `options` with the convergence tolerance raised to [`Model::tolerance_floor`] where it
    /// lies below it; a tolerance the model can reach is kept.
    pub fn at_tolerance_floor(&self, options: Options) -> Options {
        Options {
            tolerance: options.tolerance.max(self.tolerance_floor()),
            ..options
        }
    }

    /// Solves the model with [`Model::solver_options`] (the solver's defaults, the convergence
    /// tolerance relative to the model's scale): see [`Model::solve`].
    ///
    /// # Errors
    /// As [`Model::solve`].
    pub fn solve_default(&mut self) -> Result<Results, CoreError> {
        let options = self.solver_options();
        self.solve(&options)
    }

    /// Solves the model with `options`, starting from the last solution (the benchmark the first
    /// time), stores the solution and returns the results.
    ///
    /// # Errors
    /// [`CoreError::Solve`] when the solver fails (its diagnostics are inside), or an
    /// evaluation error at the solution.
    pub fn solve(&mut self, options: &Options) -> Result<Results, CoreError> {
        let mut x0 = match &self.last {
            Some(x) if x.len() == self.dim() => x.clone(),
            _ => self.benchmark_point(),
        };
        x0[self.numeraire_index()] = self.numeraire_value;
        // Shocked bounds may exclude the previous value.
        for (k, a) in self.aux.iter().enumerate() {
            let i = self.auxiliary_index(k);
            x0[i] = clamp(x0[i], a.lower, a.upper);
        }
        let solution = Solver::new(options.clone())?.solve(&*self, &x0)?;
        let mut results = self.results_at(&solution.x)?;
        results.diagnostics = Some(solution.diagnostics);
        self.last = Some(solution.x);
        Ok(results)
    }
}

// ---------------------------------------------------------------------------------------------
// Shocks: parameter changes that keep the structure (and the Jacobian pattern) fixed
// ---------------------------------------------------------------------------------------------

impl Model {
    fn find_name(
        &self,
        kind: &'static str,
        names: &[String],
        name: &str,
        context: &str,
    ) -> Result<usize, CoreError> {
        names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| CoreError::UnknownName {
                kind,
                name: name.to_string(),
                context: context.to_string(),
                suggestions: suggest(name, names.iter().map(String::as_str)),
            })
    }

    /// Finds the unique taxed leaf of `commodity` in tree t.
    fn taxed_leaf(&self, t: usize, commodity: &str, context: &str) -> Result<usize, CoreError> {
        let fo = &self.forest;
        let leaves: Vec<usize> = fo.trees[t]
            .leaves
            .clone()
            .filter(|&l| self.commodities[fo.commodity[l]] == commodity)
            .collect();
        if leaves.is_empty() {
            let names = fo.trees[t]
                .leaves
                .clone()
                .map(|l| self.commodities[fo.commodity[l]].as_str());
            return Err(CoreError::UnknownName {
                kind: "flow",
                name: commodity.to_string(),
                context: context.to_string(),
                suggestions: suggest(commodity, names),
            });
        }
        let taxed: Vec<usize> = leaves
            .into_iter()
            .filter(|&l| fo.tax[l].is_some())
            .collect();
        match taxed.as_slice() {
            [] => Err(CoreError::NotDeclared {
                context: format!("{context}: tax on `{commodity}`"),
            }),
            [l] => Ok(*l),
            _ => Err(CoreError::Ambiguous {
                context: format!("{context}: tax on `{commodity}`"),
                count: taxed.len(),
            }),
        }
    }

    fn set_leaf_tax(
        &mut self,
        t: usize,
        commodity: &str,
        rate: f64,
        context: String,
    ) -> Result<(), CoreError> {
        let l = self.taxed_leaf(t, commodity, &context)?;
        check_tax(rate, self.forest.sign[l], || {
            format!("{context} `{commodity}`")
        })?;
        if let Some(tax) = &mut self.forest.tax[l] {
            tax.rate = rate;
        }
        Ok(())
    }

    /// Sets the rate of the tax on input `commodity` of `sector` (for an endogenous tax, its
    /// intercept).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::NotDeclared`] if the flow has no tax in the
    /// spec, [`CoreError::Ambiguous`], [`CoreError::InvalidTax`].
    pub fn set_input_tax(
        &mut self,
        sector: &str,
        commodity: &str,
        rate: f64,
    ) -> Result<(), CoreError> {
        self.states.forget_latest();
        let context = format!("sector `{sector}` input tax");
        let j = self.find_name("sector", &self.sectors, sector, &context)?;
        self.set_leaf_tax(self.sector_trees[j].0, commodity, rate, context)
    }

    /// Multiplies by `factor` the rate of every input tax whose sector and commodity `select`
    /// accepts (called with their names); returns how many rates changed. One pass over the
    /// model's flows: the way to shock thousands of tariffs at once (`factor` 0.5 halves them,
    /// 0 abolishes them). Endogenous taxes have their intercept scaled.
    ///
    /// # Errors
    /// [`CoreError::InvalidNumber`] unless `factor` is finite and ≥ 0 (a rate's sign never
    /// flips, so every scaled input tax stays above −1).
    pub fn scale_input_taxes(
        &mut self,
        factor: f64,
        mut select: impl FnMut(&str, &str) -> bool,
    ) -> Result<usize, CoreError> {
        self.states.forget_latest();
        if !(factor.is_finite() && factor >= 0.0) {
            return Err(CoreError::InvalidNumber {
                context: "input tax scale factor".to_string(),
                value: factor,
                expected: "finite and >= 0",
            });
        }
        let mut changed = 0;
        for (j, &(t_in, _)) in self.sector_trees.iter().enumerate() {
            let leaves = self.forest.trees[t_in].leaves.clone();
            for l in leaves {
                let c = self.forest.commodity[l];
                if let Some(tax) = &mut self.forest.tax[l] {
                    if select(&self.sectors[j], &self.commodities[c]) {
                        tax.rate *= factor;
                        changed += 1;
                    }
                }
            }
        }
        Ok(changed)
    }

    /// Sets the rate of the tax on output `commodity` of `sector`.
    ///
    /// # Errors
    /// As [`Model::set_input_tax`].
    pub fn set_output_tax(
        &mut self,
        sector: &str,
        commodity: &str,
        rate: f64,
    ) -> Result<(), CoreError> {
        self.states.forget_latest();
        let context = format!("sector `{sector}` output tax");
        let j = self.find_name("sector", &self.sectors, sector, &context)?;
        self.set_leaf_tax(self.sector_trees[j].1, commodity, rate, context)
    }

    /// Sets the rate of the tax on the final demand of `commodity` by `consumer`.
    ///
    /// # Errors
    /// As [`Model::set_input_tax`].
    pub fn set_demand_tax(
        &mut self,
        consumer: &str,
        commodity: &str,
        rate: f64,
    ) -> Result<(), CoreError> {
        self.states.forget_latest();
        let context = format!("consumer `{consumer}` demand tax");
        let h = self.find_name("consumer", &self.consumers, consumer, &context)?;
        self.set_leaf_tax(self.consumer_tree[h], commodity, rate, context)
    }

    /// Finds the unique leaf of `commodity` in tree t, taxed or not.
    fn unique_leaf(&self, t: usize, commodity: &str, context: &str) -> Result<usize, CoreError> {
        let fo = &self.forest;
        let leaves: Vec<usize> = fo.trees[t]
            .leaves
            .clone()
            .filter(|&l| self.commodities[fo.commodity[l]] == commodity)
            .collect();
        match leaves.as_slice() {
            [] => Err(CoreError::UnknownName {
                kind: "flow",
                name: commodity.to_string(),
                context: context.to_string(),
                suggestions: suggest(
                    commodity,
                    fo.trees[t]
                        .leaves
                        .clone()
                        .map(|l| self.commodities[fo.commodity[l]].as_str()),
                ),
            }),
            [l] => Ok(*l),
            _ => Err(CoreError::Ambiguous {
                context: format!("{context} `{commodity}`"),
                count: leaves.len(),
            }),
        }
    }

    /// Sets a leaf's quantity keeping its benchmark value q·p̄ fixed (E21).
    fn set_leaf_quantity(
        &mut self,
        t: usize,
        commodity: &str,
        quantity: f64,
        context: String,
    ) -> Result<(), CoreError> {
        let l = self.unique_leaf(t, commodity, &context)?;
        let q0 = self.forest.quantity[l];
        if !(quantity.is_finite() && quantity > 0.0) {
            return Err(CoreError::InvalidNumber {
                context: format!("{context} `{commodity}` quantity"),
                value: quantity,
                expected: "finite and > 0",
            });
        }
        if q0 <= 0.0 {
            return Err(CoreError::InvalidNumber {
                context: format!("{context} `{commodity}`: benchmark quantity"),
                value: q0,
                expected: "> 0 for the flow to be rescaled",
            });
        }
        self.forest.ref_price[l] *= q0 / quantity;
        self.forest.quantity[l] = quantity;
        Ok(())
    }

    /// Sets the quantity of input `commodity` per unit of activity of `sector`, keeping the
    /// flow's benchmark value q·p̄ — and so every value share of its nest and the calibration
    /// of the unit cost — fixed: the reference price becomes p̄ · q_old / q_new (E21 in
    /// `docs/model.md`). The sector then needs q_new / q_old times as many units of the
    /// commodity for the same service: an input-using technical change or, when the sector
    /// is a trade activity, an iceberg trade cost (conventions.md, "Taxes": iceberg costs are
    /// extra input quantities; Samuelson 1954). In a CES nest this is the exact iceberg: the
    /// variety's price is multiplied by q_new / q_old and so is the quantity shipped.
    ///
    /// # Errors
    /// [`CoreError::UnknownName`] (sector, or a commodity that is not an input of it),
    /// [`CoreError::Ambiguous`] if the sector uses the commodity in several flows,
    /// [`CoreError::InvalidNumber`] unless the quantity is finite and > 0 and the benchmark
    /// quantity is positive.
    pub fn set_input_quantity(
        &mut self,
        sector: &str,
        commodity: &str,
        quantity: f64,
    ) -> Result<(), CoreError> {
        self.states.forget_latest();
        let context = format!("sector `{sector}` input");
        let j = self.find_name("sector", &self.sectors, sector, &context)?;
        self.set_leaf_quantity(self.sector_trees[j].0, commodity, quantity, context)
    }

    /// Sets the quantity of output `commodity` per unit of activity of `sector`, keeping the
    /// flow's benchmark value fixed (E21): the reference price becomes p̄ · q_old / q_new. An
    /// export activity that earns foreign exchange at a world price p_w has an output of
    /// q · p_w units of foreign exchange (Markusen's `Q:(50*PE1)`); a world price shock is
    /// this setter.
    ///
    /// # Errors
    /// As [`Model::set_input_quantity`].
    pub fn set_output_quantity(
        &mut self,
        sector: &str,
        commodity: &str,
        quantity: f64,
    ) -> Result<(), CoreError> {
        self.states.forget_latest();
        let context = format!("sector `{sector}` output");
        let j = self.find_name("sector", &self.sectors, sector, &context)?;
        self.set_leaf_quantity(self.sector_trees[j].1, commodity, quantity, context)
    }

    /// Sets the quantity of `consumer`'s endowment of `commodity`.
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::NotDeclared`] if there is no such endowment,
    /// [`CoreError::Ambiguous`] if there are several, [`CoreError::InvalidQuantity`].
    pub fn set_endowment(
        &mut self,
        consumer: &str,
        commodity: &str,
        quantity: f64,
    ) -> Result<(), CoreError> {
        self.states.forget_latest();
        let context = format!("consumer `{consumer}` endowment `{commodity}`");
        let h = self.find_name("consumer", &self.consumers, consumer, &context)?;
        let c = self.find_name("commodity", &self.commodities, commodity, &context)?;
        check_quantity(quantity, || context.clone())?;
        let matches: Vec<usize> = (0..self.endowments.len())
            .filter(|&e| self.endowments[e].consumer == h && self.endowments[e].commodity == c)
            .collect();
        match matches.as_slice() {
            [] => Err(CoreError::NotDeclared { context }),
            [e] => {
                self.endowments[*e].quantity = quantity;
                Ok(())
            }
            _ => Err(CoreError::Ambiguous {
                context,
                count: matches.len(),
            }),
        }
    }

    fn nest_element(
        &self,
        t: usize,
        nest: Option<&str>,
        context: &str,
    ) -> Result<usize, CoreError> {
        match nest {
            None => Ok(self.forest.trees[t].elems.start),
            Some(name) => self
                .nests
                .iter()
                .find(|(tt, _, n)| *tt == t && n == name)
                .map(|(_, e, _)| *e)
                .ok_or_else(|| CoreError::UnknownName {
                    kind: "nest",
                    name: name.to_string(),
                    context: context.to_string(),
                    suggestions: suggest(
                        name,
                        self.nests
                            .iter()
                            .filter(|(tt, _, _)| *tt == t)
                            .map(|(_, _, n)| n.as_str()),
                    ),
                }),
        }
    }

    /// Sets the elasticity of substitution of an input nest of `sector` (`None`: the top nest).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::InvalidElasticity`].
    pub fn set_elasticity(
        &mut self,
        sector: &str,
        nest: Option<&str>,
        sigma: f64,
    ) -> Result<(), CoreError> {
        self.states.forget_latest();
        let context = format!("sector `{sector}` inputs");
        let j = self.find_name("sector", &self.sectors, sector, &context)?;
        let e = self.nest_element(self.sector_trees[j].0, nest, &context)?;
        check_elasticity(sigma, || context.clone())?;
        let t = self.sector_trees[j].0;
        let before = self.leontief_at_output(t);
        self.forest.sigma[e] = sigma;
        if self.leontief_at_output(t) != before {
            self.pattern_changed();
        }
        Ok(())
    }

    /// Sets the elasticity of transformation η of `sector`'s outputs.
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::InvalidElasticity`].
    pub fn set_transformation(&mut self, sector: &str, eta: f64) -> Result<(), CoreError> {
        self.states.forget_latest();
        let context = format!("sector `{sector}` outputs");
        let j = self.find_name("sector", &self.sectors, sector, &context)?;
        check_elasticity(eta, || context.clone())?;
        let root = self.forest.trees[self.sector_trees[j].1].elems.start;
        self.forest.sigma[root] = -eta;
        Ok(())
    }

    /// Sets the elasticity of substitution of a demand nest of `consumer` (`None`: the top).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::InvalidElasticity`].
    pub fn set_demand_elasticity(
        &mut self,
        consumer: &str,
        nest: Option<&str>,
        sigma: f64,
    ) -> Result<(), CoreError> {
        self.states.forget_latest();
        let context = format!("consumer `{consumer}` demand");
        let h = self.find_name("consumer", &self.consumers, consumer, &context)?;
        let e = self.nest_element(self.consumer_tree[h], nest, &context)?;
        check_elasticity(sigma, || context.clone())?;
        self.forest.sigma[e] = sigma;
        Ok(())
    }

    /// Sets the quantity of the transfer of `commodity` from `from` to `to`.
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::NotDeclared`], [`CoreError::InvalidQuantity`].
    pub fn set_transfer(
        &mut self,
        from: &str,
        to: &str,
        commodity: &str,
        quantity: f64,
    ) -> Result<(), CoreError> {
        self.states.forget_latest();
        let context = format!("transfer from `{from}` to `{to}` of `{commodity}`");
        let a = self.find_name("consumer", &self.consumers, from, &context)?;
        let b = self.find_name("consumer", &self.consumers, to, &context)?;
        let c = self.find_name("commodity", &self.commodities, commodity, &context)?;
        check_quantity(quantity, || context.clone())?;
        let tr = self
            .transfers
            .iter_mut()
            .find(|t| t.from == a && t.to == b && t.commodity == c)
            .ok_or(CoreError::NotDeclared { context })?;
        tr.quantity = quantity;
        Ok(())
    }

    /// Sets the income share paid by `from` to `to`.
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::NotDeclared`], [`CoreError::InvalidShare`].
    pub fn set_income_share(&mut self, from: &str, to: &str, share: f64) -> Result<(), CoreError> {
        self.states.forget_latest();
        let context = format!("income share from `{from}` to `{to}`");
        let a = self.find_name("consumer", &self.consumers, from, &context)?;
        let b = self.find_name("consumer", &self.consumers, to, &context)?;
        let i = self
            .shares
            .iter()
            .position(|s| s.from == a && s.to == b)
            .ok_or(CoreError::NotDeclared { context })?;
        let mut shares = self.shares.clone();
        shares[i].share = share;
        check_shares(&shares, &self.consumers)?;
        self.shares = shares;
        Ok(())
    }

    /// Sets the bounds of an auxiliary (equal bounds fix it).
    ///
    /// # Errors
    /// [`CoreError::UnknownName`], [`CoreError::InvalidBounds`].
    pub fn set_auxiliary_bounds(
        &mut self,
        name: &str,
        lower: f64,
        upper: f64,
    ) -> Result<(), CoreError> {
        self.states.forget_latest();
        let k = self.find_name("auxiliary", &self.aux_names, name, "auxiliary bounds")?;
        let start = clamp(self.aux[k].start, lower, upper);
        check_bounds(name, lower, upper, start)?;
        self.aux[k].lower = lower;
        self.aux[k].upper = upper;
        Ok(())
    }

    /// Sets the value at which the numeraire is fixed.
    ///
    /// # Errors
    /// [`CoreError::InvalidNumber`] if it is not finite and positive.
    pub fn set_numeraire_value(&mut self, value: f64) -> Result<(), CoreError> {
        self.states.forget_latest();
        check_numeraire(value)?;
        self.numeraire_value = value;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{ConsumerSpec, Flow, SectorSpec};

    /// One sector turning labour into X, one consumer.
    fn tiny() -> Model {
        ModelSpec::new("tiny")
            .commodities(["X", "L"])
            .sector(
                SectorSpec::new("S")
                    .elasticity(1.0)
                    .output("X", 10.0)
                    .input_flow(Flow::new("L", 10.0).tax(0.0, "HH")),
            )
            .consumer(
                ConsumerSpec::new("HH")
                    .endowment("L", 10.0)
                    .demand("X", 10.0),
            )
            .build()
            .unwrap()
    }

    #[test]
    fn layout_and_bounds() {
        let m = tiny();
        assert_eq!(m.dim(), 4);
        assert_eq!(
            (m.price_index(1), m.income_index(0), m.numeraire_index()),
            (2, 3, 3)
        );
        let b = m.bounds().unwrap();
        assert_eq!(b.lower, [0.0, 0.0, 0.0, f64::NEG_INFINITY]);
        assert_eq!(m.describe_unknown(2), "price `L`");
    }

    #[test]
    fn pattern_and_values_have_the_same_length() {
        let m = tiny();
        let pattern = m.jacobian_pattern();
        let mut values = vec![0.0; pattern.len()];
        m.jacobian(&m.benchmark_point(), &mut values).unwrap();
        let mut short = vec![0.0; pattern.len() - 1];
        let e = m.jacobian(&m.benchmark_point(), &mut short).unwrap_err();
        assert!(e.message.contains("buffer"), "{e}");
        // The numeraire's row holds only its identity entry.
        let num = m.numeraire_index();
        let in_row: Vec<usize> = (0..pattern.len())
            .filter(|&k| pattern.rows()[k] == num)
            .collect();
        assert_eq!(in_row.len(), 1);
        assert_eq!(pattern.cols()[in_row[0]], num);
    }

    #[test]
    fn residual_replaces_the_numeraire_equation() {
        let m = tiny();
        let mut x = m.benchmark_point();
        x[m.income_index(0)] = 12.0;
        let mut f = vec![0.0; 4];
        let walras = m.residual_and_walras(&x, &mut f).unwrap();
        assert_eq!(f[m.numeraire_index()], 2.0);
        assert_eq!(walras, 2.0);
        assert!(m.residual_and_walras(&x, &mut [0.0; 3]).is_err());
    }

    #[test]
    fn input_quantity_keeps_value_and_scales_price_and_quantity() {
        let mut m = tiny();
        m.set_input_quantity("S", "L", 12.5).unwrap();
        let x = m.benchmark_point();
        let mut f = vec![0.0; m.dim()];
        m.residual_and_walras(&x, &mut f).unwrap();
        // Unit cost 10 · 1.25 − revenue 10; labour demand 12.5 against an endowment of 10.
        assert!((f[0] - 2.5).abs() < 1e-12, "{f:?}");
        assert!((f[m.price_index(1)] + 2.5).abs() < 1e-12, "{f:?}");
        assert_eq!(m.forest.value[m.forest.leaf_elem[0]], 10.0);
        assert!(matches!(
            m.set_input_quantity("S", "X", 1.0),
            Err(CoreError::UnknownName { kind: "flow", .. })
        ));
        assert!(matches!(
            m.set_output_quantity("S", "X", 0.0),
            Err(CoreError::InvalidNumber { .. })
        ));
    }

    #[test]
    fn clamp_never_panics() {
        assert_eq!(clamp(0.0, 1.0, 0.5), 1.0);
        assert!(clamp(f64::NAN, 0.0, 1.0).is_nan());
        assert_eq!(clamp(0.3, f64::NAN, 1.0), 0.3);
    }
}
