//! End-to-end checks of the reproduction report as the example prints it.

use cge_calibrate::reproduce::{figures, render_table, Figure};

const KEYS: [&str; 10] = [
    "id",
    "description",
    "unit",
    "published",
    "computed",
    "gap_pct",
    "band_low",
    "band_high",
    "within_band",
    "calibration_target",
];

#[test]
fn json_has_exactly_the_report_keys() -> Result<(), Box<dyn std::error::Error>> {
    let value = serde_json::to_value(figures()?)?;
    let array = value.as_array().ok_or("the report is not a JSON array")?;
    assert_eq!(array.len(), 19);
    for item in array {
        let object = item.as_object().ok_or("a figure is not a JSON object")?;
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        let mut expected = KEYS.to_vec();
        keys.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys, expected);
        // Null where not computed, never a placeholder number.
        if object["computed"].is_null() {
            assert!(object["gap_pct"].is_null());
            assert!(object["within_band"].is_null());
        }
    }
    Ok(())
}

#[test]
fn closed_forms_are_within_band_and_nothing_else_is_computed(
) -> Result<(), Box<dyn std::error::Error>> {
    let figs = figures()?;
    let computed: Vec<&Figure> = figs.iter().filter(|f| f.computed.is_some()).collect();
    let ids: Vec<&str> = computed.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["clemens.example_pct", "rodrik.triangle_pct"]);
    assert!(computed.iter().all(|f| f.within_band == Some(true)));
    assert!(render_table(&figs).ends_with("2 of 19 figures reproduced\n"));
    Ok(())
}

#[test]
fn unknown_keys_are_rejected() {
    let json = r#"[{"id":"x","description":"d","unit":"u","published":1.0,"computed":null,
        "gap_pct":null,"band_low":0.0,"band_high":2.0,"within_band":null,
        "calibration_target":false,"extra":1}]"#;
    let err = serde_json::from_str::<Vec<Figure>>(json).unwrap_err();
    assert!(err.to_string().contains("unknown field `extra`"), "{err}");
}
