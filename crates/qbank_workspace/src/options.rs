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
#[derive(Clone, Debug, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "qbank configuration")]
pub struct Options {
    /// Glob patterns, relative to the bank root, of files that qbank skips. Default: none.
    /// Example: `exclude = ["items/scratch/**", "**/*.bak"]`.
    pub exclude: Option<Vec<String>>,

    /// Level of each rule, by code (`QB301`), code prefix (`QB3`), either in any case, or name
    /// (`duplicate-option`): `error`, `warning`, `info` or `off`. A code beats a prefix; a longer
    /// prefix beats a shorter one; two keys for one rule at the same rank must agree. Default:
    /// each rule's own level (`qbank rules` lists them).
    /// Example: `[rules]` then `QB108 = "off"`.
    pub rules: Option<BTreeMap<String, Level>>,

    /// Largest file qbank reads, in bytes; a larger file is reported and skipped.
    /// Default: 1048576 (1 MiB).
    #[schemars(range(min = 1))]
    pub max_file_size: Option<u64>,

    /// Word lists and thresholds of the item-writing rules, where programs differ.
    pub lint: Option<LintOptions>,

    /// Export profiles by name, picked with `qbank export --profile NAME`: which items a pack
    /// holds. Without `--profile`, an export takes `[profiles.default]`, which must be public,
    /// or else every approved, non-secure item in a public pack.
    /// Example: `[profiles.sample]` then `sample = 10` and `seed = 7`.
    pub profiles: Option<BTreeMap<String, ProfileOptions>>,

    /// How `qbank dupes` and `qbank check` find near-duplicate stems.
    pub dupes: Option<DupesOptions>,
}

/// How two stems are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DupesMetric {
    /// 1 − Levenshtein distance ÷ length of the longer stem, in characters.
    Levenshtein,
    /// Jaro-Winkler similarity.
    JaroWinkler,
    /// Sørensen-Dice coefficient of character bigrams.
    Dice,
}

/// Near-duplicate detection (`[dupes]` in `qbank.toml`).
///
/// ```toml
/// [dupes]
/// threshold = 0.85
/// metric = "levenshtein"
/// across_exams = false
/// allowlist = "dupes-allowlist.toml"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DupesOptions {
    /// Similarity at or above which two stems are near-duplicates, from 0 to 1, decided exactly
    /// (0.85 reports a pair 15 edits apart in 100 characters). Default: 0.85.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub threshold: Option<f64>,
    /// Similarity measure. Default: `levenshtein`.
    pub metric: Option<DupesMetric>,
    /// Whether items of different exams are compared too. Default: false.
    pub across_exams: Option<bool>,
    /// File, relative to the bank root, of pairs that reviewers accepted as distinct, each with
    /// a reason. Default: `dupes-allowlist.toml` when it exists.
    pub allowlist: Option<String>,
}

/// An item status, as a profile lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProfileStatus {
    /// Being written.
    Draft,
    /// Waiting for review.
    Review,
    /// Ready for forms and packs.
    Approved,
    /// No longer used.
    Retired,
}

/// One export profile (`[profiles.NAME]` in `qbank.toml`).
///
/// A profile is public unless `internal = true`. A public pack never holds a secure, draft or
/// retired item, whatever the profile or the command line says; a public profile that asks for
/// them is a configuration error.
///
/// ```toml
/// [profiles.sample]
/// description = "Free sample: 10 items spread over the domains by blueprint weight"
/// sample = 10
/// seed = 7
///
/// [profiles.review-board]
/// internal = true
/// statuses = ["review", "approved"]
/// secure = true
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileOptions {
    /// What the pack is for, copied into the pack's metadata.
    pub description: Option<String>,
    /// Statuses of the items the pack holds. Default: `["approved"]`. A public profile may list
    /// only `review` and `approved`.
    pub statuses: Option<Vec<ProfileStatus>>,
    /// Whether the pack stays inside the program (reviewers, item banks of partners).
    /// Default: false, a public pack.
    pub internal: Option<bool>,
    /// Whether secure items go into the pack; only an internal profile may say `true`.
    /// Default: false.
    pub secure: Option<bool>,
    /// The items of this blueprint, placed in its domains (through its crosswalk for items of
    /// an earlier outline); `--blueprint` on the command line wins.
    /// Default: every exam.
    pub blueprint: Option<String>,
    /// Number of items drawn for a sample, spread over each exam's domains by the blueprint's
    /// weights (largest remainder), and over exams by their share of the eligible items.
    /// Default: every eligible item.
    #[schemars(range(min = 1))]
    pub sample: Option<u32>,
    /// Seed of the sample draw; the same seed and bank give the same sample. Default: 0.
    pub seed: Option<u64>,
    /// Whether keys, feedback and rationale are left out, for delivery systems that score on
    /// their own server. Default: false.
    pub no_keys: Option<bool>,
    /// Whether the pack is a glossary quiz: one generated item per concept in `concepts.toml`
    /// and exam it lists, asking which term a definition describes, with other terms of the same
    /// exam as distractors. Default: false.
    pub glossary: Option<bool>,
}

/// Word lists and thresholds of the item-writing rules (`[lint]` in `qbank.toml`).
///
/// Each list adds to qbank's built-in list (`qbank rule CODE` shows it); each threshold
/// replaces the default given here.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintOptions {
    /// Acronyms that need no expansion in an item (QB208), in addition to the built-in list and
    /// to acronyms defined in `concepts.toml` titles, such as `(BIA)`.
    /// Example: `acronyms = ["SOC", "SIEM"]`.
    pub acronyms: Option<Vec<String>>,
    /// Absolute words that cue a distractor (QB307), in addition to
    /// always, never, all, none, only, must, every, entirely, completely.
    pub absolute_words: Option<Vec<String>>,
    /// Hedge words that cue a key (QB308), in addition to
    /// usually, generally, may, might, often, typically, sometimes, frequently, probably.
    pub hedge_words: Option<Vec<String>>,
    /// Words that every item of the bank uses and that never count as a word-repeat cue
    /// (QB309), in addition to the built-in stop list and to risk, data, firm, enterprise,
    /// business and function words such as within or whether.
    /// Example: `neutral_words = ["network", "patient"]`.
    pub neutral_words: Option<Vec<String>>,
    /// How much longer than every distractor a key must be to be "clearly the longest" (QB306),
    /// as a fraction of the longest distractor. Default: 0.25.
    #[schemars(range(min = 0.0))]
    pub longest_option_margin: Option<f64>,
    /// Longest option over shortest option, in characters, above which options are imbalanced
    /// (QB313). Default: 3.0.
    #[schemars(range(min = 1.0))]
    pub option_length_ratio: Option<f64>,
    /// Standard deviations above the exam's mean stem length (in words) at which a stem is window
    /// dressing (QB204). Default: 3.0.
    #[schemars(range(min = 0.0))]
    pub window_dressing_sigma: Option<f64>,
    /// Stems shorter than this many words are never window dressing (QB204). Default: 80.
    pub window_dressing_min_words: Option<u32>,
    /// Largest allowed absolute difference between the share of keys at any position and the
    /// uniform share, over an exam's unshuffled items (QB319). Default: 0.10.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub key_position_tolerance: Option<f64>,
    /// Fewest unshuffled items of an exam before key-position balance is judged (QB319).
    /// Default: 20.
    pub key_position_min_items: Option<u32>,
    /// Largest allowed share of an exam's items whose key is the longest option (QB320).
    /// Default: 0.35.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub longest_key_rate: Option<f64>,
}

impl Options {
    /// Checks the ranges that the schema of `qbank.toml` declares and TOML cannot: every
    /// number within its bounds and finite. The error names the key and its table.
    pub fn check_ranges(&self) -> Result<(), String> {
        fn at_least(key: &str, table: &str, value: Option<f64>, min: f64) -> Result<(), String> {
            match value {
                Some(v) if !(v.is_finite() && v >= min) => Err(format!(
                    "`{key}`{table} must be a number of at least {min}, found {v}"
                )),
                _ => Ok(()),
            }
        }
        fn share(key: &str, value: Option<f64>) -> Result<(), String> {
            match value {
                Some(v) if !(v.is_finite() && (0.0..=1.0).contains(&v)) => Err(format!(
                    "`{key}` under `[lint]` must be a number from 0 to 1, found {v}"
                )),
                _ => Ok(()),
            }
        }
        if self.max_file_size == Some(0) {
            return Err("`max_file_size` must be at least 1 byte, found 0".to_owned());
        }
        if let Some(lint) = &self.lint {
            const LINT: &str = " under `[lint]`";
            at_least(
                "longest_option_margin",
                LINT,
                lint.longest_option_margin,
                0.0,
            )?;
            at_least("option_length_ratio", LINT, lint.option_length_ratio, 1.0)?;
            at_least(
                "window_dressing_sigma",
                LINT,
                lint.window_dressing_sigma,
                0.0,
            )?;
            share("key_position_tolerance", lint.key_position_tolerance)?;
            share("longest_key_rate", lint.longest_key_rate)?;
        }
        for (name, profile) in self.profiles.iter().flatten() {
            if profile.sample == Some(0) {
                return Err(format!(
                    "`sample` under `[profiles.{name}]` must be at least 1, found 0"
                ));
            }
        }
        Ok(())
    }
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

    /// Of several mistakes, the one reported is the first in the file: parsed tables keep the
    /// file's order (`toml`'s `fast_hash`), where they used to be sorted by key.
    #[test]
    fn the_first_mistake_in_the_file_is_reported() {
        let error = toml::from_str::<Options>("zeta = 1\nalpha = 2\n").unwrap_err();
        assert!(
            error.to_string().contains("unknown field `zeta`"),
            "{error}"
        );
        let error =
            toml::from_str::<Options>("[rules]\nQB9 = \"bad\"\nQB1 = \"worse\"\n").unwrap_err();
        assert!(error.to_string().contains("`bad`"), "{error}");
    }

    #[test]
    fn levels_parse() {
        let options: Options = toml::from_str("[rules]\nQB101 = \"off\"\n").unwrap();
        assert_eq!(options.rules.unwrap()["QB101"], Level::Off);
    }
}
