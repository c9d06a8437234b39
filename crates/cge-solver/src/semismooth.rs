//! Semismooth Newton for mixed complementarity problems (De Luca, Facchinei & Kanzow 1996;
//! Munson, Facchinei, Ferris, Fischer & Kanzow 2001).
//!
//! The MCP is rewritten as Φ(x) = 0 with the penalized Fischer–Burmeister function of Chen, Chen
//! & Kanzow (2000), φ(a, b) = λ(√(a² + b²) − a − b) − (1 − λ)·a₊b₊ with λ = 0.95, which vanishes
//! exactly when a ≥ 0, b ≥ 0, ab = 0:
//! - lower bound only: Φ_i = φ(x_i − l_i, F_i);
//! - upper bound only: Φ_i = −φ(u_i − x_i, −F_i);
//! - both bounds: Φ_i = φ(x_i − l_i, φ(u_i − x_i, −F_i));
//! - free: Φ_i = −F_i; fixed (l_i = u_i): Φ_i = x_i − l_i.
//!
//! Newton steps use an element H = D_a + D_b J of the generalized Jacobian; the merit ½‖Φ‖² is
//! decreased by a projected, non-monotone Armijo line search, with the steepest-descent direction when the
//! Newton direction is not a sufficient descent direction. Degenerate corners (x_i at a bound
//! with F_i = 0, where φ is not differentiable) slow Fischer–Burmeister down; a full Newton step on
//! the min-map reformulation x − mid(l, u, x − F) — an active-set Newton step — is tried first
//! and kept when it halves the complementarity error.

use crate::engine::{dot, half_sq, inf_norm, Direction, Engine};
use crate::newton::armijo_nonmonotone;
use crate::problem::{Bounds, Problem};
use crate::report::{Method, Solution, SolveError, Termination};

/// The complementarity reformulation whose Newton step is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reformulation {
    FischerBurmeister,
    MinMap,
}

/// Weight λ of the penalized Fischer–Burmeister function (Chen, Chen & Kanzow 2000, who
/// recommend values near 0.95): the penalty term speeds up the global phase, where the plain
/// function is flat in the direction of large F.
const PENALTY_WEIGHT: f64 = 0.95;

/// φ(a, b) = λ(√(a² + b²) − a − b) − (1 − λ)·max(a, 0)·max(b, 0) with its partial derivatives;
/// it vanishes exactly when a ≥ 0, b ≥ 0, ab = 0. At (0, 0), where φ is not differentiable, the
/// element λ(1/√2 − 1)·(1, 1) of the generalized gradient is used.
fn fischer_burmeister(a: f64, b: f64) -> (f64, f64, f64) {
    let lambda = PENALTY_WEIGHT;
    let r = a.hypot(b);
    let (ap, bp) = (a.max(0.0), b.max(0.0));
    let penalty = (1.0 - lambda) * ap * bp;
    if r == 0.0 {
        let c = lambda * (std::f64::consts::FRAC_1_SQRT_2 - 1.0);
        (0.0, c, c)
    } else {
        (
            lambda * (r - a - b) - penalty,
            lambda * (a / r - 1.0) - (1.0 - lambda) * if a > 0.0 { bp } else { 0.0 },
            lambda * (b / r - 1.0) - (1.0 - lambda) * if b > 0.0 { ap } else { 0.0 },
        )
    }
}

/// Writes Φ_i and the derivatives (∂Φ_i/∂x_i, ∂Φ_i/∂F_i) for every i.
fn reformulate(
    kind: Reformulation,
    bounds: &Bounds,
    x: &[f64],
    f: &[f64],
    phi: &mut [f64],
    da: &mut [f64],
    db: &mut [f64],
) {
    for i in 0..x.len() {
        let (l, u) = (bounds.lower[i], bounds.upper[i]);
        let (value, dx, df) = if l == u {
            (x[i] - l, 1.0, 0.0)
        } else {
            match kind {
                Reformulation::FischerBurmeister => match (l.is_finite(), u.is_finite()) {
                    (false, false) => (-f[i], 0.0, -1.0),
                    (true, false) => fischer_burmeister(x[i] - l, f[i]),
                    (false, true) => {
                        let (v, pa, pb) = fischer_burmeister(u - x[i], -f[i]);
                        (-v, pa, pb)
                    }
                    (true, true) => {
                        let (inner, ia, ib) = fischer_burmeister(u - x[i], -f[i]);
                        let (v, oa, ob) = fischer_burmeister(x[i] - l, inner);
                        (v, oa - ob * ia, -ob * ib)
                    }
                },
                Reformulation::MinMap => {
                    let z = x[i] - f[i];
                    if z <= l {
                        (x[i] - l, 1.0, 0.0)
                    } else if z >= u {
                        (x[i] - u, 1.0, 0.0)
                    } else {
                        (f[i], 0.0, 1.0)
                    }
                }
            }
        };
        phi[i] = value;
        da[i] = dx;
        db[i] = df;
    }
}

/// ‖x − mid(l, u, x − F)‖∞: zero exactly at a solution of the MCP.
pub(crate) fn complementarity_error(bounds: &Bounds, x: &[f64], f: &[f64]) -> f64 {
    let mut e = 0.0f64;
    for i in 0..x.len() {
        let mid = (x[i] - f[i]).clamp(bounds.lower[i], bounds.upper[i]);
        e = e.max((x[i] - mid).abs());
    }
    e
}

/// out = s ∘ v.
fn scale(v: &[f64], s: &[f64], out: &mut [f64]) {
    for i in 0..v.len() {
        out[i] = s[i] * v[i];
    }
}

fn project(bounds: &Bounds, x: &mut [f64]) {
    for (i, xi) in x.iter_mut().enumerate() {
        *xi = xi.clamp(bounds.lower[i], bounds.upper[i]);
    }
}

/// Semismooth Newton solve of the MCP (or of F(x) = 0 when there are no finite bounds).
pub(crate) fn solve<P: Problem + ?Sized>(
    engine: &mut Engine<'_, P>,
    x0: &[f64],
) -> Result<Solution, SolveError> {
    let n = engine.n;
    let opts = engine.opts;
    let bounds = engine.bounds.clone().unwrap_or_else(|| Bounds::free(n));
    let mut x = x0.to_vec();
    let mut f = vec![0.0; n];
    let mut phi = vec![0.0; n];
    let mut da = vec![0.0; n];
    let mut db = vec![0.0; n];
    let mut d = vec![0.0; n];
    let mut grad = vec![0.0; n];
    let mut xt = vec![0.0; n];
    let mut ft = vec![0.0; n];
    let mut phit = vec![0.0; n];
    let mut scratch_a = vec![0.0; n];
    let mut scratch_b = vec![0.0; n];
    // Rows of F are rescaled by the inverse of their largest Jacobian entry at the start
    // (which leaves the solution set of the MCP unchanged): a model's equations in money
    // units would otherwise dominate the merit function and the reformulation.
    let mut row_scale = vec![1.0; n];
    let mut sf = vec![0.0; n];
    let mut sft = vec![0.0; n];
    let mut db_scaled = vec![0.0; n];
    engine.start_residual(&x, &mut f)?;
    let mut error = complementarity_error(&bounds, &x, &f);
    engine.history.push(error);
    // Fast local steps are worth trying once full Fischer–Burmeister steps are being accepted.
    let mut try_active_set = false;
    // After a full Newton step, when factorizing is costly, the previous factorization is
    // reused for a chord step (Kelley 1995, §5.4) as long as the merit halves.
    let mut try_chord = false;
    // Merits of the last iterations, for the non-monotone line search.
    let mut recent_merits = [0.0f64; 5];
    let termination = loop {
        if let Some(stop) = engine.stop(error) {
            break stop;
        }
        if crate::engine::stagnated(&engine.history) {
            break Termination::Stalled;
        }
        engine.counts.iterations += 1;
        if try_chord {
            scale(&f, &row_scale, &mut sf);
            reformulate(
                Reformulation::FischerBurmeister,
                &bounds,
                &x,
                &sf,
                &mut phi,
                &mut da,
                &mut db,
            );
            for i in 0..n {
                d[i] = -phi[i];
            }
            engine.solve_factored(&mut d);
            for i in 0..n {
                xt[i] = x[i] + d[i];
            }
            project(&bounds, &mut xt);
            if d.iter().all(|v| v.is_finite()) && engine.trial_residual(&xt, &mut ft) {
                scale(&ft, &row_scale, &mut sft);
                reformulate(
                    Reformulation::FischerBurmeister,
                    &bounds,
                    &xt,
                    &sft,
                    &mut phit,
                    &mut scratch_a,
                    &mut scratch_b,
                );
                if half_sq(&phit) <= 0.25 * half_sq(&phi) {
                    std::mem::swap(&mut x, &mut xt);
                    std::mem::swap(&mut f, &mut ft);
                    std::mem::swap(&mut sf, &mut sft);
                    error = complementarity_error(&bounds, &x, &f);
                    engine.history.push(error);
                    continue;
                }
            }
            try_chord = false;
        }
        engine.jacobian(&x)?;
        if engine.counts.iterations == 1 {
            engine.jac.row_max_abs(&mut row_scale);
            for s in &mut row_scale {
                *s = if *s > 0.0 {
                    (1.0 / *s).clamp(1e-8, 1e8)
                } else {
                    1.0
                };
            }
        }
        scale(&f, &row_scale, &mut sf);

        if try_active_set {
            reformulate(
                Reformulation::MinMap,
                &bounds,
                &x,
                &sf,
                &mut phi,
                &mut da,
                &mut db,
            );
            scale(&db, &row_scale, &mut db_scaled);
            engine.jac.scale_rows_add_diagonal(&db_scaled, &da);
            if engine.newton_direction(&phi, &mut d) != Direction::Gradient {
                for i in 0..n {
                    xt[i] = x[i] + d[i];
                }
                project(&bounds, &mut xt);
                if engine.trial_residual(&xt, &mut ft) {
                    let trial_error = complementarity_error(&bounds, &xt, &ft);
                    if trial_error <= 0.5 * error {
                        std::mem::swap(&mut x, &mut xt);
                        std::mem::swap(&mut f, &mut ft);
                        error = trial_error;
                        engine.history.push(error);
                        continue;
                    }
                }
            }
            // Restore J, which the min-map step overwrote.
            engine.jac.assemble();
        }

        reformulate(
            Reformulation::FischerBurmeister,
            &bounds,
            &x,
            &sf,
            &mut phi,
            &mut da,
            &mut db,
        );
        scale(&db, &row_scale, &mut db_scaled);
        engine.jac.scale_rows_add_diagonal(&db_scaled, &da);
        let direction = engine.newton_direction(&phi, &mut d);
        engine.jac.mul_transpose(&phi, &mut grad);
        // Sufficient descent test of De Luca, Facchinei & Kanzow (1996): ∇Ψᵀd ≤ −ρ‖d‖^p, with
        // ‖d‖ measured relative to max(1, |x_i|) so that the test does not depend on the units
        // of x: a model's incomes in money would otherwise fail it as soon as their Newton steps
        // reach the thousands, leaving only steepest descent (100 × 50 × 5 synthetic world: 10
        // iterations instead of 4).
        let dn = d
            .iter()
            .zip(&x)
            .map(|(v, xi)| (v / xi.abs().max(1.0)).powi(2))
            .sum::<f64>()
            .sqrt();
        if direction == Direction::Gradient || dot(&grad, &d) > -1e-10 * dn.powf(2.1) {
            d.iter_mut().zip(&grad).for_each(|(di, g)| *di = -g);
        }
        let theta0 = half_sq(&phi);
        // Trial points are projected onto the bounds (Munson et al. 2001), so a model never sees
        // a negative price or activity; the merit must fall below the largest of the last few
        // merits (non-monotone rule), which lets the method cross curved valleys of ½‖Φ‖².
        let reference = recent_merits.iter().fold(theta0, |m, &t| m.max(t));
        let accepted = armijo_nonmonotone(reference, theta0, opts.armijo, opts.min_step, |alpha| {
            for i in 0..n {
                xt[i] = x[i] + alpha * d[i];
            }
            project(&bounds, &mut xt);
            if !engine.trial_residual(&xt, &mut ft) {
                return None;
            }
            scale(&ft, &row_scale, &mut sft);
            reformulate(
                Reformulation::FischerBurmeister,
                &bounds,
                &xt,
                &sft,
                &mut phit,
                &mut scratch_a,
                &mut scratch_b,
            );
            let predicted: f64 = (0..n).map(|i| grad[i] * (xt[i] - x[i])).sum();
            Some((half_sq(&phit), predicted))
        });
        match accepted {
            Some((alpha, theta)) => {
                recent_merits[engine.counts.iterations % recent_merits.len()] = theta;
                std::mem::swap(&mut x, &mut xt);
                std::mem::swap(&mut f, &mut ft);
                error = complementarity_error(&bounds, &x, &f);
                engine.history.push(error);
                try_active_set = alpha == 1.0 || error < 1e-6 * (1.0 + engine.history[0]);
                try_chord = alpha == 1.0
                    && direction == Direction::Newton
                    && engine.factorization_is_costly();
            }
            None => {
                // Judge the stall on the merit ½‖Φ‖² itself.
                let termination =
                    if inf_norm(&grad) <= 1e-8 * engine.jac.max_abs() * dot(&phi, &phi).sqrt() {
                        Termination::LocalMinimum
                    } else {
                        Termination::Stalled
                    };
                break termination;
            }
        }
    };
    engine.finish(Method::Semismooth, termination, &x, &f, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fischer_burmeister_vanishes_on_complementarity() {
        assert_eq!(fischer_burmeister(0.0, 3.0).0, 0.0);
        assert_eq!(fischer_burmeister(2.0, 0.0).0, 0.0);
        assert!(fischer_burmeister(1.0, 1.0).0 < 0.0);
        assert!(fischer_burmeister(-1.0, 0.0).0 > 0.0);
    }

    #[test]
    fn reformulation_derivatives_match_differences() {
        let bounds = Bounds {
            lower: vec![0.0, f64::NEG_INFINITY, -1.0, f64::NEG_INFINITY],
            upper: vec![f64::INFINITY, 2.0, 1.5, f64::INFINITY],
        };
        let x = [0.3, 1.2, 0.4, 0.7];
        let f = [0.5, -0.2, 0.9, 1.1];
        let mut phi = [0.0; 4];
        let mut da = [0.0; 4];
        let mut db = [0.0; 4];
        reformulate(
            Reformulation::FischerBurmeister,
            &bounds,
            &x,
            &f,
            &mut phi,
            &mut da,
            &mut db,
        );
        let h = 1e-7;
        for i in 0..4 {
            let (mut xp, mut fp) = (x, f);
            xp[i] += h;
            let (mut p2, mut a2, mut b2) = ([0.0; 4], [0.0; 4], [0.0; 4]);
            reformulate(
                Reformulation::FischerBurmeister,
                &bounds,
                &xp,
                &f,
                &mut p2,
                &mut a2,
                &mut b2,
            );
            approx::assert_abs_diff_eq!((p2[i] - phi[i]) / h, da[i], epsilon = 1e-5);
            fp[i] += h;
            reformulate(
                Reformulation::FischerBurmeister,
                &bounds,
                &x,
                &fp,
                &mut p2,
                &mut a2,
                &mut b2,
            );
            approx::assert_abs_diff_eq!((p2[i] - phi[i]) / h, db[i], epsilon = 1e-5);
        }
    }

    #[test]
    fn complementarity_error_is_zero_at_solutions() {
        let b = Bounds {
            lower: vec![0.0, 0.0, 0.0],
            upper: vec![f64::INFINITY, f64::INFINITY, 1.0],
        };
        // x at lower bound with F ≥ 0; interior with F = 0; at upper bound with F ≤ 0.
        assert_eq!(
            complementarity_error(&b, &[0.0, 2.0, 1.0], &[3.0, 0.0, -4.0]),
            0.0
        );
        assert_eq!(
            complementarity_error(&b, &[0.0, 2.0, 1.0], &[-3.0, 0.0, 0.0]),
            3.0
        );
    }
}
