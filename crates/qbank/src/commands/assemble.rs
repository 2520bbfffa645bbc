//! `qbank assemble`: exam forms that meet a blueprint's quotas and constraints.

use std::fmt::Write as _;
use std::fs;
use std::io::Write;

use anyhow::Context;
use qbank_blueprint::assemble::{
    AssembleError, BankItem, Constraints, assemble, form_file_name, manifest_json, summary_json,
    summary_text,
};
use qbank_model::Decimal;

use crate::ExitStatus;
use crate::args::AssembleArgs;
use crate::commands::blueprint::{find, load};
use crate::printer;

fn share(flag: &str, text: &str) -> anyhow::Result<Decimal> {
    match Decimal::parse(text) {
        Some(value) if value.billionths >= 0 => Ok(value),
        _ => anyhow::bail!(
            "invalid `{flag}`: expected a non-negative number such as 0.25, found `{text}`"
        ),
    }
}

pub(crate) fn run(args: &AssembleArgs) -> anyhow::Result<ExitStatus> {
    let constraints = Constraints {
        forms: usize::from(args.forms),
        max_overlap: args.max_overlap,
        difficulty_spread: share("--difficulty-spread", &args.difficulty_spread)?,
        key_tolerance: share("--key-tolerance", &args.key_tolerance)?,
        seed: args.seed,
    };
    let loaded = load(args.bank.as_deref(), args.config.as_deref())?;
    let blueprint = find(&loaded, &args.blueprint)?;
    let bank: Vec<BankItem<'_>> = loaded
        .items
        .iter()
        .map(|c| BankItem {
            item: &c.item,
            text: c.file.text(),
        })
        .collect();
    let assembly = match assemble(blueprint, &bank, &constraints) {
        Ok(assembly) => assembly,
        Err(AssembleError::Infeasible(reasons)) => {
            let mut text = format!(
                "cannot assemble {} form{} of `{}`:\n",
                args.forms,
                if args.forms == 1 { "" } else { "s" },
                args.blueprint
            );
            for reason in reasons {
                text.push_str("  - ");
                text.push_str(&reason);
                text.push('\n');
            }
            let mut stderr = std::io::stderr().lock();
            stderr.write_all(text.as_bytes())?;
            return Ok(ExitStatus::Failure);
        }
    };
    fs::create_dir_all(&args.out)
        .with_context(|| format!("failed to create `{}`", args.out.display()))?;
    for form in &assembly.forms {
        let path = args
            .out
            .join(form_file_name(form.number, assembly.forms.len()));
        printer::emit(manifest_json(&assembly, form).as_bytes(), Some(&path))?;
    }
    printer::emit(
        summary_json(&assembly).as_bytes(),
        Some(&args.out.join("summary.json")),
    )?;
    let mut text = summary_text(&assembly);
    let _ = writeln!(
        text,
        "Wrote {} and summary.json to `{}`.",
        if assembly.forms.len() == 1 {
            form_file_name(1, 1)
        } else {
            format!(
                "{} to {}",
                form_file_name(1, assembly.forms.len()),
                form_file_name(assembly.forms.len(), assembly.forms.len())
            )
        },
        args.out.display()
    );
    printer::emit(text.as_bytes(), None)?;
    Ok(ExitStatus::Success)
}
