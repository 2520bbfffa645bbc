//! `qbank blueprint`: how the bank spreads over its blueprints.

use std::path::Path;

use anyhow::{Context, bail};
use qbank_blueprint::{StatusFilter, crosswalk_report, render, reports};
use qbank_linter::{CheckedItem, Settings};
use qbank_model::{Blueprint, Decimal, Item};
use qbank_workspace::Workspace;

use crate::ExitStatus;
use crate::args::{BlueprintArgs, BlueprintFormat};
use crate::printer;

/// The bank's blueprints and valid items, read without running the lint rules: files that fail
/// to parse or break the schema are left out, as `qbank check` reports them.
pub(crate) struct Loaded {
    /// The blueprints that can be reported on and assembled from.
    pub(crate) blueprints: Vec<Blueprint>,
    pub(crate) items: Vec<CheckedItem>,
    /// Blueprints that cannot be used, by id (a file's name when it does not load), and why.
    pub(crate) unusable: Vec<(String, String)>,
}

pub(crate) fn load(bank: Option<&Path>, config: Option<&Path>) -> anyhow::Result<Loaded> {
    let start = bank.unwrap_or(Path::new("."));
    let workspace = Workspace::discover(start, config)?;
    let settings = Settings::defaults().only(&[]);
    let outcome = qbank_linter::check(&workspace, workspace.files(), &settings);
    let mut unusable = Vec::new();
    let (blueprints, broken): (Vec<Blueprint>, Vec<Blueprint>) = outcome
        .blueprints
        .into_iter()
        .partition(|b| weight_sum(b) == Decimal::ONE);
    for blueprint in &broken {
        let total = Decimal {
            billionths: weight_sum(blueprint),
        };
        unusable.push((
            blueprint.id.value.clone(),
            format!("its domain weights sum to {total}, not 1 (QB414)"),
        ));
    }
    // A blueprint file that did not load is named by its file name, which is its id when the
    // file is named as QB111 asks.
    for path in &outcome.unloaded_blueprints {
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        unusable.push((
            stem.to_owned(),
            format!(
                "`{}` does not load; `qbank check` reports why",
                workspace.display_path(path).display()
            ),
        ));
    }
    Ok(Loaded {
        blueprints,
        items: outcome.items,
        unusable,
    })
}

fn weight_sum(blueprint: &Blueprint) -> i64 {
    blueprint
        .domains
        .iter()
        .map(|d| d.weight.value.billionths)
        .sum()
}

/// The blueprint with `id`, or an error saying why it cannot be used or listing the ones there
/// are.
pub(crate) fn find<'a>(loaded: &'a Loaded, id: &str) -> anyhow::Result<&'a Blueprint> {
    let blueprints = &loaded.blueprints;
    if let Some(found) = blueprints.iter().find(|b| b.id.value == id) {
        return Ok(found);
    }
    if let Some((_, why)) = loaded.unusable.iter().find(|(unusable, _)| unusable == id) {
        bail!("blueprint `{id}` cannot be used: {why}");
    }
    let mut ids: Vec<String> = blueprints
        .iter()
        .map(|b| format!("`{}`", b.id.value))
        .collect();
    ids.sort();
    if ids.is_empty() {
        bail!("unknown blueprint `{id}`: the bank has no valid blueprint");
    }
    bail!("unknown blueprint `{id}`: the bank has {}", ids.join(", "));
}

pub(crate) fn run(args: &BlueprintArgs) -> anyhow::Result<ExitStatus> {
    let statuses = match &args.status {
        Some(list) => StatusFilter::parse(list)
            .map_err(anyhow::Error::msg)
            .context("invalid `--status`")?,
        None => StatusFilter::default(),
    };
    let loaded = load(args.bank.as_deref(), args.config.as_deref())?;
    let items: Vec<&Item> = loaded.items.iter().map(|c| &*c.item).collect();
    let list = if let [from, to] = args.crosswalk.as_slice() {
        let from = find(&loaded, from)?;
        let to = find(&loaded, to)?;
        vec![crosswalk_report(
            &loaded.blueprints,
            from,
            to,
            &items,
            &statuses,
        )]
    } else {
        if let Some(id) = &args.blueprint {
            find(&loaded, id)?;
        }
        reports(
            &loaded.blueprints,
            &items,
            &statuses,
            args.blueprint.as_deref(),
        )
        .unwrap_or_default()
    };
    // A blueprint asked for by id has been found above; the others that cannot be used are
    // named, and make the run fail.
    let skipped: Vec<&(String, String)> = if args.blueprint.is_some() || !args.crosswalk.is_empty()
    {
        Vec::new()
    } else {
        loaded.unusable.iter().collect()
    };
    for (id, why) in &skipped {
        #[expect(clippy::print_stderr, reason = "a note beside the report on stdout")]
        {
            eprintln!("warning: blueprint `{id}` is left out: {why}");
        }
    }
    if list.is_empty() {
        bail!("the bank has no valid blueprint to report on");
    }
    let text = match args.format {
        BlueprintFormat::Text => render::text(&list),
        BlueprintFormat::Json => render::json(&list),
        BlueprintFormat::Markdown => render::markdown(&list),
    };
    printer::emit(text.as_bytes(), args.output.as_deref())?;
    Ok(
        if !skipped.is_empty()
            || list
                .iter()
                .any(qbank_blueprint::BlueprintReport::has_errors)
        {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    )
}
