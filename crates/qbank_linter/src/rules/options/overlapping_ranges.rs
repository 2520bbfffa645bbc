use qbank_diagnostics::Annotation;
use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::text::{Quantity, TextWords};
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an option that states a range overlapping the range or value of an earlier
    /// option: "10-20%" and "15-25%", "less than 10" and "5 to 15", or "10-20%" and "20-30%",
    /// which share the value 20. Each option is reported once, against the first earlier option
    /// it overlaps.
    ///
    /// Ranges are written "10-20%", "10 to 20 percent", "between 10 and 20", "from 1 to 4
    /// hours", "less than 10", "up to 10", "more than 20", "at least 20", "20 or more" or "20+",
    /// over numbers, percentages, amounts, durations and dates. "Less than", "under", "more
    /// than" and "over" exclude their number, so "less than 10" and "10-20" do not overlap;
    /// "up to", "at least", "or more" and a range's own ends include it. Options must be of the
    /// same kind to compare: "10-20%" and "15 days" do not.
    ///
    /// The range phrases and units are built in and not configurable; silence a deliberate
    /// overlap with `# qbank: allow QB316 -- reason`.
    ///
    /// ## Why is this bad?
    /// When ranges overlap, an answer in the shared part makes two options correct, and an
    /// item with a shared end ("10-20%" and "20-30%") has two keys for exactly the value a
    /// careful candidate is most likely to know.
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// text = "10-20%"
    ///
    /// [[options]]
    /// text = "20-30%"
    /// correct = true
    ///
    /// [[options]]
    /// text = "30-40%"
    ///
    /// [[options]]
    /// text = "More than 40%"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[options]]
    /// text = "10-19%"
    ///
    /// [[options]]
    /// text = "20-29%"
    /// correct = true
    ///
    /// [[options]]
    /// text = "30-39%"
    ///
    /// [[options]]
    /// text = "40% or more"
    /// ```
    pub(crate) struct OverlappingRanges {
        code: "QB316",
        name: "overlapping-ranges",
        severity: Error,
        summary: "Numeric range options overlap",
    }
}

impl ItemRule for OverlappingRanges {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let quantities: Vec<Option<&Quantity>> =
            ctx.words.options.iter().map(TextWords::quantity).collect();
        // Most items state no quantity at all; they cost one parse per option.
        if quantities.iter().filter(|q| q.is_some()).count() < 2 {
            return;
        }
        for (later, option) in item.options.iter().enumerate() {
            let Some(range) = &quantities[later] else {
                continue;
            };
            let Some(earlier) = (0..later).find(|&earlier| {
                quantities[earlier]
                    .as_ref()
                    .is_some_and(|other| overlap(other, range))
            }) else {
                continue;
            };
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        option.text.range,
                        format!(
                            "option {} (`{}`) overlaps option {} (`{}`)",
                            option_label(later),
                            option.text.value.trim(),
                            option_label(earlier),
                            item.options[earlier].text.value.trim(),
                        ),
                    )
                    .with_secondary(Annotation::labelled(
                        ctx.file.clone(),
                        item.options[earlier].text.range,
                        "overlapped range",
                    ))
                    .with_help(
                        "make the ranges disjoint, without shared ends, so that every possible \
                         answer falls in exactly one option",
                    ),
            );
        }
    }
}

/// Whether two options' quantities overlap as ranges. Two single values that are equal are the
/// same option, which QB301 reports.
fn overlap(a: &Quantity, b: &Quantity) -> bool {
    a.comparable(b) && !(a.is_point() && b.is_point()) && a.overlaps(b)
}

#[cfg(test)]
mod tests {
    use super::overlap;
    use crate::rules::text::quantity;

    fn overlaps(a: &str, b: &str) -> bool {
        overlap(&quantity(a).unwrap(), &quantity(b).unwrap())
    }

    #[test]
    fn overlapping_ranges_and_shared_ends() {
        assert!(overlaps("10-20%", "15-25%"));
        assert!(overlaps("10 to 20 percent", "20-30%"));
        assert!(overlaps("between 10 and 20", "at least 20"));
        assert!(overlaps("less than 10", "5 to 15"));
        assert!(overlaps("1-4 hours", "2 hours"));
    }

    #[test]
    fn disjoint_ranges_points_and_other_kinds() {
        assert!(!overlaps("10-19%", "20-29%"));
        assert!(!overlaps("less than 10", "10-20"));
        assert!(!overlaps("10-20", "more than 20"));
        assert!(!overlaps("10%", "10%"));
        assert!(!overlaps("10-20%", "15-25 days"));
        assert!(!overlaps("Within 1-2 days", "1-2 days"));
    }
}
