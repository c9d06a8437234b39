//! The reproduction report: every published figure the project sets out to reproduce, its
//! acceptance band, and what has been computed so far.
//!
//! The published values come from World Bank (2006), *Global Economic Prospects 2006*, ch. 2;
//! Pritchett (2006), *Let Their People Come*; Anderson, Martin & van der Mensbrugghe (2006);
//! Walmsley & Winters (2005), *Journal of Economic Integration* 20(4); Clemens (2011), *Journal
//! of Economic Perspectives* 25(3), Table 1, for Hamilton & Whalley (1984) and Iregui (2005);
//! and Rodrik (1994). Each figure's description names its source.
//!
//! [`figures`] computes only the closed forms ([`crate::closed_forms`]); the model figures are
//! filled in by solving their models, the complete-labour-mobility ones by
//! [`fill_complete_mobility`]. A figure whose model is not built yet has `computed: None` and
//! never a placeholder number.

use crate::closed_forms::{harberger_triangle, ClemensExample};
use crate::error::CalibrateError;
use crate::tolerances::{
    CLOSED_FORM_RELATIVE, DEVELOPING_TRADE_BAND, GROUP_SPLIT_BAND, POOR_CITIZENS_BAND,
    TRANSFER_BAND, WORLD_GAIN_BAND,
};

/// What the report knows about a figure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Computed and inside its band.
    Reproduced,
    /// Computed and outside its band.
    OutsideBand,
    /// Not computed yet; `needs` says what is missing.
    NotYetReproduced {
        /// The missing piece, e.g. "the calibrated world model".
        needs: String,
    },
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Reproduced => write!(f, "reproduced"),
            Self::OutsideBand => write!(f, "computed, outside the band"),
            Self::NotYetReproduced { needs } => write!(f, "not yet reproduced: needs {needs}"),
        }
    }
}

/// What a figure still waiting for a model needs.
pub const NEEDS_WORLD_MODEL: &str = "the calibrated world model";

/// One published figure, its acceptance band and the reproduction.
///
/// Serialized with exactly the keys `id, description, unit, published, computed, gap_pct,
/// band_low, band_high, within_band, calibration_target` (null where not computed); the gap,
/// the band verdict and the status are recomputed from `computed` on deserialization, so they
/// cannot disagree.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(from = "FigureRecord", into = "FigureRecord")]
pub struct Figure {
    /// Stable identifier, `<study>.<quantity>`.
    pub id: String,
    /// What the figure measures, with its source.
    pub description: String,
    /// Unit, with the money's base year where there is money.
    pub unit: String,
    /// The published value, `None` where the source gives only a ranking or a range.
    pub published: Option<f64>,
    /// The reproduced value, `None` until its model is built.
    pub computed: Option<f64>,
    /// `(computed − published) / |published|` [%], where both exist.
    pub gap_pct: Option<f64>,
    /// Lower end of the acceptance band [unit of the figure].
    pub band_low: f64,
    /// Upper end of the acceptance band [unit of the figure].
    pub band_high: f64,
    /// Whether `computed` lies in `[band_low, band_high]`, where computed.
    pub within_band: Option<bool>,
    /// Whether a calibration step fits a parameter to this figure (then it is a target, not a
    /// prediction).
    pub calibration_target: bool,
    /// Reproduced, outside the band, or what is still needed.
    pub status: Status,
}

impl Figure {
    /// A figure not computed yet, with the band `[band_low, band_high]`.
    fn pending(
        id: &str,
        description: &str,
        unit: &str,
        published: Option<f64>,
        (band_low, band_high): (f64, f64),
    ) -> Self {
        Self {
            id: id.to_owned(),
            description: description.to_owned(),
            unit: unit.to_owned(),
            published,
            computed: None,
            gap_pct: None,
            band_low,
            band_high,
            within_band: None,
            calibration_target: false,
            status: Status::NotYetReproduced {
                needs: NEEDS_WORLD_MODEL.to_owned(),
            },
        }
    }

    /// Records a computed value and derives the gap, the band verdict and the status.
    pub fn with_computed(mut self, value: f64) -> Self {
        self.computed = Some(value);
        self.refresh();
        self
    }

    fn refresh(&mut self) {
        match self.computed {
            Some(x) => {
                self.gap_pct = self
                    .published
                    .filter(|p| *p != 0.0)
                    .map(|p| 100.0 * (x - p) / p.abs());
                let inside = x >= self.band_low && x <= self.band_high;
                self.within_band = Some(inside);
                self.status = if inside {
                    Status::Reproduced
                } else {
                    Status::OutsideBand
                };
            }
            None => {
                self.gap_pct = None;
                self.within_band = None;
                self.status = Status::NotYetReproduced {
                    needs: NEEDS_WORLD_MODEL.to_owned(),
                };
            }
        }
    }
}

/// The serialized form of a [`Figure`].
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FigureRecord {
    id: String,
    description: String,
    unit: String,
    published: Option<f64>,
    computed: Option<f64>,
    gap_pct: Option<f64>,
    band_low: f64,
    band_high: f64,
    within_band: Option<bool>,
    calibration_target: bool,
}

impl From<FigureRecord> for Figure {
    fn from(r: FigureRecord) -> Self {
        let mut f = Figure {
            id: r.id,
            description: r.description,
            unit: r.unit,
            published: r.published,
            computed: r.computed,
            gap_pct: None,
            band_low: r.band_low,
            band_high: r.band_high,
            within_band: None,
            calibration_target: r.calibration_target,
            status: Status::Reproduced,
        };
        f.refresh();
        f
    }
}

impl From<Figure> for FigureRecord {
    fn from(f: Figure) -> Self {
        FigureRecord {
            id: f.id,
            description: f.description,
            unit: f.unit,
            published: f.published,
            computed: f.computed,
            gap_pct: f.gap_pct,
            band_low: f.band_low,
            band_high: f.band_high,
            within_band: f.within_band,
            calibration_target: f.calibration_target,
        }
    }
}

/// `value × (1 ∓ half_width)`, ordered, so that a negative value keeps its sign inside the
/// band.
fn relative_band(value: f64, half_width: f64) -> (f64, f64) {
    let a = value * (1.0 - half_width);
    let b = value * (1.0 + half_width);
    (a.min(b), a.max(b))
}

/// The interval of numbers that round to `value` at `decimals` decimals.
fn rounding_band(value: f64, decimals: i32) -> (f64, f64) {
    let half = 0.5 * 10f64.powi(-decimals);
    (value - half, value + half)
}

const GEP_UNIT: &str = "US$ bn per year, 2001 prices, in 2025";
const AMVDM_UNIT: &str = "US$ bn per year, 2001 prices, in 2015";
const WORLD_GDP_PCT: &str = "% of world GDP";

/// Every figure of the report, in the order of the issue, with the closed forms computed.
///
/// # Errors
///
/// A [`CalibrateError::InvalidParameter`] from a closed form; none with the published
/// parameters, which the tests evaluate.
pub fn figures() -> Result<Vec<Figure>, CalibrateError> {
    let gep = |id, description, published: f64, half| {
        Figure::pending(
            id,
            description,
            GEP_UNIT,
            Some(published),
            relative_band(published, half),
        )
    };
    let clemens = ClemensExample::published().gain_pct()?;
    let triangle = 100.0 * harberger_triangle(0.10, 0.2, 3.0)?;
    Ok(vec![
        gep(
            "gep2006.world",
            "World real income gain (EV) from 3% more migrants in high-income labour forces, \
             2001-2025 (World Bank 2006, GEP ch. 2)",
            356.0,
            WORLD_GAIN_BAND,
        ),
        gep(
            "gep2006.new_migrants",
            "Gain to the new migrants (World Bank 2006, GEP ch. 2)",
            162.0,
            GROUP_SPLIT_BAND,
        ),
        gep(
            "gep2006.hic_natives",
            "Gain to natives of high-income countries (World Bank 2006, GEP ch. 2)",
            139.0,
            GROUP_SPLIT_BAND,
        ),
        gep(
            "gep2006.earlier_migrants",
            "Gain to earlier migrants, who compete with the new ones (World Bank 2006, GEP \
             ch. 2); negative",
            -88.0,
            GROUP_SPLIT_BAND,
        ),
        gep(
            "gep2006.developing_residents",
            "Gain to residents of developing countries, remittances included (World Bank \
             2006, GEP ch. 2)",
            143.0,
            GROUP_SPLIT_BAND,
        ),
        gep(
            "pritchett.poor_citizens",
            "Gain to citizens of poor countries = new migrants + developing residents \
             (Pritchett 2006, citing World Bank 2006)",
            305.0,
            POOR_CITIZENS_BAND,
        ),
        Figure::pending(
            "amvdm.world",
            "World gain from full merchandise trade liberalization (Anderson, Martin & van \
             der Mensbrugghe 2006)",
            AMVDM_UNIT,
            Some(287.0),
            relative_band(287.0, WORLD_GAIN_BAND),
        ),
        Figure::pending(
            "amvdm.high_income",
            "High-income countries' gain from full merchandise trade liberalization \
             (Anderson, Martin & van der Mensbrugghe 2006)",
            AMVDM_UNIT,
            Some(202.0),
            relative_band(202.0, GROUP_SPLIT_BAND),
        ),
        Figure::pending(
            "amvdm.developing",
            "Developing countries' gain from full merchandise trade liberalization \
             (Anderson, Martin & van der Mensbrugghe 2006; Pritchett's 86)",
            AMVDM_UNIT,
            Some(86.0),
            relative_band(86.0, DEVELOPING_TRADE_BAND),
        ),
        Figure::pending(
            "aid.recipients",
            "Welfare value to recipients of annual official development assistance (face \
             value 70, Pritchett 2006)",
            "US$ bn per year",
            Some(70.0),
            relative_band(70.0, TRANSFER_BAND),
        ),
        Figure::pending(
            "debt_relief.recipients",
            "Welfare value to recipients of annual debt-service savings from debt relief \
             (face value 3, Pritchett 2006)",
            "US$ bn per year",
            Some(3.0),
            relative_band(3.0, TRANSFER_BAND),
        ),
        Figure::pending(
            "pritchett.ratio",
            "Gain to poor citizens from migration / (trade + aid + debt relief) = 305 / \
             (86 + 70 + 3) (Pritchett 2006: \"almost twice\")",
            "ratio",
            Some(1.92),
            (1.6, 2.3),
        ),
        Figure::pending(
            "ww2005.world",
            "World welfare gain from raising skilled and unskilled temporary-worker quotas \
             by 3% of developed countries' labour forces (Walmsley & Winters 2005)",
            "US$ bn per year, 1997 prices, on 1997 data",
            Some(156.0),
            relative_band(156.0, WORLD_GAIN_BAND),
        ),
        Figure::pending(
            "ww2005.unskilled",
            "Share of the unskilled-quota rise in the combined gain of both quota rises; \
             published only as a ranking: unskilled gain more than skilled (Walmsley & \
             Winters 2005)",
            "fraction of the combined gain",
            None,
            (0.5, 1.0),
        ),
        Figure::pending(
            "ww2005.skilled",
            "Share of the skilled-quota rise in the combined gain of both quota rises; \
             published only as a ranking: skilled gain less than unskilled (Walmsley & \
             Winters 2005)",
            "fraction of the combined gain",
            None,
            (0.0, 0.5),
        ),
        Figure::pending(
            "hw1984.full_mobility_pct",
            "World GDP gain from complete labour mobility, 7 regions, 1977 data (Hamilton & \
             Whalley 1984, Clemens' pick; range 60-205 across their cases)",
            WORLD_GDP_PCT,
            Some(147.3),
            (60.0, 205.0),
        ),
        Figure::pending(
            "iregui.segmented_pct",
            "World GDP gain from complete labour mobility with skill-segmented labour \
             (Iregui 2005; published only as the range 15-67 across specifications, 67 with \
             homogeneous labour)",
            WORLD_GDP_PCT,
            None,
            (15.0, 67.0),
        ),
        Figure::pending(
            "clemens.example_pct",
            "Clemens' two-region example: 3 bn of 6 bn poor move, capture 60% of a $25,000 \
             gap, average gain half the marginal (Clemens 2011)",
            WORLD_GDP_PCT,
            Some(37.5),
            relative_band(37.5, CLOSED_FORM_RELATIVE),
        )
        .with_computed(clemens),
        Figure::pending(
            "rodrik.triangle_pct",
            "Harberger triangle of a 10% tariff, imports 20% of GDP, import-demand elasticity \
             3; published to 4 decimals, band = its rounding interval (Rodrik 1994)",
            "% of GDP",
            Some(0.2479),
            rounding_band(0.2479, 4),
        )
        .with_computed(triangle),
    ])
}

/// Fills `hw1984.full_mobility_pct` and `iregui.segmented_pct` with the world GDP gains of the
/// complete-labour-mobility models on 1977 data ([`crate::complete_mobility`]: the central
/// Hamilton & Whalley case and its skill-segmented variant). Both are predictions, not
/// calibration targets.
///
/// # Errors
///
/// [`CalibrateError::Missing`] if `figures` lacks either id; any error of
/// [`crate::complete_mobility::solve`] (none on the shipped data, which the tests solve).
pub fn fill_complete_mobility(figures: &mut [Figure]) -> Result<(), CalibrateError> {
    let homogeneous = crate::complete_mobility::hw1984_full_mobility()?.gain_pct;
    let segmented = crate::complete_mobility::iregui_segmented()?.gain_pct;
    for (id, value) in [
        ("hw1984.full_mobility_pct", homogeneous),
        ("iregui.segmented_pct", segmented),
    ] {
        let figure =
            figures
                .iter_mut()
                .find(|f| f.id == id)
                .ok_or_else(|| CalibrateError::Missing {
                    file: "reproduction report".into(),
                    what: format!("figure `{id}`"),
                })?;
        *figure = figure.clone().with_computed(value);
        figure.calibration_target = false;
    }
    Ok(())
}

/// The number of figures reproduced (computed and inside their band).
pub fn reproduced_count(figures: &[Figure]) -> usize {
    figures
        .iter()
        .filter(|f| f.within_band == Some(true))
        .count()
}

/// The report's last line, "N of M figures reproduced".
pub fn summary_line(figures: &[Figure]) -> String {
    format!(
        "{} of {} figures reproduced",
        reproduced_count(figures),
        figures.len()
    )
}

/// The report as an aligned plain-text table (id, published, computed, gap %, band, within
/// band, target), one line per figure, then [`summary_line`].
pub fn render_table(figures: &[Figure]) -> String {
    let header = [
        "id",
        "published",
        "computed",
        "gap %",
        "band",
        "within band",
        "target",
    ];
    let dash = || "-".to_owned();
    let rows: Vec<[String; 7]> = figures
        .iter()
        .map(|f| {
            [
                f.id.clone(),
                f.published.map_or_else(dash, |x| significant(x, 7)),
                f.computed.map_or_else(dash, |x| significant(x, 7)),
                f.gap_pct.map_or_else(dash, |g| format!("{g:+.4}")),
                format!(
                    "[{}, {}]",
                    significant(f.band_low, 10),
                    significant(f.band_high, 10)
                ),
                f.within_band
                    .map_or_else(dash, |b| if b { "yes" } else { "no" }.to_owned()),
                if f.calibration_target { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let pad = w - cell.chars().count();
            if i == 0 || i == 4 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
            out.push_str("  ");
        }
        out.trim_end().to_owned()
    };
    let mut out = line(&header.map(str::to_owned));
    out.push('\n');
    out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
    out.push('\n');
    for row in &rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out.push_str(&summary_line(figures));
    out.push('\n');
    out
}

/// `x` with `digits` significant digits, trailing zeros dropped.
pub(crate) fn significant(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = digits - 1 - x.abs().log10().floor() as i32;
    let s = format!("{:.*}", decimals.max(0) as usize, x);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    const IDS: [&str; 19] = [
        "gep2006.world",
        "gep2006.new_migrants",
        "gep2006.hic_natives",
        "gep2006.earlier_migrants",
        "gep2006.developing_residents",
        "pritchett.poor_citizens",
        "amvdm.world",
        "amvdm.high_income",
        "amvdm.developing",
        "aid.recipients",
        "debt_relief.recipients",
        "pritchett.ratio",
        "ww2005.world",
        "ww2005.unskilled",
        "ww2005.skilled",
        "hw1984.full_mobility_pct",
        "iregui.segmented_pct",
        "clemens.example_pct",
        "rodrik.triangle_pct",
    ];

    #[test]
    fn ids_are_the_issue_list_in_order() -> Result<(), CalibrateError> {
        let figs = figures()?;
        let ids: Vec<&str> = figs.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, IDS);
        Ok(())
    }

    #[test]
    fn only_closed_forms_are_computed_and_they_are_within_band() -> Result<(), CalibrateError> {
        for f in figures()? {
            assert!(f.band_low <= f.band_high, "{}", f.id);
            if let Some(p) = f.published {
                assert!(f.band_low <= p && p <= f.band_high, "{}", f.id);
            }
            match f.id.as_str() {
                "clemens.example_pct" | "rodrik.triangle_pct" => {
                    assert_eq!(f.within_band, Some(true), "{}", f.id);
                    assert_eq!(f.status, Status::Reproduced);
                }
                _ => {
                    assert_eq!(f.computed, None, "{}", f.id);
                    assert_eq!(f.gap_pct, None);
                    assert_eq!(f.within_band, None);
                    assert_eq!(
                        f.status.to_string(),
                        "not yet reproduced: needs the calibrated world model"
                    );
                }
            }
        }
        Ok(())
    }

    #[test]
    fn closed_form_values_and_gaps() -> Result<(), CalibrateError> {
        let figs = figures()?;
        let get = |id: &str| figs.iter().find(|f| f.id == id);
        let clemens = get("clemens.example_pct").and_then(|f| f.computed);
        assert_relative_eq!(
            clemens.unwrap_or(f64::NAN),
            37.5,
            max_relative = CLOSED_FORM_RELATIVE
        );
        let triangle = get("rodrik.triangle_pct");
        assert_relative_eq!(
            triangle.and_then(|f| f.computed).unwrap_or(f64::NAN),
            30.0 / 121.0,
            max_relative = CLOSED_FORM_RELATIVE
        );
        // 0.247934 vs the rounded 0.2479: +0.0137 %.
        let gap = triangle.and_then(|f| f.gap_pct).unwrap_or(f64::NAN);
        assert_relative_eq!(
            gap,
            100.0 * (30.0 / 121.0 - 0.2479) / 0.2479,
            max_relative = 1e-9
        );
        Ok(())
    }

    #[test]
    fn negative_figures_keep_their_sign_in_the_band() -> Result<(), CalibrateError> {
        let figs = figures()?;
        let f = figs
            .iter()
            .find(|f| f.id == "gep2006.earlier_migrants")
            .ok_or(CalibrateError::Missing {
                file: "report".into(),
                what: "gep2006.earlier_migrants".into(),
            })?;
        assert_relative_eq!(f.band_low, -118.8, max_relative = 1e-12);
        assert_relative_eq!(f.band_high, -57.2, max_relative = 1e-12);
        let wrong_sign = f.clone().with_computed(10.0);
        assert_eq!(wrong_sign.within_band, Some(false));
        assert_eq!(wrong_sign.status, Status::OutsideBand);
        Ok(())
    }

    #[test]
    fn json_round_trip_recomputes_the_derived_fields() -> Result<(), Box<dyn std::error::Error>> {
        let figs = figures()?;
        let json = serde_json::to_string(&figs)?;
        let back: Vec<Figure> = serde_json::from_str(&json)?;
        assert_eq!(back.len(), figs.len());
        // serde_json may read a float back one ulp off; everything else must be identical.
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => approx::relative_eq!(a, b, max_relative = 1e-15),
            (a, b) => a.is_none() && b.is_none(),
        };
        for (b, f) in back.iter().zip(&figs) {
            assert_eq!((&b.id, &b.unit, &b.status), (&f.id, &f.unit, &f.status));
            assert_eq!(b.within_band, f.within_band, "{}", f.id);
            assert!(close(b.published, f.published), "{}", f.id);
            assert!(close(b.computed, f.computed), "{}", f.id);
            assert!(close(b.gap_pct, f.gap_pct), "{}", f.id);
            assert!(close(Some(b.band_low), Some(f.band_low)), "{}", f.id);
            assert!(close(Some(b.band_high), Some(f.band_high)), "{}", f.id);
        }
        Ok(())
    }

    #[test]
    fn table_is_aligned_and_ends_with_the_count() -> Result<(), CalibrateError> {
        let figs = figures()?;
        let table = render_table(&figs);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2 + IDS.len() + 1);
        assert!(lines[0].starts_with("id "));
        assert_eq!(lines.last(), Some(&"2 of 19 figures reproduced"));
        // The "band" column starts at the same character on every line.
        let band_col = lines[0].find("band").unwrap_or(0);
        for line in &lines[2..lines.len() - 1] {
            assert_eq!(line.chars().nth(band_col), Some('['), "{line}");
        }
        Ok(())
    }

    #[test]
    fn complete_mobility_figures_are_filled_within_band() -> Result<(), CalibrateError> {
        let mut figs = figures()?;
        fill_complete_mobility(&mut figs)?;
        let get = |id: &str| figs.iter().find(|f| f.id == id);
        let hw = get("hw1984.full_mobility_pct");
        let iregui = get("iregui.segmented_pct");
        for f in [hw, iregui].into_iter().flatten() {
            assert_eq!(f.within_band, Some(true), "{}", f.id);
            assert_eq!(f.status, Status::Reproduced);
            assert!(!f.calibration_target);
        }
        let hw = hw.and_then(|f| f.computed).unwrap_or(f64::NAN);
        let iregui = iregui.and_then(|f| f.computed).unwrap_or(f64::NAN);
        assert!(iregui < hw, "{iregui} {hw}");
        // The gap to Clemens' pick is reported, not hidden: the central case falls short.
        let gap = get("hw1984.full_mobility_pct").and_then(|f| f.gap_pct);
        assert!(gap.is_some_and(|g| g < 0.0 && g > -50.0), "{gap:?}");
        // Without the figures the call fails and names the one missing.
        let err = fill_complete_mobility(&mut []).unwrap_err();
        assert_eq!(
            err.to_string(),
            "reproduction report: no row for figure `hw1984.full_mobility_pct`"
        );
        Ok(())
    }

    #[test]
    fn significant_digits() {
        assert_eq!(significant(356.0, 7), "356");
        assert_eq!(significant(-118.8, 7), "-118.8");
        assert_eq!(significant(0.24785, 7), "0.24785");
        assert_eq!(significant(30.0 / 121.0, 7), "0.2479339");
        assert_eq!(significant(37.5, 7), "37.5");
        assert_eq!(significant(302.59999999999997, 10), "302.6");
        assert_eq!(significant(37.5 * (1.0 + 1e-9), 10), "37.50000004");
    }
}
