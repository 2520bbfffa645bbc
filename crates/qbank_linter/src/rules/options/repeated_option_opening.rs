use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::text::{TextWords, value_span};
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::REPEATED_OPENING_MIN_WORDS;

declare_rule! {
    /// ## What it does
    /// Reports an item whose options all begin with the same two or more words, compared
    /// without case and punctuation: "Review the logs", "Review the policy", "Review the
    /// contract". An item where one option is nothing but the shared words is left to QB310,
    /// since moving them would leave that option empty.
    ///
    /// ## Why is this bad?
    /// Words that every option repeats belong in the stem: the candidate reads them once, the
    /// options get shorter and their real differences stand out. Repeated openings also tend to
    /// hide that the stem does not yet say what is asked.
    ///
    /// ## Example
    /// ```toml
    /// stem = "A laptop with customer data was stolen. What should the manager do FIRST?"
    ///
    /// [[options]]
    /// text = "Notify the customers whose data was on the laptop"
    ///
    /// [[options]]
    /// text = "Notify the police of the theft"
    ///
    /// [[options]]
    /// text = "Notify the insurer under the cyber policy"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = "A laptop with customer data was stolen. Whom should the manager notify FIRST?"
    ///
    /// [[options]]
    /// text = "The customers whose data was on the laptop"
    ///
    /// [[options]]
    /// text = "The police"
    ///
    /// [[options]]
    /// text = "The insurer under the cyber policy"
    /// ```
    pub(crate) struct RepeatedOptionOpening {
        code: "QB312",
        name: "repeated-option-opening",
        severity: Warning,
        summary: "Every option begins with the same words",
    }
}

impl ItemRule for RepeatedOptionOpening {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let [first, rest @ ..] = item.options.as_slice() else {
            return;
        };
        if rest.is_empty() {
            return;
        }
        let openings: Vec<&[(usize, &str)]> =
            ctx.words.options.iter().map(TextWords::words).collect();
        let shared = shared_opening(&openings);
        let shortest = openings.iter().map(|o| o.len()).min().unwrap_or(0);
        if shared < REPEATED_OPENING_MIN_WORDS || shared >= shortest {
            return;
        }
        let (start, _) = openings[0][0];
        let (last_start, last) = openings[0][shared - 1];
        let phrase = start..last_start + last.len();
        let said = &first.text.value[phrase.clone()];
        ctx.report(
            Self::META
                .diagnostic(
                    ctx.file,
                    value_span(ctx.file.text(), &first.text, phrase.clone()),
                    format!("all {} options begin with `{said}`", item.options.len()),
                )
                .with_help(format!(
                    "move `{said}` into the stem and start each option after it"
                )),
        );
    }
}

/// How many leading words every option shares, ignoring case.
fn shared_opening(options: &[&[(usize, &str)]]) -> usize {
    let Some((first, rest)) = options.split_first() else {
        return 0;
    };
    first
        .iter()
        .enumerate()
        .take_while(|&(at, &(_, word))| {
            rest.iter().all(|other| {
                other
                    .get(at)
                    .is_some_and(|&(_, w)| w.eq_ignore_ascii_case(word))
            })
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::shared_opening;
    use crate::rules::text::words;

    fn shared(texts: &[&str]) -> usize {
        let lists: Vec<Vec<(usize, &str)>> = texts.iter().map(|t| words(t).collect()).collect();
        let lists: Vec<&[(usize, &str)]> = lists.iter().map(Vec::as_slice).collect();
        shared_opening(&lists)
    }

    #[test]
    fn counts_shared_words_without_case_or_punctuation() {
        assert_eq!(
            shared(&["Review the logs", "review, the policy", "Review the plan"]),
            2
        );
        assert_eq!(shared(&["Review the logs", "Rewrite the policy"]), 0);
        assert_eq!(shared(&["The CISO", "The CIO"]), 1);
    }
}
