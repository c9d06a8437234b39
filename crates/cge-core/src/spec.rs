//! Model specifications: what a user writes, in a JSON or TOML file or with the builder
//! methods. A [`ModelSpec`] is plain data; [`ModelSpec::build`] validates it and compiles it into
//! a [`Model`](crate::Model).
//!
//! Quantities are per unit of activity at the benchmark, in the data's units; prices are
//! indices (1 at the benchmark unless a reference price says otherwise); rates are fractions.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::model::Model;
use crate::name::Name;

fn one() -> f64 {
    1.0
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

/// A whole model: commodities, production sectors, consumers and the links between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// The model's name, used in errors and reports.
    pub name: String,
    /// Every commodity (good, factor, licence, welfare index); each has a price unknown.
    pub commodities: Vec<CommoditySpec>,
    /// Production sectors; each has an activity-level unknown.
    #[serde(default)]
    pub sectors: Vec<SectorSpec>,
    /// Consumers (households, government, ...); each has an income unknown.
    pub consumers: Vec<ConsumerSpec>,
    /// Fixed real transfers: the value p·q of a commodity moved from one consumer's income to
    /// another's (aid, debt service).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transfers: Vec<TransferSpec>,
    /// Fractions of one consumer's income paid to another (remittances).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub income_shares: Vec<IncomeShareSpec>,
    /// Auxiliary unknowns with their constraints (endogenous taxes, unemployment, rationing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auxiliaries: Vec<AuxiliarySpec>,
    /// The numeraire. Default: the income of the consumer with the largest benchmark income
    /// (the first in spec order on a tie), fixed at that income, as MPSGE does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numeraire: Option<NumeraireSpec>,
}

/// A commodity and its benchmark (reference) market price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommoditySpec {
    /// Its name.
    pub name: String,
    /// Benchmark market price p̄ (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub reference_price: f64,
}

/// A production sector: a CES tree of inputs and a CET set of outputs (MPSGE's `$PROD`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectorSpec {
    /// Its name (also the name of its activity level).
    pub name: String,
    /// Outputs per unit of activity.
    pub outputs: OutputSpec,
    /// Inputs per unit of activity, as a nest tree.
    pub inputs: NestSpec,
    /// Activity level at the benchmark (default 1). Zero declares a sector idle in the benchmark
    /// — a trade route not used, a technology not adopted — whose unit cost may exceed its unit
    /// revenue there (MPSGE's `.L = 0` start for an activity).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub benchmark_level: f64,
    /// Writes the sector's input demands at its output price instead of its unit cost (E22 in
    /// `docs/model.md`, default false): the top nest's price index π in Shephard's demands is
    /// replaced by the unit revenue V_out R / V_in. Both are equal wherever the sector breaks
    /// even, and demands are multiplied by the activity level, so the model's equilibria are
    /// exactly the same (complementarity: an active sector breaks even, an idle one demands
    /// nothing); the Jacobian off equilibrium differs. What it buys is sparsity: an input
    /// demand then depends on its own price (its own sub-nest's prices when it sits in one),
    /// the output prices and the activity, not on the prices of every other input. This is
    /// how GTAP-in-MPSGE keeps an Armington nest over R origins at O(R) Jacobian entries
    /// instead of O(R²).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demand_at_output_price: bool,
}

/// A sector's outputs, joined by a constant-elasticity-of-transformation frontier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// Elasticity of transformation η ≥ 0 (default 0: fixed proportions). Model equation E5.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub elasticity: f64,
    /// The outputs.
    pub items: Vec<Flow>,
}

/// A CES nest (MPSGE's `s:` and named sub-nests): children are flows or further nests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NestSpec {
    /// Optional name, used by elasticity shocks and in errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Elasticity of substitution σ ≥ 0. Default: 0 (Leontief) in a sector's inputs, 1
    /// (Cobb–Douglas) in a consumer's demand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elasticity: Option<f64>,
    /// The nest's children.
    pub children: Vec<NestChild>,
}

/// A child of a nest: a flow of one commodity, or a sub-nest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged, try_from = "RawChild")]
pub enum NestChild {
    /// A flow of one commodity (a leaf).
    Flow(Flow),
    /// A sub-nest.
    Nest(NestSpec),
}

/// A flow of one commodity per unit of activity (an input, an output or a final demand).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// The commodity (see [`Name`]: a builder can share one per commodity).
    pub commodity: Name,
    /// Benchmark quantity per unit of activity (≥ 0).
    pub quantity: f64,
    /// Reference price of the flow. Default: the commodity's reference price times (1 + t) for
    /// inputs and demands, times (1 − t) for outputs, with t the tax rate in the spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_price: Option<f64>,
    /// An ad valorem tax on the flow. Boxed: most flows are untaxed, and a model with a
    /// dense input–output table has millions of flows (a flow takes 56 bytes instead of 120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<Box<TaxSpec>>,
}

/// An ad valorem tax on a flow (MPSGE's `A:`, `T:`, `N:`, `M:` fields). Inputs and demands
/// pay p(1 + t); outputs receive p(1 − t).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxSpec {
    /// The benchmark rate t (a fraction; negative for a subsidy). With `endogenous`, the rate
    /// in effect is the affine function of the auxiliary instead and `rate` only sets the
    /// default reference price.
    #[serde(default)]
    pub rate: f64,
    /// The consumer receiving the revenue.
    pub agent: String,
    /// An endogenous rate intercept + slope·z for an auxiliary z.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endogenous: Option<Affine>,
}

/// An affine function intercept + slope·z of an auxiliary variable z.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Affine {
    /// The auxiliary's name.
    pub aux: String,
    /// Constant term (default 0).
    #[serde(default)]
    pub intercept: f64,
    /// Coefficient of z (default 1).
    #[serde(default = "one")]
    pub slope: f64,
}

/// A consumer: endowments and a CES demand tree (MPSGE's `$DEMAND`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerSpec {
    /// Its name (also the name of its income).
    pub name: String,
    /// Endowments.
    #[serde(default)]
    pub endowments: Vec<EndowmentSpec>,
    /// Final demand: a CES tree with the benchmark demands as weights (default σ = 1).
    pub demand: NestSpec,
}

/// An endowment of a commodity (MPSGE's `E:` with optional `R:`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndowmentSpec {
    /// The commodity.
    pub commodity: String,
    /// The quantity (≥ 0).
    pub quantity: f64,
    /// A scale intercept + slope·z; the effective endowment is quantity × scale. For an
    /// unemployment rate z: intercept 1, slope −1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Affine>,
}

/// A transfer of the value p·q of a commodity from one consumer's income to another's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferSpec {
    /// Paying consumer.
    pub from: String,
    /// Receiving consumer.
    pub to: String,
    /// Commodity whose price values the transfer.
    pub commodity: String,
    /// Quantity (≥ 0).
    pub quantity: f64,
}

/// A fraction of one consumer's income M paid to another (remittances): `from` receives
/// −share·M_from and `to` receives +share·M_from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomeShareSpec {
    /// Paying consumer.
    pub from: String,
    /// Receiving consumer.
    pub to: String,
    /// The share, in [0, 1].
    pub share: f64,
}

/// An auxiliary unknown z within [lower, upper], complementary to a linear constraint
/// Σ coef·v + constant (MPSGE's `$AUXILIARY` with `$CONSTRAINT`): at the lower bound the
/// constraint is ≥ 0, at the upper bound ≤ 0, in between = 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuxiliarySpec {
    /// Its name.
    pub name: String,
    /// Lower bound (default 0; `"-inf"` for none).
    #[serde(default, with = "bound")]
    pub lower: f64,
    /// Upper bound (default `"inf"`: none).
    #[serde(default = "infinity", with = "bound")]
    pub upper: f64,
    /// Starting (benchmark) value. Default: 0 moved into [lower, upper].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<f64>,
    /// The constraint.
    pub constraint: LinearConstraint,
}

fn infinity() -> f64 {
    f64::INFINITY
}

/// A linear function Σ coef·v + constant of model unknowns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearConstraint {
    /// The terms.
    pub terms: Vec<Term>,
    /// The constant.
    #[serde(default)]
    pub constant: f64,
}

/// One term coef·v of a [`LinearConstraint`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// The unknown.
    pub var: VarRef,
    /// Its coefficient.
    pub coef: f64,
}

/// A reference to a model unknown by kind and name; in files `{ price = "PL" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum VarRef {
    /// A sector's activity level.
    Activity(String),
    /// A commodity's price.
    Price(String),
    /// A consumer's income.
    Income(String),
    /// An auxiliary unknown.
    Auxiliary(String),
}

/// Which unknown is fixed to remove the price level's indeterminacy (Walras' law).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum NumeraireSpec {
    /// Fix a commodity's price (default value: its reference price).
    Price {
        /// The commodity.
        commodity: String,
        /// The fixed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<f64>,
    },
    /// Fix a consumer's income (default value: its benchmark income).
    Income {
        /// The consumer.
        consumer: String,
        /// The fixed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<f64>,
    },
}

/// The file form of a nest child: the fields of both a flow and a nest, sorted out by
/// `TryFrom` so that errors say what is wrong instead of "no variant matched".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChild {
    commodity: Option<String>,
    quantity: Option<f64>,
    reference_price: Option<f64>,
    tax: Option<TaxSpec>,
    name: Option<String>,
    elasticity: Option<f64>,
    children: Option<Vec<NestChild>>,
}

impl TryFrom<RawChild> for NestChild {
    type Error = String;

    fn try_from(raw: RawChild) -> Result<Self, String> {
        match (raw.commodity, raw.children) {
            (Some(_), Some(_)) => {
                Err("a nest child has both `commodity` (a flow) and `children` (a nest)".into())
            }
            (None, Some(children)) => {
                if raw.quantity.is_some() || raw.reference_price.is_some() || raw.tax.is_some() {
                    return Err("a nest (with `children`) cannot have `quantity`, `reference_price` or `tax`".into());
                }
                Ok(NestChild::Nest(NestSpec {
                    name: raw.name,
                    elasticity: raw.elasticity,
                    children,
                }))
            }
            (Some(commodity), None) => {
                if raw.name.is_some() || raw.elasticity.is_some() {
                    return Err(format!(
                        "flow of `{commodity}` cannot have `name` or `elasticity` (those belong to nests)"
                    ));
                }
                let quantity = raw
                    .quantity
                    .ok_or_else(|| format!("flow of `{commodity}` is missing `quantity`"))?;
                Ok(NestChild::Flow(Flow {
                    commodity: commodity.into(),
                    quantity,
                    reference_price: raw.reference_price,
                    tax: raw.tax.map(Box::new),
                }))
            }
            (None, None) => Err(
                "a nest child needs `commodity` and `quantity` (a flow) or `children` (a nest)"
                    .into(),
            ),
        }
    }
}

/// Bounds that may be infinite: numbers, or the strings "inf", "+inf", "-inf" (JSON has no
/// infinity).
mod bound {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_infinite() {
            s.serialize_str(if *x > 0.0 { "inf" } else { "-inf" })
        } else {
            s.serialize_f64(*x)
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrStr {
        Num(f64),
        Str(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match NumOrStr::deserialize(d)? {
            NumOrStr::Num(x) => Ok(x),
            NumOrStr::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "inf" | "+inf" | "infinity" | "+infinity" => Ok(f64::INFINITY),
                "-inf" | "-infinity" => Ok(f64::NEG_INFINITY),
                _ => Err(serde::de::Error::custom(format!(
                    "bound `{s}` is neither a number nor \"inf\" / \"-inf\""
                ))),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading and writing files
// ---------------------------------------------------------------------------------------------

impl ModelSpec {
    /// Parses a spec from JSON text.
    ///
    /// # Errors
    /// [`CoreError::Parse`] with the line and column of the first error.
    pub fn from_json_str(text: &str) -> Result<Self, CoreError> {
        Self::parse_json(text, "<json>")
    }

    /// Parses a spec from TOML text.
    ///
    /// # Errors
    /// [`CoreError::Parse`] with the line and column of the first error.
    pub fn from_toml_str(text: &str) -> Result<Self, CoreError> {
        Self::parse_toml(text, "<toml>")
    }

    /// Reads a spec from a `.json` or `.toml` file.
    ///
    /// # Errors
    /// [`CoreError::Io`] if the file cannot be read, [`CoreError::UnknownFormat`] for another
    /// extension, [`CoreError::Parse`] naming file, line and column.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, CoreError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let text = |p: &Path| {
            std::fs::read_to_string(p).map_err(|e| CoreError::Io {
                path: shown.clone(),
                message: e.to_string(),
            })
        };
        let (spec, raw) = match ext.as_deref() {
            Some("json") => {
                let raw = text(path)?;
                (Self::parse_json(&raw, &shown)?, raw)
            }
            Some("toml") => {
                let raw = text(path)?;
                (Self::parse_toml(&raw, &shown)?, raw)
            }
            _ => return Err(CoreError::UnknownFormat { path: shown }),
        };
        // Validate now, while the text is at hand to say where the offending item is.
        Model::new(&spec).map_err(|e| locate_in_file(e, &raw, &shown))?;
        Ok(spec)
    }

    /// The spec as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Serializing plain structs with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The spec as TOML.
    ///
    /// # Errors
    /// [`CoreError::Io`] if the TOML writer refuses a value.
    pub fn to_toml(&self) -> Result<String, CoreError> {
        toml::to_string(self).map_err(|e| CoreError::Io {
            path: "<toml>".into(),
            message: e.to_string(),
        })
    }

    fn parse_json(text: &str, source_name: &str) -> Result<Self, CoreError> {
        serde_json::from_str(text).map_err(|e| CoreError::Parse {
            source_name: source_name.to_string(),
            line: e.line(),
            column: e.column(),
            message: strip_json_position(&e.to_string()),
        })
    }

    fn parse_toml(text: &str, source_name: &str) -> Result<Self, CoreError> {
        toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_column(text, s.start))
                .unwrap_or((1, 1));
            CoreError::Parse {
                source_name: source_name.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })
    }

    /// Validates the spec and compiles it into a [`Model`].
    ///
    /// # Errors
    /// Any validation error of [`CoreError`]: unknown or duplicate names, invalid quantities,
    /// prices, elasticities, taxes, shares or bounds, a consumer without demand.
    pub fn build(&self) -> Result<Model, CoreError> {
        Model::new(self)
    }
}

/// serde_json appends " at line L column C" to its messages; the position is reported
/// separately.
fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

// ---------------------------------------------------------------------------------------------
// Builder methods: the same spec from Rust code
// ---------------------------------------------------------------------------------------------

impl ModelSpec {
    /// An empty model with a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            commodities: Vec::new(),
            sectors: Vec::new(),
            consumers: Vec::new(),
            transfers: Vec::new(),
            income_shares: Vec::new(),
            auxiliaries: Vec::new(),
            numeraire: None,
        }
    }

    /// Adds commodities with reference price 1.
    pub fn commodities<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        for n in names {
            self.commodities.push(CommoditySpec {
                name: n.into(),
                reference_price: 1.0,
            });
        }
        self
    }

    /// Adds a commodity with a reference price.
    pub fn commodity(mut self, name: impl Into<String>, reference_price: f64) -> Self {
        self.commodities.push(CommoditySpec {
            name: name.into(),
            reference_price,
        });
        self
    }

    /// Adds a sector.
    pub fn sector(mut self, sector: SectorSpec) -> Self {
        self.sectors.push(sector);
        self
    }

    /// Adds a consumer.
    pub fn consumer(mut self, consumer: ConsumerSpec) -> Self {
        self.consumers.push(consumer);
        self
    }

    /// Adds a transfer of the value of `quantity` units of `commodity` from `from` to `to`.
    pub fn transfer(
        mut self,
        from: impl Into<String>,
        to: impl Into<String>,
        commodity: impl Into<String>,
        quantity: f64,
    ) -> Self {
        self.transfers.push(TransferSpec {
            from: from.into(),
            to: to.into(),
            commodity: commodity.into(),
            quantity,
        });
        self
    }

    /// Adds an income share paid by `from` to `to`.
    pub fn income_share(
        mut self,
        from: impl Into<String>,
        to: impl Into<String>,
        share: f64,
    ) -> Self {
        self.income_shares.push(IncomeShareSpec {
            from: from.into(),
            to: to.into(),
            share,
        });
        self
    }

    /// Adds an auxiliary unknown.
    pub fn auxiliary(mut self, aux: AuxiliarySpec) -> Self {
        self.auxiliaries.push(aux);
        self
    }

    /// Fixes a commodity's price at `value` as numeraire.
    pub fn numeraire_price(mut self, commodity: impl Into<String>, value: f64) -> Self {
        self.numeraire = Some(NumeraireSpec::Price {
            commodity: commodity.into(),
            value: Some(value),
        });
        self
    }

    /// Fixes a consumer's income at `value` as numeraire.
    pub fn numeraire_income(mut self, consumer: impl Into<String>, value: f64) -> Self {
        self.numeraire = Some(NumeraireSpec::Income {
            consumer: consumer.into(),
            value: Some(value),
        });
        self
    }
}

impl Flow {
    /// `quantity` units of `commodity`, untaxed, at the default reference price.
    pub fn new(commodity: impl Into<Name>, quantity: f64) -> Self {
        Self {
            commodity: commodity.into(),
            quantity,
            reference_price: None,
            tax: None,
        }
    }

    /// Sets the reference price.
    pub fn reference_price(mut self, price: f64) -> Self {
        self.reference_price = Some(price);
        self
    }

    /// Adds a tax at `rate` paid to `agent`.
    pub fn tax(mut self, rate: f64, agent: impl Into<String>) -> Self {
        self.tax = Some(Box::new(TaxSpec {
            rate,
            agent: agent.into(),
            endogenous: None,
        }));
        self
    }

    /// Adds an endogenous tax intercept + slope·z paid to `agent`, with benchmark rate `rate`.
    pub fn endogenous_tax(mut self, rate: f64, agent: impl Into<String>, affine: Affine) -> Self {
        self.tax = Some(Box::new(TaxSpec {
            rate,
            agent: agent.into(),
            endogenous: Some(affine),
        }));
        self
    }
}

impl Affine {
    /// intercept + slope·aux.
    pub fn new(aux: impl Into<String>, intercept: f64, slope: f64) -> Self {
        Self {
            aux: aux.into(),
            intercept,
            slope,
        }
    }
}

impl NestSpec {
    /// An unnamed nest with elasticity σ.
    pub fn new(elasticity: f64) -> Self {
        Self {
            name: None,
            elasticity: Some(elasticity),
            children: Vec::new(),
        }
    }

    /// Names the nest.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a flow.
    pub fn flow(mut self, flow: Flow) -> Self {
        self.children.push(NestChild::Flow(flow));
        self
    }

    /// Adds an untaxed flow of `quantity` units of `commodity`.
    pub fn input(self, commodity: impl Into<Name>, quantity: f64) -> Self {
        self.flow(Flow::new(commodity, quantity))
    }

    /// Adds a sub-nest.
    pub fn nest(mut self, nest: NestSpec) -> Self {
        self.children.push(NestChild::Nest(nest));
        self
    }
}

impl SectorSpec {
    /// A sector with no flows yet, Leontief inputs and fixed-proportion outputs.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            outputs: OutputSpec {
                elasticity: 0.0,
                items: Vec::new(),
            },
            inputs: NestSpec::new(0.0),
            benchmark_level: 1.0,
            demand_at_output_price: false,
        }
    }

    /// Writes the input demands at the output price instead of the unit cost (E22): the same
    /// equilibria, a sparser Jacobian. See the field of the same name.
    pub fn demand_at_output_price(mut self, on: bool) -> Self {
        self.demand_at_output_price = on;
        self
    }

    /// Sets the activity level at the benchmark (0 for a sector idle in the benchmark).
    pub fn benchmark_level(mut self, level: f64) -> Self {
        self.benchmark_level = level;
        self
    }

    /// Sets the top-level elasticity of substitution of the inputs.
    pub fn elasticity(mut self, sigma: f64) -> Self {
        self.inputs.elasticity = Some(sigma);
        self
    }

    /// Sets the elasticity of transformation of the outputs.
    pub fn transformation(mut self, eta: f64) -> Self {
        self.outputs.elasticity = eta;
        self
    }

    /// Adds an untaxed output.
    pub fn output(self, commodity: impl Into<Name>, quantity: f64) -> Self {
        self.output_flow(Flow::new(commodity, quantity))
    }

    /// Adds an output flow.
    pub fn output_flow(mut self, flow: Flow) -> Self {
        self.outputs.items.push(flow);
        self
    }

    /// Adds an untaxed input to the top nest.
    pub fn input(self, commodity: impl Into<Name>, quantity: f64) -> Self {
        self.input_flow(Flow::new(commodity, quantity))
    }

    /// Adds an input flow to the top nest.
    pub fn input_flow(mut self, flow: Flow) -> Self {
        self.inputs.children.push(NestChild::Flow(flow));
        self
    }

    /// Adds a sub-nest to the top nest.
    pub fn input_nest(mut self, nest: NestSpec) -> Self {
        self.inputs.children.push(NestChild::Nest(nest));
        self
    }
}

impl ConsumerSpec {
    /// A consumer with no endowments and Cobb–Douglas demand over nothing yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            endowments: Vec::new(),
            demand: NestSpec {
                name: None,
                elasticity: None,
                children: Vec::new(),
            },
        }
    }

    /// Adds an endowment.
    pub fn endowment(mut self, commodity: impl Into<String>, quantity: f64) -> Self {
        self.endowments.push(EndowmentSpec {
            commodity: commodity.into(),
            quantity,
            scale: None,
        });
        self
    }

    /// Adds an endowment scaled by intercept + slope·z.
    pub fn scaled_endowment(
        mut self,
        commodity: impl Into<String>,
        quantity: f64,
        scale: Affine,
    ) -> Self {
        self.endowments.push(EndowmentSpec {
            commodity: commodity.into(),
            quantity,
            scale: Some(scale),
        });
        self
    }

    /// Adds an untaxed final demand to the top demand nest.
    pub fn demand(self, commodity: impl Into<Name>, quantity: f64) -> Self {
        self.demand_flow(Flow::new(commodity, quantity))
    }

    /// Adds a final-demand flow to the top demand nest.
    pub fn demand_flow(mut self, flow: Flow) -> Self {
        self.demand.children.push(NestChild::Flow(flow));
        self
    }

    /// Adds a sub-nest to the demand tree.
    pub fn demand_nest(mut self, nest: NestSpec) -> Self {
        self.demand.children.push(NestChild::Nest(nest));
        self
    }

    /// Sets the top-level elasticity of substitution in demand.
    pub fn demand_elasticity(mut self, sigma: f64) -> Self {
        self.demand.elasticity = Some(sigma);
        self
    }
}

impl AuxiliarySpec {
    /// An auxiliary in [0, ∞) with an empty constraint.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            lower: 0.0,
            upper: f64::INFINITY,
            start: None,
            constraint: LinearConstraint {
                terms: Vec::new(),
                constant: 0.0,
            },
        }
    }

    /// Sets the bounds.
    pub fn bounds(mut self, lower: f64, upper: f64) -> Self {
        self.lower = lower;
        self.upper = upper;
        self
    }

    /// Sets the starting value.
    pub fn start(mut self, start: f64) -> Self {
        self.start = Some(start);
        self
    }

    /// Adds a term coef·var to the constraint.
    pub fn term(mut self, var: VarRef, coef: f64) -> Self {
        self.constraint.terms.push(Term { var, coef });
        self
    }

    /// Sets the constraint's constant.
    pub fn constant(mut self, constant: f64) -> Self {
        self.constraint.constant = constant;
        self
    }
}

impl VarRef {
    /// A sector's activity level.
    pub fn activity(name: impl Into<String>) -> Self {
        Self::Activity(name.into())
    }
    /// A commodity's price.
    pub fn price(name: impl Into<String>) -> Self {
        Self::Price(name.into())
    }
    /// A consumer's income.
    pub fn income(name: impl Into<String>) -> Self {
        Self::Income(name.into())
    }
    /// An auxiliary.
    pub fn auxiliary(name: impl Into<String>) -> Self {
        Self::Auxiliary(name.into())
    }
}

/// Wraps a validation error of a model read from a file with the position of the item it
/// names: the last name in backticks in the message (the most specific item), found as the first
/// quoted occurrence in the file's text.
fn locate_in_file(error: CoreError, text: &str, path: &str) -> CoreError {
    let message = error.to_string();
    // Suggested names are not the offending item.
    let message = message.split(" (did you mean").next().unwrap_or_default();
    let named: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let position = named.iter().rev().find_map(|name| {
        let quoted = format!("\"{name}\"");
        text.find(&quoted)
    });
    let (line, column) = match position {
        Some(offset) => {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, column)
        }
        None => (1, 1),
    };
    CoreError::InFile {
        path: path.to_string(),
        line,
        column,
        source: Box::new(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab", 0), (1, 1));
    }

    #[test]
    fn nest_child_errors_say_what_is_wrong() {
        let e = serde_json::from_str::<NestChild>(r#"{"commodity": "A"}"#).unwrap_err();
        assert!(e.to_string().contains("missing `quantity`"), "{e}");
        let e = serde_json::from_str::<NestChild>(
            r#"{"commodity": "A", "quantity": 1, "children": []}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("both"), "{e}");
        let c: NestChild = serde_json::from_str(
            r#"{"elasticity": 2, "children": [{"commodity": "A", "quantity": 1}]}"#,
        )
        .unwrap();
        assert!(matches!(c, NestChild::Nest(n) if n.elasticity == Some(2.0)));
    }

    #[test]
    fn bounds_accept_infinity_strings() {
        let a: AuxiliarySpec =
            serde_json::from_str(r#"{"name": "z", "lower": "-inf", "constraint": {"terms": []}}"#)
                .unwrap();
        assert_eq!(a.lower, f64::NEG_INFINITY);
        assert_eq!(a.upper, f64::INFINITY);
        let back: AuxiliarySpec =
            serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn var_refs_read_as_kind_and_name() {
        let t: Term = serde_json::from_str(r#"{"var": {"price": "PL"}, "coef": -1.5}"#).unwrap();
        assert_eq!(t.var, VarRef::price("PL"));
    }
}
