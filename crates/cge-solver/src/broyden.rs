//! Broyden's "good" quasi-Newton method (Broyden 1965; Nocedal & Wright 2006, §11.1; Kelley 1995,
//! §7.3). The inverse of the approximate Jacobian is kept as the factorized true Jacobian J₀ plus
//! rank-one corrections, H = J₀⁻¹ + Σ u_k v_kᵀ; the Jacobian is evaluated again when a step fails
//! to reduce ‖F‖ or when the memory of corrections is full.

use crate::engine::{dot, inf_norm, two_norm, Direction, Engine};
use crate::newton::armijo;
use crate::problem::Problem;
use crate::report::{Method, Solution, SolveError};

/// The rank-one corrections of the inverse, stored in preallocated rows.
struct InverseUpdates {
    u: Vec<Vec<f64>>,
    v: Vec<Vec<f64>>,
    len: usize,
}

impl InverseUpdates {
    fn new(memory: usize, n: usize) -> Self {
        Self {
            u: vec![vec![0.0; n]; memory],
            v: vec![vec![0.0; n]; memory],
            len: 0,
        }
    }

    fn is_full(&self) -> bool {
        self.len == self.u.len()
    }

    /// out ← out + Σ u_k (v_kᵀ w): the corrections applied to w, added to J₀⁻¹ w in `out`.
    fn add_apply(&self, w: &[f64], out: &mut [f64]) {
        for k in 0..self.len {
            let c = dot(&self.v[k], w);
            out.iter_mut()
                .zip(&self.u[k])
                .for_each(|(o, u)| *o += c * u);
        }
    }

    /// out ← out + Σ v_k (u_kᵀ w): the transposed corrections.
    fn add_apply_transpose(&self, w: &[f64], out: &mut [f64]) {
        for k in 0..self.len {
            let c = dot(&self.u[k], w);
            out.iter_mut()
                .zip(&self.v[k])
                .for_each(|(o, v)| *o += c * v);
        }
    }
}

/// Broyden solve of F(x) = 0.
pub(crate) fn solve<P: Problem + ?Sized>(
    engine: &mut Engine<'_, P>,
    x0: &[f64],
) -> Result<Solution, SolveError> {
    let n = engine.n;
    let opts = engine.opts;
    let mut x = x0.to_vec();
    let mut f = vec![0.0; n];
    let mut d = vec![0.0; n];
    let mut xt = vec![0.0; n];
    let mut ft = vec![0.0; n];
    let mut s = vec![0.0; n];
    let mut y = vec![0.0; n];
    let mut hy = vec![0.0; n];
    let mut hts = vec![0.0; n];
    let mut updates = InverseUpdates::new(opts.broyden_memory, n);
    engine.start_residual(&x, &mut f)?;
    let mut error = inf_norm(&f);
    engine.history.push(error);
    let mut fresh = false;
    let mut direction = Direction::Newton;
    let termination = loop {
        if let Some(stop) = engine.stop(error) {
            break stop;
        }
        engine.counts.iterations += 1;
        if !fresh && (engine.counts.jacobians == 0 || updates.is_full()) {
            engine.jacobian(&x)?;
            direction = engine.newton_direction(&f, &mut d);
            updates.len = 0;
            fresh = true;
        } else {
            // d = −H F = −(J₀⁻¹ F + Σ u_k v_kᵀ F).
            d.copy_from_slice(&f);
            engine.solve_factored(&mut d);
            updates.add_apply(&f, &mut d);
            d.iter_mut().for_each(|v| *v = -*v);
        }
        // Without the current Jacobian the slope of ½‖F‖² is unknown; require the decrease
        // ‖F(x + αd)‖ ≤ (1 − c α)‖F(x)‖ (Kelley 1995, §8.1), written on θ = ½‖F‖².
        let theta0 = 0.5 * dot(&f, &f);
        let accepted = armijo(theta0, opts.armijo, opts.min_step.max(1e-4), |alpha| {
            for i in 0..n {
                xt[i] = x[i] + alpha * d[i];
            }
            engine
                .trial_residual(&xt, &mut ft)
                .then(|| (0.5 * dot(&ft, &ft), -2.0 * alpha * theta0))
        });
        let Some((alpha, _)) = accepted else {
            if fresh {
                // Even the true Jacobian's step failed: no progress is possible from here.
                let mut g = vec![0.0; n];
                engine.jac.mul_transpose(&f, &mut g);
                break engine.classify_stall(&f, &g);
            }
            // Refresh the Jacobian and try again from the same point.
            engine.jacobian(&x)?;
            direction = engine.newton_direction(&f, &mut d);
            updates.len = 0;
            fresh = true;
            engine.counts.iterations -= 1;
            continue;
        };
        // Update H with s = αd, y = F(x+s) − F(x):
        // H⁺ = H + (s − H y) sᵀH / (sᵀ H y).
        for i in 0..n {
            s[i] = alpha * d[i];
            y[i] = ft[i] - f[i];
        }
        hy.copy_from_slice(&y);
        engine.solve_factored(&mut hy);
        updates.add_apply(&y, &mut hy);
        let denom = dot(&s, &hy);
        hts.copy_from_slice(&s);
        engine.solve_factored_transpose(&mut hts);
        updates.add_apply_transpose(&s, &mut hts);
        let usable = direction != Direction::Gradient
            && denom.abs() > 1e-12 * two_norm(&s) * two_norm(&hy)
            && !updates.is_full();
        if usable {
            let k = updates.len;
            for i in 0..n {
                updates.u[k][i] = (s[i] - hy[i]) / denom;
                updates.v[k][i] = hts[i];
            }
            updates.len += 1;
        } else {
            // Force a Jacobian refresh at the next iteration.
            updates.len = updates.u.len();
        }
        std::mem::swap(&mut x, &mut xt);
        std::mem::swap(&mut f, &mut ft);
        error = inf_norm(&f);
        engine.history.push(error);
        fresh = false;
    };
    engine.finish(Method::Broyden, termination, &x, &f, error)
}
