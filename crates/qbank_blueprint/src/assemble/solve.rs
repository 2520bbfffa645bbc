//! The search: greedy construction, then local repair. See the module documentation of
//! [`crate::assemble`] for the method.
//!
//! Items and forms are indexed with `u32`: `assemble` refuses pools of more than `u32::MAX`
//! items and more than 65 535 forms, so the casts below cannot truncate, and counts stay far
//! below `i64::MAX`.
#![expect(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    reason = "indices and counts are bounded as the module documentation says"
)]

use std::collections::HashMap;

use qbank_model::Blueprint;

use super::{BankItem, Constraints, difficulty, difficulty_gap, fixed_keys};
use crate::quota::form_length;
use crate::rng::Rng;

/// Positions an option can have (the item schema allows at most 10 options).
const POSITIONS: usize = 10;
/// A common multiple of every option count from 1 to 10, so expected key counts are whole
/// numbers in these units.
const UNIT: i64 = 2520;
/// Weights of the violation kinds in the search's cost. Enemy pairs and overlap dominate, so the
/// search never trades them for balance.
const HARD: i64 = 1_000_000_000;
const DIFFICULTY: i64 = 100_000;
const KEYS: i64 = 10;
/// Candidates sampled for each move.
const CANDIDATES: usize = 24;
/// Restarts of the search, each from a fresh construction.
const RESTARTS: u64 = 4;

struct Problem<'a> {
    ids: Vec<&'a str>,
    domain_of: Vec<usize>,
    difficulty: Vec<i64>,
    /// Index into `profiles` for fixed-order items.
    profile: Vec<Option<usize>>,
    profiles: Vec<Profile>,
    enemies: Vec<Vec<u32>>,
    by_domain: Vec<Vec<u32>>,
    slot_domain: Vec<usize>,
    forms: usize,
    max_overlap: usize,
    gap: i64,
    /// `key_tolerance` in billionths.
    key_tolerance: i64,
}

#[derive(Clone, Copy)]
struct Profile {
    keys: i64,
    count: [i64; POSITIONS],
    expected: [i64; POSITIONS],
}

impl Problem<'_> {
    fn profile(&self, item: u32) -> Option<&Profile> {
        self.profile[item as usize].map(|p| &self.profiles[p])
    }

    /// The allowed deviation of a position's count on a form with `keys` fixed-order keys, in
    /// `UNIT`s: `max(1, tolerance × keys)` keys, rounded down to a whole unit (deviations are
    /// whole units, so this is exact).
    fn key_slack(&self, keys: i64) -> i64 {
        let scaled = i128::from(self.key_tolerance) * i128::from(keys) * i128::from(UNIT);
        let slack = scaled / i128::from(qbank_model::Decimal::ONE);
        i64::try_from(slack).unwrap_or(i64::MAX).max(UNIT)
    }

    fn key_excess(&self, keys: i64, count: &[i64; POSITIONS], expected: &[i64; POSITIONS]) -> i64 {
        let slack = self.key_slack(keys);
        count
            .iter()
            .zip(expected)
            .map(|(c, e)| ((c * UNIT - e).abs() - slack).max(0))
            .sum()
    }
}

/// The mutable search state.
#[derive(Clone)]
struct State {
    /// `forms[f][slot]`: the item in each slot; slots are grouped by domain.
    forms: Vec<Vec<u32>>,
    /// The forms each item is on.
    on: Vec<Vec<u32>>,
    overlap: Vec<Vec<usize>>,
    sums: Vec<i64>,
    keys: Vec<i64>,
    key_count: Vec<[i64; POSITIONS]>,
    key_expected: Vec<[i64; POSITIONS]>,
    key_excess: Vec<i64>,
    enemy_pairs: i64,
    overlap_excess: i64,
    difficulty_excess: i64,
}

impl State {
    fn is_on(&self, item: u32, form: usize) -> bool {
        self.on[item as usize].contains(&(form as u32))
    }

    fn cost(&self) -> i64 {
        HARD * (self.enemy_pairs + self.overlap_excess)
            + DIFFICULTY * self.difficulty_excess
            + KEYS * self.key_excess.iter().sum::<i64>()
    }

    fn spread_excess(problem: &Problem<'_>, sums: impl Iterator<Item = i64>) -> i64 {
        let (mut low, mut high) = (i64::MAX, i64::MIN);
        for s in sums {
            low = low.min(s);
            high = high.max(s);
        }
        if low > high {
            0
        } else {
            (high - low - problem.gap).max(0)
        }
    }

    /// The change in cost if `x` on `form` were replaced by `y` (not on `form`).
    fn delta(&self, problem: &Problem<'_>, form: usize, x: u32, y: u32) -> i64 {
        let mut enemies = 0;
        for &z in &problem.enemies[x as usize] {
            if self.is_on(z, form) {
                enemies -= 1;
            }
        }
        for &z in &problem.enemies[y as usize] {
            if z != x && self.is_on(z, form) {
                enemies += 1;
            }
        }
        let mut overlap = 0;
        let f = form as u32;
        let (on_x, on_y) = (&self.on[x as usize], &self.on[y as usize]);
        for &g in on_x {
            if g != f && !on_y.contains(&g) && self.overlap[form][g as usize] > problem.max_overlap
            {
                overlap -= 1;
            }
        }
        for &g in on_y {
            if !on_x.contains(&g) && self.overlap[form][g as usize] >= problem.max_overlap {
                overlap += 1;
            }
        }
        let change = problem.difficulty[y as usize] - problem.difficulty[x as usize];
        let difficulty = if change == 0 {
            0
        } else {
            let sums = self
                .sums
                .iter()
                .enumerate()
                .map(|(g, s)| if g == form { s + change } else { *s });
            State::spread_excess(problem, sums) - self.difficulty_excess
        };
        let (px, py) = (problem.profile(x), problem.profile(y));
        let keys = if px.is_none() && py.is_none() {
            0
        } else {
            let mut count = self.key_count[form];
            let mut expected = self.key_expected[form];
            let mut total = self.keys[form];
            for (p, sign) in [(px, -1), (py, 1)] {
                if let Some(p) = p {
                    total += sign * p.keys;
                    for i in 0..POSITIONS {
                        count[i] += sign * p.count[i];
                        expected[i] += sign * p.expected[i];
                    }
                }
            }
            problem.key_excess(total, &count, &expected) - self.key_excess[form]
        };
        HARD * (enemies + overlap) + DIFFICULTY * difficulty + KEYS * keys
    }

    /// Replaces the item in `slot` of `form` by `y`.
    fn apply(&mut self, problem: &Problem<'_>, form: usize, slot: usize, y: u32) {
        let x = self.forms[form][slot];
        let f = form as u32;
        for &z in &problem.enemies[x as usize] {
            if self.is_on(z, form) {
                self.enemy_pairs -= 1;
            }
        }
        self.on[x as usize].retain(|&g| g != f);
        for g in self.on[x as usize].clone() {
            let g = g as usize;
            if self.overlap[form][g] > problem.max_overlap {
                self.overlap_excess -= 1;
            }
            self.overlap[form][g] -= 1;
            self.overlap[g][form] -= 1;
        }
        for g in self.on[y as usize].clone() {
            let g = g as usize;
            self.overlap[form][g] += 1;
            self.overlap[g][form] += 1;
            if self.overlap[form][g] > problem.max_overlap {
                self.overlap_excess += 1;
            }
        }
        for &z in &problem.enemies[y as usize] {
            if self.is_on(z, form) {
                self.enemy_pairs += 1;
            }
        }
        self.on[y as usize].push(f);
        self.forms[form][slot] = y;
        self.sums[form] += problem.difficulty[y as usize] - problem.difficulty[x as usize];
        self.difficulty_excess = State::spread_excess(problem, self.sums.iter().copied());
        for (p, sign) in [(problem.profile(x), -1), (problem.profile(y), 1)] {
            if let Some(p) = p {
                self.keys[form] += sign * p.keys;
                for i in 0..POSITIONS {
                    self.key_count[form][i] += sign * p.count[i];
                    self.key_expected[form][i] += sign * p.expected[i];
                }
            }
        }
        self.key_excess[form] = problem.key_excess(
            self.keys[form],
            &self.key_count[form],
            &self.key_expected[form],
        );
    }

    /// Builds the full state from `forms`.
    fn new(problem: &Problem<'_>, forms: Vec<Vec<u32>>, items: usize) -> Self {
        let k = forms.len();
        let mut on: Vec<Vec<u32>> = vec![Vec::new(); items];
        for (f, form) in forms.iter().enumerate() {
            for &x in form {
                on[x as usize].push(f as u32);
            }
        }
        let mut overlap = vec![vec![0; k]; k];
        for list in &on {
            for (i, &a) in list.iter().enumerate() {
                for &b in &list[i + 1..] {
                    overlap[a as usize][b as usize] += 1;
                    overlap[b as usize][a as usize] += 1;
                }
            }
        }
        let mut state = State {
            on,
            overlap,
            overlap_excess: 0,
            sums: forms
                .iter()
                .map(|form| form.iter().map(|&x| problem.difficulty[x as usize]).sum())
                .collect(),
            keys: vec![0; k],
            key_count: vec![[0; POSITIONS]; k],
            key_expected: vec![[0; POSITIONS]; k],
            key_excess: vec![0; k],
            enemy_pairs: 0,
            difficulty_excess: 0,
            forms,
        };
        for a in 0..k {
            for b in a + 1..k {
                state.overlap_excess +=
                    state.overlap[a][b].saturating_sub(problem.max_overlap) as i64;
            }
        }
        for f in 0..k {
            for &x in &state.forms[f] {
                for &z in &problem.enemies[x as usize] {
                    // Each pair is seen from both ends; count it at the smaller index.
                    if z > x && state.is_on(z, f) {
                        state.enemy_pairs += 1;
                    }
                }
                if let Some(p) = problem.profile(x) {
                    state.keys[f] += p.keys;
                    for i in 0..POSITIONS {
                        state.key_count[f][i] += p.count[i];
                        state.key_expected[f][i] += p.expected[i];
                    }
                }
            }
            state.key_excess[f] =
                problem.key_excess(state.keys[f], &state.key_count[f], &state.key_expected[f]);
        }
        state.difficulty_excess = State::spread_excess(problem, state.sums.iter().copied());
        state
    }

    /// Slots involved in a violation, as `(form, slot)`.
    fn bad_slots(&self, problem: &Problem<'_>) -> Vec<(usize, usize)> {
        let mut bad = Vec::new();
        let (low, high) = if self.difficulty_excess > 0 {
            let low = (0..self.sums.len()).min_by_key(|&f| self.sums[f]);
            let high = (0..self.sums.len()).max_by_key(|&f| self.sums[f]);
            (low, high)
        } else {
            (None, None)
        };
        for (f, form) in self.forms.iter().enumerate() {
            let whole_form = Some(f) == low || Some(f) == high || self.key_excess[f] > 0;
            for (slot, &x) in form.iter().enumerate() {
                let enemy = problem.enemies[x as usize]
                    .iter()
                    .any(|&z| self.is_on(z, f));
                let shared = self.on[x as usize]
                    .iter()
                    .any(|&g| g as usize != f && self.overlap[f][g as usize] > problem.max_overlap);
                if whole_form || enemy || shared {
                    bad.push((f, slot));
                }
            }
        }
        bad
    }
}

/// Solves the problem, returning each form's item ids in delivery order, or the violations
/// of the best attempt.
pub(super) fn solve(
    blueprint: &Blueprint,
    pool: &[BankItem<'_>],
    quotas: &[u32],
    constraints: &Constraints,
) -> Result<Vec<Vec<String>>, Vec<String>> {
    let problem = problem(blueprint, pool, quotas, constraints);
    let length = form_length(blueprint) as usize;
    let mut best: Option<State> = None;
    for restart in 0..RESTARTS {
        let mut rng = Rng::new(stream(constraints.seed, restart));
        let forms = construct(&problem, &mut rng);
        let mut state = State::new(&problem, forms, problem.ids.len());
        repair(
            &problem,
            &mut state,
            &mut rng,
            200 * length * problem.forms + 20_000,
        );
        let cost = state.cost();
        if best.as_ref().is_none_or(|b| cost < b.cost()) {
            best = Some(state);
        }
        if cost == 0 {
            break;
        }
    }
    let Some(state) = best else {
        return Err(vec!["no forms were requested".to_owned()]);
    };
    if state.cost() > 0 {
        return Err(explain(blueprint, &problem, &state, constraints));
    }
    Ok(state
        .forms
        .iter()
        .enumerate()
        .map(|(f, form)| {
            let mut order: Vec<u32> = form.clone();
            order.sort_unstable();
            Rng::new(stream(constraints.seed, 1_000 + f as u64)).shuffle(&mut order);
            order
                .into_iter()
                .map(|x| problem.ids[x as usize].to_owned())
                .collect()
        })
        .collect())
}

/// A seed for one use, so that streams do not overlap.
fn stream(seed: u64, index: u64) -> u64 {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0xA076_1D64_78BD_642F));
    rng.next_u64()
}

fn problem<'a>(
    blueprint: &Blueprint,
    pool: &[BankItem<'a>],
    quotas: &[u32],
    constraints: &Constraints,
) -> Problem<'a> {
    let index: HashMap<&str, u32> = pool
        .iter()
        .enumerate()
        .map(|(i, b)| (b.item.id.value.as_str(), i as u32))
        .collect();
    let mut enemies: Vec<Vec<u32>> = vec![Vec::new(); pool.len()];
    for (i, entry) in pool.iter().enumerate() {
        for enemy in &entry.item.enemies {
            let Some(&j) = index.get(enemy.value.as_str()) else {
                continue;
            };
            if j as usize != i {
                enemies[i].push(j);
                enemies[j as usize].push(i as u32);
            }
        }
    }
    for list in &mut enemies {
        list.sort_unstable();
        list.dedup();
    }
    let domain_of: Vec<usize> = pool
        .iter()
        .map(|b| {
            blueprint
                .domains
                .iter()
                .position(|d| d.id.value == b.item.domain.value)
                .unwrap_or(0)
        })
        .collect();
    let mut by_domain = vec![Vec::new(); blueprint.domains.len()];
    for (i, &d) in domain_of.iter().enumerate() {
        by_domain[d].push(i as u32);
    }
    let mut profiles = Vec::new();
    let profile = pool
        .iter()
        .map(|b| {
            let (options, keys) = fixed_keys(b.item)?;
            let options = options.clamp(1, POSITIONS);
            let mut profile = Profile {
                keys: keys.len() as i64,
                count: [0; POSITIONS],
                expected: [0; POSITIONS],
            };
            for key in keys {
                if let Some(c) = profile.count.get_mut(key) {
                    *c += 1;
                }
            }
            let per = profile.keys * UNIT / options as i64;
            for e in &mut profile.expected[..options] {
                *e = per;
            }
            profiles.push(profile);
            Some(profiles.len() - 1)
        })
        .collect();
    let slot_domain = quotas
        .iter()
        .enumerate()
        .flat_map(|(d, &q)| std::iter::repeat_n(d, q as usize))
        .collect();
    Problem {
        ids: pool.iter().map(|b| b.item.id.value.as_str()).collect(),
        difficulty: pool.iter().map(|b| difficulty(b.item)).collect(),
        domain_of,
        profile,
        profiles,
        enemies,
        by_domain,
        slot_domain,
        forms: constraints.forms,
        max_overlap: constraints.max_overlap,
        gap: difficulty_gap(constraints.difficulty_spread, form_length(blueprint)),
        key_tolerance: constraints.key_tolerance.billionths.max(0),
    }
}

/// The greedy pass: each domain's items in a seeded order, taken round-robin so that every
/// item is used once before any is reused, skipping items already on the form or with an enemy
/// there when another will do.
fn construct(problem: &Problem<'_>, rng: &mut Rng) -> Vec<Vec<u32>> {
    let mut orders: Vec<Vec<u32>> = problem.by_domain.clone();
    for order in &mut orders {
        rng.shuffle(order);
    }
    let mut next = vec![0_usize; orders.len()];
    let mut forms = Vec::with_capacity(problem.forms);
    let mut on_form = vec![false; problem.ids.len()];
    for _ in 0..problem.forms {
        let mut form: Vec<u32> = Vec::with_capacity(problem.slot_domain.len());
        for &d in &problem.slot_domain {
            let order = &orders[d];
            let mut fallback = None;
            let mut chosen = None;
            for step in 0..order.len() {
                let x = order[(next[d] + step) % order.len()];
                if on_form[x as usize] {
                    continue;
                }
                if problem.enemies[x as usize]
                    .iter()
                    .any(|&z| on_form[z as usize])
                {
                    fallback.get_or_insert(step);
                    continue;
                }
                chosen = Some(step);
                break;
            }
            // The pre-checks guarantee a domain has at least its quota of items, so some item
            // is always free; an enemy conflict is left for the repair pass.
            let Some(step) = chosen.or(fallback) else {
                continue;
            };
            let x = order[(next[d] + step) % order.len()];
            next[d] = (next[d] + step + 1) % order.len();
            on_form[x as usize] = true;
            form.push(x);
        }
        for &x in &form {
            on_form[x as usize] = false;
        }
        forms.push(form);
    }
    forms
}

/// The local search. Stops at cost zero or after `budget` moves.
fn repair(problem: &Problem<'_>, state: &mut State, rng: &mut Rng, budget: usize) {
    let mut bad = Vec::new();
    let slots = problem.slot_domain.len();
    if slots == 0 {
        return;
    }
    for iteration in 0..budget {
        if state.cost() == 0 {
            return;
        }
        if iteration % 32 == 0 || bad.is_empty() {
            bad = state.bad_slots(problem);
        }
        let (form, slot) = if !bad.is_empty() && rng.below(4) != 0 {
            bad[rng.below(bad.len())]
        } else {
            (rng.below(problem.forms), rng.below(slots))
        };
        let x = state.forms[form][slot];
        let domain = problem.domain_of[x as usize];
        let candidates = &problem.by_domain[domain];
        let mut best: Option<(i64, u32)> = None;
        for _ in 0..CANDIDATES.min(candidates.len()) {
            let y = candidates[rng.below(candidates.len())];
            if y == x || state.is_on(y, form) {
                continue;
            }
            let delta = state.delta(problem, form, x, y);
            if best.is_none_or(|(b, _)| delta < b) {
                best = Some((delta, y));
            }
        }
        let Some((delta, y)) = best else {
            continue;
        };
        // Sideways moves cross plateaus; a rare uphill move escapes local minima.
        if delta <= 0 || rng.below(100) == 0 {
            state.apply(problem, form, slot, y);
        }
    }
}

/// The violations left in the best attempt, in words.
fn explain(
    blueprint: &Blueprint,
    problem: &Problem<'_>,
    state: &State,
    constraints: &Constraints,
) -> Vec<String> {
    let id = &blueprint.id.value;
    let k = constraints.forms;
    let forms = if k == 1 {
        "no form".to_owned()
    } else {
        format!("no {k} forms")
    };
    let mut reasons = vec![format!(
        "{forms} of `{id}` meeting every constraint found (seed {}); the best attempt still has",
        constraints.seed
    )];
    if state.enemy_pairs > 0 {
        let mut pair = None;
        'outer: for (f, form) in state.forms.iter().enumerate() {
            for &x in form {
                if let Some(&z) = problem.enemies[x as usize]
                    .iter()
                    .find(|&&z| state.is_on(z, f))
                {
                    pair = Some((problem.ids[x as usize], problem.ids[z as usize], f + 1));
                    break 'outer;
                }
            }
        }
        let example = pair.map_or(String::new(), |(a, b, f)| {
            format!(" (such as `{a}` and `{b}` on form {f})")
        });
        reasons.push(format!(
            "{} pair(s) of enemies on one form{example}",
            state.enemy_pairs
        ));
    }
    for a in 0..k {
        for b in a + 1..k {
            if state.overlap[a][b] > constraints.max_overlap {
                reasons.push(format!(
                    "forms {} and {} share {} items, more than the {} allowed",
                    a + 1,
                    b + 1,
                    state.overlap[a][b],
                    constraints.max_overlap
                ));
            }
        }
    }
    if state.difficulty_excess > 0 {
        let length = f64::from(form_length(blueprint).max(1));
        let low = state.sums.iter().min().copied().unwrap_or(0) as f64 / length;
        let high = state.sums.iter().max().copied().unwrap_or(0) as f64 / length;
        reasons.push(format!(
            "mean difficulties from {low:.3} to {high:.3}, a spread of {:.3} where at most {} is allowed",
            high - low,
            constraints.difficulty_spread
        ));
    }
    for (f, excess) in state.key_excess.iter().enumerate() {
        if *excess > 0 {
            let counts: Vec<String> = state.key_count[f]
                .iter()
                .take_while(|_| true)
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(p, c)| format!("{}: {c}", position_label(p)))
                .collect();
            reasons.push(format!(
                "form {} has unbalanced keys among its {} fixed-order keys ({}), beyond the \
                 tolerance of {}",
                f + 1,
                state.keys[f],
                counts.join(", "),
                constraints.key_tolerance
            ));
        }
    }
    reasons
}

/// `A`, `B`, … for option positions.
pub(crate) fn position_label(position: usize) -> char {
    char::from(b'A' + u8::try_from(position.min(25)).unwrap_or(25))
}
