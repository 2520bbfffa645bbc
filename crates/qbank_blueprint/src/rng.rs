//! A small seeded random number generator (`SplitMix64`). Its output is fixed by this file, so
//! the same seed gives the same forms on every platform and in every release.

/// `SplitMix64` (Steele, Lea and Flood, 2014): fast, and good enough for shuffling.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`; `bound` must be positive.
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        // Lemire's multiply-shift; the tiny bias is irrelevant for shuffling forms.
        let bound = bound as u64;
        let wide = u128::from(self.next_u64()) * u128::from(bound);
        usize::try_from(wide >> 64).unwrap_or(0)
    }

    /// Fisher-Yates shuffle.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}
