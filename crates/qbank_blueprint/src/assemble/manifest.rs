//! The files `qbank assemble` writes: one JSON manifest per form and a summary.

use std::fmt::Write;

use serde::Serialize;

use super::solve::position_label;
use super::{Assembly, Form};
use crate::render::Ordered;

fn key_positions(form: &Form) -> Vec<(String, usize)> {
    form.key_positions
        .iter()
        .enumerate()
        .map(|(p, c)| (position_label(p).to_string(), *c))
        .collect()
}

/// Rounds to three decimals, so the JSON shows `2.947`, not a long binary expansion.
fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    blueprint: &'a str,
    exam: &'a str,
    form: usize,
    forms: usize,
    seed: u64,
    pool_hash: &'a str,
    pool_size: usize,
    length: usize,
    items: &'a [String],
    domains: Ordered<'a, usize>,
    mean_difficulty: f64,
    fixed_key_positions: Ordered<'a, usize>,
}

/// The file name of form `number` of `forms`: `form-01.json`, zero-padded to at least two
/// digits so the files sort in order.
pub fn form_file_name(number: usize, forms: usize) -> String {
    let width = forms.to_string().len().max(2);
    format!("form-{number:0width$}.json")
}

/// The manifest of one form, as pretty JSON with a final newline.
pub fn manifest_json(assembly: &Assembly, form: &Form) -> String {
    let positions = key_positions(form);
    let manifest = Manifest {
        version: 1,
        blueprint: &assembly.blueprint,
        exam: &assembly.exam,
        form: form.number,
        forms: assembly.forms.len(),
        seed: assembly.constraints.seed,
        pool_hash: &assembly.pool_hash,
        pool_size: assembly.pool_size,
        length: form.items.len(),
        items: &form.items,
        domains: Ordered(&form.domains),
        mean_difficulty: round3(form.mean_difficulty()),
        fixed_key_positions: Ordered(&positions),
    };
    to_json(&manifest)
}

fn to_json(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

#[derive(Serialize)]
struct Summary<'a> {
    version: u32,
    blueprint: &'a str,
    exam: &'a str,
    seed: u64,
    pool_hash: &'a str,
    pool_size: usize,
    pool_domains: Ordered<'a, usize>,
    quotas: Ordered<'a, u32>,
    constraints: SummaryConstraints,
    forms: Vec<SummaryForm>,
    overlaps: Vec<SummaryOverlap>,
    verified: bool,
}

#[derive(Serialize)]
struct SummaryConstraints {
    forms: usize,
    max_overlap: usize,
    difficulty_spread: f64,
    key_tolerance: f64,
}

#[derive(Serialize)]
struct SummaryForm {
    form: usize,
    file: String,
    items: usize,
    mean_difficulty: f64,
}

#[derive(Serialize)]
struct SummaryOverlap {
    forms: [usize; 2],
    shared: usize,
}

/// The summary of an assembly, as pretty JSON with a final newline.
pub fn summary_json(assembly: &Assembly) -> String {
    let pool_domains: Vec<(String, usize)> = assembly
        .quotas
        .iter()
        .zip(&assembly.pool_domains)
        .map(|((d, _), n)| (d.clone(), *n))
        .collect();
    let summary = Summary {
        version: 1,
        blueprint: &assembly.blueprint,
        exam: &assembly.exam,
        seed: assembly.constraints.seed,
        pool_hash: &assembly.pool_hash,
        pool_size: assembly.pool_size,
        pool_domains: Ordered(&pool_domains),
        quotas: Ordered(&assembly.quotas),
        constraints: SummaryConstraints {
            forms: assembly.constraints.forms,
            max_overlap: assembly.constraints.max_overlap,
            difficulty_spread: assembly.constraints.difficulty_spread.to_f64(),
            key_tolerance: assembly.constraints.key_tolerance.to_f64(),
        },
        forms: assembly
            .forms
            .iter()
            .map(|f| SummaryForm {
                form: f.number,
                file: form_file_name(f.number, assembly.forms.len()),
                items: f.items.len(),
                mean_difficulty: round3(f.mean_difficulty()),
            })
            .collect(),
        overlaps: assembly
            .overlaps
            .iter()
            .map(|&(a, b, shared)| SummaryOverlap {
                forms: [a, b],
                shared,
            })
            .collect(),
        verified: true,
    };
    to_json(&summary)
}

/// A few lines for the terminal.
pub fn summary_text(assembly: &Assembly) -> String {
    let c = &assembly.constraints;
    let mut out = String::new();
    let quotas: Vec<String> = assembly
        .quotas
        .iter()
        .map(|(d, q)| format!("{d}: {q}"))
        .collect();
    let _ = writeln!(
        out,
        "Assembled {} form{} of `{}` from a pool of {} approved items (seed {}).",
        assembly.forms.len(),
        if assembly.forms.len() == 1 { "" } else { "s" },
        assembly.blueprint,
        assembly.pool_size,
        c.seed
    );
    let _ = writeln!(out, "Quotas per form: {}.", quotas.join(", "));
    let means: Vec<f64> = assembly.forms.iter().map(Form::mean_difficulty).collect();
    let low = means.iter().copied().fold(f64::INFINITY, f64::min);
    let high = means.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let most_shared = assembly.overlaps.iter().map(|o| o.2).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "Mean difficulty {low:.3} to {high:.3} (spread at most {}); at most {most_shared} items \
         shared by two forms (limit {}); no enemies together; fixed-order keys balanced.",
        c.difficulty_spread, c.max_overlap
    );
    let _ = writeln!(out, "Pool hash {}.", assembly.pool_hash);
    out
}
