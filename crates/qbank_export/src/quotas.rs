//! Largest-remainder apportionment.

/// Splits `total` into shares proportional to `weights` by the largest-remainder method: each
/// share is the floor of its exact quota, and the units left over go to the largest remainders,
/// the earlier weight first on a tie. The shares always add up to `total`; all-zero weights
/// share equally.
pub(crate) fn quotas(weights: &[u64], total: u64) -> Vec<u64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    let (weights, sum): (Vec<u128>, u128) = if sum == 0 {
        (vec![1; weights.len()], weights.len() as u128)
    } else {
        (weights.iter().map(|&w| u128::from(w)).collect(), sum)
    };
    let total128 = u128::from(total);
    let mut shares: Vec<u64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let exact = weight * total128;
        // The floor of a share never exceeds `total`, so it fits in u64.
        shares.push(u64::try_from(exact / sum).unwrap_or(u64::MAX));
        remainders.push((exact % sum, index));
    }
    let given: u64 = shares.iter().sum();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, index) in remainders
        .iter()
        .take(usize::try_from(total - given).unwrap_or(0))
    {
        shares[*index] += 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::quotas;

    #[test]
    fn shares_add_up_and_follow_the_weights() {
        assert_eq!(quotas(&[17, 20, 33, 30], 150), vec![26, 30, 49, 45]);
        assert_eq!(quotas(&[17, 20, 33, 30], 10), vec![2, 2, 3, 3]);
        assert_eq!(quotas(&[1, 1, 1], 10), vec![4, 3, 3]);
        assert_eq!(quotas(&[0, 0], 3), vec![2, 1]);
        assert_eq!(quotas(&[], 3), Vec::<u64>::new());
        assert_eq!(quotas(&[5], 0), vec![0]);
    }
}
