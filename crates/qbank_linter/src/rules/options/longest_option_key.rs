use qbank_diagnostics::Annotation;
use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::LONGEST_OPTION_MIN_CHARS;

declare_rule! {
    /// ## What it does
    /// Reports a key that is clearly longer than every distractor: longer than the longest
    /// distractor by more than `longest_option_margin` of that distractor's length (default
    /// 0.25, that is 25%), and by at least 10 characters, so that one-word options such as
    /// "Transfer" and "Avoid" are not compared. Lengths are counted in characters of the trimmed
    /// text. In a multiple-response item each key is judged on its own.
    ///
    /// ## Why is this bad?
    /// Writers tend to qualify and complete the right answer and leave the distractors short,
    /// and test-wise candidates know it: "pick the longest option" then scores without any
    /// knowledge of the content.
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// text = "Encrypt the laptops"
    ///
    /// [[options]]
    /// text = "Assess the risk of the new remote work arrangement against the risk appetite"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Buy cyber insurance"
    ///
    /// [[options]]
    /// text = "Ban remote work"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[options]]
    /// text = "Encrypt every laptop used for remote work"
    ///
    /// [[options]]
    /// text = "Assess the risk against the risk appetite"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Transfer the risk with cyber insurance"
    ///
    /// [[options]]
    /// text = "Suspend remote work until a review"
    /// ```
    ///
    /// ## Configuration
    /// ```toml
    /// [lint]
    /// longest_option_margin = 0.4   # a key must be 40% longer than every distractor
    /// ```
    pub(crate) struct LongestOptionKey {
        code: "QB306",
        name: "longest-option-key",
        severity: Warning,
        summary: "The key is clearly the longest option",
    }
}

impl ItemRule for LongestOptionKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let length = |index: usize| item.options[index].text.value.trim().chars().count();
        let Some(longest_distractor) = (0..item.options.len())
            .filter(|&i| !item.options[i].is_key())
            .max_by_key(|&i| (length(i), std::cmp::Reverse(i)))
        else {
            return;
        };
        let distractor_length = length(longest_distractor);
        if distractor_length == 0 {
            return;
        }
        for key in item.key_indices() {
            let key_length = length(key);
            if !clearly_longer(
                key_length,
                distractor_length,
                ctx.lint.longest_option_margin,
            ) {
                continue;
            }
            let percent = ((as_f64(key_length) / as_f64(distractor_length) - 1.0) * 100.0).round();
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        item.options[key].text.range,
                        format!(
                            "key {} is {key_length} characters, {percent}% longer than the \
                             longest distractor ({distractor_length})",
                            option_label(key),
                        ),
                    )
                    .with_secondary(Annotation::labelled(
                        ctx.file.clone(),
                        item.options[longest_distractor].text.range,
                        "longest distractor",
                    ))
                    .with_help(
                        "shorten the key or make the distractors as complete, so that length \
                         does not point to the answer",
                    ),
            );
        }
    }
}

/// Whether a key of `key` characters is clearly longer than a distractor of `distractor`
/// characters: by more than `margin` of the distractor's length and by at least
/// `LONGEST_OPTION_MIN_CHARS`.
fn clearly_longer(key: usize, distractor: usize, margin: f64) -> bool {
    key >= distractor + LONGEST_OPTION_MIN_CHARS
        && as_f64(key) > as_f64(distractor) * (1.0 + margin)
}

/// Option lengths are far below 2^32, where `u32` to `f64` is exact.
fn as_f64(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::clearly_longer;

    #[test]
    fn needs_both_the_margin_and_ten_characters() {
        assert!(clearly_longer(80, 60, 0.25));
        assert!(
            !clearly_longer(75, 60, 0.25),
            "exactly 25% longer is not more than 25%"
        );
        assert!(
            !clearly_longer(8, 5, 0.25),
            "one-word options differ by a few letters"
        );
        assert!(clearly_longer(16, 6, 0.25));
        assert!(!clearly_longer(60, 80, 0.25));
    }
}
