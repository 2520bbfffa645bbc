use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashSet;

use qbank_diagnostics::Annotation;
use qbank_model::schema::option_label;
use qbank_model::{Item, Status};

use crate::registry::declare_rule;
use crate::rules::text::{TextWords, is_content_word, lengths, root};
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::{OPTION_NOUNS, WORD_ENDINGS};

declare_rule! {
    /// ## What it does
    /// Reports each distractor of an approved item that the item's rationale does not seem to
    /// address. This is a heuristic, so the rule is only informational. A distractor counts as
    /// addressed when the rationale:
    ///
    /// - names its label after "option", "choice", "answer" or "alternative" ("option B",
    ///   "options A and C", "Choice D"), or writes it in parentheses ("(B)"); or
    /// - shares at least half of the distractor's content words, or at least two of them; or
    /// - shares one content word that only this distractor uses, in no other option and not in
    ///   the stem ("a rising budget" addresses "Growth in the security budget").
    ///
    /// A content word has four or more letters and is not a common word ("security", "manager"
    /// and "organization" are common in this bank's exams). Words are compared by a crude stem,
    /// without a possessive `'s`, with hyphenated words also split into their parts, and with
    /// common endings folded, so "policies" matches "policy", "meeting" matches "meetings",
    /// "documentation" matches "documents" and "command-level" matches "commands"; "data" does
    /// not match "database".
    ///
    /// Distractors without content words ("Yes") or that are only a quantity ("72 hours",
    /// "10-20%") always count as addressed: their words cannot show whether the rationale
    /// discusses them. Items that are not approved, or that have no rationale (QB407 reports
    /// those), are skipped.
    ///
    /// A rationale that discusses a distractor only in other words ("a larger team" for "a
    /// doubling of headcount") is still reported; name the option or reuse one of its words,
    /// or silence the finding with `# qbank: allow QB318 -- reason`.
    ///
    /// ## Why is this bad?
    /// A rationale is shown to learners after they answer and to reviewers who check the key.
    /// One that only explains the key leaves the candidates who chose a distractor without the
    /// reason they were wrong, and gives reviewers no evidence that each distractor is
    /// defensibly wrong rather than arguably right.
    ///
    /// ## Example
    /// ```toml
    /// status = "approved"
    /// rationale = "The data owner decides who may access the data."
    ///
    /// [[options]]
    /// text = "The data owner"
    /// correct = true
    ///
    /// [[options]]
    /// text = "The database administrator"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// status = "approved"
    /// rationale = """
    /// The data owner decides who may access the data. The database administrator is a
    /// custodian who carries out those decisions."""
    ///
    /// [[options]]
    /// text = "The data owner"
    /// correct = true
    ///
    /// [[options]]
    /// text = "The database administrator"
    /// ```
    pub(crate) struct DistractorWithoutRationale {
        code: "QB318",
        name: "distractor-without-rationale",
        severity: Info,
        summary: "The rationale does not address a distractor",
    }
}

impl ItemRule for DistractorWithoutRationale {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        if item.status.value != Status::Approved {
            return;
        }
        let Some(rationale) = &item.rationale else {
            return;
        };
        if rationale.value.trim().is_empty() {
            return;
        }
        let Some(rationale_words) = ctx.words.rationale.as_ref() else {
            return;
        };
        let named = named_labels(rationale_words, item.options.len());
        // The words are compared only if some distractor is not named by its label.
        let mut words = None;
        for (index, option) in item.options.iter().enumerate() {
            if option.is_key()
                || named.contains(&index)
                || ctx.words.options[index].quantity().is_some()
            {
                continue;
            }
            let words = words.get_or_insert_with(|| {
                Words::new(&ctx.words.stem, rationale_words, &ctx.words.options)
            });
            if words.discussed(index) {
                continue;
            }
            let mut diagnostic = Self::META
                .diagnostic(
                    ctx.file,
                    option.text.range,
                    format!(
                        "the rationale does not address distractor {}",
                        option_label(index)
                    ),
                )
                .with_help(format!(
                    "say in the rationale why option {} is wrong, by its label or in its own \
                     words",
                    option_label(index)
                ));
            if let Some(key) = item.key_range("rationale") {
                diagnostic = diagnostic.with_secondary(Annotation::labelled(
                    ctx.file.clone(),
                    key,
                    "rationale",
                ));
            }
            ctx.report(diagnostic);
        }
    }
}

/// The words of an item, as [`root`]s, for telling whether its rationale discusses an option.
struct Words<'w, 't> {
    /// Only read when an option's shared words do not settle it, so split on first use.
    stem: OnceCell<RootList<'w>>,
    stem_text: &'w TextWords<'t>,
    rationale: RootList<'w>,
    /// The content words of each option.
    options: Vec<Vec<Cow<'w, str>>>,
}

impl<'w, 't: 'w> Words<'w, 't> {
    fn new(
        stem: &'w TextWords<'t>,
        rationale: &'w TextWords<'t>,
        options: &'w [TextWords<'t>],
    ) -> Self {
        Self {
            stem: OnceCell::new(),
            stem_text: stem,
            rationale: RootList::new(roots(rationale, false)),
            options: options
                .iter()
                .map(|option| {
                    let mut roots = roots(option, true);
                    // An option's roots are counted, so each once.
                    let mut seen = 0;
                    while seen < roots.len() {
                        if roots[..seen].contains(&roots[seen]) {
                            roots.remove(seen);
                        } else {
                            seen += 1;
                        }
                    }
                    roots
                })
                .collect(),
        }
    }

    /// Whether the rationale shares at least half of the content words of option `index`, or
    /// at least two of them, or one that no other option and not the stem uses. An option
    /// without content words counts as discussed: its words cannot show it.
    fn discussed(&self, index: usize) -> bool {
        let own = &self.options[index];
        let shared = own
            .iter()
            .filter(|root| self.rationale.contains(root))
            .count();
        if shared * 2 >= own.len() || shared >= 2 {
            return true;
        }
        // A word only this option uses, found in the rationale, is the rationale discussing
        // the option in its own words ("a rising budget" for "growth in the security budget").
        let stem = self
            .stem
            .get_or_init(|| RootList::new(roots(self.stem_text, false)));
        let distinctive = |root: &&Cow<'w, str>| {
            !stem.contains(root)
                && self
                    .options
                    .iter()
                    .enumerate()
                    .all(|(other, roots)| other == index || !contains_root(roots, root))
        };
        own.iter()
            .filter(distinctive)
            .any(|root| self.rationale.contains(root))
    }
}

/// Roots with their first bytes side by side: every form that [`same_root`] accepts starts
/// with the same byte as the root sought, so a lookup compares only the roots found by a
/// byte search, not each of the hundred or so words of a rationale.
struct RootList<'w> {
    roots: Vec<Cow<'w, str>>,
    /// The first byte of each root; 0 for an empty one (no word holds a NUL).
    firsts: Vec<u8>,
}

impl<'w> RootList<'w> {
    fn new(roots: Vec<Cow<'w, str>>) -> Self {
        let firsts = roots
            .iter()
            .map(|root| root.as_bytes().first().copied().unwrap_or(0))
            .collect();
        Self { roots, firsts }
    }

    /// [`contains_root`] of the list.
    fn contains(&self, root: &str) -> bool {
        match root.as_bytes().first() {
            // An empty root is the same only as another empty one.
            None => self.roots.iter().any(|other| other.is_empty()),
            Some(&first) => {
                memchr::memchr_iter(first, &self.firsts).any(|k| same_root(&self.roots[k], root))
            }
        }
    }
}

/// The [`root`]s of the words of `text`, each hyphenated word also split into its parts
/// ("command-level" gives "command-level", "command" and "level"); with `content`, only of
/// content words.
fn roots<'w, 't: 'w>(text: &'w TextWords<'t>, content: bool) -> Vec<Cow<'w, str>> {
    let mut roots: Vec<Cow<'w, str>> = Vec::with_capacity(text.words().len());
    // Content flags are computed only when asked for: a rationale's are read by no rule.
    let flags = content.then(|| text.content());
    let words = text.words().iter().zip(text.roots()).zip(text.shapes());
    for (k, ((&(_, word), whole), shape)) in words.enumerate() {
        if flags.is_none_or(|flags| flags[k]) {
            roots.push(Cow::Borrowed(whole.as_ref()));
        }
        if shape.has_hyphen() {
            for part in word.split('-') {
                if !content || is_content_word(part) {
                    roots.push(root(part));
                }
            }
        }
    }
    roots
}

/// Whether `roots` holds `root` or another form of it (see [`same_root`]).
fn contains_root(roots: &[Cow<'_, str>], root: &str) -> bool {
    roots.iter().any(|other| same_root(other, root))
}

/// Whether two roots are one word in forms that the crude stemmer leaves apart: equal, or one
/// of at least three letters that the other extends by an ending of [`WORD_ENDINGS`] ("log"
/// and "logs", "meet" and "meeting", "reissu" and "reissue", "document" and "documentation"),
/// but not "data" and "database".
#[inline]
fn same_root(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if let Some(first) = short.as_bytes().first()
        && long.as_bytes().first() != Some(first)
    {
        return false;
    }
    let Some(rest) = long.strip_prefix(short) else {
        return false;
    };
    rest.is_empty() || (short.chars().count() >= 3 && WORD_ENDINGS.contains(&rest))
}

/// The indices of the options, among the first `count`, whose labels the rationale names: after
/// a word such as "option" ("option B", "options A, C and D"), or in parentheses ("(B)").
/// Labels must be capitals, so that "answer a question" names nothing.
fn named_labels(words: &TextWords<'_>, count: usize) -> HashSet<usize> {
    const NOUN_LENGTHS: (usize, usize) = lengths(OPTION_NOUNS);
    let rationale = words.text();
    let label = |word: &str| match word.as_bytes() {
        [letter @ b'A'..=b'Z'] => Some(usize::from(letter - b'A')).filter(|&i| i < count),
        _ => None,
    };
    let mut named = HashSet::new();
    let mut after_noun = false;
    let mut previous_end = 0;
    for &(start, word) in words.words() {
        // A label continues a list only if nothing but spaces and commas separate it from the
        // word before: "option B. A manager" names B, not A.
        let gap = previous_end..start;
        previous_end = start + word.len();
        if after_noun
            && rationale[gap]
                .chars()
                .all(|c| c.is_whitespace() || c == ',')
        {
            if let Some(index) = label(word) {
                named.insert(index);
                continue;
            }
            if matches!(word, "and" | "or") {
                continue;
            }
        }
        after_noun = (NOUN_LENGTHS.0..=NOUN_LENGTHS.1).contains(&word.len())
            && OPTION_NOUNS
                .iter()
                .any(|noun| noun.eq_ignore_ascii_case(word));
    }
    // "(B)": a search for each parenthesis for single-letter labels, one for the rare others.
    let bytes = rationale.as_bytes();
    for open in memchr::memchr_iter(b'(', bytes) {
        if let Some([letter @ b'A'..=b'Z', b')']) = bytes.get(open + 1..open + 3) {
            let index = usize::from(letter - b'A');
            if index < count {
                named.insert(index);
            }
        }
    }
    for index in 26..count {
        if rationale.contains(&format!("({})", option_label(index))) {
            named.insert(index);
        }
    }
    named
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{RootList, Words, contains_root, named_labels, same_root};
    use crate::rules::text::{TextWords, root};

    proptest::proptest! {
        /// A lookup that compares only the roots with the same first byte finds what comparing
        /// every root finds, empty roots and roots that extend each other included.
        #[test]
        fn root_list_lookup_matches_a_full_scan(
            roots in proptest::collection::vec("(|[ldméè][aeoé]{0,3}(s|ing|ation)?)", 0..12),
            sought in "(|[ldméè][aeoé]{0,3}(s|ing|ation)?)",
        ) {
            let roots: Vec<Cow<'_, str>> = roots.into_iter().map(Cow::Owned).collect();
            let list = RootList::new(roots.clone());
            proptest::prop_assert_eq!(list.contains(&sought), contains_root(&roots, &sought));
        }
    }

    #[test]
    fn names_labels_after_option_words_and_in_parentheses() {
        let named = |text| {
            let mut found: Vec<usize> =
                named_labels(&TextWords::new(text), 4).into_iter().collect();
            found.sort_unstable();
            found
        };
        assert_eq!(named("Option B is wrong because"), [1]);
        assert_eq!(named("Options A, C and D fail"), [0, 2, 3]);
        assert_eq!(named("choices A or B"), [0, 1]);
        assert_eq!(named("The auditor (C) lacks authority"), [2]);
        assert_eq!(
            named("the right answer. A manager acts"),
            Vec::<usize>::new()
        );
        assert_eq!(named("the answer a manager gives"), Vec::<usize>::new());
        assert_eq!(named("option E does not exist"), Vec::<usize>::new());
    }

    /// Whether `rationale` discusses the first of `options`, under a stem about access.
    fn discussed(rationale: &str, options: &[&str]) -> bool {
        let options: Vec<TextWords<'_>> = options.iter().map(|o| TextWords::new(o)).collect();
        Words::new(
            &TextWords::new("Who should decide on access to the data?"),
            &TextWords::new(rationale),
            &options,
        )
        .discussed(0)
    }

    #[test]
    fn half_of_the_content_words_or_two_of_them() {
        let rationale = "An auditor would lose independence; policies come later.";
        assert!(
            discussed(rationale, &["Ask the internal auditor"]),
            "1 of 2"
        );
        assert!(
            discussed(rationale, &["Update the policy"]),
            "stems compare"
        );
        assert!(!discussed(
            rationale,
            &["Deploy a firewall at the perimeter"]
        ));
        assert!(discussed(rationale, &["Yes"]), "no content words");
        let long = "Independent auditors review policies and firewall logs";
        assert!(
            discussed(rationale, &[long, "auditors", "policies"]),
            "2 of 6"
        );
        let rationale = "Meeting availability matters; reissuing the team's kit.";
        assert!(discussed(
            rationale,
            &["Availability to attend weekly meetings"]
        ));
        assert!(discussed(rationale, &["Reissue the laptop to the team"]));
        assert!(discussed(
            "A command-level timeline helps responders.",
            &["A timeline of the commands run on each host"]
        ));
    }

    #[test]
    fn one_word_that_only_this_option_uses_is_enough() {
        let options = [
            "Growth in the security budget since adoption",
            "Reduced exposure of critical services",
        ];
        assert!(discussed("A rising budget shows investment.", &options));
        // "exposure" belongs to another option, and "access" to the stem.
        let options = [
            "Growth in exposure of access logs",
            "Reduced exposure of services",
        ];
        assert!(!discussed("Exposure is what matters.", &options));
        assert!(!discussed("Access is what matters.", &options));
    }

    #[test]
    fn roots_fold_possessives_plurals_and_longer_forms() {
        assert_eq!(root("team's"), root("teams"));
        assert!(same_root(&root("processes"), &root("process")));
        assert!(same_root(&root("assessment"), &root("assessing")));
        assert!(same_root(&root("reissue"), &root("reissuing")));
        assert!(same_root(&root("Meeting"), &root("meetings")));
        assert!(same_root(&root("log"), &root("logs")));
        assert!(same_root(&root("documentation"), &root("documents")));
        assert!(
            !same_root(&root("account"), &root("accountability")),
            "too far apart"
        );
        assert!(!same_root(&root("data"), &root("database")), "another word");
        assert!(!same_root(&root("policy"), &root("police")));
        assert!(
            !same_root(&root("cap"), &root("capital")),
            "short words only take an `s`"
        );
    }
}
