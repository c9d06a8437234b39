//! Newton–Raphson with an Armijo backtracking line search on θ(x) = ½‖F(x)‖²
//! (Nocedal & Wright 2006, Algorithm 11.4 with §3.5's safeguarded quadratic interpolation).

use crate::engine::{dot, half_sq, inf_norm, Direction, Engine};
use crate::problem::Problem;
use crate::report::{Method, Solution, SolveError};

/// Backtracking from α = 1. `trial(α)` evaluates the merit at the trial point and returns
/// `(θ(α), m(α))` with m(α) the change predicted by the linear model (negative for a descent
/// step), or `None` if the point was rejected. Accepts the first α with
/// θ(α) ≤ θ₀ + c·m(α); shortens α by safeguarded quadratic interpolation, halving after a
/// rejection. Returns the accepted `(α, θ(α))`.
pub(crate) fn armijo(
    theta0: f64,
    c: f64,
    min_step: f64,
    trial: impl FnMut(f64) -> Option<(f64, f64)>,
) -> Option<(f64, f64)> {
    armijo_nonmonotone(theta0, theta0, c, min_step, trial)
}

/// [`armijo`] against a reference merit θ_ref ≥ θ₀ (the largest of the last few merits): the
/// non-monotone rule of Grippo, Lampariello & Lucidi (1986), accepting
/// θ(α) ≤ θ_ref + c·m(α).
pub(crate) fn armijo_nonmonotone(
    theta_ref: f64,
    theta0: f64,
    c: f64,
    min_step: f64,
    mut trial: impl FnMut(f64) -> Option<(f64, f64)>,
) -> Option<(f64, f64)> {
    let mut alpha = 1.0;
    while alpha >= min_step {
        match trial(alpha) {
            None => alpha *= 0.5,
            Some((theta, predicted)) if theta <= theta_ref + c * predicted => {
                return Some((alpha, theta))
            }
            Some((theta, predicted)) => {
                // Minimizer of the quadratic through θ₀, slope m/α and θ(α).
                let slope = predicted / alpha;
                let curvature = 2.0 * (theta - theta0 - slope * alpha);
                let next = if curvature > 0.0 && slope < 0.0 {
                    -slope * alpha * alpha / curvature
                } else {
                    0.5 * alpha
                };
                alpha = next.clamp(0.1 * alpha, 0.5 * alpha);
            }
        }
    }
    None
}

/// Newton's method with line search for F(x) = 0.
pub(crate) fn solve<P: Problem + ?Sized>(
    engine: &mut Engine<'_, P>,
    x0: &[f64],
) -> Result<Solution, SolveError> {
    let n = engine.n;
    let mut x = x0.to_vec();
    let mut f = vec![0.0; n];
    let mut d = vec![0.0; n];
    let mut g = vec![0.0; n];
    let mut xt = vec![0.0; n];
    let mut ft = vec![0.0; n];
    engine.start_residual(&x, &mut f)?;
    let opts = engine.opts;
    let mut error = inf_norm(&f);
    engine.history.push(error);
    let mut reuse_factorization = false;
    let termination = loop {
        if let Some(stop) = engine.stop(error) {
            break stop;
        }
        engine.counts.iterations += 1;
        if reuse_factorization {
            // Chord step with the previous factorization (Shamanskii's variant of Newton,
            // Kelley 1995 §5.4.3), kept only if it halves the residual.
            for i in 0..n {
                d[i] = -f[i];
            }
            engine.solve_factored(&mut d);
            for i in 0..n {
                xt[i] = x[i] + d[i];
            }
            if engine.trial_residual(&xt, &mut ft) && inf_norm(&ft) <= 0.5 * error {
                std::mem::swap(&mut x, &mut xt);
                std::mem::swap(&mut f, &mut ft);
                error = inf_norm(&f);
                engine.history.push(error);
                continue;
            }
        }
        engine.jacobian(&x)?;
        let direction = engine.newton_direction(&f, &mut d);
        // g = Jᵀ F is the gradient of θ; a regularized step may fail to descend.
        engine.jac.mul_transpose(&f, &mut g);
        let mut slope = dot(&g, &d);
        if direction != Direction::Newton && slope >= 0.0 {
            engine.gradient_direction(&f, &mut d);
            slope = dot(&g, &d);
        }
        let theta0 = half_sq(&f);
        let accepted = armijo(theta0, opts.armijo, opts.min_step, |alpha| {
            for i in 0..n {
                xt[i] = x[i] + alpha * d[i];
            }
            engine
                .trial_residual(&xt, &mut ft)
                .then(|| (half_sq(&ft), alpha * slope))
        });
        match accepted {
            Some((alpha, _)) => {
                reuse_factorization = engine.factorization_is_costly()
                    && direction == Direction::Newton
                    && alpha == 1.0;
                std::mem::swap(&mut x, &mut xt);
                std::mem::swap(&mut f, &mut ft);
                error = inf_norm(&f);
                engine.history.push(error);
            }
            None => break engine.classify_stall(&f, &g),
        }
    };
    engine.finish(Method::NewtonLineSearch, termination, &x, &f, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armijo_accepts_full_step_on_a_quadratic() {
        // θ(α) = ½(1 − α)², slope −1: the full step is exact.
        let r = armijo(0.5, 1e-4, 1e-12, |a| {
            Some((0.5 * (1.0 - a) * (1.0 - a), -a))
        });
        assert_eq!(r, Some((1.0, 0.0)));
    }

    #[test]
    fn armijo_backtracks_after_rejection_and_gives_up() {
        let r = armijo(0.5, 1e-4, 1e-12, |a| {
            (a < 0.3).then(|| (0.5 * (1.0 - a) * (1.0 - a), -a))
        });
        let (alpha, _) = r.unwrap();
        assert!(alpha < 0.3 && alpha > 0.1);
        assert_eq!(armijo(0.5, 1e-4, 1e-12, |_| None), None);
        assert_eq!(armijo(0.5, 1e-4, 1e-12, |a| Some((1.0, -a))), None);
    }
}
