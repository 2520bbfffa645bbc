//! Form quotas: how many items of each domain one form holds.

use qbank_model::{Blueprint, Decimal};

use crate::natural_cmp;

/// The number of items of each domain on one form of `length` items, in the order of
/// `weights`, by the largest-remainder (Hamilton) method.
///
/// Each domain first gets the whole part of `weight × length ÷ total weight`, computed exactly
/// on the weights' decimal values; the items left over go one each to the domains with the
/// largest remainders. Ties go to the larger weight, then to the lower domain id (compared
/// naturally, so `2` comes before `10`). The quotas always add up to `length`, also when the
/// weights do not add up to 1. Weights that are zero or negative get nothing; when no weight
/// is positive, every quota is zero.
///
/// ```
/// use qbank_blueprint::largest_remainder;
/// use qbank_model::Decimal;
///
/// let weights: Vec<(&str, Decimal)> = [("1", "0.17"), ("2", "0.20"), ("3", "0.33"), ("4", "0.30")]
///     .iter()
///     .map(|(id, w)| (*id, Decimal::parse(w).unwrap()))
///     .collect();
/// assert_eq!(largest_remainder(&weights, 150), vec![25, 30, 50, 45]);
/// ```
pub fn largest_remainder(weights: &[(&str, Decimal)], length: u32) -> Vec<u32> {
    let positive = |w: Decimal| i128::from(w.billionths.max(0));
    let total: i128 = weights.iter().map(|(_, w)| positive(*w)).sum();
    if total == 0 {
        return vec![0; weights.len()];
    }
    let length_wide = i128::from(length);
    let mut quotas = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (index, (_, weight)) in weights.iter().enumerate() {
        let product = positive(*weight) * length_wide;
        // The whole part is at most `length`, so it fits in a u32.
        quotas.push(u32::try_from(product / total).unwrap_or(length));
        remainders.push((product % total, index));
    }
    let assigned: u32 = quotas.iter().sum();
    let mut left = length.saturating_sub(assigned);
    remainders.sort_by(|(ra, a), (rb, b)| {
        rb.cmp(ra)
            .then_with(|| weights[*b].1.cmp(&weights[*a].1))
            .then_with(|| natural_cmp(weights[*a].0, weights[*b].0))
            .then_with(|| a.cmp(b))
    });
    for (_, index) in remainders {
        if left == 0 {
            break;
        }
        quotas[index] += 1;
        left -= 1;
    }
    quotas
}

/// The quotas of a blueprint's domains on one form, in the blueprint's domain order.
pub fn form_quotas(blueprint: &Blueprint) -> Vec<u32> {
    let weights: Vec<(&str, Decimal)> = blueprint
        .domains
        .iter()
        .map(|d| (d.id.value.as_str(), d.weight.value))
        .collect();
    largest_remainder(&weights, form_length(blueprint))
}

/// The blueprint's form length as a count (the schema keeps it between 1 and 10 000).
pub fn form_length(blueprint: &Blueprint) -> u32 {
    u32::try_from(blueprint.form_length.value.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn weights(list: &[(&'static str, &str)]) -> Vec<(&'static str, Decimal)> {
        list.iter()
            .map(|(id, w)| (*id, Decimal::parse(w).unwrap()))
            .collect()
    }

    #[test]
    fn cism_at_150_is_exact() {
        let w = weights(&[("1", "0.17"), ("2", "0.20"), ("3", "0.33"), ("4", "0.30")]);
        assert_eq!(largest_remainder(&w, 150), vec![25, 30, 50, 45]);
    }

    #[test]
    fn ties_go_to_the_larger_weight_then_the_lower_id() {
        // 0.25 × 2 = 0.5 each: equal weights, so the lower ids win.
        let w = weights(&[("10", "0.25"), ("2", "0.25"), ("3", "0.25"), ("1", "0.25")]);
        assert_eq!(largest_remainder(&w, 2), vec![0, 1, 0, 1]);
        // Equal remainders (0.5), unequal weights: the larger weight wins.
        let w = weights(&[("1", "0.1"), ("2", "0.3"), ("3", "0.6")]);
        assert_eq!(largest_remainder(&w, 5), vec![0, 2, 3]);
    }

    #[test]
    fn weights_that_do_not_sum_to_one_are_normalized() {
        let w = weights(&[("1", "0.5"), ("2", "0.6")]);
        assert_eq!(largest_remainder(&w, 11), vec![5, 6]);
        assert_eq!(largest_remainder(&weights(&[("1", "0")]), 3), vec![0]);
    }

    #[test]
    fn quotas_always_sum_to_the_form_length() {
        let mut rng = Rng::new(7);
        for _ in 0..2000 {
            let n = 1 + rng.below(12);
            let ids: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            let w: Vec<(&str, Decimal)> = ids
                .iter()
                .map(|id| {
                    let billionths = i64::try_from(1 + rng.below(1_000_000_000)).unwrap();
                    (id.as_str(), Decimal { billionths })
                })
                .collect();
            let length = u32::try_from(1 + rng.below(10_000)).unwrap();
            let quotas = largest_remainder(&w, length);
            assert_eq!(quotas.iter().sum::<u32>(), length, "{w:?} {length}");
            // Each quota is within one item of its exact share.
            let total: i128 = w.iter().map(|(_, x)| i128::from(x.billionths)).sum();
            for ((_, x), q) in w.iter().zip(&quotas) {
                let exact = i128::from(x.billionths) * i128::from(length);
                let q = i128::from(*q) * total;
                assert!((q - exact).abs() < total, "{w:?} {length}");
            }
        }
    }
}
