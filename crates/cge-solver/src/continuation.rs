//! Continuation in a scalar shock parameter: solve F(x; t) = 0 for t from 0 to 1, predicting
//! each point by secant extrapolation from the last two and correcting with the solver; a step
//! that fails is halved (Allgower & Georg 2003, ch. 2, the simplest predictor–corrector scheme).

use crate::problem::Problem;
use crate::report::{Solution, SolveError};
use crate::Solver;

/// A family of problems F(x; t), t ∈ [0, 1]: t = 0 is a problem whose solution is known or easy
/// (for an economic model, the benchmark), t = 1 the target (the full shock).
pub trait Homotopy: Problem {
    /// Moves the family to parameter t.
    fn set_parameter(&mut self, t: f64);
}

/// Smallest parameter step before continuation gives up.
const MIN_STEP: f64 = 1e-6;

impl Solver {
    /// Solves the homotopy at t = 1 by continuation from t = 0, starting at `x0`. The first try is
    /// the full step; each failed step is halved, each success lets the next step double.
    /// The solution's diagnostics are those of the last corrector, with the parameter values
    /// solved along the way in [`crate::Diagnostics::continuation`].
    ///
    /// # Errors
    /// The solver's input errors; [`SolveError::NotConverged`] from the last failed corrector
    /// when the step falls below 10⁻⁶.
    pub fn solve_continuation<H: Homotopy + ?Sized>(
        &self,
        homotopy: &mut H,
        x0: &[f64],
    ) -> Result<Solution, SolveError> {
        homotopy.set_parameter(0.0);
        let first = self.solve(&*homotopy, x0)?;
        let mut path = vec![0.0];
        let bounds = homotopy.bounds();
        let (mut t, mut x) = (0.0, first.x);
        let mut previous: Option<(f64, Vec<f64>)> = None;
        let mut step = 1.0f64;
        loop {
            let t_next = (t + step).min(1.0);
            let mut guess = x.clone();
            if let Some((t_prev, x_prev)) = &previous {
                let ratio = (t_next - t) / (t - t_prev);
                for i in 0..guess.len() {
                    guess[i] += ratio * (x[i] - x_prev[i]);
                }
                if let Some(b) = &bounds {
                    for i in 0..guess.len() {
                        guess[i] = guess[i].clamp(b.lower[i], b.upper[i]);
                    }
                }
            }
            homotopy.set_parameter(t_next);
            match self.solve(&*homotopy, &guess) {
                Ok(mut solution) => {
                    path.push(t_next);
                    if t_next >= 1.0 {
                        solution.diagnostics.continuation = path;
                        return Ok(solution);
                    }
                    previous = Some((t, std::mem::replace(&mut x, solution.x)));
                    t = t_next;
                    step = (2.0 * step).min(1.0 - t);
                }
                Err(SolveError::NotConverged {
                    mut diagnostics,
                    last_x,
                }) => {
                    step *= 0.5;
                    if step < MIN_STEP {
                        path.push(t_next);
                        diagnostics.continuation = path;
                        return Err(SolveError::NotConverged {
                            diagnostics,
                            last_x,
                        });
                    }
                }
                Err(other) => return Err(other),
            }
        }
    }
}
