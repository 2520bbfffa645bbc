use std::collections::BTreeMap;

use qbank_diagnostics::Diagnostic;
use rayon::prelude::*;

use crate::CheckedItem;
use crate::registry::declare_rule;
use crate::rules::text::words;
use crate::words::LintSettings;

declare_rule! {
    /// ## What it does
    /// Reports, for each exam, the stems that are far longer than that exam's other stems: whose
    /// word count is above the mean plus `window_dressing_sigma` standard deviations (3 by
    /// default) of the word counts of all the exam's stems, and is at least
    /// `window_dressing_min_words` (80 by default). Every valid item of the exam counts,
    /// whatever its status.
    ///
    /// Both thresholds are set in `qbank.toml`:
    ///
    /// ```toml
    /// [lint]
    /// window_dressing_sigma = 2.5
    /// window_dressing_min_words = 100
    /// ```
    ///
    /// With the population standard deviation, no stem can lie more than `sqrt(n - 1)` deviations
    /// above the mean of `n` stems, so with the default the rule needs an exam of at least eleven
    /// items before it can fire.
    ///
    /// ## Why is this bad?
    /// Background that does not bear on the answer ("window dressing") costs reading time and
    /// rewards reading speed and language skill instead of the knowledge the item tests. An
    /// outlier among an exam's stems is often a scenario that grew during review.
    ///
    /// ## Example
    /// Among items whose stems run to about 30 words:
    /// ```toml
    /// stem = """
    /// Founded in 1962 as a family firm, the manufacturer grew through acquisitions in four
    /// countries, moved its headquarters twice, and now employs 9,000 people. Its board has
    /// eleven members, meets monthly and recently added a director with a background in retail
    /// banking. The company's annual report praises its culture of innovation and its strong
    /// engineering tradition, and its products win design awards. Last year the company hired its
    /// first CISO, who reports to the CIO and has a team of six. The CISO has found that nobody
    /// approves exceptions to the security policy. Who should approve policy exceptions?"""
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = """
    /// A manufacturer's new CISO finds that nobody approves exceptions to the security policy.
    /// Who should approve policy exceptions?"""
    /// ```
    pub(crate) struct WindowDressing {
        code: "QB204",
        name: "window-dressing",
        severity: Info,
        summary: "A stem far longer than the exam's norm",
    }
}

/// Reports the stems that are outliers in length within their exam.
pub(super) fn window_dressing(
    items: &[CheckedItem],
    lint: &LintSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // A BTreeMap and a sort by path make the findings independent of the order the items were
    // checked in.
    // The item rules have split most stems into words already; the rest are counted here, in
    // parallel: on a large bank that is most of the rule's time.
    let counts: Vec<usize> = items
        .par_iter()
        .map(|checked| {
            checked
                .stem_words
                .unwrap_or_else(|| words(&checked.item.stem.value).count())
        })
        .collect();
    let mut exams: BTreeMap<&str, Vec<(&CheckedItem, usize)>> = BTreeMap::new();
    for (checked, count) in items.iter().zip(counts) {
        exams
            .entry(checked.item.exam.value.as_str())
            .or_default()
            .push((checked, count));
    }
    for (exam, mut stems) in exams {
        stems.par_sort_by(|a, b| a.0.path.cmp(&b.0.path));
        let Some(stats) = Stats::of(stems.iter().map(|&(_, count)| count)) else {
            continue;
        };
        let threshold = stats.mean + lint.window_dressing_sigma * stats.deviation;
        for (checked, count) in stems {
            #[expect(clippy::cast_precision_loss, reason = "word counts are far below 2^52")]
            let long = count as f64 > threshold;
            if !long || count < lint.window_dressing_min_words {
                continue;
            }
            diagnostics.push(
                WindowDressing::META
                    .diagnostic(
                        &checked.file,
                        checked.item.stem.range,
                        format!(
                            "stem has {count} words, far above the {:.0}-word mean of exam \
                             `{exam}` (standard deviation {:.0})",
                            stats.mean, stats.deviation
                        ),
                    )
                    .with_help(format!(
                        "cut background that does not bear on the answer; the limit is mean + {} \
                         standard deviations = {threshold:.0} words, and stems under {} words are \
                         never reported",
                        lint.window_dressing_sigma, lint.window_dressing_min_words
                    )),
            );
        }
    }
}

/// Mean and population standard deviation of word counts.
#[derive(Debug, PartialEq)]
struct Stats {
    mean: f64,
    deviation: f64,
}

impl Stats {
    fn of(counts: impl ExactSizeIterator<Item = usize> + Clone) -> Option<Self> {
        if counts.len() == 0 {
            return None;
        }
        #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
        let (n, values) = (counts.len() as f64, counts.map(|c| c as f64));
        let mean = values.clone().sum::<f64>() / n;
        let variance = values.map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        Some(Self {
            mean,
            deviation: variance.sqrt(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Stats;

    #[test]
    fn population_statistics() {
        let stats = Stats::of([2, 4, 4, 4, 5, 5, 7, 9].into_iter()).unwrap();
        assert_eq!(
            stats,
            Stats {
                mean: 5.0,
                deviation: 2.0
            }
        );
        assert_eq!(Stats::of(std::iter::empty()), None);
    }
}
