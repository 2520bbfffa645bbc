//! `qbank.toml`: the raw options as written, and the schema generated from them.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// A rule's level: `error` fails the run, `warning` and `info` are reported, `off` disables it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Reported, and the run fails (exit code 1).
    Error,
    /// Reported; the run does not fail.
    Warning,
    /// Reported as advice; the run does not fail.
    Info,
    /// Not checked.
    Off,
}

/// Settings of a qbank bank, read from `qbank.toml` at the bank's root.
///
/// Every key is optional. Example:
///
/// ```toml
/// exclude = ["items/scratch/**"]
///
/// [rules]
/// QB107 = "off"
/// placeholder-text = "warning"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "qbank configuration")]
pub struct Options {
    /// Glob patterns, relative to the bank root, of files that qbank skips. Default: none.
    /// Example: `exclude = ["items/scratch/**", "**/*.bak"]`.
    pub exclude: Option<Vec<String>>,

    /// Level of each rule, by code (`QB301`), code prefix (`QB3`) or name (`duplicate-option`):
    /// `error`, `warning`, `info` or `off`. A code beats a prefix; a longer prefix beats a
    /// shorter one. Default: each rule's own level (`qbank rules` lists them).
    /// Example: `[rules]` then `QB108 = "off"`.
    pub rules: Option<BTreeMap<String, Level>>,

    /// Largest file qbank reads, in bytes; a larger file is reported and skipped.
    /// Default: 1048576 (1 MiB).
    #[schemars(range(min = 1))]
    pub max_file_size: Option<u64>,
}

/// The JSON Schema of `qbank.toml`, generated from [`Options`].
pub fn config_schema() -> String {
    let mut schema = schemars::schema_for!(Options);
    schema.insert(
        "$id".to_owned(),
        "https://qbank-dev.github.io/qbank/schemas/config.schema.json".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_in_schema_matches_the_options_types() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schemas/config.schema.json"
        );
        let generated = config_schema();
        if std::env::var_os("QBANK_UPDATE_SCHEMA").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            checked_in, generated,
            "schemas/config.schema.json is stale: run with QBANK_UPDATE_SCHEMA=1"
        );
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let error = toml::from_str::<Options>("exclud = []\n").unwrap_err();
        assert!(error.to_string().contains("unknown field `exclud`"));
    }

    #[test]
    fn levels_parse() {
        let options: Options = toml::from_str("[rules]\nQB101 = \"off\"\n").unwrap();
        assert_eq!(options.rules.unwrap()["QB101"], Level::Off);
    }
}
