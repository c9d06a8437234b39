//! Closed-form figures from the literature, reproduced exactly from their parameters.
//!
//! These need no model solve: Clemens' (2011) two-region example of the gain from labour
//! mobility, the Harberger triangle of a tariff and Rodrik's (1994) political cost-benefit
//! ratio of trade reform. Each function validates its parameters and returns
//! [`CalibrateError::InvalidParameter`] instead of a NaN.

use crate::error::CalibrateError;

/// Parameters of Clemens' back-of-envelope two-region example of the world gain from
/// emigration.
///
/// Source: Clemens, M. A. (2011), "Economics and emigration: trillion-dollar bills on the
/// sidewalk?", *Journal of Economic Perspectives* 25(3): 83–106. With the published values
/// ([`ClemensExample::published`]) the gain is US$22.5 tn, 37.5% of a US$60 tn world GDP.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClemensExample {
    /// Population of the rich region \[persons\].
    pub rich_population: f64,
    /// Income per person in the rich region [US$ per year].
    pub rich_income: f64,
    /// Population of the poor region \[persons\].
    pub poor_population: f64,
    /// Income per person in the poor region [US$ per year].
    pub poor_income: f64,
    /// Share of the income gap that a migrant captures by moving \[fraction\].
    pub capture_share: f64,
    /// Share of the poor region's population that moves \[fraction\].
    pub movers_share: f64,
}

impl ClemensExample {
    /// Clemens' published values: 1 bn people at US$30,000, 6 bn at US$5,000, a migrant
    /// captures 60% of the gap, half of the poor region moves.
    pub fn published() -> Self {
        Self {
            rich_population: 1e9,
            rich_income: 30_000.0,
            poor_population: 6e9,
            poor_income: 5_000.0,
            capture_share: 0.6,
            movers_share: 0.5,
        }
    }

    /// Checks every parameter's domain.
    ///
    /// # Errors
    ///
    /// [`CalibrateError::InvalidParameter`] for a population or income that is not finite and
    /// positive, a rich income below the poor one, or a share outside [0, 1].
    pub fn validate(&self) -> Result<(), CalibrateError> {
        for (name, value) in [
            ("rich_population", self.rich_population),
            ("rich_income", self.rich_income),
            ("poor_population", self.poor_population),
            ("poor_income", self.poor_income),
        ] {
            positive(name, value)?;
        }
        if self.rich_income < self.poor_income {
            return Err(CalibrateError::InvalidParameter {
                name: "rich_income",
                value: self.rich_income,
                expected: "at least poor_income",
            });
        }
        fraction("capture_share", self.capture_share)?;
        fraction("movers_share", self.movers_share)?;
        Ok(())
    }

    /// World GDP before anyone moves [US$ per year]: Σ population × income.
    ///
    /// # Errors
    ///
    /// As [`ClemensExample::validate`].
    pub fn world_gdp(&self) -> Result<f64, CalibrateError> {
        self.validate()?;
        Ok(self.rich_population * self.rich_income + self.poor_population * self.poor_income)
    }

    /// World GDP gain from the move [US$ per year].
    ///
    /// The first migrant gains the captured share of the gap, `capture_share × (rich_income −
    /// poor_income)`; as migration closes the gap linearly the last one gains nothing, so the
    /// average mover gains half the marginal gain (Clemens: US$7,500 of US$15,000). The gain
    /// is `movers_share × poor_population × ½ × capture_share × (rich_income − poor_income)`.
    ///
    /// # Errors
    ///
    /// As [`ClemensExample::validate`].
    pub fn gain(&self) -> Result<f64, CalibrateError> {
        self.validate()?;
        let marginal = self.capture_share * (self.rich_income - self.poor_income);
        let average = 0.5 * marginal;
        Ok(self.movers_share * self.poor_population * average)
    }

    /// World GDP gain as a share of the initial world GDP [%]; 37.5 with the published
    /// values.
    ///
    /// # Errors
    ///
    /// As [`ClemensExample::validate`].
    pub fn gain_pct(&self) -> Result<f64, CalibrateError> {
        Ok(100.0 * self.gain()? / self.world_gdp()?)
    }
}

/// The Harberger triangle: efficiency gain from removing an import tariff, as a share of GDP
/// \[fraction\].
///
/// `G = ½ · [t/(1+t)]² · m · ε`. Removing the tariff lowers the domestic price of imports by
/// the fraction `t/(1+t)`; imports rise by the fraction `ε · t/(1+t)`; the triangle is half
/// the product of the two changes times the value of imports, `m` of GDP at domestic prices.
/// Source: Rodrik, D. (1994), "The rush to free trade in the developing world: why so late?
/// why now? will it last?", in Haggard & Webb (eds.), *Voting for Reform*; the example
/// `t = 0.10, m = 0.2, ε = 3` gives 0.2479% of GDP (exactly 30/121 %).
///
/// `tariff` is the ad valorem rate `t` \[fraction\], `import_share` the ratio `m` of imports to
/// GDP \[fraction\], `elasticity` the import-demand elasticity `ε` (a positive magnitude).
///
/// # Errors
///
/// [`CalibrateError::InvalidParameter`] for a negative or non-finite `t`, `m` outside [0, 1]
/// or a negative or non-finite `ε`.
pub fn harberger_triangle(
    tariff: f64,
    import_share: f64,
    elasticity: f64,
) -> Result<f64, CalibrateError> {
    non_negative("tariff", tariff)?;
    fraction("import_share", import_share)?;
    non_negative("elasticity", elasticity)?;
    let price_fall = tariff / (1.0 + tariff);
    Ok(0.5 * price_fall * price_fall * import_share * elasticity)
}

/// Income redistributed by removing an import tariff, as a share of GDP \[fraction\]:
/// `R = t/(1+t) · m`.
///
/// The first-order transfer is the fall in the domestic price of imports, the fraction
/// `t/(1+t)`, times the value of imports `m` (the rectangle next to the Harberger triangle:
/// lost tariff revenue and the rent of import-competing producers passed to buyers). This is
/// the redistribution measure that makes Rodrik's ratio scale like `2/(ε·t)`; see
/// [`political_cost_benefit_ratio`].
///
/// # Errors
///
/// [`CalibrateError::InvalidParameter`] for a negative or non-finite `t` or `m` outside
/// [0, 1].
pub fn redistribution(tariff: f64, import_share: f64) -> Result<f64, CalibrateError> {
    non_negative("tariff", tariff)?;
    fraction("import_share", import_share)?;
    Ok(tariff / (1.0 + tariff) * import_share)
}

/// Rodrik's political cost-benefit ratio: income redistributed per dollar of efficiency gain
/// when an import tariff `t` is removed \[ratio\].
///
/// Derivation (the concept is Rodrik's, 1994; the formula is a reconstruction, firmness B in
/// the reference table): with `R = t/(1+t) · m` ([`redistribution`]) and the Harberger
/// triangle `G = ½ · [t/(1+t)]² · m · ε` ([`harberger_triangle`]), the import share cancels
/// and
///
/// `R / G = 2 / (ε · t/(1+t)) = 2 (1+t) / (ε t)`,
///
/// which tends to `2/(ε·t)` ([`political_cost_benefit_ratio_approx`]) as `t → 0`; the exact
/// ratio is `(1+t)` times the approximation. It falls with `t` (derivative `−2/(ε t²)`):
/// redistribution is about linear in the tariff and the gain quadratic, so small reforms
/// move a lot of income per dollar of gain. With `ε = 1`: about 50 for `t = 0.04` (Rodrik's
/// US figure) and about 5 to 7 for `t = 0.4`.
///
/// # Errors
///
/// [`CalibrateError::InvalidParameter`] for `t` or `ε` that is not finite and positive (the
/// ratio is 0/0 at `t = 0` and infinite at `ε = 0`).
pub fn political_cost_benefit_ratio(tariff: f64, elasticity: f64) -> Result<f64, CalibrateError> {
    positive("tariff", tariff)?;
    positive("elasticity", elasticity)?;
    // Any import share gives the same ratio; 1 keeps both terms away from underflow.
    Ok(redistribution(tariff, 1.0)? / harberger_triangle(tariff, 1.0, elasticity)?)
}

/// The small-tariff approximation of the political cost-benefit ratio, `2/(ε·t)` \[ratio\].
///
/// # Errors
///
/// [`CalibrateError::InvalidParameter`] for `t` or `ε` that is not finite and positive.
pub fn political_cost_benefit_ratio_approx(
    tariff: f64,
    elasticity: f64,
) -> Result<f64, CalibrateError> {
    positive("tariff", tariff)?;
    positive("elasticity", elasticity)?;
    Ok(2.0 / (elasticity * tariff))
}

fn positive(name: &'static str, value: f64) -> Result<f64, CalibrateError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(CalibrateError::InvalidParameter {
            name,
            value,
            expected: "a finite number > 0",
        })
    }
}

fn non_negative(name: &'static str, value: f64) -> Result<f64, CalibrateError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(CalibrateError::InvalidParameter {
            name,
            value,
            expected: "a finite number >= 0",
        })
    }
}

fn fraction(name: &'static str, value: f64) -> Result<f64, CalibrateError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(CalibrateError::InvalidParameter {
            name,
            value,
            expected: "a fraction in [0, 1]",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tolerances::CLOSED_FORM_RELATIVE;
    use approx::assert_relative_eq;

    #[test]
    fn clemens_published_example_is_37_5_percent() -> Result<(), CalibrateError> {
        let ex = ClemensExample::published();
        assert_relative_eq!(ex.world_gdp()?, 60e12, max_relative = CLOSED_FORM_RELATIVE);
        assert_relative_eq!(ex.gain()?, 22.5e12, max_relative = CLOSED_FORM_RELATIVE);
        assert_relative_eq!(ex.gain_pct()?, 37.5, max_relative = CLOSED_FORM_RELATIVE);
        Ok(())
    }

    #[test]
    fn clemens_example_responds_to_its_parameters() -> Result<(), CalibrateError> {
        let base = ClemensExample::published();
        let pct = |ex: ClemensExample| ex.gain_pct();
        // Linear in the capture and mover shares.
        let more_capture = ClemensExample {
            capture_share: 0.8,
            ..base
        };
        assert_relative_eq!(
            pct(more_capture)?,
            50.0,
            max_relative = CLOSED_FORM_RELATIVE
        );
        let fewer_movers = ClemensExample {
            movers_share: 0.25,
            ..base
        };
        assert_relative_eq!(
            pct(fewer_movers)?,
            18.75,
            max_relative = CLOSED_FORM_RELATIVE
        );
        // A richer rich region: gap 35,000, world GDP 70 tn, gain 3e9 × 10,500 = 31.5 tn.
        let richer = ClemensExample {
            rich_income: 40_000.0,
            ..base
        };
        assert_relative_eq!(pct(richer)?, 45.0, max_relative = CLOSED_FORM_RELATIVE);
        // No gap, no gain.
        let equal = ClemensExample {
            rich_income: 5_000.0,
            ..base
        };
        approx::assert_abs_diff_eq!(equal.gain()?, 0.0);
        Ok(())
    }

    #[test]
    fn clemens_rejects_bad_parameters() {
        let base = ClemensExample::published();
        let err = ClemensExample {
            capture_share: 1.2,
            ..base
        }
        .gain_pct()
        .unwrap_err();
        assert_eq!(
            err,
            CalibrateError::InvalidParameter {
                name: "capture_share",
                value: 1.2,
                expected: "a fraction in [0, 1]"
            }
        );
        assert_eq!(
            err.to_string(),
            "parameter `capture_share` = 1.2: expected a fraction in [0, 1]"
        );
        let err = ClemensExample {
            poor_population: -6e9,
            ..base
        }
        .gain()
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "parameter `poor_population` = -6000000000: expected a finite number > 0"
        );
        let err = ClemensExample {
            rich_income: 4_000.0,
            ..base
        }
        .world_gdp()
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "parameter `rich_income` = 4000: expected at least poor_income"
        );
    }

    #[test]
    fn harberger_example_is_30_over_121_percent() -> Result<(), CalibrateError> {
        let pct = 100.0 * harberger_triangle(0.1, 0.2, 3.0)?;
        assert_relative_eq!(pct, 30.0 / 121.0, max_relative = CLOSED_FORM_RELATIVE);
        // The published 0.2479 is the exact value rounded to four decimals.
        assert_relative_eq!((pct * 1e4).round() / 1e4, 0.2479, max_relative = 1e-12);
        Ok(())
    }

    #[test]
    fn harberger_triangle_is_quadratic_in_small_tariffs() -> Result<(), CalibrateError> {
        let small = harberger_triangle(1e-4, 0.2, 3.0)?;
        let double = harberger_triangle(2e-4, 0.2, 3.0)?;
        assert_relative_eq!(double / small, 4.0, max_relative = 1e-3);
        approx::assert_abs_diff_eq!(harberger_triangle(0.0, 0.2, 3.0)?, 0.0);
        Ok(())
    }

    #[test]
    fn harberger_rejects_bad_parameters() {
        let err = harberger_triangle(-0.1, 0.2, 3.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "parameter `tariff` = -0.1: expected a finite number >= 0"
        );
        let err = harberger_triangle(0.1, f64::NAN, 3.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "parameter `import_share` = NaN: expected a fraction in [0, 1]"
        );
        let err = harberger_triangle(0.1, 0.2, f64::INFINITY).unwrap_err();
        assert_eq!(
            err.to_string(),
            "parameter `elasticity` = inf: expected a finite number >= 0"
        );
    }

    #[test]
    fn cost_benefit_ratio_is_the_ratio_of_the_exact_expressions() -> Result<(), CalibrateError> {
        for (t, m, eps) in [(0.1, 0.2, 3.0), (0.04, 0.1, 1.0), (0.4, 0.3, 1.5)] {
            let direct = redistribution(t, m)? / harberger_triangle(t, m, eps)?;
            let ratio = political_cost_benefit_ratio(t, eps)?;
            assert_relative_eq!(ratio, direct, max_relative = CLOSED_FORM_RELATIVE);
            assert_relative_eq!(
                ratio,
                2.0 * (1.0 + t) / (eps * t),
                max_relative = CLOSED_FORM_RELATIVE
            );
        }
        // Rodrik's orders of magnitude: about 50 for the US (t ≈ 4%, ε ≈ 1).
        assert_relative_eq!(
            political_cost_benefit_ratio(0.04, 1.0)?,
            52.0,
            max_relative = 1e-9
        );
        Ok(())
    }

    #[test]
    fn cost_benefit_approximation_holds_for_small_tariffs() -> Result<(), CalibrateError> {
        // exact / approx = 1 + t, so the relative gap is t itself.
        for t in [1e-6, 1e-4, 1e-2] {
            let exact = political_cost_benefit_ratio(t, 2.0)?;
            let approx = political_cost_benefit_ratio_approx(t, 2.0)?;
            assert_relative_eq!(exact / approx - 1.0, t, max_relative = 1e-6);
            assert!((exact - approx).abs() / exact <= t);
        }
        Ok(())
    }

    #[test]
    fn cost_benefit_ratio_falls_with_the_tariff() -> Result<(), CalibrateError> {
        let tariffs = [0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0];
        let ratios = tariffs
            .iter()
            .map(|&t| political_cost_benefit_ratio(t, 1.5))
            .collect::<Result<Vec<_>, _>>()?;
        assert!(ratios.windows(2).all(|w| w[1] < w[0]), "{ratios:?}");
        Ok(())
    }

    #[test]
    fn cost_benefit_ratio_rejects_zero_tariff_and_elasticity() {
        let err = political_cost_benefit_ratio(0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "parameter `tariff` = 0: expected a finite number > 0"
        );
        let err = political_cost_benefit_ratio_approx(0.1, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "parameter `elasticity` = 0: expected a finite number > 0"
        );
        let err = redistribution(0.1, 2.0).unwrap_err();
        assert!(matches!(
            err,
            CalibrateError::InvalidParameter {
                name: "import_share",
                ..
            }
        ));
    }
}
