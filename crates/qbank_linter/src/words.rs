//! Every word list and threshold of the item-writing rules, in one place.
//!
//! Lists can be extended and thresholds replaced in `qbank.toml` under `[lint]`; the defaults
//! here are what `qbank rule CODE` documents.

use std::collections::HashSet;

use qbank_workspace::LintOptions;

/// Negative words that must be in capitals in the question a stem asks (QB201), and that make a
/// stem negative for the double-negative rule (QB207).
pub(crate) const STEM_NEGATIVES: &[&str] = &["not", "except", "least", "false"];

/// Words that make an option negative (QB207).
pub(crate) const OPTION_NEGATIVES: &[&str] = &[
    "not", "no", "never", "none", "without", "cannot", "nothing", "neither", "nor",
];

/// Words that cue a distractor as wrong (QB307).
pub(crate) const ABSOLUTE_WORDS: &[&str] = &[
    "always",
    "never",
    "all",
    "none",
    "only",
    "must",
    "every",
    "entirely",
    "completely",
];

/// Words that cue a key as right (QB308).
pub(crate) const HEDGE_WORDS: &[&str] = &[
    "usually",
    "generally",
    "may",
    "might",
    "often",
    "typically",
    "sometimes",
    "frequently",
    "probably",
];

/// Capitalized words that are emphasis, not acronyms (QB208).
pub(crate) const EMPHASIS_WORDS: &[&str] = &[
    "NOT",
    "EXCEPT",
    "LEAST",
    "FALSE",
    "TRUE",
    "FIRST",
    "LAST",
    "NEXT",
    "BEST",
    "MOST",
    "MAIN",
    "PRIMARY",
    "PRIMARILY",
    "GREATEST",
    "HIGHEST",
    "LOWEST",
    "BIGGEST",
    "KEY",
    "MAJOR",
    "ONLY",
    "ALL",
    "NONE",
    "NEVER",
    "ALWAYS",
    "MUST",
    "TWO",
    "THREE",
    "FOUR",
    "FIVE",
    "SIX",
    "SEVEN",
    "EIGHT",
    "NINE",
    "TEN",
    "BOTH",
    "AND",
    "OR",
    "NO",
    "YES",
    "II",
    "III",
    "IV",
    "VI",
    "VII",
    "VIII",
    "IX",
    "XI",
    "XII",
];

/// Acronyms every security-management program uses without expansion (QB208).
pub(crate) const KNOWN_ACRONYMS: &[&str] = &[
    "CEO", "CFO", "CIO", "CISO", "COO", "CRO", "CTO", "CPO", "DPO", "IT", "HR", "ISO", "IEC",
    "NIST", "SP", "CSF", "COBIT", "GDPR", "HIPAA", "PCI", "DSS", "SOX", "ISACA", "ISC2", "CISM",
    "ISSMP", "CISSP", "EU", "US", "UK", "USA", "API", "VPN", "USB", "SQL", "URL", "PDF", "IP",
    "CFR", "FIRST", "TLP",
];

/// Words too common to count as a stem's content words (QB309).
pub(crate) const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "best",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "during",
    "each",
    "few",
    "first",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "least",
    "main",
    "manager",
    "more",
    "most",
    "new",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "primary",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "following",
    "organization",
    "organization's",
    "company",
    "information",
    "security",
];

/// Words that never count as a word-repeat cue (QB309), besides `STOP_WORDS`: terms that every
/// item of a security-management bank uses, and function words of four letters or more that the
/// stop list lacks. A bank adds its own with `neutral_words` under `[lint]`.
pub(crate) const NEUTRAL_WORDS: &[&str] = &[
    "risk",
    "risks",
    "data",
    "firm",
    "enterprise",
    "business",
    "within",
    "without",
    "upon",
    "across",
    "among",
    "along",
    "toward",
    "towards",
    "whether",
    "since",
    "unless",
    "though",
    "although",
    "every",
    "many",
    "much",
    "several",
    "must",
    "shall",
    "might",
    "just",
    "even",
    "still",
    "already",
    "either",
    "neither",
    "rather",
    "instead",
    "given",
    "based",
];

/// Words that, after "all" (QB304) or "none" (QB305) and an optional "of" and "the", make an
/// option point at the other options: "all of the above", "none of the preceding".
pub(crate) const COLLECTIVE_ABOVE: &[&str] = &["above", "preceding", "previous", "foregoing"];

/// Nouns for the options themselves: "all of the options", "none of the answers" (QB304, QB305).
pub(crate) const COLLECTIVE_NOUNS: &[&str] = &[
    "options",
    "answers",
    "choices",
    "responses",
    "alternatives",
    "statements",
];

/// Words that may follow "all of the above" and the like while the option still points at the
/// other options ("All of the above are correct"); any other word makes the phrase describe
/// something else ("all of the above assets") (QB304, QB305).
pub(crate) const COLLECTIVE_CONTINUATIONS: &[&str] = &[
    "are",
    "is",
    "apply",
    "applies",
    "except",
    "but",
    "would",
    "will",
    "could",
    "can",
    "should",
    "correct",
    "true",
    "right",
    "valid",
    "above",
    "listed",
    "given",
    "shown",
    "options",
    "answers",
    "choices",
    "responses",
    "alternatives",
    "statements",
];

/// Words that may introduce a list of option labels, as in "both A and B" or "options A and C"
/// (QB311).
pub(crate) const OPTION_REFERENCE_PREFIXES: &[&str] = &[
    "both",
    "neither",
    "either",
    "only",
    "options",
    "option",
    "answers",
    "answer",
    "choices",
    "choice",
    "responses",
    "response",
];

/// Words that may follow a bare list of labels ("A and C are correct"); after any other word the
/// letters are more likely part of a name such as "Type A and B extinguishers" (QB311).
pub(crate) const OPTION_REFERENCE_TAILS: &[&str] = &[
    "are", "is", "only", "but", "together", "combined", "both", "correct", "true",
];

/// How many characters longer than every distractor a key must be, at least, before its length
/// is a cue (QB306): with one-word options such as "Transfer" and "Avoid" a relative margin alone
/// would fire on differences no candidate notices.
pub(crate) const LONGEST_OPTION_MIN_CHARS: usize = 10;

/// Normalized Levenshtein similarity at or above which two different options are near-identical
/// (QB310).
pub(crate) const OPTION_SIMILARITY: f64 = 0.9;

/// Fewest words that one option must have to count as contained in another (QB310): single words
/// such as "Risk" in "Residual risk" are usually distinct terms, not overlapping answers.
pub(crate) const CONTAINED_OPTION_MIN_WORDS: usize = 2;

/// Fewest leading words that every option must share before they belong in the stem (QB312).
pub(crate) const REPEATED_OPENING_MIN_WORDS: usize = 2;

/// Options that only say whether something is so (QB314): an item whose options all come from
/// this list is a true/false question in disguise. Compared in lowercase, without punctuation.
pub(crate) const TRUE_FALSE_OPTIONS: &[&str] =
    &["true", "false", "yes", "no", "correct", "incorrect"];

/// Below this many characters in its longest option, an item is never imbalanced (QB313): short
/// options such as role names or numbers differ in length without cueing anything.
pub(crate) const OPTION_LENGTH_MIN_LONGEST: usize = 20;

/// Below this many single-response items, an exam's longest-key rate is not judged (QB320): on a
/// handful of items the rate swings by chance.
pub(crate) const LONGEST_KEY_MIN_ITEMS: usize = 10;

/// Words that name an option before its label in a rationale: "option B", "choices A and C"
/// (QB318).
pub(crate) const OPTION_NOUNS: &[&str] = &[
    "option",
    "options",
    "choice",
    "choices",
    "answer",
    "answers",
    "alternative",
    "alternatives",
];

/// Endings that make another form of a word once the crude stemmer is done: a rationale's
/// "meeting" discusses an option's "meet", "documentation" its "document" (QB318).
pub(crate) const WORD_ENDINGS: &[&str] = &[
    "s", "es", "e", "ed", "ing", "er", "ers", "ion", "ions", "ation", "ment", "ments", "al", "ly",
];

/// Where an open range lies relative to its number (QB315, QB316).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpenEnd {
    /// Below the number, without it: "less than 10".
    Below,
    /// Below the number, with it: "up to 10", "10 or less".
    UpTo,
    /// Above the number, without it: "more than 10".
    Above,
    /// Above the number, with it: "at least 10", "10 or more", "10+".
    AtLeast,
}

/// Phrases before a number that make an open range (QB315, QB316).
pub(crate) const RANGE_PREFIXES: &[(&str, OpenEnd)] = &[
    ("less than", OpenEnd::Below),
    ("fewer than", OpenEnd::Below),
    ("shorter than", OpenEnd::Below),
    ("lower than", OpenEnd::Below),
    ("under", OpenEnd::Below),
    ("below", OpenEnd::Below),
    ("up to", OpenEnd::UpTo),
    ("at most", OpenEnd::UpTo),
    ("no more than", OpenEnd::UpTo),
    ("not more than", OpenEnd::UpTo),
    ("more than", OpenEnd::Above),
    ("greater than", OpenEnd::Above),
    ("longer than", OpenEnd::Above),
    ("higher than", OpenEnd::Above),
    ("over", OpenEnd::Above),
    ("above", OpenEnd::Above),
    ("at least", OpenEnd::AtLeast),
    ("no less than", OpenEnd::AtLeast),
    ("no fewer than", OpenEnd::AtLeast),
    ("not less than", OpenEnd::AtLeast),
];

/// Phrases after a number that make an open range (QB315, QB316).
pub(crate) const RANGE_SUFFIXES: &[(&str, OpenEnd)] = &[
    ("or less", OpenEnd::UpTo),
    ("or fewer", OpenEnd::UpTo),
    ("or lower", OpenEnd::UpTo),
    ("or shorter", OpenEnd::UpTo),
    ("or below", OpenEnd::UpTo),
    ("or more", OpenEnd::AtLeast),
    ("or greater", OpenEnd::AtLeast),
    ("or higher", OpenEnd::AtLeast),
    ("or longer", OpenEnd::AtLeast),
    ("or above", OpenEnd::AtLeast),
];

/// Words before a number that keep it a single value, such as a deadline: "within 24 hours" and
/// "within 72 hours" are two answers in order, not two overlapping ranges (QB315, QB316). Options
/// compare only when they share the word.
pub(crate) const POINT_QUALIFIERS: &[&str] = &[
    "within",
    "after",
    "every",
    "once every",
    "by",
    "about",
    "approximately",
    "around",
    "roughly",
    "nearly",
    "exactly",
];

/// Number words that options use for small counts, from zero: "three days" (QB315, QB316).
pub(crate) const QUANTITY_NUMBER_WORDS: &[&str] = &[
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
];

/// Ordinal words, "first" to "tenth", for options that name a position (QB315).
pub(crate) const ORDINAL_WORDS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
];

/// Month names and their abbreviations, for dates such as "March 2024" (QB315, QB316).
pub(crate) const MONTHS: &[(&str, &str)] = &[
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may", "may"),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
];

/// Units of time in seconds, singular; a plural `s` is dropped before lookup (QB315, QB316).
pub(crate) const DURATION_UNITS: &[(&str, f64)] = &[
    ("second", 1.0),
    ("sec", 1.0),
    ("minute", 60.0),
    ("min", 60.0),
    ("hour", 3_600.0),
    ("hr", 3_600.0),
    ("day", 86_400.0),
    ("business day", 86_400.0),
    ("working day", 86_400.0),
    ("calendar day", 86_400.0),
    ("week", 604_800.0),
    ("month", 2_592_000.0),
    ("quarter", 7_776_000.0),
    ("year", 31_536_000.0),
];

/// Words that scale a number: "2.5 million" (QB315, QB316).
pub(crate) const MULTIPLIERS: &[(&str, f64)] = &[
    ("thousand", 1e3),
    ("million", 1e6),
    ("billion", 1e9),
    ("k", 1e3),
    ("m", 1e6),
    ("mn", 1e6),
    ("bn", 1e9),
];

/// Currency signs and names, each mapped to the sign that amounts are compared under (QB315,
/// QB316): "$500" and "500 dollars" compare, "$500" and "€500" do not.
pub(crate) const CURRENCIES: &[(&str, &str)] = &[
    ("$", "$"),
    ("usd", "$"),
    ("dollar", "$"),
    ("dollars", "$"),
    ("€", "€"),
    ("eur", "€"),
    ("euro", "€"),
    ("euros", "€"),
    ("£", "£"),
    ("gbp", "£"),
    ("pound", "£"),
    ("pounds", "£"),
];

/// Two-word phrases in which a stem negative does not negate the question (QB201, QB207):
/// "at least three", "not only", "whether or not", "false positives".
pub(crate) const NEGATIVE_IDIOMS: &[&str] = &[
    "at least",
    "not only",
    "or not",
    "false positive",
    "false positives",
    "false negative",
    "false negatives",
    "false alarm",
    "false alarms",
    "false acceptance",
    "false rejection",
    "false sense",
];

/// Words that open a subordinate clause. A negative after one of them in the question describes
/// the scenario ("systems that are not patched"), it does not negate the question (QB201, QB207).
pub(crate) const SUBORDINATORS: &[&str] = &[
    "that", "who", "whom", "whose", "where", "when", "if", "because", "although", "though",
    "unless", "whether", "since", "while", "until", "once",
];

/// Imperative verbs that state a task at the start of a stem's last sentence, so that the stem
/// needs no question mark: "Select the BEST control for this risk." (QB202).
pub(crate) const TASK_VERBS: &[&str] = &[
    "choose",
    "select",
    "identify",
    "determine",
    "indicate",
    "pick",
    "rank",
    "arrange",
    "match",
    "complete",
    "calculate",
    "classify",
];

/// Words after which a number is the count of options to choose: "Choose TWO", "Select 2",
/// "Which TWO actions" (QB205).
pub(crate) const COUNT_CUES: &[&str] = &[
    "choose", "select", "pick", "mark", "identify", "which", "what",
];

/// Words that may stand between a count cue and its number: "Select the TWO", "choose any two"
/// (QB205).
pub(crate) const COUNT_FILLERS: &[&str] = &["the", "any", "exactly", "only"];

/// Number words from one to ten, in order (QB205).
pub(crate) const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
];

/// Words written in capitals that are labels, markings or requirement keywords, not acronyms:
/// "marked CONFIDENTIAL", "TLP:AMBER", "the system MUST" (QB208). Emphasis words are in
/// [`EMPHASIS_WORDS`]; capitals ending in "-EST" or "-LY" ("LARGEST", "IMMEDIATELY") are emphasis
/// too.
pub(crate) const CAPITALIZED_LABELS: &[&str] = &[
    "NOTE",
    "WARNING",
    "CAUTION",
    "IMPORTANT",
    "CONFIDENTIAL",
    "SECRET",
    "RESTRICTED",
    "INTERNAL",
    "PUBLIC",
    "SENSITIVE",
    "UNCLASSIFIED",
    "CLASSIFIED",
    "CLEAR",
    "WHITE",
    "GREEN",
    "AMBER",
    "RED",
    "HIGH",
    "MEDIUM",
    "LOW",
    "CRITICAL",
    "SHALL",
    "SHOULD",
    "MAY",
    "REQUIRED",
    "RECOMMENDED",
    "OPTIONAL",
    "ONE",
    "SIX",
    "WORST",
    "INITIAL",
    "IMMEDIATE",
    "ULTIMATE",
    "BETTER",
    "LESS",
    "FEWER",
    "OK",
];

/// Beginnings of words that start with a vowel letter and a consonant sound, and so take "a":
/// "a unique", "a user", "a one-time" (QB206). An entry ending in `-` also matches the bare word.
pub(crate) const A_BEFORE_VOWEL_LETTER: &[&str] = &[
    "one-", "once", "unique", "unit", "union", "unif", "univ", "unil", "unis", "usa", "use", "usi",
    "usu", "uti", "ura", "eu", "ewe", "ubiq",
];

/// Beginnings of words with a silent "h", which take "an": "an hour", "an honest" (QB206).
pub(crate) const AN_BEFORE_SILENT_H: &[&str] = &["hour", "honest", "honor", "honour", "heir"];

/// Words that bring their own determiner, so an option that starts with one says nothing about
/// the article before it (QB206).
pub(crate) const DETERMINERS: &[&str] = &[
    "a", "an", "the", "this", "that", "these", "those", "its", "their", "his", "her", "our",
    "your", "each", "every", "some", "any", "all", "no", "both", "either", "neither",
];

/// The resolved lists and thresholds.
#[derive(Clone, Debug)]
pub struct LintSettings {
    pub(crate) acronyms: HashSet<String>,
    pub(crate) absolute_words: WordList,
    pub(crate) hedge_words: WordList,
    pub(crate) neutral_words: WordList,
    pub(crate) longest_option_margin: f64,
    pub(crate) option_length_ratio: f64,
    pub(crate) window_dressing_sigma: f64,
    pub(crate) window_dressing_min_words: usize,
    pub(crate) key_position_tolerance: f64,
    pub(crate) key_position_min_items: usize,
    pub(crate) longest_key_rate: f64,
}

impl Default for LintSettings {
    fn default() -> Self {
        Self::new(&LintOptions::default())
    }
}

impl LintSettings {
    /// The defaults above, extended and replaced by `options`.
    pub(crate) fn new(options: &LintOptions) -> Self {
        let extend = |base: &[&str], extra: &Option<Vec<String>>| {
            WordList::new(
                base.iter()
                    .map(|w| (*w).to_owned())
                    .chain(extra.iter().flatten().map(|w| w.to_lowercase())),
            )
        };
        Self {
            acronyms: KNOWN_ACRONYMS
                .iter()
                .map(|a| (*a).to_owned())
                .chain(options.acronyms.iter().flatten().cloned())
                .collect(),
            absolute_words: extend(ABSOLUTE_WORDS, &options.absolute_words),
            hedge_words: extend(HEDGE_WORDS, &options.hedge_words),
            neutral_words: extend(NEUTRAL_WORDS, &options.neutral_words),
            longest_option_margin: options.longest_option_margin.unwrap_or(0.25),
            option_length_ratio: options.option_length_ratio.unwrap_or(3.0),
            window_dressing_sigma: options.window_dressing_sigma.unwrap_or(3.0),
            window_dressing_min_words: options.window_dressing_min_words.unwrap_or(80) as usize,
            key_position_tolerance: options.key_position_tolerance.unwrap_or(0.10),
            key_position_min_items: options.key_position_min_items.unwrap_or(20) as usize,
            longest_key_rate: options.longest_key_rate.unwrap_or(0.35),
        }
    }
}

/// A list of lower-case words that text words are looked up in, ignoring ASCII case.
#[derive(Clone, Debug, Default)]
pub(crate) struct WordList {
    /// The words by their length in bytes: a word is compared with those of its length only.
    by_length: Vec<Vec<String>>,
}

impl WordList {
    /// The list of `words`, which must be in lower case.
    pub(crate) fn new(words: impl IntoIterator<Item = String>) -> Self {
        let mut by_length: Vec<Vec<String>> = Vec::new();
        for word in words {
            if by_length.len() <= word.len() {
                by_length.resize(word.len() + 1, Vec::new());
            }
            if !by_length[word.len()].contains(&word) {
                by_length[word.len()].push(word);
            }
        }
        Self { by_length }
    }

    /// Whether `word` is in the list, ignoring ASCII case: "All" and "ALL" are "all".
    pub(crate) fn contains(&self, word: &str) -> bool {
        let Some(same_length) = self.by_length.get(word.len()) else {
            return false;
        };
        let Some(first) = word.as_bytes().first().map(u8::to_ascii_lowercase) else {
            return false;
        };
        same_length
            .iter()
            .any(|listed| listed.as_bytes()[0] == first && listed.eq_ignore_ascii_case(word))
    }
}

#[cfg(test)]
mod tests {
    use qbank_workspace::LintOptions;

    use super::{LintSettings, WordList};

    #[test]
    fn word_lists_ignore_ascii_case_and_match_whole_words() {
        let list = WordList::new(["all".to_owned(), "naïve".to_owned()]);
        for word in ["all", "All", "ALL", "naïve", "NAïVE"] {
            assert!(list.contains(word), "{word}");
        }
        for word in ["al", "allocate", "NAÏVE", "", "ball"] {
            assert!(!list.contains(word), "{word}");
        }
    }

    #[test]
    fn words_from_the_configuration_are_looked_up_in_lower_case() {
        let settings = LintSettings::new(&LintOptions {
            neutral_words: Some(vec!["Network".to_owned()]),
            ..LintOptions::default()
        });
        assert!(settings.neutral_words.contains("NETWORK"));
        assert!(settings.neutral_words.contains("risk"));
        assert!(!settings.neutral_words.contains("patient"));
    }
}
