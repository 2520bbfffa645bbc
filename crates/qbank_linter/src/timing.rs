//! Time spent in each item rule over a real or generated bank, for finding slow rules:
//!
//! ```sh
//! QBANK_TIMING_BANK=/tmp/bank-10000 cargo test --release -p qbank_linter timing -- --ignored --nocapture
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

use qbank_workspace::Workspace;

use crate::rules::{self, BankIndex, ItemContext};
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
    // Loading only: the duplicate search is measured by its own benchmark.
    let outcome = check(
        &workspace,
        workspace.files(),
        &settings.clone().except(&["QB5"]),
    );
    let index = BankIndex::new(workspace.root(), outcome.blueprints.clone(), &[]);
    let mut rows: Vec<(Duration, &str)> = rules::ITEM_RULES
        .iter()
        .filter(|rule| {
            std::env::var("QBANK_TIMING_RULE").map_or(true, |only| only == rule.meta().code)
        })
        .map(|rule| {
            let start = Instant::now();
            for checked in &outcome.items {
                let ctx = ItemContext::new(&checked.file, &checked.path, &index, &settings.lint);
                std::hint::black_box(ctx.run(&checked.item, &[*rule]));
            }
            (start.elapsed(), rule.meta().code)
        })
        .collect();
    rows.sort_unstable_by(|a, b| b.cmp(a));
    let total: Duration = rows.iter().map(|r| r.0).sum();
    eprintln!(
        "{} items, item rules {total:.2?} on one thread",
        outcome.items.len()
    );
    for (time, code) in rows {
        eprintln!("{code}  {time:>10.2?}");
    }
}
