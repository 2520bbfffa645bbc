//! Word-level differences between two stems, for showing a pair to a person.

/// What a run of words is in a [`word_diff`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiffKind {
    /// The words are in both stems.
    Equal,
    /// The words are only in the first stem.
    Deleted,
    /// The words are only in the second stem.
    Inserted,
}

/// A run of consecutive words of one kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffRun {
    /// Whether the words are shared, deleted or inserted.
    pub kind: DiffKind,
    /// The words as written in their stem (the first stem for equal runs), joined by single
    /// spaces.
    pub text: String,
}

/// A word-level diff of two raw stems: a longest common subsequence of their words.
///
/// Words are the whitespace-separated pieces of each stem; two words are equal when their
/// [`normalize`](crate::normalize)d forms are, so a change of case or punctuation alone is not
/// shown. Where deletions and insertions meet, the deleted run comes first. Adjacent runs
/// always differ in kind, and concatenating the equal and deleted runs gives the first stem's
/// words, the equal and inserted runs the second's.
pub fn word_diff(a: &str, b: &str) -> Vec<DiffRun> {
    let wa: Vec<&str> = a.split_whitespace().collect();
    let wb: Vec<&str> = b.split_whitespace().collect();
    let na: Vec<String> = wa.iter().map(|w| crate::normalize(w)).collect();
    let nb: Vec<String> = wb.iter().map(|w| crate::normalize(w)).collect();
    // Common prefix and suffix first: near-duplicates share most of their words, and this keeps
    // the quadratic table small.
    let prefix = na.iter().zip(&nb).take_while(|(x, y)| x == y).count();
    let suffix = na[prefix..]
        .iter()
        .rev()
        .zip(nb[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (na.len() - prefix - suffix, nb.len() - prefix - suffix);
    let xa = &na[prefix..prefix + ma];
    let xb = &nb[prefix..prefix + mb];
    // lcs[i][j]: length of the longest common subsequence of xa[i..] and xb[j..].
    let width = mb + 1;
    let mut lcs = vec![0_u32; (ma + 1) * width];
    for i in (0..ma).rev() {
        for j in (0..mb).rev() {
            lcs[i * width + j] = if xa[i] == xb[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut ops: Vec<(DiffKind, &str)> = Vec::with_capacity(wa.len() + wb.len());
    ops.extend(wa[..prefix].iter().map(|w| (DiffKind::Equal, *w)));
    let (mut i, mut j) = (0, 0);
    while i < ma || j < mb {
        if i < ma && j < mb && xa[i] == xb[j] {
            ops.push((DiffKind::Equal, wa[prefix + i]));
            i += 1;
            j += 1;
        } else if i < ma && (j == mb || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
            ops.push((DiffKind::Deleted, wa[prefix + i]));
            i += 1;
        } else {
            ops.push((DiffKind::Inserted, wb[prefix + j]));
            j += 1;
        }
    }
    ops.extend(
        wa[wa.len() - suffix..]
            .iter()
            .map(|w| (DiffKind::Equal, *w)),
    );
    // Merge into runs, putting deletions before insertions inside each changed stretch.
    let mut runs: Vec<DiffRun> = Vec::new();
    let mut start = 0;
    while start < ops.len() {
        if ops[start].0 == DiffKind::Equal {
            let end = start
                + ops[start..]
                    .iter()
                    .take_while(|o| o.0 == DiffKind::Equal)
                    .count();
            runs.push(run(DiffKind::Equal, &ops[start..end]));
            start = end;
            continue;
        }
        let end = start
            + ops[start..]
                .iter()
                .take_while(|o| o.0 != DiffKind::Equal)
                .count();
        for kind in [DiffKind::Deleted, DiffKind::Inserted] {
            let words: Vec<(DiffKind, &str)> = ops[start..end]
                .iter()
                .copied()
                .filter(|o| o.0 == kind)
                .collect();
            if !words.is_empty() {
                runs.push(run(kind, &words));
            }
        }
        start = end;
    }
    runs
}

fn run(kind: DiffKind, ops: &[(DiffKind, &str)]) -> DiffRun {
    let words: Vec<&str> = ops.iter().map(|o| o.1).collect();
    DiffRun {
        kind,
        text: words.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(runs: &[DiffRun]) -> String {
        runs.iter()
            .map(|r| match r.kind {
                DiffKind::Equal => r.text.clone(),
                DiffKind::Deleted => format!("[-{}-]", r.text),
                DiffKind::Inserted => format!("{{+{}+}}", r.text),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn marks_changed_words() {
        let runs = word_diff(
            "Which control BEST reduces risk?",
            "Which safeguard best reduces the risk",
        );
        assert_eq!(
            show(&runs),
            "Which [-control-] {+safeguard+} BEST reduces {+the+} risk?"
        );
    }

    #[test]
    fn handles_empty_and_identical_stems() {
        assert!(word_diff("", "").is_empty());
        assert_eq!(show(&word_diff("a b", "")), "[-a b-]");
        assert_eq!(show(&word_diff("", "a b")), "{+a b+}");
        assert_eq!(show(&word_diff("a  b", "A b.")), "a b");
    }

    #[test]
    fn runs_rebuild_both_stems() {
        let (a, b) = ("x y z w v u", "y q z v u t");
        let runs = word_diff(a, b);
        let first: Vec<&str> = runs
            .iter()
            .filter(|r| r.kind != DiffKind::Inserted)
            .map(|r| r.text.as_str())
            .collect();
        let second: Vec<&str> = runs
            .iter()
            .filter(|r| r.kind != DiffKind::Deleted)
            .map(|r| r.text.as_str())
            .collect();
        assert_eq!(first.join(" "), a);
        assert_eq!(second.join(" "), b);
        assert!(runs.windows(2).all(|w| w[0].kind != w[1].kind));
    }
}
