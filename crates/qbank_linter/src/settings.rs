//! Rule levels resolved from `qbank.toml`.

use qbank_diagnostics::Severity;
use qbank_workspace::{Level, Options};

use crate::rules::RULES;
use crate::words::LintSettings;

/// A `[rules]` key that names no rule.
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown rule `{key}` in `[rules]`: use a code such as `QB301`, a prefix such as `QB3`, or a name such as `duplicate-option`"
)]
pub struct SettingsError {
    /// The key as written.
    pub key: String,
}

/// The level in force for every rule.
#[derive(Clone, Debug)]
pub struct Settings {
    levels: Vec<Option<Severity>>,
    /// Word lists and thresholds of the item-writing rules.
    pub lint: LintSettings,
}

impl Settings {
    /// Every rule at its default level.
    pub fn defaults() -> Self {
        Self {
            levels: RULES.iter().map(|rule| Some(rule.severity)).collect(),
            lint: LintSettings::default(),
        }
    }

    /// Applies the `[rules]` table: a code or name beats a prefix, a longer prefix a shorter one.
    pub fn from_options(options: &Options) -> Result<Self, SettingsError> {
        let mut settings = Self::defaults();
        if let Some(lint) = &options.lint {
            settings.lint = LintSettings::new(lint);
        }
        let Some(table) = &options.rules else {
            return Ok(settings);
        };
        for key in table.keys() {
            if !RULES
                .iter()
                .any(|rule| matches(key, rule.code, rule.name).is_some())
            {
                return Err(SettingsError { key: key.clone() });
            }
        }
        for (index, rule) in RULES.iter().enumerate() {
            let best = table
                .iter()
                .filter_map(|(key, level)| Some((matches(key, rule.code, rule.name)?, *level)))
                .max_by_key(|(priority, _)| *priority);
            if let Some((_, level)) = best {
                settings.levels[index] = match level {
                    Level::Error => Some(Severity::Error),
                    Level::Warning => Some(Severity::Warning),
                    Level::Info => Some(Severity::Info),
                    Level::Off => None,
                };
            }
        }
        Ok(settings)
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

/// How well `key` selects a rule: `None` for not at all, higher for more specific.
fn matches(key: &str, code: &str, name: &str) -> Option<usize> {
    if key == code || key == name {
        Some(usize::MAX)
    } else if key.len() >= 2 && code.starts_with(key) {
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
    fn unknown_keys_are_errors() {
        let error = settings("QB999 = off").unwrap_err();
        assert_eq!(error.key, "QB999");
    }
}
