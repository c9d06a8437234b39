//! Powell's dogleg trust-region method (Powell 1970; the scaled variant of MINPACK's `hybrj`,
//! Moré, Garbow & Hillstrom 1980), with the exact Jacobian at every accepted point.

use crate::engine::{dot, inf_norm, Direction, Engine};
use crate::problem::Problem;
use crate::report::{Method, Solution, SolveError};

/// ‖D v‖₂.
fn scaled_norm(diag: &[f64], v: &[f64]) -> f64 {
    diag.iter()
        .zip(v)
        .map(|(d, x)| (d * x) * (d * x))
        .sum::<f64>()
        .sqrt()
}

/// The dogleg step within ‖D p‖ ≤ Δ, written into `p`. `newton` is the Newton step (if one was
/// found), `g` = Jᵀ F, `jw` scratch of length n.
#[allow(clippy::too_many_arguments)]
fn dogleg_step<P: Problem + ?Sized>(
    engine: &Engine<'_, P>,
    diag: &[f64],
    newton: Option<&[f64]>,
    g: &[f64],
    delta: f64,
    w: &mut [f64],
    jw: &mut [f64],
    p: &mut [f64],
) {
    if let Some(pn) = newton {
        if scaled_norm(diag, pn) <= delta {
            p.copy_from_slice(pn);
            return;
        }
    }
    // Scaled steepest descent w = D⁻² g; Cauchy step −t w with t = gᵀw / ‖J w‖².
    for i in 0..w.len() {
        w[i] = g[i] / (diag[i] * diag[i]);
    }
    engine.jac.mul(w, jw);
    let jw2 = dot(jw, jw);
    let gw = dot(g, w);
    let wnorm = scaled_norm(diag, w);
    let t = if jw2 > 0.0 { gw / jw2 } else { f64::INFINITY };
    let cauchy_norm = t * wnorm;
    let pn = match newton {
        Some(pn) if cauchy_norm < delta => pn,
        _ => {
            // Steepest descent, truncated at the trust-region boundary.
            let s = if wnorm > 0.0 {
                (delta / wnorm).min(t)
            } else {
                0.0
            };
            for i in 0..p.len() {
                p[i] = -s * w[i];
            }
            return;
        }
    };
    // p = p_C + τ (p_N − p_C) with ‖D p‖ = Δ.
    let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
    for i in 0..w.len() {
        let pc = -t * w[i];
        let diff = pn[i] - pc;
        a += (diag[i] * diff).powi(2);
        b += 2.0 * diag[i] * diag[i] * pc * diff;
        c += (diag[i] * pc).powi(2);
    }
    c -= delta * delta;
    let tau = if a > 0.0 {
        (-b + (b * b - 4.0 * a * c).max(0.0).sqrt()) / (2.0 * a)
    } else {
        0.0
    };
    let tau = tau.clamp(0.0, 1.0);
    for i in 0..p.len() {
        let pc = -t * w[i];
        p[i] = pc + tau * (pn[i] - pc);
    }
}

/// Dogleg trust-region solve of F(x) = 0.
pub(crate) fn solve<P: Problem + ?Sized>(
    engine: &mut Engine<'_, P>,
    x0: &[f64],
) -> Result<Solution, SolveError> {
    let n = engine.n;
    let mut x = x0.to_vec();
    let mut f = vec![0.0; n];
    let mut pn = vec![0.0; n];
    let mut p = vec![0.0; n];
    let mut g = vec![0.0; n];
    let mut w = vec![0.0; n];
    let mut jw = vec![0.0; n];
    let mut xt = vec![0.0; n];
    let mut ft = vec![0.0; n];
    let mut diag = vec![0.0f64; n];
    let mut norms = vec![0.0; n];
    engine.start_residual(&x, &mut f)?;
    let mut error = inf_norm(&f);
    engine.history.push(error);
    let mut delta = 0.0;
    let mut need_jacobian = true;
    let mut have_newton = false;
    let termination = loop {
        if let Some(stop) = engine.stop(error) {
            break stop;
        }
        engine.counts.iterations += 1;
        if need_jacobian {
            engine.jacobian(&x)?;
            // MINPACK's scaling: D_j = running maximum of the Jacobian's column norms.
            engine.jac.column_norms(&mut norms);
            for j in 0..n {
                let c = if norms[j] > 0.0 { norms[j] } else { 1.0 };
                diag[j] = diag[j].max(c);
            }
            if delta == 0.0 {
                let dx = scaled_norm(&diag, &x);
                delta = if dx > 0.0 { 100.0 * dx } else { 100.0 };
            }
            have_newton = engine.newton_direction(&f, &mut pn) != Direction::Gradient;
            engine.jac.mul_transpose(&f, &mut g);
            need_jacobian = false;
        }
        let newton = have_newton.then_some(pn.as_slice());
        dogleg_step(engine, &diag, newton, &g, delta, &mut w, &mut jw, &mut p);
        let pnorm = scaled_norm(&diag, &p);
        // Predicted reduction of ‖F‖² by the linear model.
        engine.jac.mul(&p, &mut jw);
        let f2 = dot(&f, &f);
        let model: f64 = f.iter().zip(&jw).map(|(a, b)| (a + b) * (a + b)).sum();
        let predicted = f2 - model;
        for i in 0..n {
            xt[i] = x[i] + p[i];
        }
        let ratio = if engine.trial_residual(&xt, &mut ft) && predicted > 0.0 {
            (f2 - dot(&ft, &ft)) / predicted
        } else {
            -1.0
        };
        if ratio < 0.25 {
            delta = 0.25 * pnorm.min(delta);
        } else if ratio > 0.75 {
            delta = delta.max(2.0 * pnorm);
        }
        if ratio > 1e-4 {
            std::mem::swap(&mut x, &mut xt);
            std::mem::swap(&mut f, &mut ft);
            error = inf_norm(&f);
            engine.history.push(error);
            need_jacobian = true;
        } else if delta <= 1e-15 * (scaled_norm(&diag, &x) + 1e-300) || pnorm == 0.0 {
            break engine.classify_stall(&f, &g);
        }
    };
    engine.finish(Method::Dogleg, termination, &x, &f, error)
}
