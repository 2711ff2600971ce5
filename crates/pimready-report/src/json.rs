//! The JSON report: the [`Assessment`] itself (`schema_version` 1), and its JSON Schema
//! generated from the Rust types. `docs/assessment.schema.json` is this schema, kept in
//! sync by a test.

use pimready_core::assessment::Assessment;

/// The assessment as pretty-printed JSON.
pub fn render(assessment: &Assessment) -> String {
    let mut text =
        serde_json::to_string_pretty(assessment).expect("an assessment always serialises");
    text.push('\n');
    text
}

/// The JSON Schema (draft 2020-12) of [`render`]'s output.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Assessment);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample;

    const SCHEMA_PATH: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/assessment.schema.json"
    );

    #[test]
    fn committed_schema_is_up_to_date() {
        let fresh = schema();
        let committed = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_default();
        if committed != fresh {
            if std::env::var_os("UPDATE_EXPECT").is_some() {
                std::fs::write(SCHEMA_PATH, &fresh).unwrap();
            } else {
                panic!(
                    "docs/assessment.schema.json is stale: run `UPDATE_EXPECT=1 cargo test -p pimready-core report::json`"
                );
            }
        }
    }

    #[test]
    fn output_validates_against_the_schema() {
        let schema: serde_json::Value = serde_json::from_str(&schema()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        for a in [
            sample::demo(),
            sample::large(300),
            crate::mask::mask_assessment(&sample::demo()),
        ] {
            let value: serde_json::Value = serde_json::from_str(&render(&a)).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| format!("{}: {e}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{errors:#?}");
            assert_eq!(value["schema_version"], 1);
            for key in [
                "generator",
                "assessed_at",
                "tenant",
                "licensing",
                "cost",
                "score",
                "checks",
                "plan",
                "gaps",
                "collection",
                "emergency_accounts",
            ] {
                assert!(value.get(key).is_some(), "missing {key}");
            }
        }
    }

    #[test]
    fn emergency_accounts_are_listed_designated_or_suggested() {
        let value: serde_json::Value = serde_json::from_str(&render(&sample::demo())).unwrap();
        let listed = value["emergency_accounts"].as_array().unwrap();
        let status: Vec<&str> = listed
            .iter()
            .map(|e| e["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            status,
            ["designated", "designated", "designated", "suggested"]
        );
        assert_eq!(listed[0]["id"], "e0000000-0000-4000-8000-000000000001");
        assert_eq!(
            listed[0]["user_principal_name"],
            "breakglass1@contoso.onmicrosoft.com"
        );
        assert_eq!(listed[0]["display_name"], "Emergency Access 1");
        assert!(
            listed[2]["id"].is_null(),
            "a designation not found has no id"
        );
        assert!(
            listed[3]["signals"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
        );

        let masked = render(&crate::mask::mask_assessment(&sample::demo()));
        for clear in ["José Müller", "jose.muller@contoso.com", "breakglass1@"] {
            assert!(!masked.contains(clear), "{clear} is masked");
        }
    }

    #[test]
    fn files_without_emergency_accounts_still_load() {
        let mut value: serde_json::Value = serde_json::from_str(&render(&sample::demo())).unwrap();
        value.as_object_mut().unwrap().remove("emergency_accounts");
        let back: Assessment = serde_json::from_value(value).unwrap();
        assert!(back.emergency_accounts.is_empty());
    }

    #[test]
    fn output_round_trips() {
        let a = sample::demo();
        let back: Assessment = serde_json::from_str(&render(&a)).unwrap();
        assert_eq!(back, a);
    }
}
