use std::cmp::Ordering;

use qbank_diagnostics::Annotation;
use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::text::Quantity;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item that keeps its options in place (`shuffle = false`, or every option
    /// `fixed = true`) whose options are all quantities of one kind but are neither in ascending
    /// nor in descending order.
    ///
    /// Quantities are numbers ("12", "1,500", "three"), percentages ("25%", "25 percent"),
    /// amounts ("$1.5 million", "500 euros"), durations ("4 hours", "2 business days"), dates
    /// ("2024-03-01", "March 2024") and ordinals ("first", "2nd"), and ranges of them ("10-20%",
    /// "less than 10", "20 or more"), ordered by their lower end. A leading "within", "after",
    /// "every" or "about" is allowed when every option has the same one. Options of different
    /// kinds ("10%" and "10 days"), or with any other words, are not compared.
    ///
    /// The units, number words and range phrases are built in and not configurable; silence a
    /// deliberate order with `# qbank: allow QB315 -- reason`.
    ///
    /// ## Why is this bad?
    /// When delivery does not shuffle, candidates see the options as written. Numbers in order
    /// let them find their answer at once; numbers out of order make them hunt, reward careful
    /// reading of the layout rather than of the content, and the odd position of one value can
    /// give the key away.
    ///
    /// ## Example
    /// ```toml
    /// shuffle = false
    ///
    /// [[options]]
    /// text = "24 hours"
    ///
    /// [[options]]
    /// text = "72 hours"
    /// correct = true
    ///
    /// [[options]]
    /// text = "48 hours"
    ///
    /// [[options]]
    /// text = "7 days"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// shuffle = false
    ///
    /// [[options]]
    /// text = "24 hours"
    ///
    /// [[options]]
    /// text = "48 hours"
    ///
    /// [[options]]
    /// text = "72 hours"
    /// correct = true
    ///
    /// [[options]]
    /// text = "7 days"
    /// ```
    pub(crate) struct LostSequence {
        code: "QB315",
        name: "lost-sequence",
        severity: Warning,
        summary: "Ordered options out of order in an unshuffled item",
    }
}

impl ItemRule for LostSequence {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let all_fixed = item
            .options
            .iter()
            .all(|option| option.fixed.as_ref().is_some_and(|f| f.value));
        if item.shuffles() && !all_fixed {
            return;
        }
        let Some(quantities) = ctx
            .words
            .options
            .iter()
            .map(|option| option.quantity().cloned())
            .collect::<Option<Vec<Quantity>>>()
        else {
            return;
        };
        let Some(out_of_order) = first_out_of_order(&quantities) else {
            return;
        };
        let (before, after) = (out_of_order - 1, out_of_order);
        let ascending = quantities[..after]
            .windows(2)
            .map(|pair| pair[0].order(&pair[1]))
            .find(|order| order.is_ne())
            == Some(Ordering::Less);
        ctx.report(
            Self::META
                .diagnostic(
                    ctx.file,
                    item.options[after].text.range,
                    format!(
                        "option {} (`{}`) breaks the {} order of the options",
                        option_label(after),
                        item.options[after].text.value.trim(),
                        if ascending { "ascending" } else { "descending" },
                    ),
                )
                .with_secondary(Annotation::labelled(
                    ctx.file.clone(),
                    item.options[before].text.range,
                    format!("option {} comes before it", option_label(before)),
                ))
                .with_help(
                    "list the options in ascending or descending order: this item is not \
                     shuffled, so candidates see them as written",
                ),
        );
    }
}

/// The index of the first quantity that breaks the order the ones before it set, or `None`
/// when the quantities are in ascending or descending order or do not compare.
fn first_out_of_order(quantities: &[Quantity]) -> Option<usize> {
    let first = quantities.first()?;
    if !quantities.iter().all(|q| q.comparable(first)) {
        return None;
    }
    let mut direction = Ordering::Equal;
    for (index, pair) in quantities.windows(2).enumerate() {
        let order = pair[0].order(&pair[1]);
        if direction.is_eq() {
            direction = order;
        } else if order == direction.reverse() {
            return Some(index + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::first_out_of_order;
    use crate::rules::text::{Quantity, quantity};

    fn out_of_order(options: &[&str]) -> Option<usize> {
        let quantities: Vec<Quantity> = options.iter().map(|o| quantity(o).unwrap()).collect();
        first_out_of_order(&quantities)
    }

    #[test]
    fn finds_the_first_option_against_the_direction() {
        assert_eq!(
            out_of_order(&["24 hours", "72 hours", "48 hours", "7 days"]),
            Some(2)
        );
        assert_eq!(out_of_order(&["90%", "75%", "80%"]), Some(2));
        assert_eq!(out_of_order(&["Third", "First", "Second"]), Some(2));
        assert_eq!(
            out_of_order(&["less than 10", "more than 20", "10-20"]),
            Some(2)
        );
    }

    #[test]
    fn accepts_either_direction_and_ties() {
        assert_eq!(
            out_of_order(&["1 hour", "4 hours", "1 day", "1 week"]),
            None
        );
        assert_eq!(
            out_of_order(&["$5 million", "$500,000", "$50,000", "$5,000"]),
            None
        );
        assert_eq!(out_of_order(&["10", "10", "20"]), None);
        assert_eq!(
            out_of_order(&["less than 10", "10-20", "more than 20"]),
            None
        );
    }

    #[test]
    fn does_not_compare_different_kinds() {
        assert_eq!(out_of_order(&["10%", "5 days", "1%"]), None);
        assert_eq!(
            out_of_order(&["Within 2 days", "After 1 day", "Within 1 day"]),
            None
        );
    }
}
