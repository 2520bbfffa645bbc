//! Independent verification of assembled forms: every constraint recomputed from the items,
//! sharing nothing with the search but the definitions.

use std::collections::{HashMap, HashSet};

use qbank_model::{Blueprint, Decimal, Item, Status};

use super::solve::position_label;
use super::{Constraints, difficulty, fixed_keys, shared_items};
use crate::quota::{form_length, form_quotas};

/// Checks `forms` (item ids) against the blueprint's quotas and `constraints`, with `pool` the
/// items they may use. Returns one line per violation; empty means every constraint holds.
pub fn verify(
    blueprint: &Blueprint,
    pool: &[&Item],
    constraints: &Constraints,
    forms: &[Vec<String>],
) -> Vec<String> {
    let mut out = Vec::new();
    let by_id: HashMap<&str, &Item> = pool.iter().map(|i| (i.id.value.as_str(), *i)).collect();
    let quotas = form_quotas(blueprint);
    let length = form_length(blueprint) as usize;
    if forms.len() != constraints.forms {
        out.push(format!(
            "{} forms were built, {} asked for",
            forms.len(),
            constraints.forms
        ));
    }
    let mut sums = Vec::new();
    for (f, form) in forms.iter().enumerate() {
        let number = f + 1;
        let set: HashSet<&str> = form.iter().map(String::as_str).collect();
        if set.len() != form.len() {
            out.push(format!("form {number} holds an item twice"));
        }
        if form.len() != length {
            out.push(format!(
                "form {number} has {} items, not {length}",
                form.len()
            ));
        }
        let mut items = Vec::new();
        for id in form {
            match by_id.get(id.as_str()) {
                Some(item)
                    if item.status.value == Status::Approved
                        && item.exam.value == blueprint.exam.value =>
                {
                    items.push(*item);
                }
                _ => out.push(format!(
                    "form {number} holds `{id}`, which is not an approved item of the pool"
                )),
            }
        }
        for (domain, quota) in blueprint.domains.iter().zip(&quotas) {
            let count = items
                .iter()
                .filter(|i| i.domain.value == domain.id.value)
                .count();
            if count != *quota as usize {
                out.push(format!(
                    "form {number} has {count} items of domain {}, not {quota}",
                    domain.id.value
                ));
            }
        }
        for item in &items {
            for enemy in &item.enemies {
                if enemy.value != item.id.value && set.contains(enemy.value.as_str()) {
                    out.push(format!(
                        "form {number} holds enemies `{}` and `{}`",
                        item.id.value, enemy.value
                    ));
                }
            }
        }
        if let Some(problem) = key_balance(&items, constraints.key_tolerance) {
            out.push(format!("form {number} {problem}"));
        }
        sums.push(items.iter().map(|i| difficulty(i)).sum::<i64>());
    }
    let shared = shared_items(forms.iter().map(|f| f.iter().map(String::as_str)));
    for (a, row) in shared.iter().enumerate() {
        for (b, &count) in row.iter().enumerate().skip(a + 1) {
            let shared = count;
            if shared > constraints.max_overlap {
                out.push(format!(
                    "forms {} and {} share {shared} items, more than {}",
                    a + 1,
                    b + 1,
                    constraints.max_overlap
                ));
            }
        }
    }
    if let (Some(low), Some(high)) = (sums.iter().min(), sums.iter().max()) {
        // Means within the spread: (high − low) / length ≤ spread, compared exactly.
        let lhs = i128::from(high - low) * i128::from(Decimal::ONE);
        let rhs = i128::from(constraints.difficulty_spread.billionths) * length as i128;
        if lhs > rhs {
            out.push(format!(
                "mean difficulties differ by {:.3}, more than {}",
                (high - low) as f64 / length.max(1) as f64,
                constraints.difficulty_spread
            ));
        }
    }
    out
}

/// Whether the keys of the form's fixed-order items are balanced; the problem when not.
fn key_balance(items: &[&Item], tolerance: Decimal) -> Option<String> {
    // Counted and expected as fractions over 2520, a multiple of every option count 1..=10.
    let unit: i128 = 2520;
    let mut count = [0_i128; 10];
    let mut expected = [0_i128; 10];
    let mut keys: i128 = 0;
    for item in items {
        let Some((options, positions)) = fixed_keys(item) else {
            continue;
        };
        let options = options.clamp(1, 10);
        let n = positions.len() as i128;
        keys += n;
        for p in positions {
            if let Some(c) = count.get_mut(p) {
                *c += 1;
            }
        }
        for e in &mut expected[..options] {
            *e += n * unit / options as i128;
        }
    }
    if keys == 0 {
        return None;
    }
    // Allowed: max(1, tolerance × keys) keys, i.e. |count − expected| × 10^9 ≤ that × 10^9.
    let one = i128::from(Decimal::ONE);
    let allowed = (i128::from(tolerance.billionths.max(0)) * keys).max(one);
    for (p, (c, e)) in count.iter().zip(&expected).enumerate() {
        let deviation = (c * unit - e).abs();
        if deviation * one > allowed * unit {
            return Some(format!(
                "has {c} of its {keys} fixed-order keys at position {}, {:.1} expected",
                position_label(p),
                *e as f64 / unit as f64
            ));
        }
    }
    None
}
