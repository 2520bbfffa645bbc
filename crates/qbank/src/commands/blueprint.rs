//! `qbank blueprint`: how the bank spreads over its blueprints.

use std::path::Path;

use anyhow::{Context, bail};
use qbank_blueprint::{StatusFilter, crosswalk_report, render, reports};
use qbank_linter::{CheckedItem, Settings};
use qbank_model::{Blueprint, Item};
use qbank_workspace::Workspace;

use crate::ExitStatus;
use crate::args::{BlueprintArgs, BlueprintFormat};
use crate::printer;

/// The bank's blueprints and valid items, read without running the lint rules: files that fail
/// to parse or break the schema are left out, as `qbank check` reports them.
pub(crate) struct Loaded {
    pub(crate) blueprints: Vec<Blueprint>,
    pub(crate) items: Vec<CheckedItem>,
}

pub(crate) fn load(bank: Option<&Path>, config: Option<&Path>) -> anyhow::Result<Loaded> {
    let start = bank.unwrap_or(Path::new("."));
    let workspace = Workspace::discover(start, config)?;
    let settings = Settings::defaults().only(&[]);
    let outcome = qbank_linter::check(&workspace, workspace.files(), &settings);
    Ok(Loaded {
        blueprints: outcome.blueprints,
        items: outcome.items,
    })
}

/// The blueprint with `id`, or an error listing the ones there are.
pub(crate) fn find<'a>(blueprints: &'a [Blueprint], id: &str) -> anyhow::Result<&'a Blueprint> {
    if let Some(found) = blueprints.iter().find(|b| b.id.value == id) {
        return Ok(found);
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
        let from = find(&loaded.blueprints, from)?;
        let to = find(&loaded.blueprints, to)?;
        vec![crosswalk_report(
            &loaded.blueprints,
            from,
            to,
            &items,
            &statuses,
        )]
    } else {
        if let Some(id) = &args.blueprint {
            find(&loaded.blueprints, id)?;
        }
        reports(
            &loaded.blueprints,
            &items,
            &statuses,
            args.blueprint.as_deref(),
        )
        .unwrap_or_default()
    };
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
        if list
            .iter()
            .any(qbank_blueprint::BlueprintReport::has_errors)
        {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    )
}
