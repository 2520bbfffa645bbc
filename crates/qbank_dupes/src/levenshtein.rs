//! Exact all-pairs and query search under normalized Levenshtein similarity.
//!
//! Candidate pairs come from a length window over the stems of a scope sorted by length. Each
//! candidate must pass lower bounds on the edit distance `d` before the bounded bit-parallel
//! distance decides it. With `Δ = |len_a - len_b|`, the longer length `L` and
//! `τ = max_distance(L)`, the largest distance the threshold allows:
//!
//! * **length**: `d >= Δ`, so only stems with `Δ <= τ` are compared;
//! * **characters**: one edit changes the character counts by at most one in excess (`P`, the
//!   sum of the counts of `a` above those of `b`) and one in deficit (`N`). Both are zero for
//!   equal strings, so `d >= max(P, N) = (L1 + Δ) / 2`, where `L1 = P + N` is the sum of
//!   absolute count differences and `|P - N| = Δ`;
//! * **bigrams**: one edit changes at most two bigrams on each side, and the bigram totals of
//!   the two stems differ by `Δ` (both non-empty) or `Δ - 1` (one empty), so
//!   `4 d >= L1₂ + Δ - 1`;
//! * **trigrams** (see [`unmatched_trigrams`]): one edit touches at most three trigrams of
//!   each stem and the untouched ones pair up, so each stem has at most `3 d` trigrams without
//!   a partner in the other; on folded counts (see [`trigram_sketch`]), `L1₃ + Δ₃ <= 6 d`
//!   with `Δ₃` the difference of the trigram totals.
//!
//! The character and bigram bounds are computed on sketches: counts folded into a few bins and
//! saturated at 255. Folding bins only shrinks `L1` (`|x + y| <= |x| + |y|`), saturation is
//! 1-Lipschitz, and `Δ` comes from the true lengths, so every folded bound is still at most
//! `d`. The trigram bounds work on trigram codes of the 63 most frequent symbols (rarer symbols
//! share one value) hashed into 8192 codes: merged codes can only add partners. No pair that
//! reaches the threshold is ever dropped; the unit tests check every bound against the true
//! distance at `τ = d`, the tie.
//!
//! The all-pairs scan gives each task 512 consecutive positions, in blocks of 64, and streams
//! every candidate of their windows once, so that its sketches are read from memory once for
//! all eight blocks: its character sketch is compared with the 64 positions of a block at a
//! time into a bit mask without branches, and only the set bits pay the bigram bound, then
//! the folded trigram bound. Survivors of the sketch bounds go through the trigram bag bound,
//! which costs about as much as a few hundred sketch comparisons, and only then through the
//! bounded distance. (A positional trigram bound, which took a third of the bag's survivors
//! away, cost as much as the distance computations it saved: the bounded distance gives up
//! early on most pairs it rejects.)
//!
//! Sketches are compared by a [`Kernel`], chosen when a search starts: SSE2 (`psadbw`, which
//! every x86-64 processor has) or, on processors with AVX2, the 256-bit `vpsadbw`, with the
//! character bound of sixteen positions computed at once in 16-bit lanes. The AVX2 scan runs
//! inside a function that `pulp` compiles for AVX2 after detecting it, so this crate needs no
//! `unsafe`. Both kernels give the same pairs; a test runs both.
//!
//! A query search ([`Options::queries`](crate::Options::queries)) does only the work its
//! queries need: scopes without a query are skipped; within a scope, the normalized lengths
//! are counted first (without building the text of ASCII stems), and only the members whose
//! length lies in some query's window (the length bound above, on either side) are
//! normalized, encoded and sketched. Trigram codes are then computed on demand rather than for
//! the whole scope. The queries are scanned in blocks of nearby lengths that share one pass
//! over their windows, as in the all-pairs scan.

// The scan and every kernel function it calls are `#[inline(always)]`: with AVX2, they must
// all be inlined into the one function compiled for it, or their instructions run without it
// (as calls, several times slower).
#![expect(
    clippy::inline_always,
    reason = "the scan runs inside the function compiled for its kernel's instructions"
)]

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rapidfuzz::HashableChar;
use rapidfuzz::distance::levenshtein;
use rayon::prelude::*;

use crate::normalize::normalized_len;
use crate::{Entry, Options, Pair, Progress, Scope, SearchStats, Threshold, normalize};

/// Bins of the character sketch.
const CHAR_BINS: usize = 32;
/// Bins of the bigram sketch: one per value of a byte.
const BIGRAM_BINS: usize = 256;
/// Bins of the trigram sketch: the hashed trigram codes folded by their low bits.
const TRIGRAM_BINS: usize = 2048;
/// Symbols (by frequency rank) whose bigrams are counted exactly; the rest share one code.
const EXACT_SYMBOLS: usize = 63;
/// Size of the exact bigram table: every pair of the exact symbols plus the shared code.
const BIGRAM_CODES: usize = (EXACT_SYMBOLS + 1) * (EXACT_SYMBOLS + 1);
/// Stems sampled to balance the bigram sketch bins.
const BIGRAM_SAMPLE: usize = 4096;
/// Positions per block of the all-pairs scan: one bit each in a `u64` mask.
const QUERY_BLOCK: usize = 64;
/// Positions per task of the all-pairs scan: several blocks, which share one pass over the
/// candidates of their windows (each candidate's sketches are read from memory once for all
/// of them).
const SCAN_TASK: usize = 8 * QUERY_BLOCK;
/// Queries per block of a query search: fewer, so that a few queries still spread over threads.
const QUERY_SEARCH_BLOCK: usize = 16;

/// A symbol of a normalized stem: its rank by frequency in the bank. One byte when the bank
/// uses at most 256 distinct characters, four otherwise.
trait Symbol: Copy + Eq + Hash + HashableChar + Send + Sync + 'static {
    fn from_rank(rank: usize) -> Self;
    fn rank(self) -> usize;
}

impl Symbol for u8 {
    fn from_rank(rank: usize) -> Self {
        u8::try_from(rank).unwrap_or(u8::MAX)
    }
    fn rank(self) -> usize {
        usize::from(self)
    }
}

impl Symbol for u32 {
    fn from_rank(rank: usize) -> Self {
        u32::try_from(rank).unwrap_or(u32::MAX)
    }
    fn rank(self) -> usize {
        self as usize
    }
}

/// Size of the trigram code table: trigrams of symbol ranks are hashed into this many codes.
const TRIGRAM_CODES: usize = 1 << TRIGRAM_BITS;
const TRIGRAM_BITS: u32 = 13;

/// Per-thread scratch memory of a scan. The count tables are all zeros between calls.
struct Scratch {
    /// Trigram counts of the query being verified.
    bag: Vec<u16>,
    /// Trigram codes computed on demand (query search).
    own: Vec<u16>,
    other: Vec<u16>,
    /// Occurrence counts while packing trigrams on demand.
    seen: Vec<u8>,
}

fn seen_table() -> Vec<u8> {
    vec![0; TRIGRAM_CODES]
}

fn scratch() -> Scratch {
    Scratch {
        bag: vec![0; TRIGRAM_CODES],
        own: Vec::new(),
        other: Vec::new(),
        seen: seen_table(),
    }
}

/// The code of a trigram of symbol ranks. Ranks above 63 share one value, and the 18-bit
/// result is hashed into [`TRIGRAM_CODES`] codes. Two different trigrams may share a code,
/// which can only add partners to the trigram bounds below, never remove one.
#[inline]
fn trigram_code(a: usize, b: usize, c: usize) -> u16 {
    let key = (a.min(EXACT_SYMBOLS) << 12) | (b.min(EXACT_SYMBOLS) << 6) | c.min(EXACT_SYMBOLS);
    let key = u32::try_from(key).unwrap_or(0);
    u16::try_from(key.wrapping_mul(0x9e37_79b1) >> (32 - TRIGRAM_BITS)).unwrap_or(0)
}

/// Bits of a packed trigram that hold its code; the three bits above hold its occurrence.
const CODE_MASK: u16 = (1 << TRIGRAM_BITS) - 1;
/// The largest occurrence index a packed trigram holds.
const MAX_OCCURRENCE: u8 = (1 << (16 - TRIGRAM_BITS)) - 1;

/// The packed trigrams of a text, in order: `len - 2` of them, none when it has fewer than 3
/// symbols. Each is its code and, above it, its occurrence index: how many earlier trigrams
/// of the text have the same code, saturated at [`MAX_OCCURRENCE`]. `seen` is all zeros on
/// entry and on return.
fn packed_trigrams<T: Symbol>(text: &[T], seen: &mut [u8], out: &mut [u16]) {
    for (slot, w) in out.iter_mut().zip(text.windows(3)) {
        let code = trigram_code(w[0].rank(), w[1].rank(), w[2].rank());
        let count = &mut seen[usize::from(code)];
        *slot = code | (u16::from(*count) << TRIGRAM_BITS);
        *count = (*count + 1).min(MAX_OCCURRENCE);
    }
    for &packed in out.iter().take(text.len().saturating_sub(2)) {
        seen[usize::from(packed & CODE_MASK)] = 0;
    }
}

/// The trigram bag bound: the number of trigrams of `codes` that find no partner (as a
/// multiset) among the trigrams counted in `bag`.
///
/// In an alignment with `d` edits, a substitution or deletion of one symbol touches the (at
/// most 3) trigrams containing it, and an insertion touches the (at most 2) trigrams spanning
/// the gap; every untouched trigram of either string equals a distinct trigram of the other.
/// So each string has at most `3 d` trigrams without a partner, and
/// `d >= (max(n_a, n_b) - common) / 3` with `n` the trigram counts and `common` the size of the
/// multiset intersection (hashed codes only enlarge it). `bag` holds the counts of the other
/// string and is restored before returning.
///
/// With packed trigrams, the `k`-th occurrence of a code finds a partner exactly when the other
/// string has more than `k` trigrams of that code, so the count needs no writes and no
/// branches. An occurrence index saturated at [`MAX_OCCURRENCE`] can only find a partner it
/// would not have, which keeps the bound valid.
fn unmatched_trigrams(packed: &[u16], bag: &[u16]) -> usize {
    let common: usize = packed
        .iter()
        .map(|&p| usize::from(bag[usize::from(p & CODE_MASK)] > p >> TRIGRAM_BITS))
        .sum();
    packed.len() - common
}

/// The trigram sketch of packed trigrams: their codes folded into [`TRIGRAM_BINS`] bins by
/// their low bits, counts saturated at 255. With `n` trigrams on each side and `c` the
/// multiset intersection, the bag bound is `max(n_a, n_b) - c <= 3 d`, that is
/// `L1 + |n_a - n_b| <= 6 d` for the sum of absolute count differences `L1 = n_a + n_b - 2 c`;
/// folding and saturation only shrink `L1`, so the bound holds on the sketches too, at the cost
/// of a comparison as cheap as the bigram sketch's instead of a lookup per trigram.
fn trigram_sketch(packed: &[u16]) -> [u8; TRIGRAM_BINS] {
    let mut counts = [0_u32; TRIGRAM_BINS];
    for &p in packed {
        counts[usize::from(p) % TRIGRAM_BINS] += 1;
    }
    counts.map(|n| u8::try_from(n).unwrap_or(u8::MAX))
}

/// The code of a bigram in the exact bigram table.
#[inline]
fn bigram_code(a: usize, b: usize) -> usize {
    a.min(EXACT_SYMBOLS) * (EXACT_SYMBOLS + 1) + b.min(EXACT_SYMBOLS)
}

/// Symbol ranks of the characters of a bank: by frequency, most frequent first, ties by code
/// point. ASCII characters are looked up in a table, others in a map.
struct Ranks {
    ascii: [u32; 128],
    other: HashMap<char, u32>,
    len: usize,
}

impl Ranks {
    fn new(stems: &[&str]) -> Self {
        let (ascii_counts, other_counts) = stems
            .par_iter()
            .fold(
                || ([0_u64; 128], HashMap::<char, u64>::new()),
                |(mut ascii, mut other), s| {
                    if s.is_ascii() {
                        for b in s.bytes() {
                            ascii[usize::from(b)] += 1;
                        }
                        return (ascii, other);
                    }
                    for c in s.chars() {
                        match ascii_index(c) {
                            Some(k) => ascii[k] += 1,
                            None => *other.entry(c).or_default() += 1,
                        }
                    }
                    (ascii, other)
                },
            )
            .reduce(
                || ([0_u64; 128], HashMap::new()),
                |(mut a1, mut o1), (a2, o2)| {
                    for (x, y) in a1.iter_mut().zip(a2) {
                        *x += y;
                    }
                    for (c, n) in o2 {
                        *o1.entry(c).or_default() += n;
                    }
                    (a1, o1)
                },
            );
        let mut symbols: Vec<(char, u64)> = other_counts.into_iter().collect();
        symbols.extend(
            (0_u8..128)
                .map(|b| (char::from(b), ascii_counts[usize::from(b)]))
                .filter(|&(_, n)| n > 0),
        );
        symbols.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let mut ranks = Self {
            ascii: [0; 128],
            other: HashMap::new(),
            len: symbols.len(),
        };
        for (rank, &(c, _)) in symbols.iter().enumerate() {
            let rank = u32::try_from(rank).unwrap_or(u32::MAX);
            match ascii_index(c) {
                Some(k) => ranks.ascii[k] = rank,
                None => {
                    ranks.other.insert(c, rank);
                }
            }
        }
        ranks
    }

    fn rank(&self, c: char) -> usize {
        let rank = match ascii_index(c) {
            Some(k) => self.ascii[k],
            None => self.other.get(&c).copied().unwrap_or(0),
        };
        rank as usize
    }
}

fn ascii_index(c: char) -> Option<usize> {
    c.is_ascii().then_some(c as usize)
}

/// How symbols and bigrams fold into sketch bins.
struct Bins {
    char_bin: Vec<u8>,
    bigram_bin: Vec<u8>,
}

impl Bins {
    /// The most frequent symbols get a character bin each; rarer ones share the bins of the
    /// least frequent of those. Bigram codes are spread over the bins so that each bin carries
    /// about the same share of all bigrams (longest-processing-time greedy on a sample), which
    /// keeps the folded bound close to the unfolded one.
    fn new(ranks: &Ranks, stems: &[&str]) -> Self {
        let symbols = ranks.len;
        let char_bin = (0..symbols.max(1))
            .map(|rank| {
                let bin = if rank < CHAR_BINS {
                    rank
                } else {
                    CHAR_BINS - 1 - (rank - CHAR_BINS) % CHAR_BINS
                };
                u8::try_from(bin).unwrap_or(0)
            })
            .collect();
        let step = (stems.len() / BIGRAM_SAMPLE).max(1);
        let mut freq = vec![0_u64; BIGRAM_CODES];
        let mut text = Vec::new();
        for stem in stems.iter().step_by(step) {
            text.clear();
            text.extend(stem.chars().map(|c| ranks.rank(c)));
            for w in text.windows(2) {
                freq[bigram_code(w[0], w[1])] += 1;
            }
        }
        // By frequency, heaviest first, ties by code. Most codes never occur, and those keep
        // their order at the end, so only the ones that occur are sorted.
        let (mut codes, unseen): (Vec<usize>, Vec<usize>) =
            (0..BIGRAM_CODES).partition(|&code| freq[code] > 0);
        codes.sort_by(|&x, &y| freq[y].cmp(&freq[x]).then(x.cmp(&y)));
        codes.extend(unseen);
        // The lightest bin (ties: lowest index) takes the next heaviest code.
        let mut load: BinaryHeap<Reverse<(u64, u8)>> =
            (0..=u8::MAX).map(|b| Reverse((0, b))).collect();
        let mut bigram_bin = vec![0_u8; BIGRAM_CODES];
        for code in codes {
            let Some(Reverse((weight, bin))) = load.pop() else {
                break;
            };
            bigram_bin[code] = bin;
            load.push(Reverse((weight + freq[code].max(1), bin)));
        }
        Self {
            char_bin,
            bigram_bin,
        }
    }

    /// Counts in one pass, into `u32` counters (a text never has 2³² symbols), which are
    /// saturated to bytes at the end: the same result as adding with saturation, without a
    /// compare and a conditional move in every step.
    fn sketch<T: Symbol>(&self, text: &[T]) -> Sketch {
        let mut chars = [0_u32; CHAR_BINS];
        let mut bigrams = [0_u32; BIGRAM_BINS];
        if let Some((&first, rest)) = text.split_first() {
            chars[usize::from(self.char_bin[first.rank()])] += 1;
            let mut previous = first.rank();
            for &s in rest {
                let rank = s.rank();
                chars[usize::from(self.char_bin[rank])] += 1;
                bigrams[usize::from(self.bigram_bin[bigram_code(previous, rank)])] += 1;
                previous = rank;
            }
        }
        let byte = |n: u32| u8::try_from(n).unwrap_or(u8::MAX);
        Sketch {
            chars: chars.map(byte),
            bigrams: bigrams.map(byte),
        }
    }
}

/// The sketches of one stem.
struct Sketch {
    chars: [u8; CHAR_BINS],
    bigrams: [u8; BIGRAM_BINS],
}

/// Sum of absolute differences, 16 bytes at a time with `psadbw`, whose two 64-bit partial
/// sums accumulate in one register and are added together once at the end. (Written as plain
/// loops, the compiler reduces every 16-byte chunk to a scalar: about 10 instructions a chunk
/// against 3 here, and the 256-byte bigram sketch is compared for half of all window pairs.)
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn sad<const N: usize>(a: &[u8; N], b: &[u8; N]) -> u32 {
    use safe_arch::{add_i64_m128i, load_unaligned_m128i, sum_of_u8_abs_diff_m128i, zeroed_m128i};
    const { assert!(N.is_multiple_of(16), "sketches are whole 16-byte chunks") };
    let (a, b) = (a.as_chunks::<16>().0, b.as_chunks::<16>().0);
    let mut sums = zeroed_m128i();
    for (x, y) in a.iter().zip(b) {
        let chunk = sum_of_u8_abs_diff_m128i(load_unaligned_m128i(x), load_unaligned_m128i(y));
        sums = add_i64_m128i(sums, chunk);
    }
    let [low, high]: [u64; 2] = sums.into();
    // At most 255 per byte of a sketch of at most 2048 bytes.
    u32::try_from(low + high).unwrap_or(u32::MAX)
}

/// Sum of absolute differences, on targets without SSE2: 16-byte chunks, each summed into a
/// `u16` (at most `16 * 255`).
#[cfg(not(target_arch = "x86_64"))]
#[expect(
    clippy::inline_always,
    reason = "called once per pair in the innermost loop, in two sizes"
)]
#[inline(always)]
fn sad<const N: usize>(a: &[u8; N], b: &[u8; N]) -> u32 {
    let mut total = 0_u32;
    for (x, y) in a.chunks_exact(16).zip(b.chunks_exact(16)) {
        let mut chunk = 0_u16;
        for k in 0..16 {
            chunk += u16::from(x[k].abs_diff(y[k]));
        }
        total += u32::from(chunk);
    }
    total
}

/// How the scan compares sketches: [`sad`] on every target, or the 256-bit `vpsadbw` of
/// AVX2 when the processor has it, chosen at run time.
trait Kernel: Copy {
    /// The sum of absolute differences of two sketches, as [`sad`] gives it.
    fn sad<const N: usize>(self, a: &[u8; N], b: &[u8; N]) -> u32;

    /// The positions of `block` whose character bound lets a stem of length `lj` and
    /// character sketch `chars_j` through: bit `k` is set when
    /// `sad(block.chars[k], chars_j) <= block.base[k] + lj`.
    fn char_mask(self, block: &CharBlock, chars_j: &[u8; CHAR_BINS], lj: u32) -> u64;
}

/// The character sketches of up to 64 positions of the all-pairs scan, each with the base of
/// its limit: the character bound `sad + l_k - l_j <= 2 τ_k` of a candidate no longer than the
/// position is `sad <= (2 τ_k - l_k) + l_j`. Unused slots never pass.
struct CharBlock {
    chars: [[u8; CHAR_BINS]; QUERY_BLOCK],
    base: [i64; QUERY_BLOCK],
    /// The same bases as 16-bit lanes, when every length is under 2¹⁴, so that a base plus
    /// a candidate's length (no longer than the position's) fits an `i16`; `None` otherwise.
    base16: Option<[i16; QUERY_BLOCK]>,
}

impl CharBlock {
    fn new(chars: &[[u8; CHAR_BINS]], lens: &[u32], limits: &[u32]) -> Self {
        let mut block = Self {
            chars: [[0; CHAR_BINS]; QUERY_BLOCK],
            base: [i64::MIN / 2; QUERY_BLOCK],
            base16: None,
        };
        for (k, ((c, &l), &limit)) in chars.iter().zip(lens).zip(limits).enumerate() {
            block.chars[k] = *c;
            block.base[k] = i64::from(limit) - i64::from(l);
        }
        if lens.iter().all(|&l| l < 1 << 14) {
            // A base is at least `-l`, above -2¹⁴, and at most `2 τ - l <= l` (`τ <= l`), so
            // a base plus a candidate's length is under 2¹⁵; padded slots get the lowest base,
            // which no sum reaches.
            block.base16 = Some(block.base.map(|b| i16::try_from(b).unwrap_or(i16::MIN)));
        }
        block
    }
}

/// Which positions of an all-pairs block (`bs..bs + n`) a candidate `j` may pair with: the
/// positions after `j` whose window starts at or before `j`. Window starts never decrease
/// along the block (lengths are sorted), and candidates come in increasing order, so both
/// conditions are bit ranges found without a loop over the block.
struct Valid<'r> {
    ranges: &'r [(usize, usize)],
    first: usize,
    /// Positions whose window starts at or before the last candidate.
    opened: usize,
}

impl<'r> Valid<'r> {
    fn new(first: usize, ranges: &'r [(usize, usize)]) -> Self {
        Self {
            ranges,
            first,
            opened: 0,
        }
    }

    /// The mask for candidate `j`, which is at least the previous one.
    #[inline(always)]
    fn at(&mut self, j: usize) -> u64 {
        while self.opened < self.ranges.len() && self.ranges[self.opened].0 <= j {
            self.opened += 1;
        }
        let low = bits_below(self.opened);
        // Positions `k` with `first + k > j`.
        let high = match j.checked_sub(self.first) {
            None => u64::MAX,
            Some(before) => !bits_below(before + 1),
        };
        low & high
    }
}

/// The mask of the `n` lowest bits (all of them from 64 on).
#[inline(always)]
fn bits_below(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1_u64 << n) - 1 }
}

/// [`sad`]: SSE2 on x86-64, plain loops elsewhere.
#[derive(Clone, Copy)]
struct Baseline;

impl Kernel for Baseline {
    #[inline(always)]
    fn sad<const N: usize>(self, a: &[u8; N], b: &[u8; N]) -> u32 {
        sad(a, b)
    }

    #[inline(always)]
    fn char_mask(self, block: &CharBlock, chars_j: &[u8; CHAR_BINS], lj: u32) -> u64 {
        let mut mask = 0;
        for (k, (chars, &base)) in block.chars.iter().zip(&block.base).enumerate() {
            let pass = i64::from(sad(chars, chars_j)) <= base + i64::from(lj);
            mask |= u64::from(pass) << k;
        }
        mask
    }
}

/// 32 bytes at a time: half the instructions of the SSE2 [`sad`]. Its instructions exist
/// only inside [`pulp::x86::V3::vectorize`], which the scan runs in (see [`Kernels::run`]).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Avx2(pulp::x86::V3);

#[cfg(target_arch = "x86_64")]
impl Kernel for Avx2 {
    #[inline(always)]
    fn sad<const N: usize>(self, a: &[u8; N], b: &[u8; N]) -> u32 {
        use pulp::bytemuck::cast;
        const { assert!(N.is_multiple_of(32), "sketches are whole 32-byte chunks") };
        let simd = self.0;
        let (a, b) = (a.as_chunks::<32>().0, b.as_chunks::<32>().0);
        let mut sums = simd.splat_u64x4(0);
        for (x, y) in a.iter().zip(b) {
            let chunk = simd.sum_of_absolute_differences_u8x32(cast(*x), cast(*y));
            sums = simd.wrapping_add_u64x4(sums, chunk);
        }
        let lanes: [u64; 4] = cast(sums);
        // At most 255 per byte of a sketch of at most 2048 bytes.
        u32::try_from(lanes.iter().sum::<u64>()).unwrap_or(u32::MAX)
    }

    /// Sixteen positions at a time (see [`sixteen_failed`]).
    #[inline(always)]
    fn char_mask(self, block: &CharBlock, chars_j: &[u8; CHAR_BINS], lj: u32) -> u64 {
        use pulp::bytemuck::cast;
        let Some(base16) = &block.base16 else {
            return Baseline.char_mask(block, chars_j, lj);
        };
        let simd = self.0;
        let cj = cast(*chars_j);
        // Below 2¹⁴: the candidate is no longer than the positions it can pass.
        let lj = simd
            .avx
            ._mm256_set1_epi16(i16::try_from(lj).unwrap_or(i16::MAX));
        let low = thirty_two_failed(simd, block, base16, 0, cj, lj);
        let high = thirty_two_failed(simd, block, base16, 2, cj, lj);
        !(low | high << 32)
    }
}

/// Positions `16 q` to `16 q + 31` of `block` that fail the character bound, as a mask: two
/// comparisons of sixteen (see [`sixteen_failed`]) packed to bytes, which interleaves 64-bit
/// lanes across the halves, undone by the permutation.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn thirty_two_failed(
    simd: pulp::x86::V3,
    block: &CharBlock,
    base16: &[i16; QUERY_BLOCK],
    q: usize,
    cj: std::arch::x86_64::__m256i,
    lj: std::arch::x86_64::__m256i,
) -> u64 {
    let a = sixteen_failed(simd, block, base16, q, cj, lj);
    let b = sixteen_failed(simd, block, base16, q + 1, cj, lj);
    let packed = simd.avx2._mm256_packs_epi16(a, b);
    let ordered = simd.avx2._mm256_permute4x64_epi64::<0b11_01_10_00>(packed);
    u64::from(simd.avx2._mm256_movemask_epi8(ordered).cast_unsigned())
}

/// Positions `16 q` to `16 q + 15` of `block` that fail the character bound against the
/// sketch `cj` of a candidate of length `lj` (in every 16-bit lane), as 16-bit lanes of all
/// ones. The four 64-bit partial sums of each position's `vpsadbw` (each at most 8 × 255)
/// are shifted into 16-bit fields, four positions to a 64-bit lane, so that one transposing
/// reduction gives the sixteen totals (at most 32 × 255) as 16-bit lanes, which are compared
/// with the sixteen limits at once.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn sixteen_failed(
    simd: pulp::x86::V3,
    block: &CharBlock,
    base16: &[i16; QUERY_BLOCK],
    q: usize,
    cj: std::arch::x86_64::__m256i,
    lj: std::arch::x86_64::__m256i,
) -> std::arch::x86_64::__m256i {
    use pulp::bytemuck::cast;
    let avx2 = simd.avx2;
    let (x0, x1, x2, x3) = (
        four_sums(simd, block, 16 * q, cj),
        four_sums(simd, block, 16 * q + 4, cj),
        four_sums(simd, block, 16 * q + 8, cj),
        four_sums(simd, block, 16 * q + 12, cj),
    );
    // Per 128-bit half: lanes of (x0, x1) and of (x2, x3) summed in pairs, then the halves
    // brought together: 64-bit lane g holds the totals of positions 4 g to 4 g + 3.
    let y0 = avx2._mm256_add_epi64(
        avx2._mm256_unpacklo_epi64(x0, x1),
        avx2._mm256_unpackhi_epi64(x0, x1),
    );
    let y1 = avx2._mm256_add_epi64(
        avx2._mm256_unpacklo_epi64(x2, x3),
        avx2._mm256_unpackhi_epi64(x2, x3),
    );
    let totals = avx2._mm256_add_epi64(
        avx2._mm256_permute2x128_si256::<0x20>(y0, y1),
        avx2._mm256_permute2x128_si256::<0x31>(y0, y1),
    );
    let bases = cast(base16.as_chunks::<16>().0[q]);
    avx2._mm256_cmpgt_epi16(totals, avx2._mm256_adds_epi16(bases, lj))
}

/// The partial sums of positions `k` to `k + 3` of `block` against `cj`, position `k + d` in
/// the 16-bit field `d` of each 64-bit lane.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn four_sums(
    simd: pulp::x86::V3,
    block: &CharBlock,
    k: usize,
    cj: std::arch::x86_64::__m256i,
) -> std::arch::x86_64::__m256i {
    use pulp::bytemuck::cast;
    let avx2 = simd.avx2;
    let s0 = avx2._mm256_sad_epu8(cast(block.chars[k]), cj);
    let s1 = avx2._mm256_sad_epu8(cast(block.chars[k + 1]), cj);
    let s2 = avx2._mm256_sad_epu8(cast(block.chars[k + 2]), cj);
    let s3 = avx2._mm256_sad_epu8(cast(block.chars[k + 3]), cj);
    avx2._mm256_or_si256(
        avx2._mm256_or_si256(s0, avx2._mm256_slli_epi64::<16>(s1)),
        avx2._mm256_or_si256(
            avx2._mm256_slli_epi64::<32>(s2),
            avx2._mm256_slli_epi64::<48>(s3),
        ),
    )
}

/// The kernels this processor can run, detected once per search.
#[derive(Clone, Copy)]
enum Kernels {
    Baseline,
    #[cfg(target_arch = "x86_64")]
    Avx2(pulp::x86::V3),
}

impl Kernels {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if let Some(simd) = pulp::x86::V3::try_new() {
            return Self::Avx2(simd);
        }
        Self::Baseline
    }

    /// Runs a scan with the best kernel; with AVX2, inside a function compiled for it, into
    /// which the scan (`#[inline(always)]`) is inlined.
    fn run<T: Symbol>(self, scan: ScanJob<'_, '_, T>) {
        match self {
            Self::Baseline => scan.run(Baseline),
            #[cfg(target_arch = "x86_64")]
            Self::Avx2(simd) => simd.vectorize(WithAvx2(simd, scan)),
        }
    }
}

/// A scan with the AVX2 kernel, as the function that [`pulp::x86::V3::vectorize`] compiles
/// for AVX2: a closure would be a function of its own, which the scan's instructions would be
/// inlined into (or, past some size, called from) without AVX2.
#[cfg(target_arch = "x86_64")]
struct WithAvx2<'s, 'a, T>(pulp::x86::V3, ScanJob<'s, 'a, T>);

#[cfg(target_arch = "x86_64")]
impl<T: Symbol> pulp::NullaryFnOnce for WithAvx2<'_, '_, T> {
    type Output = ();

    #[inline(always)]
    fn call(self) {
        self.1.run(Avx2(self.0));
    }
}

/// What one task of a search scans: consecutive positions of the all-pairs scan
/// ([`Sorted::scan_task`]) or
/// a chunk of queries ([`Sorted::scan_queries`]), with where its findings go.
struct ScanJob<'s, 'a, T> {
    sorted: &'s Sorted<'a, T>,
    positions: Positions<'s>,
    scratch: &'s mut Scratch,
    out: &'s mut Vec<Pair>,
    local: &'s mut Local,
}

enum Positions<'s> {
    Task(std::ops::Range<usize>),
    Queries(&'s [usize]),
}

impl<T: Symbol> ScanJob<'_, '_, T> {
    #[inline(always)]
    fn run<K: Kernel>(self, kernel: K) {
        let Self {
            sorted,
            positions,
            scratch,
            out,
            local,
        } = self;
        match positions {
            Positions::Task(block) => sorted.scan_task(kernel, block, scratch, out, local),
            Positions::Queries(queries) => {
                sorted.scan_queries(kernel, queries, scratch, out, local);
            }
        }
    }
}

/// Many symbol strings in one buffer.
struct Texts<T> {
    symbols: Vec<T>,
    start: Vec<usize>,
}

impl<T: Symbol> Texts<T> {
    fn get(&self, k: usize) -> &[T] {
        &self.symbols[self.start[k]..self.start[k + 1]]
    }
}

/// Stage counters of one search, summed over threads.
#[derive(Default)]
struct Counters {
    window: AtomicU64,
    characters: AtomicU64,
    bigrams: AtomicU64,
    trigram_sketch: AtomicU64,
    verified: AtomicU64,
}

/// Stage counters of one block, added to [`Counters`] once per block.
#[derive(Default)]
struct Local {
    window: u64,
    characters: u64,
    bigrams: u64,
    trigram_sketch: u64,
    verified: u64,
}

impl Counters {
    fn add(&self, local: &Local) {
        self.window.fetch_add(local.window, Ordering::Relaxed);
        self.characters
            .fetch_add(local.characters, Ordering::Relaxed);
        self.bigrams.fetch_add(local.bigrams, Ordering::Relaxed);
        self.trigram_sketch
            .fetch_add(local.trigram_sketch, Ordering::Relaxed);
        self.verified.fetch_add(local.verified, Ordering::Relaxed);
    }
}

/// One scope, its members sorted by (length, index), with texts and sketches in that order.
struct Sorted<'a, T> {
    threshold: Threshold,
    /// Largest allowed distance by longer length.
    tau: &'a [u32],
    /// Entry index of each sorted position.
    entry: Vec<usize>,
    len: Vec<u32>,
    texts: Texts<T>,
    /// Trigram codes of each text, `len - 2` of them (none for a text of fewer than 3 symbols),
    /// at the texts' offsets; empty when they are computed on demand (query search, where few
    /// stems reach the trigram bounds).
    codes: Vec<u16>,
    chars: Vec<[u8; CHAR_BINS]>,
    bigrams: Vec<[u8; BIGRAM_BINS]>,
    /// Trigram sketches, with the trigram codes; empty when those are computed on demand.
    trigrams: Vec<[u8; TRIGRAM_BINS]>,
}

impl<'a, T: Symbol> Sorted<'a, T> {
    /// Encodes and sketches the normalized `stems` of `members` (aligned) in sorted order.
    fn new(work: &Work, ranks: &Ranks, bins: &Bins, threshold: Threshold, tau: &'a [u32]) -> Self {
        let lens: Vec<usize> = work.stems.iter().map(|s| char_len(s)).collect();
        let mut order: Vec<usize> = (0..work.members.len()).collect();
        order.sort_by_key(|&k| (lens[k], work.members[k]));
        let entry: Vec<usize> = order.iter().map(|&k| work.members[k]).collect();
        let mut start = Vec::with_capacity(order.len() + 1);
        start.push(0);
        for &k in &order {
            start.push(start[start.len() - 1] + lens[k]);
        }
        let total = start[start.len() - 1];
        let mut symbols = vec![T::from_rank(0); total];
        // Trigram codes share the texts' offsets: `len - 2` codes and two pads per text.
        let with_codes = work.queries.is_none();
        let mut codes = vec![0_u16; if with_codes { total } else { 0 }];
        let mut trigrams = vec![[0_u8; TRIGRAM_BINS]; if with_codes { order.len() } else { 0 }];
        let mut slices = Vec::with_capacity(order.len());
        let (mut rest_symbols, mut rest_codes) = (symbols.as_mut_slice(), codes.as_mut_slice());
        let mut rest_trigrams = trigrams.iter_mut();
        for &k in &order {
            let (text, tail) = std::mem::take(&mut rest_symbols).split_at_mut(lens[k]);
            let code_len = if with_codes { lens[k] } else { 0 };
            let (code, code_tail) = std::mem::take(&mut rest_codes).split_at_mut(code_len);
            (rest_symbols, rest_codes) = (tail, code_tail);
            slices.push((k, text, code, rest_trigrams.next()));
        }
        let sketches: Vec<Sketch> = slices
            .into_par_iter()
            .map_init(seen_table, |seen, (k, text, code, trigrams)| {
                let stem = &work.stems[k];
                if stem.is_ascii() {
                    for (out, b) in text.iter_mut().zip(stem.bytes()) {
                        *out = T::from_rank(ranks.ascii[usize::from(b)] as usize);
                    }
                } else {
                    for (out, c) in text.iter_mut().zip(stem.chars()) {
                        *out = T::from_rank(ranks.rank(c));
                    }
                }
                packed_trigrams(text, seen, code);
                if let Some(trigrams) = trigrams {
                    *trigrams = trigram_sketch(&code[..text.len().saturating_sub(2)]);
                }
                bins.sketch(text)
            })
            .collect();
        let len = order
            .iter()
            .map(|&k| u32::try_from(lens[k]).unwrap_or(u32::MAX))
            .collect();
        let texts = Texts { symbols, start };
        let (chars, bigrams) = sketches.into_iter().map(|s| (s.chars, s.bigrams)).unzip();
        Self {
            threshold,
            tau,
            entry,
            len,
            texts,
            codes,
            chars,
            bigrams,
            trigrams,
        }
    }

    /// The trigram codes of sorted position `k`, computed into `buf` when they were not
    /// computed up front.
    fn codes<'s>(&'s self, k: usize, buf: &'s mut Vec<u16>, seen: &mut [u8]) -> &'s [u16] {
        let (start, end) = (self.texts.start[k], self.texts.start[k + 1]);
        if self.codes.is_empty() {
            let text = self.texts.get(k);
            buf.clear();
            buf.resize(text.len().saturating_sub(2), 0);
            packed_trigrams(text, seen, buf);
            return buf;
        }
        &self.codes[start..end.max(start + 2) - 2]
    }

    #[inline]
    fn tau(&self, max_len: u32) -> u32 {
        self.tau[max_len as usize]
    }

    /// Decides the candidates of sorted position `i`: the trigram bag bound, then the bounded
    /// distance.
    fn verify(
        &self,
        i: usize,
        candidates: &[u32],
        scratch: &mut Scratch,
        out: &mut Vec<Pair>,
        local: &mut Local,
    ) {
        local.trigram_sketch += candidates.len() as u64;
        if candidates.is_empty() {
            return;
        }
        let text_i = self.texts.get(i);
        let Scratch {
            bag,
            own,
            other,
            seen,
        } = scratch;
        let codes_i = self.codes(i, own, seen);
        for &c in codes_i {
            bag[usize::from(c & CODE_MASK)] += 1;
        }
        let mut comparator = None;
        for &j in candidates {
            let j = j as usize;
            let (li, lj) = (self.len[i], self.len[j]);
            let max_len = li.max(lj);
            let tau = self.tau(max_len) as usize;
            let codes_j = self.codes(j, other, seen);
            // `unmatched` is that of `j`; that of `i` is `unmatched + n_i - n_j`, and the bound
            // is the larger of the two.
            let unmatched = unmatched_trigrams(codes_j, bag);
            let worst = (unmatched + codes_i.len())
                .saturating_sub(codes_j.len())
                .max(unmatched);
            if worst > 3 * tau {
                continue;
            }
            local.verified += 1;
            let comparator = comparator
                .get_or_insert_with(|| levenshtein::BatchComparator::new(text_i.iter().copied()));
            let args = levenshtein::Args::default().score_cutoff(tau);
            let text_j = self.texts.get(j);
            let Some(distance) = comparator.distance_with_args(text_j.iter().copied(), &args)
            else {
                continue;
            };
            let max_len = max_len as usize;
            if !self.threshold.accepts_distance(distance, max_len) {
                continue;
            }
            let (a, b) = (
                self.entry[i].min(self.entry[j]),
                self.entry[i].max(self.entry[j]),
            );
            out.push(Pair {
                a,
                b,
                similarity: similarity(distance, max_len),
                distance: Some(distance),
            });
        }
        for &c in codes_i {
            bag[usize::from(c & CODE_MASK)] -= 1;
        }
    }

    /// The first sorted position whose stem may pair with a stem of length `len` (which is at
    /// least as long).
    fn window_start(&self, len: u32) -> usize {
        let tau = self.tau(len);
        self.len.partition_point(|&l| l + tau < len)
    }

    /// The sketch bounds of each position `positions[k]` (at most [`SCAN_TASK`] of them in
    /// the all-pairs scan, [`QUERY_SEARCH_BLOCK`] in a query search) against the candidates
    /// `ranges[k]`, the position itself excluded, then [`Sorted::verify`] of the survivors.
    /// With `SHORTER`, every candidate is at most as long as its position (all-pairs scan), so
    /// the longer length and `τ` are the position's.
    ///
    /// The scan runs candidate by candidate: each candidate's sketches are read once and
    /// compared with every position. The character bound of a candidate against a block of 64
    /// positions, whose character sketches stay in the core's first-level cache, is computed
    /// without branches into a bit mask, and only the positions whose bit is set pay the
    /// bigram bound.
    #[inline(always)]
    fn scan<const SHORTER: bool, K: Kernel>(
        &self,
        kernel: K,
        positions: &[usize],
        ranges: &[(usize, usize)],
        scratch: &mut Scratch,
        out: &mut Vec<Pair>,
        local: &mut Local,
    ) {
        let lens: Vec<u32> = positions.iter().map(|&i| self.len[i]).collect();
        let chars: Vec<[u8; CHAR_BINS]> = positions.iter().map(|&i| self.chars[i]).collect();
        let bigrams: Vec<&[u8; BIGRAM_BINS]> =
            positions.iter().map(|&i| &self.bigrams[i]).collect();
        let trigrams: Vec<&[u8; TRIGRAM_BINS]> = if self.trigrams.is_empty() {
            Vec::new()
        } else {
            positions.iter().map(|&i| &self.trigrams[i]).collect()
        };
        let own_limit: Vec<u32> = lens.iter().map(|&l| 2 * self.tau(l)).collect();
        for (&i, &(lo, hi)) in positions.iter().zip(ranges) {
            local.window += (hi.saturating_sub(lo) - usize::from((lo..hi).contains(&i))) as u64;
        }
        let mut candidates: Vec<Vec<u32>> = vec![Vec::new(); positions.len()];
        let start = ranges.iter().map(|r| r.0).min().unwrap_or(0);
        let end = ranges.iter().map(|r| r.1).max().unwrap_or(0);
        // The all-pairs scan: consecutive positions, each paired with the earlier positions
        // of its window, all of them no longer than itself, in blocks of 64 that each see
        // only the candidates of their own windows.
        let mut blocks: Vec<(CharBlock, Valid<'_>, std::ops::Range<usize>)> = if SHORTER {
            (0..positions.len())
                .step_by(QUERY_BLOCK)
                .map(|s| {
                    let e = (s + QUERY_BLOCK).min(positions.len());
                    let block = CharBlock::new(&chars[s..e], &lens[s..e], &own_limit[s..e]);
                    let valid = Valid::new(positions[s], &ranges[s..e]);
                    (block, valid, ranges[s].0..positions[e - 1])
                })
                .collect()
        } else {
            Vec::new()
        };
        for j in start..end {
            let (chars_j, lj) = (&self.chars[j], self.len[j]);
            for (b, (block, valid, reach)) in blocks.iter_mut().enumerate() {
                if !reach.contains(&j) {
                    continue;
                }
                let mask = kernel.char_mask(block, chars_j, lj) & valid.at(j);
                self.sketch_bounds(
                    kernel,
                    mask,
                    b * QUERY_BLOCK,
                    (&lens, &bigrams, &trigrams),
                    j,
                    &mut candidates,
                    local,
                );
            }
            if SHORTER {
                continue;
            }
            let mut mask = 0_u64;
            for (k, ((chars_i, &li), (&i, &(lo, hi)))) in chars
                .iter()
                .zip(&lens)
                .zip(positions.iter().zip(ranges))
                .enumerate()
            {
                let limit = 2 * self.tau(li.max(lj));
                let bound = kernel.sad(chars_i, chars_j) + li.abs_diff(lj);
                let pass = bound <= limit && lo <= j && j < hi && j != i;
                mask |= u64::from(pass) << k;
            }
            self.sketch_bounds(
                kernel,
                mask,
                0,
                (&lens, &bigrams, &trigrams),
                j,
                &mut candidates,
                local,
            );
        }
        for (&i, found) in positions.iter().zip(&candidates) {
            self.verify(i, found, scratch, out, local);
        }
    }

    /// The bigram and folded trigram bounds of candidate `j` against the positions
    /// `offset + k` for the set bits `k` of `mask` (those that passed the character bound);
    /// survivors go to the candidates of their position.
    #[inline(always)]
    #[expect(
        clippy::too_many_arguments,
        reason = "the scan's state, passed to the one place that reads it"
    )]
    fn sketch_bounds<K: Kernel>(
        &self,
        kernel: K,
        mut mask: u64,
        offset: usize,
        (lens, bigrams, trigrams): (&[u32], &[&[u8; BIGRAM_BINS]], &[&[u8; TRIGRAM_BINS]]),
        j: usize,
        candidates: &mut [Vec<u32>],
        local: &mut Local,
    ) {
        local.characters += u64::from(mask.count_ones());
        let (lj, bigrams_j) = (self.len[j], &self.bigrams[j]);
        while mask != 0 {
            let k = offset + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let li = lens[k];
            let tau = self.tau(li.max(lj));
            if kernel.sad(bigrams[k], bigrams_j) + li.abs_diff(lj) > 4 * tau + 1 {
                continue;
            }
            local.bigrams += 1;
            if let Some(&own) = trigrams.get(k) {
                // Trigram counts: `len - 2`, none for a text under three symbols.
                let delta = li.saturating_sub(2).abs_diff(lj.saturating_sub(2));
                if kernel.sad(own, &self.trigrams[j]) + delta > 6 * tau {
                    continue;
                }
            }
            candidates[k].push(u32::try_from(j).unwrap_or(u32::MAX));
        }
    }

    /// All pairs of positions in `block` (at most [`SCAN_TASK`] of them) with any earlier
    /// position.
    #[inline(always)]
    fn scan_task<K: Kernel>(
        &self,
        kernel: K,
        block: std::ops::Range<usize>,
        scratch: &mut Scratch,
        out: &mut Vec<Pair>,
        local: &mut Local,
    ) {
        let positions: Vec<usize> = block.collect();
        let ranges: Vec<(usize, usize)> = positions
            .iter()
            .map(|&i| (self.window_start(self.len[i]), i))
            .collect();
        self.scan::<true, K>(kernel, &positions, &ranges, scratch, out, local);
    }

    /// The sorted positions `lo..hi` whose stems may pair with that of position `i`.
    fn query_range(&self, i: usize) -> (usize, usize) {
        let li = self.len[i];
        let threshold = self.threshold;
        let hi = self.len.partition_point(|&l| {
            l <= li || threshold.accepts_distance((l - li) as usize, l as usize)
        });
        (self.window_start(li), hi)
    }

    /// All pairs of the sorted positions `queries` (ascending, at most [`QUERY_SEARCH_BLOCK`]
    /// of them) with any other position.
    #[inline(always)]
    fn scan_queries<K: Kernel>(
        &self,
        kernel: K,
        queries: &[usize],
        scratch: &mut Scratch,
        out: &mut Vec<Pair>,
        local: &mut Local,
    ) {
        let ranges: Vec<(usize, usize)> = queries.iter().map(|&i| self.query_range(i)).collect();
        self.scan::<false, K>(kernel, queries, &ranges, scratch, out, local);
    }
}

fn similarity(distance: usize, max_len: usize) -> f64 {
    if max_len == 0 {
        1.0
    } else {
        1.0 - distance as f64 / max_len as f64
    }
}

/// The members of one scope that a search compares, with their normalized stems (aligned),
/// and the scope's queries.
struct Work {
    members: Vec<usize>,
    stems: Vec<String>,
    queries: Option<Vec<usize>>,
}

/// The length in `char`s of a normalized stem.
fn char_len(stem: &str) -> usize {
    if stem.is_ascii() {
        stem.len()
    } else {
        stem.chars().count()
    }
}

/// What each scope needs normalized. Without queries, every member. With queries, a scope
/// without queries needs nothing, and a member needs its stem only when its normalized length
/// lies in some query's length window: shorter stems within `max_distance` of the query's
/// length, longer ones of length `l` with `p l <= q lq` for the threshold `p / q` (that is
/// `(l - lq) q <= (q - p) l`, the length bound at the longer length `l`). Lengths are counted
/// without normalizing ASCII stems, so a query search normalizes and sketches only what it
/// may compare.
fn plan(entries: &[Entry], scopes: &[Scope], options: &Options) -> Vec<Work> {
    let threshold = options.threshold;
    scopes
        .iter()
        .filter_map(|scope| {
            let members = match &scope.queries {
                None => scope.members.clone(),
                Some(queries) if queries.is_empty() => return None,
                Some(queries) => {
                    let lens: Vec<usize> = scope
                        .members
                        .par_iter()
                        .map(|&i| normalized_len(&entries[i].stem))
                        .collect();
                    let longest = lens.iter().copied().max().unwrap_or(0);
                    // +1 at a window's first length, -1 after its last.
                    let mut edges = vec![0_i64; longest + 2];
                    for &q in queries {
                        let Ok(k) = scope.members.binary_search(&q) else {
                            continue;
                        };
                        let lq = lens[k];
                        let lo = lq - threshold.max_distance(lq);
                        let hi = if threshold.numerator() == 0 {
                            longest
                        } else {
                            let hi = u128::from(threshold.denominator()) * lq as u128
                                / u128::from(threshold.numerator());
                            usize::try_from(hi).unwrap_or(usize::MAX).min(longest)
                        };
                        edges[lo] += 1;
                        edges[hi + 1] -= 1;
                    }
                    let mut open = 0;
                    let wanted: Vec<bool> = edges
                        .iter()
                        .map(|&e| {
                            open += e;
                            open > 0
                        })
                        .collect();
                    scope
                        .members
                        .iter()
                        .zip(&lens)
                        .filter(|&(_, &l)| wanted[l])
                        .map(|(&i, _)| i)
                        .collect()
                }
            };
            let stems = members
                .par_iter()
                .map(|&i| normalize(&entries[i].stem))
                .collect();
            Some(Work {
                members,
                stems,
                queries: scope.queries.clone(),
            })
        })
        .collect()
}

pub(crate) fn find(
    entries: &[Entry],
    scopes: &[Scope],
    options: &Options,
    progress: Progress<'_>,
) -> (Vec<Pair>, SearchStats) {
    find_using(entries, scopes, options, Kernels::detect(), progress)
}

/// [`find`] with the given kernels.
fn find_using(
    entries: &[Entry],
    scopes: &[Scope],
    options: &Options,
    kernels: Kernels,
    progress: Progress<'_>,
) -> (Vec<Pair>, SearchStats) {
    let works = plan(entries, scopes, options);
    let all: Vec<&str> = works
        .iter()
        .flat_map(|w| w.stems.iter().map(String::as_str))
        .collect();
    let ranks = Ranks::new(&all);
    let bins = Bins::new(&ranks, &all);
    let longest = all.iter().map(|s| char_len(s)).max().unwrap_or(0);
    drop(all);
    let tau: Vec<u32> = (0..=longest)
        .map(|len| u32::try_from(options.threshold.max_distance(len)).unwrap_or(u32::MAX))
        .collect();
    if ranks.len <= 256 {
        find_with::<u8>(works, &ranks, &bins, &tau, options, kernels, progress)
    } else {
        find_with::<u32>(works, &ranks, &bins, &tau, options, kernels, progress)
    }
}

fn find_with<T: Symbol>(
    works: Vec<Work>,
    ranks: &Ranks,
    bins: &Bins,
    tau: &[u32],
    options: &Options,
    kernels: Kernels,
    progress: Progress<'_>,
) -> (Vec<Pair>, SearchStats) {
    let total: usize = works
        .iter()
        .map(|w| w.queries.as_ref().map_or(w.members.len(), Vec::len))
        .sum();
    let done = AtomicUsize::new(0);
    let counters = Counters::default();
    let finish = |n: usize, local: &Local| {
        counters.add(local);
        let now = done.fetch_add(n, Ordering::Relaxed) + n;
        progress(now, total);
    };
    let mut pairs = Vec::new();
    for work in works {
        let sorted = Sorted::<T>::new(&work, ranks, bins, options.threshold, tau);
        let Work { queries, .. } = work;
        let found: Vec<Pair> = match queries {
            None => {
                let blocks: Vec<std::ops::Range<usize>> = (0..sorted.entry.len())
                    .step_by(SCAN_TASK)
                    .map(|s| s..(s + SCAN_TASK).min(sorted.entry.len()))
                    .collect();
                blocks
                    .into_par_iter()
                    .map_init(scratch, |scratch, block| {
                        let (mut out, mut local) = (Vec::new(), Local::default());
                        let n = block.len();
                        kernels.run(ScanJob {
                            sorted: &sorted,
                            positions: Positions::Task(block),
                            scratch,
                            out: &mut out,
                            local: &mut local,
                        });
                        finish(n, &local);
                        out
                    })
                    .flatten_iter()
                    .collect()
            }
            Some(queries) => {
                // A scope's queries are distinct members, in ascending order.
                let positions: Vec<usize> = sorted
                    .entry
                    .iter()
                    .enumerate()
                    .filter(|&(_, e)| queries.binary_search(e).is_ok())
                    .map(|(p, _)| p)
                    .collect();
                positions
                    .par_chunks(QUERY_SEARCH_BLOCK)
                    .map_init(scratch, |scratch, block| {
                        let (mut out, mut local) = (Vec::new(), Local::default());
                        kernels.run(ScanJob {
                            sorted: &sorted,
                            positions: Positions::Queries(block),
                            scratch,
                            out: &mut out,
                            local: &mut local,
                        });
                        finish(block.len(), &local);
                        out
                    })
                    .flatten_iter()
                    .collect()
            }
        };
        pairs.extend(found);
    }
    let stats = SearchStats {
        window_pairs: counters.window.into_inner(),
        after_characters: counters.characters.into_inner(),
        after_bigrams: counters.bigrams.into_inner(),
        after_trigram_sketch: counters.trigram_sketch.into_inner(),
        verified: counters.verified.into_inner(),
    };
    (pairs, stats)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A string over a small alphabet and a copy with edits applied: (position scaled to the
    /// text, kind, letter). Half the strings are a short unit repeated, so that trigrams
    /// repeat past the saturated occurrence index ([`MAX_OCCURRENCE`]).
    fn pair_strategy() -> impl Strategy<Value = (String, String)> {
        let alphabet = prop::sample::select(vec!['a', 'b', 'c', ' ', 'é']);
        let random = prop::collection::vec(alphabet.clone(), 0..120);
        let repeated = (prop::collection::vec(alphabet.clone(), 1..5), 8_usize..40)
            .prop_map(|(unit, times)| unit.repeat(times));
        (
            prop_oneof![random, repeated],
            prop::collection::vec((0.0..1.0_f64, 0_u8..3, alphabet), 0..40),
        )
            .prop_map(|(chars, edits)| {
                let mut copy = chars.clone();
                for (at, kind, c) in edits {
                    #[expect(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        reason = "at is in [0, 1)"
                    )]
                    let i = (at * copy.len() as f64) as usize;
                    match kind {
                        0 => copy.insert(i.min(copy.len()), c),
                        1 if i < copy.len() => {
                            copy.remove(i);
                        }
                        _ if i < copy.len() => copy[i] = c,
                        _ => copy.push(c),
                    }
                }
                (chars.into_iter().collect(), copy.into_iter().collect())
            })
    }

    /// Symbols, packed trigrams and sketches of two strings, as a search prepares them.
    struct Prepared {
        texts: [Vec<u8>; 2],
        packed: [Vec<u16>; 2],
        sketches: [Sketch; 2],
    }

    fn prepare(a: &str, b: &str) -> Prepared {
        let stems = [a, b];
        let ranks = Ranks::new(&stems);
        let bins = Bins::new(&ranks, &stems);
        let texts = stems.map(|s| {
            s.chars()
                .map(|c| u8::from_rank(ranks.rank(c)))
                .collect::<Vec<u8>>()
        });
        let mut seen = seen_table();
        let packed = texts.clone().map(|t| {
            let mut out = vec![0; t.len().saturating_sub(2)];
            packed_trigrams(&t, &mut seen, &mut out);
            out
        });
        assert!(
            seen.iter().all(|&n| n == 0),
            "the occurrence table is restored"
        );
        let sketches = texts.clone().map(|t| bins.sketch(&t));
        Prepared {
            texts,
            packed,
            sketches,
        }
    }

    /// Every bound of the search, evaluated with `τ` equal to the true distance (a pair exactly
    /// at the threshold) must let the pair through.
    fn check_bounds(a: &str, b: &str) -> Result<(), TestCaseError> {
        let d = strsim::levenshtein(a, b);
        let p = prepare(a, b);
        let (la, lb) = (p.texts[0].len(), p.texts[1].len());
        let delta = u32::try_from(la.abs_diff(lb)).unwrap_or(u32::MAX);
        let tau = u32::try_from(d).unwrap_or(u32::MAX);
        let [sa, sb] = &p.sketches;
        prop_assert!(sad(&sa.chars, &sb.chars) + delta <= 2 * tau, "characters");
        prop_assert!(
            sad(&sa.bigrams, &sb.bigrams) + delta <= 4 * tau + 1,
            "bigrams"
        );
        let [ta, tb] = [&p.packed[0], &p.packed[1]].map(|packed| trigram_sketch(packed));
        let trigram_delta =
            u32::try_from(p.packed[0].len().abs_diff(p.packed[1].len())).unwrap_or(u32::MAX);
        prop_assert!(sad(&ta, &tb) + trigram_delta <= 6 * tau, "folded trigrams");
        let mut bag = vec![0_u16; TRIGRAM_CODES];
        for (own, other) in [(0, 1), (1, 0)] {
            for &c in &p.packed[own] {
                bag[usize::from(c & CODE_MASK)] += 1;
            }
            let unmatched = unmatched_trigrams(&p.packed[other], &bag);
            prop_assert!(
                unmatched <= 3 * d,
                "trigrams: {unmatched} unmatched, d = {d}"
            );
            for &c in &p.packed[own] {
                bag[usize::from(c & CODE_MASK)] -= 1;
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// No bound ever exceeds the edit distance, so a pair at exactly the largest allowed
        /// distance always reaches the verification.
        #[test]
        fn bounds_never_exceed_the_distance((a, b) in pair_strategy()) {
            check_bounds(&a, &b)?;
        }

        /// The sum of absolute differences of sketches of both sizes, against a byte-by-byte
        /// sum; bytes are drawn mostly from the extremes, so that totals near the largest
        /// (256 times 255) occur.
        #[test]
        fn sums_of_absolute_differences_are_exact(
            a in prop::collection::vec(prop_oneof![Just(0_u8), Just(255_u8), any::<u8>()], 256),
            b in prop::collection::vec(prop_oneof![Just(0_u8), Just(255_u8), any::<u8>()], 256),
        ) {
            let reference = |x: &[u8], y: &[u8]| -> u32 {
                x.iter().zip(y).map(|(&p, &q)| u32::from(p.abs_diff(q))).sum()
            };
            let (a, b): ([u8; BIGRAM_BINS], [u8; BIGRAM_BINS]) =
                (a.try_into().unwrap(), b.try_into().unwrap());
            prop_assert_eq!(sad(&a, &b), reference(&a, &b));
            let (a, b): (&[u8; CHAR_BINS], &[u8; CHAR_BINS]) =
                (a[..CHAR_BINS].try_into().unwrap(), b[..CHAR_BINS].try_into().unwrap());
            prop_assert_eq!(sad(a, b), reference(a, b));
        }
    }

    /// A bank of random stems over a small alphabet, with edited copies of some of them, in
    /// two groups: near-duplicates at every distance around the threshold.
    fn bank_strategy() -> impl Strategy<Value = Vec<Entry>> {
        let stem = prop::collection::vec(prop::sample::select(vec!['a', 'b', ' ', 'é']), 0..90);
        prop::collection::vec((stem, pair_strategy(), any::<bool>()), 1..40).prop_map(|rows| {
            rows.into_iter()
                .flat_map(|(stem, (a, b), group)| {
                    let group = if group { "x" } else { "y" };
                    [
                        Entry::new(group, stem.into_iter().collect::<String>()),
                        Entry::new(group, a),
                        Entry::new(group, b),
                    ]
                })
                .collect()
        })
    }

    /// The search with the [`Baseline`] kernel, and with the best one of this processor.
    /// The kernel tests compare the baseline with [`Kernels::detect`]: on a processor with
    /// AVX2 that must be the AVX2 kernel, or they would compare the baseline with itself.
    #[test]
    fn detection_picks_avx2_where_the_processor_has_it() {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            assert!(matches!(Kernels::detect(), Kernels::Avx2(_)));
            return;
        }
        eprintln!("no AVX2: the kernel tests compare the baseline with itself");
    }

    fn both_kernels(entries: &[Entry], options: &Options) -> [(Vec<Pair>, SearchStats); 2] {
        let scopes = crate::scopes(entries, options);
        [Kernels::Baseline, Kernels::detect()].map(|kernels| {
            let (mut pairs, stats) = find_using(entries, &scopes, options, kernels, &|_, _| {});
            pairs.sort_by_key(|p| (p.a, p.b));
            (pairs, stats)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Every kernel finds the same pairs and lets the same pairs through every stage, in
        /// both kinds of search.
        #[test]
        fn kernels_agree(entries in bank_strategy(), queries in prop::collection::vec(0_usize..120, 0..4)) {
            let mut options = Options::default();
            let [baseline, best] = both_kernels(&entries, &options);
            prop_assert_eq!(baseline, best);
            options.queries = Some(queries.into_iter().filter(|&q| q < entries.len()).collect());
            let [baseline, best] = both_kernels(&entries, &options);
            prop_assert_eq!(baseline, best);
        }

        /// The kernels' sums of absolute differences against a byte-by-byte sum, at every
        /// sketch size.
        #[test]
        fn kernel_sums_are_exact(
            a in prop::collection::vec(prop_oneof![Just(0_u8), Just(255_u8), any::<u8>()], TRIGRAM_BINS),
            b in prop::collection::vec(prop_oneof![Just(0_u8), Just(255_u8), any::<u8>()], TRIGRAM_BINS),
        ) {
            let reference = |x: &[u8], y: &[u8]| -> u32 {
                x.iter().zip(y).map(|(&p, &q)| u32::from(p.abs_diff(q))).sum()
            };
            let expected = [
                reference(&a, &b),
                reference(&a[..BIGRAM_BINS], &b[..BIGRAM_BINS]),
                reference(&a[..CHAR_BINS], &b[..CHAR_BINS]),
            ];
            prop_assert_eq!(sums_by_kernel(Baseline, &a, &b), expected);
            #[cfg(target_arch = "x86_64")]
            if let Some(simd) = pulp::x86::V3::try_new() {
                prop_assert_eq!(simd.vectorize(|| sums_by_kernel(Avx2(simd), &a, &b)), expected);
            }
        }

        /// The kernels' character masks against the bound position by position: sketches
        /// that differ from the candidate's by small or large amounts per bin (totals on both
        /// sides of the limits, up to the largest), limits up to twice the length, lengths on
        /// both sides of 2¹⁴ (where the 16-bit lanes give way) and blocks of every size.
        #[test]
        fn kernel_character_masks_are_exact(
            chars_j in prop::collection::vec(any::<u8>(), CHAR_BINS),
            block in prop::collection::vec(
                (
                    prop_oneof![0_i16..3, 0_i16..40, Just(255_i16)],
                    prop::collection::vec(-1.0..1.0_f64, CHAR_BINS),
                    0_u32..400,
                    0.0..2.0_f64,
                ),
                1..=QUERY_BLOCK,
            ),
            // Lengths from 0, around 2¹⁴ or above 2¹⁵, in the whole block.
            lengths_from in prop_oneof![Just(0_u32), Just(16_100), Just(40_000)],
            shorter_by in 0_u32..200,
        ) {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "within the ranges drawn"
            )]
            let (chars, lens, limits) = {
                let chars: Vec<[u8; CHAR_BINS]> = block
                    .iter()
                    .map(|(spread, deltas, _, _)| {
                        let mut c = [0_u8; CHAR_BINS];
                        for ((out, &base), &delta) in c.iter_mut().zip(&chars_j).zip(deltas) {
                            let v = f64::from(base) + delta * f64::from(*spread);
                            *out = v.round().clamp(0.0, 255.0) as u8;
                        }
                        c
                    })
                    .collect();
                let lens: Vec<u32> = block.iter().map(|&(_, _, l, _)| lengths_from + l).collect();
                let limits: Vec<u32> = block
                    .iter()
                    .zip(&lens)
                    .map(|(&(_, _, _, share), &l)| (f64::from(l) * share) as u32)
                    .collect();
                (chars, lens, limits)
            };
            let chars_j: [u8; CHAR_BINS] = chars_j.as_slice().try_into().unwrap();
            let lj = lens.iter().copied().min().unwrap_or(0).saturating_sub(shorter_by);
            let expected = (0..chars.len()).fold(0_u64, |mask, k| {
                let pass = sad(&chars[k], &chars_j) + lens[k] - lj <= limits[k];
                mask | u64::from(pass) << k
            });
            let block = CharBlock::new(&chars, &lens, &limits);
            prop_assert_eq!(Baseline.char_mask(&block, &chars_j, lj), expected);
            #[cfg(target_arch = "x86_64")]
            if let Some(simd) = pulp::x86::V3::try_new() {
                let mask = simd.vectorize(|| Avx2(simd).char_mask(&block, &chars_j, lj));
                prop_assert_eq!(mask, expected);
            }
        }
    }

    proptest! {
        /// The pairable positions of a block as bit ranges, against the comparisons they
        /// replace, for every candidate of the block's windows.
        #[test]
        fn valid_masks_are_the_window_checks(
            first in 0_usize..300,
            steps in prop::collection::vec(0_usize..4, 1..=QUERY_BLOCK),
            reach in 0_usize..300,
        ) {
            // Window starts: never decreasing, each at most its own position.
            let mut start = first.saturating_sub(reach);
            let ranges: Vec<(usize, usize)> = steps
                .iter()
                .enumerate()
                .map(|(k, &step)| {
                    start = (start + step).min(first + k);
                    (start, first + k)
                })
                .collect();
            let mut valid = Valid::new(first, &ranges);
            for j in ranges[0].0..first + ranges.len() {
                let expected = ranges.iter().enumerate().fold(0_u64, |mask, (k, &(lo, hi))| {
                    mask | u64::from(lo <= j && j < hi && j != first + k) << k
                });
                prop_assert_eq!(valid.at(j), expected, "candidate {}", j);
            }
        }
    }

    /// [`Kernel::sad`] of the whole of `a` and `b` as trigram sketches, of their start as
    /// bigram and character sketches.
    fn sums_by_kernel<K: Kernel>(kernel: K, a: &[u8], b: &[u8]) -> [u32; 3] {
        let trigrams: (&[u8; TRIGRAM_BINS], &[u8; TRIGRAM_BINS]) =
            (a.try_into().unwrap(), b.try_into().unwrap());
        let bigrams: (&[u8; BIGRAM_BINS], &[u8; BIGRAM_BINS]) = (
            a[..BIGRAM_BINS].try_into().unwrap(),
            b[..BIGRAM_BINS].try_into().unwrap(),
        );
        let chars: (&[u8; CHAR_BINS], &[u8; CHAR_BINS]) = (
            a[..CHAR_BINS].try_into().unwrap(),
            b[..CHAR_BINS].try_into().unwrap(),
        );
        [
            kernel.sad(trigrams.0, trigrams.1),
            kernel.sad(bigrams.0, bigrams.1),
            kernel.sad(chars.0, chars.1),
        ]
    }

    #[test]
    fn the_largest_sum_of_absolute_differences() {
        assert_eq!(sad(&[255; BIGRAM_BINS], &[0; BIGRAM_BINS]), 256 * 255);
        assert_eq!(sad(&[0; CHAR_BINS], &[255; CHAR_BINS]), 32 * 255);
    }

    #[test]
    fn bounds_hold_on_repeated_trigrams_and_short_texts() {
        // Runs of one trigram saturate the occurrence index; texts under three symbols have no
        // trigrams at all.
        for (a, b) in [
            ("aaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaa"),
            ("abababababababababababab", "babababababababababa"),
            ("", "ab"),
            ("a", "abc"),
            ("abc", "cba"),
        ] {
            check_bounds(a, b).unwrap();
        }
    }

    #[test]
    fn bounds_reject_far_pairs() {
        // The filters must also do their job: unrelated texts fail every bound at τ = 1.
        let p = prepare("the quick brown fox jumps", "lazy dogs sleep all day");
        let [sa, sb] = &p.sketches;
        assert!(sad(&sa.bigrams, &sb.bigrams) > 5);
        let [ta, tb] = [&p.packed[0], &p.packed[1]].map(|packed| trigram_sketch(packed));
        assert!(sad(&ta, &tb) > 6);
        let mut bag = vec![0_u16; TRIGRAM_CODES];
        for &c in &p.packed[0] {
            bag[usize::from(c & CODE_MASK)] += 1;
        }
        assert!(unmatched_trigrams(&p.packed[1], &bag) > 3);
    }

    #[test]
    fn bigram_bins_are_those_of_sorting_every_code() {
        // The bins as they were made before unseen codes were left out of the sort.
        let reference = |ranks: &Ranks, stems: &[&str]| -> Vec<u8> {
            let mut freq = vec![0_u64; BIGRAM_CODES];
            for stem in stems {
                let text: Vec<usize> = stem.chars().map(|c| ranks.rank(c)).collect();
                for w in text.windows(2) {
                    freq[bigram_code(w[0], w[1])] += 1;
                }
            }
            let mut codes: Vec<usize> = (0..BIGRAM_CODES).collect();
            codes.sort_by(|&x, &y| freq[y].cmp(&freq[x]).then(x.cmp(&y)));
            let mut load: BinaryHeap<Reverse<(u64, u8)>> =
                (0..=u8::MAX).map(|b| Reverse((0, b))).collect();
            let mut bins = vec![0_u8; BIGRAM_CODES];
            for code in codes {
                let Reverse((weight, bin)) = load.pop().unwrap();
                bins[code] = bin;
                load.push(Reverse((weight + freq[code].max(1), bin)));
            }
            bins
        };
        for stems in [
            vec![],
            vec!["a"],
            vec!["the risk owner accepts the risk", "the owner of the risk"],
            vec!["zzz", "éèê ßü", "0123456789 abcdefghijklmnopqrstuvwxyz"],
        ] {
            let ranks = Ranks::new(&stems);
            assert_eq!(
                Bins::new(&ranks, &stems).bigram_bin,
                reference(&ranks, &stems),
                "{stems:?}"
            );
        }
    }

    #[test]
    fn sketch_counts_saturate_at_a_byte() {
        // 300 `a`s then `ab` repeated: the `a` bin and the `aa` bigram pass 255.
        let stem = format!("{}{}", "a".repeat(300), "ab".repeat(20));
        let stems = [stem.as_str()];
        let ranks = Ranks::new(&stems);
        let bins = Bins::new(&ranks, &stems);
        let text: Vec<u8> = stem.chars().map(|c| u8::from_rank(ranks.rank(c))).collect();
        let sketch = bins.sketch(&text);
        // The counts as saturating byte additions give them, one symbol at a time.
        let mut chars = [0_u8; CHAR_BINS];
        let mut bigrams = [0_u8; BIGRAM_BINS];
        for &s in &text {
            let bin = &mut chars[usize::from(bins.char_bin[s.rank()])];
            *bin = bin.saturating_add(1);
        }
        for w in text.windows(2) {
            let bin =
                &mut bigrams[usize::from(bins.bigram_bin[bigram_code(w[0].rank(), w[1].rank())])];
            *bin = bin.saturating_add(1);
        }
        assert_eq!(sketch.chars, chars);
        assert_eq!(sketch.bigrams, bigrams);
        assert!(sketch.chars.contains(&255));
        assert!(sketch.bigrams.contains(&255));
        let empty = bins.sketch::<u8>(&[]);
        assert!(empty.chars.iter().chain(&empty.bigrams).all(|&n| n == 0));
    }

    #[test]
    fn packed_trigrams_count_occurrences() {
        let text = [0_u8, 0, 0, 0, 0, 1, 0, 0];
        let mut seen = seen_table();
        let mut out = vec![0; text.len() - 2];
        packed_trigrams(&text, &mut seen, &mut out);
        let occurrences: Vec<u16> = out.iter().map(|p| p >> TRIGRAM_BITS).collect();
        // Trigrams 000 000 000 001 010 100: the third 000 is occurrence 2.
        assert_eq!(occurrences, vec![0, 1, 2, 0, 0, 0]);
        assert_eq!(out[0] & CODE_MASK, out[2] & CODE_MASK);
    }
}
