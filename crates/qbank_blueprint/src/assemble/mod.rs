//! Exam-form assembly: `K` forms from a blueprint's pool that meet every constraint.
//!
//! **The pool** is every item with `status = "approved"` whose `exam` is the blueprint's and
//! whose `domain` is one of its domains, in id order (of two items with one id, the first read).
//!
//! **The constraints**, each checked again by [`verify`] on the finished forms:
//!
//! 1. each form holds exactly [`form_quotas`] items of each domain, no item
//!    twice;
//! 2. no two enemies share a form (an `enemies` entry binds both items, whichever lists it);
//! 3. any two forms share at most `max_overlap` items;
//! 4. the mean difficulties of the forms are within `difficulty_spread` of each other (an item
//!    without a `difficulty` counts as 3, the middle of the 1 to 5 scale);
//! 5. key positions are balanced. Options of an item with `shuffle = true` (the default) are
//!    shuffled at delivery, so only items with `shuffle = false` have a fixed key position. On
//!    each form, the keys of those items are counted at each position (A, B, C, …) and compared
//!    with the count expected if each item's keys were spread evenly over its options; at every
//!    position the difference may be at most `key_tolerance` times the form's fixed-order keys,
//!    and never less than one key.
//!
//! **The solver** is a randomized greedy construction followed by local search. The greedy pass
//! fills each form domain by domain, walking a seeded shuffle of the domain's items round-robin
//! so that every item is used once before any is reused, and skips items with an enemy on the
//! form. The repair pass then swaps one item for another of the same domain (so quotas hold by
//! construction), choosing among sampled candidates the swap that most reduces a weighted count
//! of violations (enemy pairs, overlap beyond the limit, difficulty spread beyond the bound,
//! key-position excess), focused on the items involved in a violation, with occasional random
//! moves to leave plateaus, and restarts from a new seed stream when stuck. It stops at zero
//! violations. Before searching, necessary conditions (pool size per domain against quotas and
//! overlap) are checked and reported exactly; if the search ends without a solution, the best
//! attempt's remaining violations are reported. Every run is deterministic in its inputs and
//! seed: there is no clock and no thread in the search.
//!
//! **Delivery order** is a seeded shuffle of each form's items: form `f` uses its own stream
//! derived from the seed, so it does not depend on the other forms.
//!
//! **The pool hash** is `sha256:` and the hex SHA-256 of the lines `ID<TAB>SHA256-OF-FILE\n`,
//! one per pool item in id order, where the file hash is over the item file's bytes: it changes
//! when a pool item is added, removed or edited, and only then.

mod manifest;
mod solve;
mod verify;

use std::collections::HashMap;
use std::fmt;

use qbank_model::{Blueprint, Decimal, Item, Status};
use sha2::{Digest, Sha256};

pub use manifest::{form_file_name, manifest_json, summary_json, summary_text};
pub use verify::verify;

use crate::quota::{form_length, form_quotas};

/// The default `difficulty_spread`: a quarter of a point on the 1 to 5 scale.
pub const DEFAULT_DIFFICULTY_SPREAD: &str = "0.25";
/// The default `key_tolerance`: ten per cent of a form's fixed-order keys.
pub const DEFAULT_KEY_TOLERANCE: &str = "0.10";
/// The difficulty an item without one counts as.
pub const DEFAULT_DIFFICULTY: i64 = 3;

/// What the forms must satisfy besides the quotas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraints {
    /// Number of forms.
    pub forms: usize,
    /// Items any two forms may share.
    pub max_overlap: usize,
    /// Largest allowed difference between two forms' mean difficulties.
    pub difficulty_spread: Decimal,
    /// Allowed deviation of a key position's count, as a share of a form's fixed-order keys.
    pub key_tolerance: Decimal,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Constraints {
    /// `forms` forms with no overlap, the default bounds and seed 0.
    pub fn new(forms: usize) -> Self {
        Self {
            forms,
            max_overlap: 0,
            difficulty_spread: Decimal::parse(DEFAULT_DIFFICULTY_SPREAD).unwrap_or(Decimal {
                billionths: 250_000_000,
            }),
            key_tolerance: Decimal::parse(DEFAULT_KEY_TOLERANCE).unwrap_or(Decimal {
                billionths: 100_000_000,
            }),
            seed: 0,
        }
    }
}

/// An item of the bank with its file's text, which the pool hash covers.
#[derive(Clone, Copy, Debug)]
pub struct BankItem<'a> {
    /// The item.
    pub item: &'a Item,
    /// Its file's text.
    pub text: &'a str,
}

/// One assembled form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// 1-based number.
    pub number: usize,
    /// Item ids in delivery order.
    pub items: Vec<String>,
    /// Items per domain, in blueprint order.
    pub domains: Vec<(String, usize)>,
    /// Sum of the items' difficulties (3 for an item without one).
    pub difficulty_sum: i64,
    /// Keys of fixed-order items at each position A, B, C, … (trailing zeros dropped).
    pub key_positions: Vec<usize>,
}

impl Form {
    /// The mean difficulty.
    pub fn mean_difficulty(&self) -> f64 {
        if self.items.is_empty() {
            0.0
        } else {
            self.difficulty_sum as f64 / self.items.len() as f64
        }
    }
}

/// A verified set of forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assembly {
    /// The blueprint's id.
    pub blueprint: String,
    /// The exam.
    pub exam: String,
    /// The constraints met.
    pub constraints: Constraints,
    /// Domain ids and their quotas, in blueprint order.
    pub quotas: Vec<(String, u32)>,
    /// Items in the pool.
    pub pool_size: usize,
    /// Pool items per domain, in blueprint order.
    pub pool_domains: Vec<usize>,
    /// `sha256:` and the hex digest of the pool listing.
    pub pool_hash: String,
    /// The forms.
    pub forms: Vec<Form>,
    /// Items shared by each pair of forms `(a, b, shared)`, `a < b`, 1-based.
    pub overlaps: Vec<(usize, usize, usize)>,
}

/// Why no forms were built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssembleError {
    /// The constraints cannot be met, or were not met; each reason names the constraint and
    /// the numbers.
    Infeasible(Vec<String>),
}

impl fmt::Display for AssembleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssembleError::Infeasible(reasons) => f.write_str(&reasons.join("; ")),
        }
    }
}

impl std::error::Error for AssembleError {}

/// The pool of `blueprint`: approved items of its exam in one of its domains, in id order.
pub fn pool<'a>(blueprint: &Blueprint, items: &[BankItem<'a>]) -> Vec<BankItem<'a>> {
    let mut pool: Vec<BankItem<'a>> = items
        .iter()
        .copied()
        .filter(|b| {
            b.item.exam.value == blueprint.exam.value
                && b.item.status.value == Status::Approved
                && blueprint.domain(&b.item.domain.value).is_some()
        })
        .collect();
    // Stable: of two items with one id, the one read first stays.
    pool.sort_by(|a, b| a.item.id.value.cmp(&b.item.id.value));
    pool.dedup_by(|b, a| a.item.id.value == b.item.id.value);
    pool
}

/// The pool hash: see the module documentation.
pub fn pool_hash(pool: &[BankItem<'_>]) -> String {
    let mut listing = Sha256::new();
    for entry in pool {
        let file = Sha256::digest(entry.text.as_bytes());
        listing.update(entry.item.id.value.as_bytes());
        listing.update(b"\t");
        listing.update(hex(&file).as_bytes());
        listing.update(b"\n");
    }
    format!("sha256:{}", hex(&listing.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// The key positions of an item delivered in a fixed order, or `None` when its options are
/// shuffled.
pub(crate) fn fixed_keys(item: &Item) -> Option<(usize, Vec<usize>)> {
    (!item.shuffles()).then(|| (item.options.len(), item.key_indices().collect()))
}

/// An item's difficulty for the mean ([`DEFAULT_DIFFICULTY`] when it has none).
pub(crate) fn difficulty(item: &Item) -> i64 {
    item.difficulty
        .as_ref()
        .map_or(DEFAULT_DIFFICULTY, |d| d.value)
}

/// The largest allowed gap between two forms' difficulty sums: means within `spread` of each
/// other on forms of `length` items means sums within `floor(spread × length)`, as sums are
/// whole numbers.
pub(crate) fn difficulty_gap(spread: Decimal, length: u32) -> i64 {
    let gap = i128::from(spread.billionths.max(0)) * i128::from(length) / i128::from(Decimal::ONE);
    i64::try_from(gap).unwrap_or(i64::MAX)
}

/// Builds `constraints.forms` forms of `blueprint` from `items` (the whole bank; the pool is
/// taken from it with [`pool`]), verified with [`verify`].
pub fn assemble(
    blueprint: &Blueprint,
    items: &[BankItem<'_>],
    constraints: &Constraints,
) -> Result<Assembly, AssembleError> {
    let pool = pool(blueprint, items);
    let quotas = form_quotas(blueprint);
    let id = &blueprint.id.value;
    let mut pool_domains = vec![0_usize; blueprint.domains.len()];
    let domain_index: HashMap<&str, usize> = blueprint
        .domains
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.value.as_str(), i))
        .collect();
    for entry in &pool {
        if let Some(&d) = domain_index.get(entry.item.domain.value.as_str()) {
            pool_domains[d] += 1;
        }
    }
    let reasons = necessary_conditions(blueprint, &quotas, &pool_domains, constraints);
    if !reasons.is_empty() {
        return Err(AssembleError::Infeasible(reasons));
    }

    if let Some(reason) = forced_enemies(blueprint, &pool, &quotas, &pool_domains) {
        return Err(AssembleError::Infeasible(vec![reason]));
    }

    let forms =
        solve::solve(blueprint, &pool, &quotas, constraints).map_err(AssembleError::Infeasible)?;
    let pool_items: Vec<&Item> = pool.iter().map(|b| b.item).collect();
    let violations = verify(blueprint, &pool_items, constraints, &forms);
    if !violations.is_empty() {
        let mut reasons = vec![format!(
            "the forms built for `{id}` fail verification, so none is written"
        )];
        reasons.extend(violations);
        return Err(AssembleError::Infeasible(reasons));
    }

    let by_id: HashMap<&str, &Item> = pool_items
        .iter()
        .map(|i| (i.id.value.as_str(), *i))
        .collect();
    let forms: Vec<Form> = forms
        .into_iter()
        .enumerate()
        .map(|(index, ids)| describe(blueprint, &by_id, index + 1, ids))
        .collect();
    let shared = shared_items(forms.iter().map(|f| f.items.iter().map(String::as_str)));
    let mut overlaps = Vec::new();
    for (a, row) in shared.iter().enumerate() {
        for (b, &count) in row.iter().enumerate().skip(a + 1) {
            overlaps.push((a + 1, b + 1, count));
        }
    }
    Ok(Assembly {
        blueprint: id.clone(),
        exam: blueprint.exam.value.clone(),
        constraints: constraints.clone(),
        quotas: blueprint
            .domains
            .iter()
            .zip(&quotas)
            .map(|(d, q)| (d.id.value.clone(), *q))
            .collect(),
        pool_size: pool.len(),
        pool_domains,
        pool_hash: pool_hash(&pool),
        forms,
        overlaps,
    })
}

/// How many distinct items each pair of forms shares (`shared[a][b]`, symmetric), counted
/// through the forms each item is on: comparing every pair of forms item by item costs
/// forms² × length² comparisons, about 10¹⁰ for a thousand forms of 150.
pub(crate) fn shared_items<'a, F, I>(forms: F) -> Vec<Vec<usize>>
where
    F: IntoIterator<Item = I>,
    I: IntoIterator<Item = &'a str>,
{
    let mut on: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut k = 0;
    for (f, form) in forms.into_iter().enumerate() {
        k = f + 1;
        for id in form {
            let list = on.entry(id).or_default();
            // A form that holds an item twice shares it once.
            if list.last() != Some(&f) {
                list.push(f);
            }
        }
    }
    let mut shared = vec![vec![0_usize; k]; k];
    for list in on.values() {
        for (i, &a) in list.iter().enumerate() {
            for &b in &list[i + 1..] {
                shared[a][b] += 1;
                shared[b][a] += 1;
            }
        }
    }
    shared
}

fn describe(
    blueprint: &Blueprint,
    by_id: &HashMap<&str, &Item>,
    number: usize,
    ids: Vec<String>,
) -> Form {
    let items: Vec<&Item> = ids
        .iter()
        .filter_map(|id| by_id.get(id.as_str()).copied())
        .collect();
    let domains = blueprint
        .domains
        .iter()
        .map(|d| {
            let count = items
                .iter()
                .filter(|i| i.domain.value == d.id.value)
                .count();
            (d.id.value.clone(), count)
        })
        .collect();
    let mut key_positions = vec![0_usize; 10];
    for item in &items {
        if let Some((_, keys)) = fixed_keys(item) {
            for key in keys {
                if let Some(slot) = key_positions.get_mut(key) {
                    *slot += 1;
                }
            }
        }
    }
    while key_positions.last() == Some(&0) {
        key_positions.pop();
    }
    Form {
        number,
        difficulty_sum: items.iter().map(|i| difficulty(i)).sum(),
        items: ids,
        domains,
        key_positions,
    }
}

/// Conditions every solution needs, checked exactly before any search.
fn necessary_conditions(
    blueprint: &Blueprint,
    quotas: &[u32],
    pool_domains: &[usize],
    constraints: &Constraints,
) -> Vec<String> {
    let id = &blueprint.id.value;
    let k = constraints.forms;
    let n = constraints.max_overlap;
    let pairs = k * k.saturating_sub(1) / 2;
    let mut reasons = Vec::new();
    if k == 0 {
        reasons.push("at least one form is needed".to_owned());
        return reasons;
    }
    if k > usize::from(u16::MAX) || pool_domains.iter().sum::<usize>() > u32::MAX as usize {
        reasons.push("at most 65535 forms and 4294967295 pool items are supported".to_owned());
        return reasons;
    }
    for ((domain, &quota), &have) in blueprint.domains.iter().zip(quotas).zip(pool_domains) {
        let quota = quota as usize;
        let d = &domain.id.value;
        if have < quota {
            reasons.push(format!(
                "domain {d} of `{id}` needs {quota} items on each form; the pool has {have}"
            ));
        } else if n == 0 && k > 1 && have < quota * k {
            reasons.push(format!(
                "domain {d} needs {quota} items on each of {k} forms with no overlap; the pool has {have}"
            ));
        } else if n > 0 && k > 1 && have < (quota * k).saturating_sub(pairs.saturating_mul(n)) {
            let least = quota * k - pairs * n;
            reasons.push(format!(
                "domain {d} needs {quota} items on each of {k} forms sharing at most {n} items per pair, \
                 so at least {least} distinct items; the pool has {have}"
            ));
        }
    }
    let length = form_length(blueprint) as usize;
    let total: usize = pool_domains.iter().sum();
    // A limit past the form length allows anything, however large (`--max-overlap` is a u64).
    let least = (length * k).saturating_sub(pairs.saturating_mul(n));
    if reasons.is_empty() && n > 0 && k > 1 && total < least {
        reasons.push(format!(
            "{k} forms of {length} items sharing at most {n} items per pair need at least \
             {least} distinct items; the pool has {total}"
        ));
    }
    reasons
}

/// A domain whose pool holds exactly its quota puts every one of its items on every form; two
/// such items that are enemies make every solution impossible.
fn forced_enemies(
    blueprint: &Blueprint,
    pool: &[BankItem<'_>],
    quotas: &[u32],
    pool_domains: &[usize],
) -> Option<String> {
    let forced: Vec<&str> = blueprint
        .domains
        .iter()
        .zip(quotas)
        .zip(pool_domains)
        .filter(|((_, quota), have)| **quota > 0 && **quota as usize == **have)
        .map(|((d, _), _)| d.id.value.as_str())
        .collect();
    if forced.is_empty() {
        return None;
    }
    let on_every_form: HashMap<&str, &Item> = pool
        .iter()
        .filter(|b| forced.contains(&b.item.domain.value.as_str()))
        .map(|b| (b.item.id.value.as_str(), b.item))
        .collect();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for item in on_every_form.values() {
        for enemy in &item.enemies {
            let (a, b) = (item.id.value.as_str(), enemy.value.as_str());
            if a != b && on_every_form.contains_key(b) {
                pairs.push(if a < b { (a, b) } else { (b, a) });
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let (a, b) = pairs.first()?;
    let domains = if forced.len() == 1 {
        format!("domain {}", forced[0])
    } else {
        format!("domains {}", forced.join(", "))
    };
    Some(format!(
        "every form must hold all items of {domains} (the pool has exactly the quota), and {} \
         pair{} of them {} enemies, such as `{a}` and `{b}`",
        pairs.len(),
        if pairs.len() == 1 { "" } else { "s" },
        if pairs.len() == 1 { "is" } else { "are" },
    ))
}
