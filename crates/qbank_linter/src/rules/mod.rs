//! Every rule, the contexts they run in, and the registry.

pub(crate) mod duplicates;
pub(crate) mod metadata;
pub(crate) mod options;
pub(crate) mod stem;
pub(crate) mod structure;
pub(crate) mod text;

use text::TextWords;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use qbank_diagnostics::{Diagnostic, SourceFile};
use qbank_model::{Blueprint, Item};

pub use crate::registry::RuleMeta;
use crate::settings::Settings;
use crate::words::LintSettings;

use duplicates::{ClonedItem, NearDuplicateStem, StaleAllowlistEntry};
use metadata::{
    ApprovedWithoutRationale, ApprovedWithoutReference, BlueprintWeightsNotOne,
    DomainOutOfTolerance, DuplicateBlueprintEntry, DuplicateConcept, EmptyPool,
    ExhibitOutsideMedia, MissingAltText, MissingExhibit, NoBlueprint, SelfEnemy, UncoveredTask,
    UnknownConcept, UnknownCrosswalkEntry, UnknownDomain, UnknownEnemy, UnknownExam, UnknownTask,
    UnreviewedApproval, UpdatedBeforeCreated,
};
use options::{
    AbsoluteTerms, AllOfTheAbove, DistractorWithoutRationale, DuplicateOption, EmbeddedLabel,
    HedgedKey, KeyPositionImbalance, LongestKeyRate, LongestOptionKey, LostSequence,
    NoneOfTheAbove, OptionLengthImbalance, OptionReference, OverlappingOptions, OverlappingRanges,
    RepeatedOptionOpening, ReusedOptionSet, TrueFalseOptions, WordRepeatCue, WrongKeyCount,
    WrongOptionCount,
};
use stem::{
    DoubleNegative, FillInTheBlank, GrammaticalCue, MultiResponseCount, UnclearTask,
    UndefinedAcronym, UnemphasizedNegative, WindowDressing,
};
use structure::{
    ByteOrderMark, ControlCharacter, CrlfLineEndings, DuplicateId, EmptyFile, FileTooLarge,
    IdFileNameMismatch, InvalidToml, InvalidValue, MissingKey, PlaceholderText, StrayFile,
    UnexplainedSuppression, UnknownKey, UnknownSuppression, UnreadableFile, UnusedSuppression,
};

/// Every rule, sorted by code.
pub static RULES: &[&RuleMeta] = &[
    &InvalidToml::META,
    &InvalidValue::META,
    &MissingKey::META,
    &UnknownKey::META,
    &UnreadableFile::META,
    &FileTooLarge::META,
    &EmptyFile::META,
    &ByteOrderMark::META,
    &CrlfLineEndings::META,
    &StrayFile::META,
    &DuplicateId::META,
    &IdFileNameMismatch::META,
    &UnexplainedSuppression::META,
    &UnknownSuppression::META,
    &UnusedSuppression::META,
    &PlaceholderText::META,
    &ControlCharacter::META,
    &UnemphasizedNegative::META,
    &UnclearTask::META,
    &FillInTheBlank::META,
    &WindowDressing::META,
    &MultiResponseCount::META,
    &GrammaticalCue::META,
    &DoubleNegative::META,
    &UndefinedAcronym::META,
    &DuplicateOption::META,
    &WrongKeyCount::META,
    &WrongOptionCount::META,
    &AllOfTheAbove::META,
    &NoneOfTheAbove::META,
    &LongestOptionKey::META,
    &AbsoluteTerms::META,
    &HedgedKey::META,
    &WordRepeatCue::META,
    &OverlappingOptions::META,
    &OptionReference::META,
    &RepeatedOptionOpening::META,
    &OptionLengthImbalance::META,
    &TrueFalseOptions::META,
    &LostSequence::META,
    &OverlappingRanges::META,
    &EmbeddedLabel::META,
    &DistractorWithoutRationale::META,
    &KeyPositionImbalance::META,
    &LongestKeyRate::META,
    &ReusedOptionSet::META,
    &UnknownExam::META,
    &UnknownDomain::META,
    &UnknownTask::META,
    &UnknownEnemy::META,
    &SelfEnemy::META,
    &UpdatedBeforeCreated::META,
    &ApprovedWithoutRationale::META,
    &ApprovedWithoutReference::META,
    &UnreviewedApproval::META,
    &MissingExhibit::META,
    &ExhibitOutsideMedia::META,
    &MissingAltText::META,
    &UnknownConcept::META,
    &BlueprintWeightsNotOne::META,
    &DuplicateBlueprintEntry::META,
    &NoBlueprint::META,
    &DuplicateConcept::META,
    &DomainOutOfTolerance::META,
    &UncoveredTask::META,
    &EmptyPool::META,
    &UnknownCrosswalkEntry::META,
    &NearDuplicateStem::META,
    &ClonedItem::META,
    &StaleAllowlistEntry::META,
];

/// The rules that look at one valid item at a time, in code order.
pub(crate) static ITEM_RULES: &[&dyn ItemRule] = &[
    &IdFileNameMismatch,
    &PlaceholderText,
    &ControlCharacter,
    &UnemphasizedNegative,
    &UnclearTask,
    &FillInTheBlank,
    &MultiResponseCount,
    &GrammaticalCue,
    &DoubleNegative,
    &UndefinedAcronym,
    &DuplicateOption,
    &WrongKeyCount,
    &WrongOptionCount,
    &AllOfTheAbove,
    &NoneOfTheAbove,
    &LongestOptionKey,
    &AbsoluteTerms,
    &HedgedKey,
    &WordRepeatCue,
    &OverlappingOptions,
    &OptionReference,
    &RepeatedOptionOpening,
    &OptionLengthImbalance,
    &TrueFalseOptions,
    &LostSequence,
    &OverlappingRanges,
    &EmbeddedLabel,
    &DistractorWithoutRationale,
    &UnknownExam,
    &UnknownDomain,
    &UnknownTask,
    &SelfEnemy,
    &UpdatedBeforeCreated,
    &ApprovedWithoutRationale,
    &ApprovedWithoutReference,
    &UnreviewedApproval,
    &MissingExhibit,
    &ExhibitOutsideMedia,
    &MissingAltText,
    &UnknownConcept,
];

/// The item rules that `settings` enables, resolved once per run.
pub(crate) fn enabled_item_rules(settings: &Settings) -> Vec<&'static dyn ItemRule> {
    ITEM_RULES
        .iter()
        .copied()
        .filter(|rule| settings.enabled(rule.meta().code))
        .collect()
}

/// The rule with `code` or `name`.
pub fn rule(code_or_name: &str) -> Option<&'static RuleMeta> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// A rule that checks one item that passed the schema.
pub(crate) trait ItemRule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>);
}

/// What the bank holds besides items, for rules that look things up.
pub(crate) struct BankIndex {
    pub(crate) media: PathBuf,
    pub(crate) blueprints: Vec<Blueprint>,
    /// For each exam, the index in `blueprints` of the blueprint in force: the one with the
    /// latest `effective` date, then the greatest id.
    exams: HashMap<String, usize>,
    pub(crate) concepts: HashSet<String>,
    /// Acronyms that concept titles define, such as `BIA` in "Business impact analysis (BIA)".
    pub(crate) glossary_acronyms: HashSet<String>,
    /// Whether the glossary exists but did not load: concepts and acronyms it may define are
    /// then not held against items.
    pub(crate) concepts_broken: bool,
    /// Exams of blueprints that did not load; `None` for one whose exam is unknown.
    broken_exams: Vec<Option<String>>,
}

impl BankIndex {
    pub(crate) fn new(
        root: &Path,
        blueprints: Vec<Blueprint>,
        concepts: &[qbank_model::Concept],
    ) -> Self {
        let mut exams: HashMap<String, usize> = HashMap::new();
        for (index, blueprint) in blueprints.iter().enumerate() {
            let key = |b: &Blueprint| (b.effective.as_ref().map(|d| d.value), b.id.value.clone());
            exams
                .entry(blueprint.exam.value.clone())
                .and_modify(|current| {
                    if key(blueprint) > key(&blueprints[*current]) {
                        *current = index;
                    }
                })
                .or_insert(index);
        }
        let glossary_acronyms = concepts
            .iter()
            .filter_map(|c| {
                let title = c.title.value.trim_end();
                let open = title.rfind('(')?;
                let inner = title.strip_suffix(')')?.get(open + 1..)?;
                (inner.len() >= 2
                    && inner
                        .chars()
                        .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit()))
                .then(|| inner.to_owned())
            })
            .collect();
        Self {
            media: root.join("media"),
            blueprints,
            exams,
            concepts: concepts.iter().map(|c| c.id.value.clone()).collect(),
            glossary_acronyms,
            concepts_broken: false,
            broken_exams: Vec::new(),
        }
    }

    /// Records the support files that did not load (see [`crate::file::SupportFiles`]).
    pub(crate) fn with_broken(
        mut self,
        concepts_broken: bool,
        broken_blueprints: &[(PathBuf, Option<String>)],
    ) -> Self {
        self.concepts_broken = concepts_broken;
        self.broken_exams = broken_blueprints
            .iter()
            .map(|(_, exam)| exam.clone())
            .collect();
        self
    }

    /// Whether a blueprint that did not load may be `exam`'s: then the item is not checked
    /// against the exam's blueprints, whose own finding is the one to fix first.
    pub(crate) fn exam_unsure(&self, exam: &str) -> bool {
        self.broken_exams
            .iter()
            .any(|broken| broken.as_deref().is_none_or(|e| e == exam))
    }

    /// The blueprint in force for `exam`.
    pub(crate) fn blueprint_for(&self, exam: &str) -> Option<&Blueprint> {
        self.exams.get(exam).map(|&index| &self.blueprints[index])
    }

    pub(crate) fn has_exam(&self, exam: &str) -> bool {
        self.exams.contains_key(exam)
    }

    /// The exam names, sorted and back-quoted, for help texts.
    pub(crate) fn exam_names(&self) -> String {
        let mut names: Vec<&String> = self.exams.keys().collect();
        names.sort();
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The concept id closest to `given`, if it is a likely typo.
    pub(crate) fn closest_concept(&self, given: &str) -> Option<&str> {
        self.concepts
            .iter()
            .map(|c| (strsim::jaro_winkler(given, c), c.as_str()))
            .filter(|(score, _)| *score >= 0.9)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1)))
            .map(|(_, c)| c)
    }
}

/// Where an exhibit path leads.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ExhibitLocation {
    /// An existing file inside `media/`.
    Inside,
    /// Inside `media/` by its form, but no such file.
    Missing,
    /// Outside `media/`, with the reason.
    Outside(&'static str),
}

/// Resolves an exhibit path against the bank's `media/` folder. The path must be relative,
/// must not climb with `..`, and must not resolve (through symbolic links) outside `media/`.
pub(crate) fn exhibit_location(bank: &BankIndex, file: &str) -> ExhibitLocation {
    let path = Path::new(file);
    if path.is_absolute() || file.starts_with('/') || file.starts_with('\\') || file.contains(':') {
        return ExhibitLocation::Outside("is an absolute path");
    }
    if path
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return ExhibitLocation::Outside("climbs out of `media/` with `..`");
    }
    let full = bank.media.join(path);
    let Ok(resolved) = full.canonicalize() else {
        return ExhibitLocation::Missing;
    };
    let media = bank
        .media
        .canonicalize()
        .unwrap_or_else(|_| bank.media.clone());
    if !resolved.starts_with(&media) {
        return ExhibitLocation::Outside("is a link that leads outside `media/`");
    }
    if resolved.is_file() {
        ExhibitLocation::Inside
    } else {
        ExhibitLocation::Missing
    }
}

/// The words of an item's texts, split once and shared by the rules (see [`TextWords`]).
pub(crate) struct ItemWords<'a> {
    pub(crate) stem: TextWords<'a>,
    /// One per option, in order.
    pub(crate) options: Vec<TextWords<'a>>,
    pub(crate) rationale: Option<TextWords<'a>>,
    question: std::cell::OnceCell<std::ops::Range<usize>>,
}

impl<'a> ItemWords<'a> {
    pub(crate) fn new(item: &'a Item) -> Self {
        Self {
            stem: TextWords::new(&item.stem.value),
            options: item
                .options
                .iter()
                .map(|o| TextWords::new(&o.text.value))
                .collect(),
            rationale: item.rationale.as_ref().map(|r| TextWords::new(&r.value)),
            question: std::cell::OnceCell::new(),
        }
    }

    /// The byte range of the question the stem asks ([`stem::question`]), found once for the
    /// several stem rules that read it.
    pub(crate) fn question(&self) -> std::ops::Range<usize> {
        self.question
            .get_or_init(|| stem::question(self.stem.text()))
            .clone()
    }
}

/// What an item rule sees besides the item.
pub(crate) struct ItemContext<'a> {
    item: &'a Item,
    pub(crate) file: &'a SourceFile,
    pub(crate) path: &'a Path,
    pub(crate) bank: &'a BankIndex,
    pub(crate) lint: &'a LintSettings,
    /// The item's words, for the wording and option rules.
    pub(crate) words: ItemWords<'a>,
    /// Behind a cell, so that a rule can report while it holds borrowed words.
    diagnostics: std::cell::RefCell<Vec<Diagnostic>>,
}

impl<'a> ItemContext<'a> {
    pub(crate) fn new(
        item: &'a Item,
        file: &'a SourceFile,
        path: &'a Path,
        bank: &'a BankIndex,
        lint: &'a LintSettings,
    ) -> Self {
        Self {
            item,
            file,
            path,
            bank,
            lint,
            words: ItemWords::new(item),
            diagnostics: std::cell::RefCell::default(),
        }
    }

    pub(crate) fn report(&self, diagnostic: Diagnostic) {
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    /// Runs `rules` (the enabled item rules) on the item.
    /// Runs `rules` on the item: their findings, and the number of words in the stem if some
    /// rule split it into words (for [`crate::CheckedItem`], so that no bank rule splits it again).
    pub(crate) fn run(mut self, rules: &[&dyn ItemRule]) -> (Vec<Diagnostic>, Option<usize>) {
        let item = self.item;
        for rule in rules {
            rule.check(item, &mut self);
        }
        let stem_words = self.words.stem.split_len();
        (self.diagnostics.into_inner(), stem_words)
    }
}
