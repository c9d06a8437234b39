//! Parameter sweeps: set one number of a scenario file — named by its dotted path, such as
//! `model.parameters.demand_elasticity` or `counterfactual.home_tariff.shock.0.rate` — to
//! evenly spaced values, run the whole scenario at each, in parallel, and collect tidy rows.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::error::{closest, did_you_mean, Error};
use crate::report::{rows, Row};
use crate::scenario::Scenario;
use crate::study::Study;

/// `steps` evenly spaced values from `from` to `to` (both included; one value for one step).
///
/// # Errors
/// [`Error::Invalid`] for zero steps or non-finite ends.
pub fn grid(from: f64, to: f64, steps: usize) -> Result<Vec<f64>, Error> {
    if steps == 0 || !from.is_finite() || !to.is_finite() {
        return Err(Error::invalid(
            "sweep",
            format!("expected finite --from and --to and at least 1 step, found from {from}, to {to}, {steps} steps"),
        ));
    }
    if steps == 1 {
        return Ok(vec![from]);
    }
    Ok((0..steps)
        .map(|i| from + (to - from) * i as f64 / (steps - 1) as f64)
        .collect())
}

/// Sets the number at dotted `path` of a TOML document. A segment is a key, an array index,
/// or — in an array of tables — the `name` of an element (`counterfactual.home_tariff`).
/// Within a counterfactual, `shock` is the list of its shocks.
///
/// # Errors
/// [`Error::Invalid`] naming the first segment that does not exist, with the closest keys, or
/// a target that is not a number.
pub fn set_path(doc: &mut toml::Table, path: &str, value: f64) -> Result<(), Error> {
    let segments: Vec<&str> = path.split('.').collect();
    let bad = |msg: String| Error::invalid(format!("--param {path}"), msg);
    let mut cur: &mut toml::Value = {
        let first = segments[0];
        if !doc.contains_key(first) {
            let keys: Vec<&str> = doc.keys().map(String::as_str).collect();
            return Err(bad(format!(
                "the scenario has no `{first}`{}; its top-level keys are {}",
                did_you_mean(&closest(first, keys.iter().copied())),
                keys.join(", ")
            )));
        }
        doc.get_mut(first).ok_or_else(|| bad("missing".into()))?
    };
    for seg in &segments[1..] {
        cur = match cur {
            toml::Value::Table(t) => {
                if !t.contains_key(*seg) {
                    let keys: Vec<&str> = t.keys().map(String::as_str).collect();
                    return Err(bad(format!(
                        "no key `{seg}`{}; the keys there are {}",
                        did_you_mean(&closest(seg, keys.iter().copied())),
                        keys.join(", ")
                    )));
                }
                t.get_mut(*seg).ok_or_else(|| bad("missing".into()))?
            }
            toml::Value::Array(a) => {
                let names: Vec<String> = a
                    .iter()
                    .filter_map(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string))
                    .collect();
                let i = match seg.parse::<usize>() {
                    Ok(i) if i < a.len() => i,
                    Ok(i) => {
                        return Err(bad(format!(
                            "index {i} is past the end ({} items)",
                            a.len()
                        )))
                    }
                    Err(_) => names.iter().position(|n| n == seg).ok_or_else(|| {
                        bad(format!(
                            "no element named `{seg}`{}; give an index (0-based) or one of {}",
                            did_you_mean(&closest(seg, names.iter().map(String::as_str))),
                            names.join(", ")
                        ))
                    })?,
                };
                &mut a[i]
            }
            _ => {
                return Err(bad(format!(
                    "`{seg}` is inside a value that is not a table or a list"
                )))
            }
        };
    }
    match cur {
        toml::Value::Float(_) | toml::Value::Integer(_) => {
            *cur = toml::Value::Float(value);
            Ok(())
        }
        other => Err(bad(format!(
            "expected a number there, found {}",
            other.type_str()
        ))),
    }
}

/// The scenario with the number at `path` set to `value`.
///
/// # Errors
/// As [`set_path`] and [`Scenario::parse`].
pub fn override_scenario(
    text: &str,
    file: &str,
    path: &str,
    value: f64,
) -> Result<Scenario, Error> {
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| {
        Error::at(
            file,
            text,
            e.span().unwrap_or(0..0),
            crate::error::humanize(e.message()),
        )
    })?;
    set_path(&mut doc, path, value)?;
    let edited = toml::to_string(&doc).map_err(|e| Error::invalid("sweep", e.to_string()))?;
    Scenario::parse(&edited, &format!("{file} with {path} = {value}"))
}

/// A sweep's outcome at one value: the rows, or the error of that point.
pub type Point = (f64, Result<Vec<Row>, Error>);

/// Runs the scenario read from `text` at each value of the parameter, in parallel, calling
/// `progress(done, total)` after each point; `only`, when not empty, keeps the named
/// counterfactuals. Model files named in the scenario are resolved
/// against `base_dir`.
///
/// # Errors
/// A path or scenario error is returned before any solve; failures at single points are
/// reported in their [`Point`].
pub fn run(
    text: &str,
    file: &str,
    base_dir: &std::path::Path,
    path: &str,
    values: &[f64],
    only: &[String],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<Point>, Error> {
    // Fail early, once, on a bad path.
    override_scenario(text, file, path, values.first().copied().unwrap_or(0.0))?;
    let done = AtomicUsize::new(0);
    let total = values.len();
    let points = values
        .par_iter()
        .map(|&v| {
            let result = (|| {
                let mut scenario = override_scenario(text, file, path, v)?;
                if !only.is_empty() {
                    scenario.counterfactuals.retain(|c| only.contains(&c.name));
                }
                if let crate::scenario::ModelSource::File(f) = &mut scenario.model {
                    if f.is_relative() {
                        *f = base_dir.join(&*f);
                    }
                }
                let study = Study::new(scenario)?;
                let mut out = Vec::new();
                for cf in &study.scenario().counterfactuals {
                    let outcome = study.run(cf)?;
                    for mut r in rows(&outcome, &study.scenario().report) {
                        r.parameter = Some(path.to_string());
                        r.parameter_value = Some(v);
                        out.push(r);
                    }
                }
                Ok(out)
            })();
            progress(done.fetch_add(1, Ordering::SeqCst) + 1, total);
            (v, result)
        })
        .collect();
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_includes_both_ends() {
        assert_eq!(grid(0.0, 1.0, 3).unwrap(), [0.0, 0.5, 1.0]);
        assert_eq!(grid(2.0, 5.0, 1).unwrap(), [2.0]);
        assert!(grid(0.0, 1.0, 0).is_err());
    }

    #[test]
    fn paths_reach_named_elements() {
        let mut doc: toml::Table = toml::from_str(
            "[model.parameters]\nsigma = 1\n[[counterfactual]]\nname = \"a\"\nshock = [{ type = \"t\", rate = 0.1 }]\n",
        )
        .unwrap();
        set_path(&mut doc, "counterfactual.a.shock.0.rate", 0.4).unwrap();
        set_path(&mut doc, "model.parameters.sigma", 2.0).unwrap();
        assert_eq!(
            doc["counterfactual"][0]["shock"][0]["rate"].as_float(),
            Some(0.4)
        );
        let e = set_path(&mut doc, "model.parameters.sigm", 2.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `sigma`"), "{e}");
        let e = set_path(&mut doc, "counterfactual.a.name", 2.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a number"), "{e}");
    }
}
