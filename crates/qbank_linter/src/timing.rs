//! Time spent in each item rule over a real or generated bank, for finding slow rules:
//!
//! ```sh
//! QBANK_TIMING_BANK=/tmp/bank-10000 cargo test --release -p qbank_linter timing -- --ignored --nocapture
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

use qbank_workspace::Workspace;

use crate::rules::{self, BankIndex, ItemContext, ItemRule};
use crate::{Settings, check};

#[test]
#[ignore = "a measurement, run by hand on a bank named by QBANK_TIMING_BANK"]
fn timing() {
    let Ok(root) = std::env::var("QBANK_TIMING_BANK") else {
        eprintln!("set QBANK_TIMING_BANK to a bank folder");
        return;
    };
    let workspace = Workspace::discover(Path::new(&root), None).expect("a bank");
    let settings = Settings::from_options(workspace.options()).expect("valid settings");
    // Loading only: the wording and option rules are timed below, and the duplicate search
    // by its own benchmark.
    let outcome = check(
        &workspace,
        workspace.files(),
        &settings.clone().except(&["QB2", "QB3", "QB5"]),
    );
    let index = BankIndex::new(workspace.root(), outcome.blueprints.clone(), &[]);
    // The time `rules` take over every item, each item with a context of its own.
    let time_of = |rules: &[&dyn ItemRule]| {
        let start = Instant::now();
        for checked in &outcome.items {
            let ctx = ItemContext::new(
                &checked.item,
                &checked.file,
                &checked.path,
                &index,
                &settings.lint,
            );
            std::hint::black_box(ctx.run(rules));
        }
        start.elapsed()
    };
    let mut rows: Vec<(Duration, &str)> = rules::ITEM_RULES
        .iter()
        .filter(|rule| {
            std::env::var("QBANK_TIMING_RULE").map_or(true, |only| only == rule.meta().code)
        })
        .map(|rule| (time_of(&[*rule]), rule.meta().code))
        .collect();
    rows.sort_unstable_by(|a, b| b.cmp(a));
    let total: Duration = rows.iter().map(|r| r.0).sum();
    // As a check runs them: every rule on an item in turn, sharing the item's words. The best
    // of three runs, as the machine's speed drifts.
    let together = (0..3)
        .map(|_| time_of(rules::ITEM_RULES))
        .min()
        .unwrap_or_default();
    // The words alone: what the rules share before any of them looks at an item.
    let words = (0..3)
        .map(|_| {
            let start = Instant::now();
            for checked in &outcome.items {
                let words = rules::ItemWords::new(&checked.item);
                for text in std::iter::once(&words.stem)
                    .chain(&words.options)
                    .chain(&words.rationale)
                {
                    std::hint::black_box((text.words(), text.roots(), text.content()));
                }
            }
            start.elapsed()
        })
        .min()
        .unwrap_or_default();
    eprintln!(
        "{} items on one thread: item rules {together:.2?} together, {total:.2?} one at a time; \
         their words, roots and content flags alone {words:.2?}",
        outcome.items.len()
    );
    // What each rule adds to the others: all rules together, less all but this one (the best
    // of three runs each), so that the words a rule shares with others are not counted against it.
    eprintln!("rule   one at a time   added to the others");
    for (time, code) in rows {
        let others: Vec<&dyn ItemRule> = rules::ITEM_RULES
            .iter()
            .copied()
            .filter(|rule| rule.meta().code != code)
            .collect();
        let without = (0..3).map(|_| time_of(&others)).min().unwrap_or_default();
        let added = together.saturating_sub(without);
        eprintln!("{code}  {time:>12.2?}  {added:>12.2?}");
    }
}
