//! Rule levels resolved from `qbank.toml`.

use qbank_diagnostics::Severity;
use qbank_dupes::{Metric, Threshold};
use qbank_workspace::{DupesMetric, DupesOptions, Level, Options};

use crate::rules::RULES;
use crate::rules::structure::UnusedSuppression;
use crate::words::LintSettings;

/// A setting in `qbank.toml` that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A `[rules]` key that names no rule.
    #[error(
        "unknown rule `{0}` in `[rules]`: use a code such as `QB301`, a prefix such as `QB3`, or a name such as `duplicate-option`"
    )]
    UnknownRule(String),
    /// Two `[rules]` keys that select one rule equally (a code and its name, or one code in
    /// two cases) at different levels.
    #[error(
        "`{first}` and `{second}` in `[rules]` both select {code} but set different levels: keep one"
    )]
    Conflict {
        /// The first key, in the table's order.
        first: String,
        /// The other key.
        second: String,
        /// The rule both select.
        code: &'static str,
    },
    /// A `threshold` under `[dupes]` outside 0 to 1.
    #[error(
        "`threshold` under `[dupes]` must be a number from 0 to 1 with at most 18 decimal places, found {0}"
    )]
    Threshold(String),
}

/// How near-duplicate stems are found (`[dupes]` in `qbank.toml`).
#[derive(Clone, Debug, Default)]
pub struct DupesSettings {
    /// Similarity at or above which two stems are near-duplicates.
    pub threshold: Threshold,
    /// The similarity measure.
    pub metric: Metric,
    /// Whether items of different exams are compared too.
    pub across_exams: bool,
}

impl DupesSettings {
    fn new(options: &DupesOptions) -> Result<Self, SettingsError> {
        let threshold = match options.threshold {
            // The shortest decimal that reads back as the same float: what the user wrote.
            // `-0.0` is zero (its text, "-0", is not a threshold).
            Some(value) if value == 0.0 => {
                Threshold::new(0, 1).ok_or_else(|| SettingsError::Threshold(value.to_string()))?
            }
            Some(value) => Threshold::parse(&value.to_string())
                .map_err(|_| SettingsError::Threshold(value.to_string()))?,
            None => Threshold::default(),
        };
        Ok(Self {
            threshold,
            metric: match options.metric {
                Some(DupesMetric::Levenshtein) | None => Metric::Levenshtein,
                Some(DupesMetric::JaroWinkler) => Metric::JaroWinkler,
                Some(DupesMetric::Dice) => Metric::Dice,
            },
            across_exams: options.across_exams.unwrap_or(false),
        })
    }
}

/// The level in force for every rule.
#[derive(Clone, Debug)]
pub struct Settings {
    levels: Vec<Option<Severity>>,
    /// Word lists and thresholds of the item-writing rules.
    pub lint: LintSettings,
    /// How near-duplicate stems are found.
    pub dupes: DupesSettings,
}

impl Settings {
    /// Every rule at its default level.
    pub fn defaults() -> Self {
        Self {
            levels: RULES.iter().map(|rule| Some(rule.severity)).collect(),
            lint: LintSettings::default(),
            dupes: DupesSettings::default(),
        }
    }

    /// Applies the `[rules]` table: a code or name beats a prefix, a longer prefix a shorter one.
    pub fn from_options(options: &Options) -> Result<Self, SettingsError> {
        let mut settings = Self::defaults();
        if let Some(lint) = &options.lint {
            settings.lint = LintSettings::new(lint);
        }
        if let Some(dupes) = &options.dupes {
            settings.dupes = DupesSettings::new(dupes)?;
        }
        let Some(table) = &options.rules else {
            return Ok(settings);
        };
        for key in table.keys() {
            if !RULES
                .iter()
                .any(|rule| matches(key, rule.code, rule.name).is_some())
            {
                return Err(SettingsError::UnknownRule(key.clone()));
            }
        }
        for (index, rule) in RULES.iter().enumerate() {
            let selecting: Vec<(usize, &String, Level)> = table
                .iter()
                .filter_map(|(key, level)| Some((matches(key, rule.code, rule.name)?, key, *level)))
                .collect();
            let Some(&(priority, key, level)) = selecting.iter().max_by_key(|(p, ..)| *p) else {
                continue;
            };
            if let Some((_, other, _)) = selecting
                .iter()
                .find(|(p, k, l)| *p == priority && *k != key && *l != level)
            {
                let (first, second) = if *other < key {
                    (*other, key)
                } else {
                    (key, *other)
                };
                return Err(SettingsError::Conflict {
                    first: first.clone(),
                    second: second.clone(),
                    code: rule.code,
                });
            }
            settings.levels[index] = match level {
                Level::Error => Some(Severity::Error),
                Level::Warning => Some(Severity::Warning),
                Level::Info => Some(Severity::Info),
                Level::Off => None,
            };
        }
        Ok(settings)
    }

    /// Only the rules whose findings are errors, for a caller that acts on errors alone (an
    /// export refuses items with an error and ignores warnings): the errors it finds are the
    /// errors these settings find. If unused suppressions (QB114) are errors, every rule stays
    /// on, since a suppression is unused only if the rule it names runs and finds nothing.
    #[must_use]
    pub fn errors_only(mut self) -> Self {
        if self.level(UnusedSuppression::META.code) == Some(Severity::Error) {
            return self;
        }
        for level in &mut self.levels {
            if *level != Some(Severity::Error) {
                *level = None;
            }
        }
        self
    }

    /// Every rule but those whose code starts with one of `prefixes`.
    #[must_use]
    pub fn except(mut self, prefixes: &[&str]) -> Self {
        for (index, rule) in RULES.iter().enumerate() {
            if prefixes.iter().any(|p| rule.code.starts_with(p)) {
                self.levels[index] = None;
            }
        }
        self
    }

    /// Only the rules whose code starts with one of `prefixes`, at their levels here.
    #[must_use]
    pub fn only(mut self, prefixes: &[&str]) -> Self {
        for (index, rule) in RULES.iter().enumerate() {
            if !prefixes.iter().any(|p| rule.code.starts_with(p)) {
                self.levels[index] = None;
            }
        }
        self
    }

    /// The level of the rule with `code`, or `None` when it is off.
    pub fn level(&self, code: &str) -> Option<Severity> {
        let index = RULES.iter().position(|rule| rule.code == code)?;
        self.levels[index]
    }

    /// Whether the rule with `code` runs.
    pub fn enabled(&self, code: &str) -> bool {
        self.level(code).is_some()
    }
}

/// How well `key` selects a rule: `None` for not at all, higher for more specific. Codes and
/// their prefixes match in either case, as they do in suppression comments.
fn matches(key: &str, code: &str, name: &str) -> Option<usize> {
    if key.eq_ignore_ascii_case(code) || key == name {
        Some(usize::MAX)
    } else if key.len() >= 2
        && code
            .get(..key.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(key))
    {
        Some(key.len())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(toml: &str) -> Result<Settings, SettingsError> {
        let rules = toml
            .lines()
            .map(|line| {
                let (key, level) = line.split_once('=').unwrap();
                let level = match level.trim() {
                    "error" => Level::Error,
                    "warning" => Level::Warning,
                    "info" => Level::Info,
                    _ => Level::Off,
                };
                (key.trim().to_owned(), level)
            })
            .collect();
        Settings::from_options(&Options {
            rules: Some(rules),
            ..Options::default()
        })
    }

    #[test]
    fn errors_only_keeps_the_rules_at_error_level() {
        let settings = settings("QB309 = error\nQB301 = warning")
            .unwrap()
            .errors_only();
        assert_eq!(settings.level("QB309"), Some(Severity::Error));
        assert_eq!(settings.level("QB101"), Some(Severity::Error));
        assert_eq!(settings.level("QB301"), None);
        assert_eq!(settings.level("QB310"), None);
        assert_eq!(settings.level("QB114"), None);
    }

    #[test]
    fn errors_only_keeps_every_rule_when_unused_suppressions_are_errors() {
        let settings = settings("QB114 = error\nQB301 = warning")
            .unwrap()
            .errors_only();
        assert_eq!(settings.level("QB301"), Some(Severity::Warning));
        assert_eq!(settings.level("QB318"), Some(Severity::Info));
    }

    #[test]
    fn specific_keys_beat_prefixes() {
        let settings = settings("QB3 = off\nQB301 = warning").unwrap();
        assert_eq!(settings.level("QB301"), Some(Severity::Warning));
        assert_eq!(settings.level("QB302"), None);
        assert_eq!(settings.level("QB101"), Some(Severity::Error));
    }

    #[test]
    fn names_select_rules() {
        let settings = settings("duplicate-option = info").unwrap();
        assert_eq!(settings.level("QB301"), Some(Severity::Info));
    }

    #[test]
    fn codes_and_prefixes_match_in_either_case() {
        let lower = settings("qb3 = off\nqb301 = warning").unwrap();
        assert_eq!(lower.level("QB301"), Some(Severity::Warning));
        assert_eq!(lower.level("QB302"), None);
        assert_eq!(lower.level("QB101"), Some(Severity::Error));
        // Names are lower case and match only as written.
        assert!(settings("Duplicate-Option = off").is_err());
    }

    #[test]
    fn keys_selecting_one_rule_equally_must_agree() {
        let error = settings("QB301 = off\nduplicate-option = error").unwrap_err();
        assert_eq!(
            error.to_string(),
            "`QB301` and `duplicate-option` in `[rules]` both select QB301 but set different levels: keep one"
        );
        assert!(matches!(
            settings("QB3 = off\nqb3 = info"),
            Err(SettingsError::Conflict { code: "QB301", .. })
        ));
        // The same level twice, or a prefix under a code, is no conflict.
        let agreeing = settings("QB301 = info\nduplicate-option = info\nQB3 = off").unwrap();
        assert_eq!(agreeing.level("QB301"), Some(Severity::Info));
    }

    #[test]
    fn unknown_keys_are_errors() {
        let error = settings("QB999 = off").unwrap_err();
        assert!(matches!(error, SettingsError::UnknownRule(key) if key == "QB999"));
    }

    #[test]
    fn dupes_threshold_is_exact_and_bounded() {
        let with = |threshold| Options {
            dupes: Some(DupesOptions {
                threshold: Some(threshold),
                ..DupesOptions::default()
            }),
            ..Options::default()
        };
        let settings = Settings::from_options(&with(0.85)).unwrap();
        assert_eq!(
            settings.dupes.threshold,
            qbank_dupes::Threshold::parse("0.85").unwrap()
        );
        assert!(matches!(
            Settings::from_options(&with(1.5)),
            Err(SettingsError::Threshold(value)) if value == "1.5"
        ));
        // Negative zero is zero.
        let settings = Settings::from_options(&with(-0.0)).unwrap();
        assert_eq!(
            settings.dupes.threshold,
            qbank_dupes::Threshold::parse("0").unwrap()
        );
    }
}
