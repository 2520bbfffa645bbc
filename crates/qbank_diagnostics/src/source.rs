//! Source files and byte ranges, and the translation of byte offsets to 1-based line and column.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A half-open byte range `start..end` into a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TextRange {
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl TextRange {
    /// A range from `start` to `end`; an inverted range is collapsed to `start`.
    pub fn new(start: usize, end: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end).unwrap_or(u32::MAX).max(start);
        Self { start, end }
    }

    /// An empty range at `offset`.
    pub fn empty(offset: usize) -> Self {
        Self::new(offset, offset)
    }

    /// The range as `usize` bounds, for slicing.
    pub fn to_range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Whether the range covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl From<std::ops::Range<usize>> for TextRange {
    fn from(range: std::ops::Range<usize>) -> Self {
        Self::new(range.start, range.end)
    }
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineColumn {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in Unicode scalar values.
    pub column: usize,
}

/// Byte offsets of line starts, for offset-to-position lookups.
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`. `\n` ends a line; a preceding `\r` belongs to the break.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// The 1-based line and character column of `offset` in `text`.
    pub fn line_column(&self, text: &str, offset: usize) -> LineColumn {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let column = text[self.starts[line]..offset].chars().count() + 1;
        LineColumn {
            line: line + 1,
            column,
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A file that diagnostics point into: its path as shown to the user and its text.
///
/// Cheap to clone. The line index is built on first use, so files without findings never pay
/// for it.
#[derive(Clone)]
pub struct SourceFile {
    inner: Arc<SourceFileInner>,
}

struct SourceFileInner {
    path: PathBuf,
    text: String,
    index: OnceLock<LineIndex>,
}

impl SourceFile {
    /// A file at `path` (as it should be displayed) with `text`.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self {
            inner: Arc::new(SourceFileInner {
                path: path.into(),
                text: text.into(),
                index: OnceLock::new(),
            }),
        }
    }

    /// The path shown in diagnostics.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The file's text: empty when it could not be read.
    pub fn text(&self) -> &str {
        &self.inner.text
    }

    /// Builds the line index now rather than on the first [`SourceFile::line_column`]: a
    /// caller that checks files in parallel indexes those with findings there, instead of
    /// leaving it all to the thread that renders them.
    pub fn index_lines(&self) {
        self.inner
            .index
            .get_or_init(|| LineIndex::new(&self.inner.text));
    }

    /// Orders files by path, as [`Path`]'s `Ord` does; two handles of one file compare equal
    /// without comparing their paths component by component.
    pub fn cmp_path(&self, other: &Self) -> std::cmp::Ordering {
        if Arc::ptr_eq(&self.inner, &other.inner) {
            return std::cmp::Ordering::Equal;
        }
        self.inner.path.cmp(&other.inner.path)
    }

    /// The 1-based line and column of a byte offset.
    pub fn line_column(&self, offset: u32) -> LineColumn {
        self.inner
            .index
            .get_or_init(|| LineIndex::new(&self.inner.text))
            .line_column(&self.inner.text, offset as usize)
    }
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl PartialEq for SourceFile {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.inner.path == other.inner.path
    }
}

impl Eq for SourceFile {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "a = \"é\"\nb = 1\r\nc = 2";
        let index = LineIndex::new(text);
        assert_eq!(
            index.line_column(text, 0),
            LineColumn { line: 1, column: 1 }
        );
        let b = text.find('b').unwrap();
        assert_eq!(
            index.line_column(text, b),
            LineColumn { line: 2, column: 1 }
        );
        let quote = text.rfind('"').unwrap();
        assert_eq!(
            index.line_column(text, quote),
            LineColumn { line: 1, column: 7 }
        );
        let c = text.find('c').unwrap();
        assert_eq!(
            index.line_column(text, c),
            LineColumn { line: 3, column: 1 }
        );
    }

    #[test]
    fn files_order_by_their_paths_components() {
        let a = SourceFile::new("items/a/b.toml", "x");
        let same = a.clone();
        let twin = SourceFile::new("items/a/b.toml", "y");
        let dashed = SourceFile::new("items/a-b.toml", "");
        assert_eq!(a.cmp_path(&same), std::cmp::Ordering::Equal);
        assert_eq!(a.cmp_path(&twin), std::cmp::Ordering::Equal);
        // By components "a" comes before "a-b", though '/' sorts after '-' as a byte.
        assert_eq!(a.cmp_path(&dashed), std::cmp::Ordering::Less);
        assert_eq!(dashed.cmp_path(&a), std::cmp::Ordering::Greater);
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let text = "ab";
        let index = LineIndex::new(text);
        assert_eq!(
            index.line_column(text, 99),
            LineColumn { line: 1, column: 3 }
        );
    }

    #[test]
    fn offsets_inside_a_character_round_down() {
        let text = "é";
        let index = LineIndex::new(text);
        assert_eq!(
            index.line_column(text, 1),
            LineColumn { line: 1, column: 1 }
        );
    }
}
