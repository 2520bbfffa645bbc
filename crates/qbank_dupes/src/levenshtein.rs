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
//! * **positional bigrams** (see [`positional_bound`]): untouched bigrams keep their partner
//!   within `τ` positions, so chunk by chunk, the bigrams without a partner in the chunk's
//!   window number at most `2 d`.
//!
//! The character and bigram bounds are computed on sketches: counts folded into a few bins and
//! saturated at 255. Folding bins only shrinks `L1` (`|x + y| <= |x| + |y|`), saturation is
//! 1-Lipschitz, and `Δ` comes from the true lengths, so every folded bound is still at most
//! `d`. The positional bound works on exact bigram codes of the 63 most frequent symbols
//! (rarer symbols share one code, which can only add partners). No pair that reaches the
//! threshold is ever dropped.
//!
//! A query search ([`Options::queries`](crate::Options::queries)) does only the work its
//! queries need: scopes without a query are skipped; within a scope, the normalized lengths
//! are counted first (without building the text of ASCII stems), and only the members whose
//! length lies in some query's window (the length bound above, on either side) are
//! normalized, encoded and sketched. Bigram codes for the positional bound are then computed
//! on demand rather than for the whole scope. The queries are scanned in blocks of nearby
//! lengths that share one tiled pass over their windows.

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
/// Symbols (by frequency rank) whose bigrams are counted exactly; the rest share one code.
const EXACT_SYMBOLS: usize = 63;
/// Size of the exact bigram table: every pair of the exact symbols plus the shared code.
const BIGRAM_CODES: usize = (EXACT_SYMBOLS + 1) * (EXACT_SYMBOLS + 1);
/// Stems sampled to balance the bigram sketch bins.
const BIGRAM_SAMPLE: usize = 4096;
/// Queries per block of the all-pairs scan.
const QUERY_BLOCK: usize = 32;
/// Queries per block of a query search: fewer, so that a few queries still spread over threads.
const QUERY_SEARCH_BLOCK: usize = 8;
/// Candidates per tile of the all-pairs scan: their sketches stay in the core's cache while
/// every query of the block is compared with them.
const TILE: usize = 1024;

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

/// Bigram positions per chunk of the positional bound.
const CHUNK: usize = 16;

/// Per-thread scratch memory of [`Sorted::verify`]: the sliding window's bigram counts (all
/// zeros between calls) and the codes taken in one chunk.
type Scratch = Vec<u16>;

fn scratch() -> Scratch {
    vec![0; BIGRAM_CODES + CHUNK]
}

/// The positional bigram bound: whether `2 τ` edits could leave the bigrams of `long` matched.
///
/// In an alignment with `d <= τ` edits, each edit touches at most two bigrams of `long`, and
/// every untouched bigram at position `p` equals a bigram of `short` at a position in
/// `[p - τ, p + τ]`, distinct bigrams mapping to distinct positions. So for any split of
/// `long` into chunks, the bigrams of a chunk that find no partner (as a multiset) among the
/// bigrams of `short` in the chunk's window number at most the touched ones, and their sum over
/// chunks is at most `2 d`. Returns false when that sum exceeds `2 τ`, proving `d > τ`.
fn positional_bound(
    long: &[u16],
    short: &[u16],
    tau: usize,
    window: &mut [u16],
    taken: &mut [u16],
) -> bool {
    let (na, nb) = (long.len(), short.len());
    let code = |text: &[u16], p: usize| usize::from(text[p]);
    let budget = 2 * tau;
    let mut unmatched = 0;
    let (mut lo, mut hi) = (0, 0);
    let mut fits = true;
    for s in (0..na).step_by(CHUNK) {
        let e = (s + CHUNK).min(na);
        let wlo = s.saturating_sub(tau).min(nb);
        let whi = (e + tau).min(nb).max(wlo);
        while hi < whi {
            window[code(short, hi)] += 1;
            hi += 1;
        }
        while lo < wlo {
            window[code(short, lo)] -= 1;
            lo += 1;
        }
        let mut n_taken = 0;
        for p in s..e {
            let c = code(long, p);
            if window[c] > 0 {
                window[c] -= 1;
                taken[n_taken] = long[p];
                n_taken += 1;
            } else {
                unmatched += 1;
            }
        }
        for &c in &taken[..n_taken] {
            window[usize::from(c)] += 1;
        }
        if unmatched > budget {
            fits = false;
            break;
        }
    }
    for p in lo..hi {
        window[code(short, p)] -= 1;
    }
    fits
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
        let mut codes: Vec<usize> = (0..BIGRAM_CODES).collect();
        codes.sort_by(|&x, &y| freq[y].cmp(&freq[x]).then(x.cmp(&y)));
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

    fn sketch<T: Symbol>(&self, text: &[T]) -> Sketch {
        let mut out = Sketch {
            chars: [0; CHAR_BINS],
            bigrams: [0; BIGRAM_BINS],
        };
        for &s in text {
            let bin = &mut out.chars[usize::from(self.char_bin[s.rank()])];
            *bin = bin.saturating_add(1);
        }
        for w in text.windows(2) {
            let bin = &mut out.bigrams
                [usize::from(self.bigram_bin[bigram_code(w[0].rank(), w[1].rank())])];
            *bin = bin.saturating_add(1);
        }
        out
    }
}

/// The sketches of one stem.
struct Sketch {
    chars: [u8; CHAR_BINS],
    bigrams: [u8; BIGRAM_BINS],
}

/// Sum of absolute differences; compiles to `psadbw`.
#[inline]
fn sad<const N: usize>(a: &[u8; N], b: &[u8; N]) -> u32 {
    let mut sum = 0_u32;
    for k in 0..N {
        sum += u32::from(a[k].abs_diff(b[k]));
    }
    sum
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
    verified: AtomicU64,
}

/// Stage counters of one block, added to [`Counters`] once per block.
#[derive(Default)]
struct Local {
    window: u64,
    characters: u64,
    bigrams: u64,
    verified: u64,
}

impl Counters {
    fn add(&self, local: &Local) {
        self.window.fetch_add(local.window, Ordering::Relaxed);
        self.characters
            .fetch_add(local.characters, Ordering::Relaxed);
        self.bigrams.fetch_add(local.bigrams, Ordering::Relaxed);
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
    /// Bigram codes of each text, `len - 1` of them (none for an empty text) and one pad, at
    /// the texts' offsets; empty when they are computed on demand (query search, where few
    /// stems reach the positional bound).
    codes: Vec<u16>,
    chars: Vec<[u8; CHAR_BINS]>,
    bigrams: Vec<[u8; BIGRAM_BINS]>,
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
        // Bigram codes share the texts' offsets: `len - 1` codes and one pad per text.
        let with_codes = work.queries.is_none();
        let mut codes = vec![0_u16; if with_codes { total } else { 0 }];
        let mut slices = Vec::with_capacity(order.len());
        let (mut rest_symbols, mut rest_codes) = (symbols.as_mut_slice(), codes.as_mut_slice());
        for &k in &order {
            let (text, tail) = std::mem::take(&mut rest_symbols).split_at_mut(lens[k]);
            let code_len = if with_codes { lens[k] } else { 0 };
            let (code, code_tail) = std::mem::take(&mut rest_codes).split_at_mut(code_len);
            (rest_symbols, rest_codes) = (tail, code_tail);
            slices.push((k, text, code));
        }
        let sketches: Vec<Sketch> = slices
            .into_par_iter()
            .map(|(k, text, code)| {
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
                for (out, w) in code.iter_mut().zip(text.windows(2)) {
                    *out = u16::try_from(bigram_code(w[0].rank(), w[1].rank())).unwrap_or(0);
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
        }
    }

    /// The bigram codes of sorted position `k`, computed into `buf` when they were not
    /// computed up front.
    fn codes<'s>(&'s self, k: usize, buf: &'s mut Vec<u16>) -> &'s [u16] {
        let (start, end) = (self.texts.start[k], self.texts.start[k + 1]);
        if self.codes.is_empty() {
            buf.clear();
            buf.extend(
                self.texts
                    .get(k)
                    .windows(2)
                    .map(|w| u16::try_from(bigram_code(w[0].rank(), w[1].rank())).unwrap_or(0)),
            );
            return buf;
        }
        &self.codes[start..end.max(start + 1) - 1]
    }

    #[inline]
    fn tau(&self, max_len: u32) -> u32 {
        self.tau[max_len as usize]
    }

    /// The sketch bounds: characters, then folded bigrams.
    #[inline]
    fn coarse(&self, i: usize, j: usize, delta: u32, tau: u32, local: &mut Local) -> bool {
        if sad(&self.chars[i], &self.chars[j]) + delta > 2 * tau {
            return false;
        }
        local.characters += 1;
        sad(&self.bigrams[i], &self.bigrams[j]) + delta <= 4 * tau + 1
    }

    /// Decides the candidates of sorted position `i`: the positional bigram bound, then the
    /// bounded distance.
    fn verify(
        &self,
        i: usize,
        candidates: &[u32],
        scratch: &mut Scratch,
        out: &mut Vec<Pair>,
        local: &mut Local,
    ) {
        local.bigrams += candidates.len() as u64;
        let text_i = self.texts.get(i);
        let (mut own, mut other) = (Vec::new(), Vec::new());
        let codes_i = self.codes(i, &mut own);
        let mut comparator = None;
        for &j in candidates {
            let j = j as usize;
            let (li, lj) = (self.len[i], self.len[j]);
            let max_len = li.max(lj);
            let tau = self.tau(max_len);
            let text_j = self.texts.get(j);
            let codes_j = self.codes(j, &mut other);
            let (window, taken) = scratch.split_at_mut(BIGRAM_CODES);
            let positional = if codes_i.len() >= codes_j.len() {
                positional_bound(codes_i, codes_j, tau as usize, window, taken)
            } else {
                positional_bound(codes_j, codes_i, tau as usize, window, taken)
            };
            if !positional {
                continue;
            }
            local.verified += 1;
            let comparator = comparator
                .get_or_insert_with(|| levenshtein::BatchComparator::new(text_i.iter().copied()));
            let args = levenshtein::Args::default().score_cutoff(tau as usize);
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
    }

    /// The first sorted position whose stem may pair with a stem of length `len` (which is at
    /// least as long).
    fn window_start(&self, len: u32) -> usize {
        let tau = self.tau(len);
        self.len.partition_point(|&l| l + tau < len)
    }

    /// All pairs of positions in `block` with any earlier position.
    fn scan_block(
        &self,
        block: std::ops::Range<usize>,
        counts: &mut Scratch,
        out: &mut Vec<Pair>,
        local: &mut Local,
    ) {
        let start = self.window_start(self.len[block.start]);
        let mut candidates: Vec<Vec<u32>> = vec![Vec::new(); block.len()];
        let mut tile = start;
        while tile < block.end - 1 {
            let tile_end = (tile + TILE).min(block.end - 1);
            for (k, i) in block.clone().enumerate() {
                let li = self.len[i];
                let tau = self.tau(li);
                let lo = tile.max(self.window_start(li));
                let hi = tile_end.min(i);
                local.window += hi.saturating_sub(lo) as u64;
                let found = &mut candidates[k];
                for j in lo..hi {
                    if self.coarse(i, j, li - self.len[j], tau, local) {
                        found.push(u32::try_from(j).unwrap_or(u32::MAX));
                    }
                }
            }
            tile = tile_end;
        }
        for (k, i) in block.enumerate() {
            self.verify(i, &candidates[k], counts, out, local);
        }
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

    /// All pairs of the sorted positions `queries` (ascending) with any other position. The
    /// queries share one pass over their windows, tile by tile, so that each candidate's
    /// sketches are read from memory once for the whole block.
    fn scan_queries(
        &self,
        queries: &[usize],
        counts: &mut Scratch,
        out: &mut Vec<Pair>,
        local: &mut Local,
    ) {
        let ranges: Vec<(usize, usize)> = queries.iter().map(|&i| self.query_range(i)).collect();
        let start = ranges.iter().map(|r| r.0).min().unwrap_or(0);
        let end = ranges.iter().map(|r| r.1).max().unwrap_or(0);
        let mut candidates: Vec<Vec<u32>> = vec![Vec::new(); queries.len()];
        let mut tile = start;
        while tile < end {
            let tile_end = (tile + TILE).min(end);
            for ((&i, &(lo, hi)), found) in queries.iter().zip(&ranges).zip(&mut candidates) {
                let (lo, hi) = (lo.max(tile), hi.min(tile_end));
                let li = self.len[i];
                for j in lo..hi {
                    if j == i {
                        continue;
                    }
                    local.window += 1;
                    let lj = self.len[j];
                    if self.coarse(i, j, li.abs_diff(lj), self.tau(li.max(lj)), local) {
                        found.push(u32::try_from(j).unwrap_or(u32::MAX));
                    }
                }
            }
            tile = tile_end;
        }
        for (&i, found) in queries.iter().zip(&candidates) {
            self.verify(i, found, counts, out, local);
        }
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
        find_with::<u8>(works, &ranks, &bins, &tau, options, progress)
    } else {
        find_with::<u32>(works, &ranks, &bins, &tau, options, progress)
    }
}

fn find_with<T: Symbol>(
    works: Vec<Work>,
    ranks: &Ranks,
    bins: &Bins,
    tau: &[u32],
    options: &Options,
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
                    .step_by(QUERY_BLOCK)
                    .map(|s| s..(s + QUERY_BLOCK).min(sorted.entry.len()))
                    .collect();
                blocks
                    .into_par_iter()
                    .map_init(scratch, |counts, block| {
                        let (mut out, mut local) = (Vec::new(), Local::default());
                        let n = block.len();
                        sorted.scan_block(block, counts, &mut out, &mut local);
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
                    .map_init(scratch, |counts, block| {
                        let (mut out, mut local) = (Vec::new(), Local::default());
                        sorted.scan_queries(block, counts, &mut out, &mut local);
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
        verified: counters.verified.into_inner(),
    };
    (pairs, stats)
}
