//! Export profiles: which items a pack holds, resolved from `[profiles.NAME]` in `qbank.toml`.

use qbank_workspace::{Options, ProfileOptions, ProfileStatus};

use crate::ExportError;
use crate::pack::{PackItem, PackStatus};

/// The name of the profile used without `--profile`.
pub const DEFAULT_PROFILE: &str = "default";

/// A resolved profile.
#[derive(Clone, Debug, PartialEq, Eq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each is one switch of `qbank.toml`"
)]
pub struct Profile {
    /// Its name in `qbank.toml`, or `default`.
    pub name: String,
    /// What the pack is for.
    pub description: Option<String>,
    /// Statuses of the items it holds.
    pub statuses: Vec<PackStatus>,
    /// Whether the pack stays inside the program.
    pub internal: bool,
    /// Whether secure items go in (internal profiles only).
    pub secure: bool,
    /// This blueprint's items, in its domains.
    pub blueprint: Option<String>,
    /// Number of items to draw.
    pub sample: Option<usize>,
    /// Seed of the draw.
    pub seed: u64,
    /// Whether keys and rationale are left out.
    pub no_keys: bool,
    /// Whether the pack is a generated glossary quiz.
    pub glossary: bool,
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            name: DEFAULT_PROFILE.to_owned(),
            description: None,
            statuses: vec![PackStatus::Approved],
            internal: false,
            secure: false,
            blueprint: None,
            sample: None,
            seed: 0,
            no_keys: false,
            glossary: false,
        }
    }
}

impl Profile {
    /// The profile `name` of `options`. Without a name it is `[profiles.default]` when
    /// `qbank.toml` has one, and otherwise the built-in default: approved, public items.
    pub fn resolve(options: &Options, name: Option<&str>) -> Result<Self, ExportError> {
        let name = name.unwrap_or(DEFAULT_PROFILE);
        let profiles = options.profiles.as_ref();
        let Some(found) = profiles.and_then(|p| p.get(name)) else {
            if name == DEFAULT_PROFILE {
                return Ok(Self::default());
            }
            let known: Vec<&str> = profiles
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            return Err(ExportError::UnknownProfile {
                name: name.to_owned(),
                known: if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                },
            });
        };
        Self::from_options(name, found)
    }

    /// Every profile of `options`, checked, for `qbank.toml` validation.
    pub fn all(options: &Options) -> Result<Vec<Self>, ExportError> {
        options
            .profiles
            .iter()
            .flatten()
            .map(|(name, p)| Self::from_options(name, p))
            .collect()
    }

    /// Resolves one `[profiles.NAME]` table; a public profile that asks for drafts, retired or
    /// secure items is an error rather than silently narrowed.
    pub fn from_options(name: &str, options: &ProfileOptions) -> Result<Self, ExportError> {
        let internal = options.internal.unwrap_or(false);
        let error = |message: String| ExportError::Profile {
            profile: name.to_owned(),
            message,
        };
        let mut statuses: Vec<PackStatus> = options.statuses.as_ref().map_or_else(
            || vec![PackStatus::Approved],
            |s| s.iter().map(|s| status(*s)).collect(),
        );
        statuses.sort();
        statuses.dedup();
        if statuses.is_empty() {
            return Err(error("`statuses` is empty".to_owned()));
        }
        if internal && name == DEFAULT_PROFILE {
            return Err(error(
                "the default profile is always public; give an internal profile another name and pick it with `--profile`"
                    .to_owned(),
            ));
        }
        if !internal {
            if let Some(bad) = statuses
                .iter()
                .find(|s| matches!(s, PackStatus::Draft | PackStatus::Retired))
            {
                return Err(error(format!(
                    "a public profile cannot hold `{}` items; set `internal = true` for a pack that stays inside the program",
                    bad.as_str()
                )));
            }
            if options.secure == Some(true) {
                return Err(error(
                    "a public profile cannot hold secure items; set `internal = true` for a pack that stays inside the program"
                        .to_owned(),
                ));
            }
        }
        let sample = match options.sample {
            Some(0) => return Err(error("`sample` must be at least 1".to_owned())),
            Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            None => None,
        };
        Ok(Self {
            name: name.to_owned(),
            description: options.description.clone(),
            statuses,
            internal,
            secure: options.secure.unwrap_or(false),
            blueprint: options.blueprint.clone(),
            sample,
            seed: options.seed.unwrap_or(0),
            no_keys: options.no_keys.unwrap_or(false),
            glossary: options.glossary.unwrap_or(false),
        })
    }

    /// Whether the pack may leave the program.
    pub fn is_public(&self) -> bool {
        !self.internal
    }

    /// Whether `item` may be in a pack of this profile. A public pack never takes a secure,
    /// draft or retired item, whatever the profile's fields say.
    pub fn admits(&self, item: &PackItem) -> bool {
        if self.is_public()
            && (item.secure || matches!(item.status, PackStatus::Draft | PackStatus::Retired))
        {
            return false;
        }
        if item.secure && !self.secure {
            return false;
        }
        self.statuses.contains(&item.status)
    }
}

fn status(status: ProfileStatus) -> PackStatus {
    match status {
        ProfileStatus::Draft => PackStatus::Draft,
        ProfileStatus::Review => PackStatus::Review,
        ProfileStatus::Approved => PackStatus::Approved,
        ProfileStatus::Retired => PackStatus::Retired,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(text: &str) -> Options {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn public_profiles_cannot_ask_for_drafts_or_secure_items() {
        let o = options("[profiles.x]\nstatuses = [\"draft\"]\n");
        let error = Profile::resolve(&o, Some("x")).unwrap_err().to_string();
        assert!(error.contains("cannot hold `draft` items"), "{error}");
        let o = options("[profiles.x]\nsecure = true\n");
        assert!(Profile::resolve(&o, Some("x")).is_err());
        let o = options("[profiles.x]\ninternal = true\nsecure = true\nstatuses = [\"draft\"]\n");
        assert!(Profile::resolve(&o, Some("x")).is_ok());
    }

    #[test]
    fn public_profiles_never_admit_secure_draft_or_retired_items() {
        let mut profile = Profile {
            statuses: vec![
                PackStatus::Draft,
                PackStatus::Review,
                PackStatus::Approved,
                PackStatus::Retired,
            ],
            secure: true,
            ..Profile::default()
        };
        for status in [PackStatus::Draft, PackStatus::Retired] {
            let item = PackItem {
                status,
                ..PackItem::default()
            };
            assert!(!profile.admits(&item));
        }
        let secure = PackItem {
            status: PackStatus::Approved,
            secure: true,
            ..PackItem::default()
        };
        assert!(!profile.admits(&secure));
        profile.internal = true;
        assert!(profile.admits(&secure));
    }

    #[test]
    fn the_default_profile_comes_from_qbank_toml_and_stays_public() {
        let o = options("[profiles.default]\nsample = 10\nseed = 3\n");
        let profile = Profile::resolve(&o, None).unwrap();
        assert_eq!((profile.sample, profile.seed), (Some(10), 3));
        assert_eq!(profile, Profile::resolve(&o, Some("default")).unwrap());
        assert_eq!(
            Profile::resolve(&options(""), None).unwrap(),
            Profile::default()
        );
        let o = options("[profiles.default]\ninternal = true\n");
        let error = Profile::resolve(&o, None).unwrap_err().to_string();
        assert!(error.contains("always public"), "{error}");
        assert!(Profile::all(&o).is_err());
    }

    #[test]
    fn unknown_profiles_list_the_known_ones() {
        let o = options("[profiles.full]\n");
        let error = Profile::resolve(&o, Some("ful")).unwrap_err().to_string();
        assert_eq!(error, "no profile `ful` (known: full)");
    }
}
