//! Reading GIFT: categories, titles, `[format]` markers, `=`/`~` answers with `%weight%`,
//! `#feedback` and `####general feedback`, and the `\` escapes. Questions of other kinds
//! (true/false, short answer, matching, numerical, essay) are reported, not guessed at.

use std::path::Path;

use crate::ExportError;
use crate::import::parse_error;
use crate::pack::{PackItem, PackItemType, PackOption, PackStatus};
use crate::text::html_to_text;

/// Exam and domain from a category path as qbank writes it: `$course$/top/EXAM/DOMAIN title`.
pub(crate) fn exam_and_domain(category: &str) -> (String, String) {
    let parts: Vec<&str> = category.split('/').filter(|p| !p.is_empty()).collect();
    let after_top = parts
        .iter()
        .position(|p| *p == "top")
        .map_or(&parts[..], |i| &parts[i + 1..]);
    let exam = after_top
        .first()
        .filter(|e| {
            !e.is_empty()
                && e.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        .map(|e| (*e).to_owned())
        .unwrap_or_default();
    let domain = after_top
        .get(1)
        .and_then(|d| d.split(' ').next())
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
        .map(str::to_owned)
        .unwrap_or_default();
    (exam, domain)
}

pub(crate) fn gift(path: &Path, text: &str) -> Result<Vec<PackItem>, ExportError> {
    let mut items = Vec::new();
    let mut category = String::new();
    let mut block: Vec<&str> = Vec::new();
    let mut block_line = 0;
    let mut tags: Vec<String> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().chain(std::iter::once(&"")).enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("//") {
            tags.extend(comment_tags(trimmed));
            continue;
        }
        if !trimmed.is_empty() {
            if block.is_empty() {
                block_line = n + 1;
            }
            block.push(line);
            continue;
        }
        if block.is_empty() {
            continue;
        }
        let joined = block.join("\n");
        block.clear();
        if let Some(rest) = joined.trim().strip_prefix("$CATEGORY:") {
            rest.trim().clone_into(&mut category);
            tags.clear();
            continue;
        }
        let mut item = question(&joined).map_err(|m| parse_error(path, block_line, m))?;
        let (exam, domain) = exam_and_domain(&category);
        item.exam = exam;
        item.domain = domain;
        item.tags = std::mem::take(&mut tags);
        items.push(item);
    }
    Ok(items)
}

fn comment_tags(comment: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = comment;
    while let Some(at) = rest.find("[tag:") {
        rest = &rest[at + 5..];
        let Some(end) = rest.find(']') else { break };
        out.push(rest[..end].trim().to_owned());
        rest = &rest[end..];
    }
    out
}

/// A GIFT text with its escapes decoded, and the character that ended it.
struct Scanner {
    chars: Vec<char>,
    at: usize,
}

impl Scanner {
    fn skip_space(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn starts_with(&self, text: &str) -> bool {
        text.chars()
            .enumerate()
            .all(|(i, c)| self.chars.get(self.at + i) == Some(&c))
    }

    /// Reads up to an unescaped character of `stops`, decoding escapes.
    fn until(&mut self, stops: &[char]) -> (String, Option<char>) {
        let mut out = String::new();
        while let Some(&c) = self.chars.get(self.at) {
            if c == '\\' {
                match self.chars.get(self.at + 1) {
                    Some('n') => out.push('\n'),
                    Some(&next) => out.push(next),
                    None => out.push('\\'),
                }
                self.at += 2;
                continue;
            }
            if stops.contains(&c) {
                return (out, Some(c));
            }
            out.push(c);
            self.at += 1;
        }
        (out, None)
    }
}

/// The text of a GIFT rich text in `format`.
fn rich(raw: &str, format: &str) -> String {
    match format {
        "html" => html_to_text(raw.trim()),
        _ => raw.trim().to_owned(),
    }
}

fn take_format(s: &mut Scanner, default: &str) -> String {
    s.skip_space();
    for format in ["html", "moodle", "plain", "markdown"] {
        let marker = format!("[{format}]");
        if s.starts_with(&marker) {
            s.at += marker.chars().count();
            return format.to_owned();
        }
    }
    default.to_owned()
}

#[expect(
    clippy::too_many_lines,
    reason = "one pass over a question, in the order GIFT writes it"
)]
fn question(text: &str) -> Result<PackItem, String> {
    let mut s = Scanner {
        chars: text.trim().chars().collect(),
        at: 0,
    };
    let mut title = None;
    if s.starts_with("::") {
        s.at += 2;
        let (t, end) = s.until(&[':']);
        if end.is_none() || !s.starts_with("::") {
            return Err("a `::title::` is not closed".to_owned());
        }
        s.at += 2;
        title = Some(t);
    }
    let format = take_format(&mut s, "moodle");
    let (stem, open) = s.until(&['{']);
    if open.is_none() {
        return Err(format!(
            "question {} has no answers in braces",
            title.unwrap_or_default()
        ));
    }
    s.at += 1;
    let mut options = Vec::new();
    let mut weights = Vec::new();
    let mut exact = false;
    let mut general = None;
    loop {
        s.skip_space();
        if s.starts_with("}") {
            break;
        }
        if s.starts_with("####") {
            s.at += 4;
            let f = take_format(&mut s, &format);
            let (text, _) = s.until(&['}']);
            general = Some(rich(&text, &f));
            continue;
        }
        let marker = match s.chars.get(s.at) {
            Some('=') => '=',
            Some('~') => '~',
            Some(other) => {
                return Err(format!(
                    "`{other}` where an answer (`=` or `~`) should start; only multiple-choice questions are imported"
                ));
            }
            None => return Err("answers are not closed with `}`".to_owned()),
        };
        s.at += 1;
        let mut weight = if marker == '=' { 100.0 } else { 0.0 };
        s.skip_space();
        if s.starts_with("%") {
            s.at += 1;
            let (w, _) = s.until(&['%']);
            s.at += 1;
            weight = w
                .trim()
                .parse()
                .map_err(|_| format!("weight `%{w}%` is not a number"))?;
        } else if marker == '=' {
            exact = true;
        }
        let f = take_format(&mut s, &format);
        let (text, end) = s.until(&['#', '=', '~', '}']);
        let mut feedback = None;
        if end == Some('#') && !s.starts_with("####") {
            s.at += 1;
            let ff = take_format(&mut s, &f);
            let (fb, _) = s.until(&['=', '~', '}', '#']);
            feedback = Some(rich(&fb, &ff)).filter(|f| !f.is_empty());
        }
        weights.push(weight);
        options.push(PackOption {
            text: rich(&text, &f),
            // Settled below, once it is known whether an answer is marked `=`.
            correct: Some(weight > 0.0),
            feedback,
            fixed: false,
        });
    }
    // Text after the answers: a "missing word" question, whose answers stand for a blank in
    // the sentence; or a second question that lacks the blank line before it.
    s.at += 1;
    let (after, _) = s.until(&['{']);
    let stem = if after.trim().is_empty() {
        stem
    } else if s.at < s.chars.len() || after.trim_start().starts_with("::") {
        return Err(
            "text after the answers holds another question; separate questions with a blank line"
                .to_owned(),
        );
    } else {
        format!("{} _____ {}", stem.trim_end(), after.trim_start())
    };
    if options.len() < 2 {
        return Err(format!(
            "question {} has {} answer(s); only multiple-choice questions are imported",
            title.unwrap_or_default(),
            options.len()
        ));
    }
    // With an answer marked `=`, the question has one right answer: partial credit on another
    // (`~%50%`) does not make it a second key.
    if exact {
        for (option, weight) in options.iter_mut().zip(&weights) {
            option.correct = Some(*weight >= 100.0);
        }
    }
    let keys = weights.iter().filter(|w| **w > 0.0).count();
    let (rationale, references) = split_references(general);
    Ok(PackItem {
        item_type: if exact || keys <= 1 {
            PackItemType::Single
        } else {
            PackItemType::Multiple
        },
        status: PackStatus::Draft,
        shuffle: true,
        stem: rich(&stem, &format),
        rationale,
        references,
        options,
        ..PackItem::default()
    })
}

/// Splits general feedback as qbank writes it (the rationale, a blank line, `References:` and
/// one `- ` line per reference) back into rationale and references.
pub(crate) fn split_references(general: Option<String>) -> (Option<String>, Vec<String>) {
    let Some(general) = general.filter(|g| !g.is_empty()) else {
        return (None, Vec::new());
    };
    let (rationale, list) = match general.rsplit_once("\n\nReferences:\n") {
        Some((r, l)) => (Some(r.to_owned()), l),
        None => match general.strip_prefix("References:\n") {
            Some(l) => (None, l),
            None => return (Some(general), Vec::new()),
        },
    };
    let references: Option<Vec<String>> = list
        .split('\n')
        .map(|l| l.strip_prefix("- ").map(str::to_owned))
        .collect();
    match references {
        Some(refs) => (rationale, refs),
        None => (Some(general), Vec::new()),
    }
}
