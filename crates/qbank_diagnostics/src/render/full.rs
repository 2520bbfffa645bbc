use std::io::{self, Write};

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use rayon::prelude::*;

use super::{RenderOptions, Report, summary_line};
use crate::{Annotation, Diagnostic, Severity};

/// Findings rendered at once.
const RENDER_CHUNK: usize = 4096;

/// Width used when the output is not a terminal, so that output is the same everywhere.
const PLAIN_WIDTH: usize = 100;

pub(super) fn render(
    report: &Report<'_>,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii)
    .term_width(PLAIN_WIDTH);
    // Quoting a finding's source costs tens of microseconds, and a large bank has tens of
    // thousands of findings: they are rendered on the thread pool, a chunk at a time so
    // that only one chunk's text is held at once, and written in order.
    for chunk in report.diagnostics.chunks(RENDER_CHUNK) {
        let texts: Vec<String> = chunk
            .par_iter()
            .map(|diagnostic| renderer.render(&group(diagnostic)))
            .collect();
        for text in texts {
            writeln!(out, "{text}\n")?;
        }
    }
    writeln!(out, "{}", summary_line(&report.summary))
}

fn group(diagnostic: &Diagnostic) -> Vec<Group<'_>> {
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let title = level
        .primary_title(diagnostic.message.as_str())
        .id(diagnostic.code);
    let path = crate::printable(&diagnostic.file().path().to_string_lossy()).into_owned();

    let mut group = if diagnostic.file().text().is_empty() {
        // Nothing to quote (the file is empty or could not be read): point at the file.
        title.element(Origin::path(path))
    } else {
        let mut snippet = Snippet::source(diagnostic.file().text())
            .path(path)
            .fold(true)
            .annotation(annotation(AnnotationKind::Primary, &diagnostic.primary));
        for secondary in diagnostic
            .secondary
            .iter()
            .filter(|a| a.file == diagnostic.primary.file)
        {
            snippet = snippet.annotation(annotation(AnnotationKind::Context, secondary));
        }
        title.element(snippet)
    };
    for other in diagnostic
        .secondary
        .iter()
        .filter(|a| a.file != diagnostic.primary.file)
    {
        if other.file.text().is_empty() {
            continue;
        }
        group = group.element(
            Snippet::source(other.file.text())
                .path(crate::printable(&other.file.path().to_string_lossy()).into_owned())
                .fold(true)
                .annotation(annotation(AnnotationKind::Context, other)),
        );
    }
    if let Some(help) = &diagnostic.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    vec![group]
}

fn annotation(kind: AnnotationKind, annotation: &Annotation) -> annotate_snippets::Annotation<'_> {
    let text = annotation.file.text();
    // Ranges come from many producers; never let one split a character.
    let mut end = annotation.range.to_range().end.min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let mut start = annotation.range.to_range().start.min(end);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let annotated = kind.span(start..end);
    match &annotation.label {
        Some(label) => annotated.label(label.as_str()),
        None => annotated,
    }
}

#[cfg(test)]
mod tests {
    use crate::render::DiagnosticFormat;
    use crate::render::test_support::render;

    #[test]
    fn snippets_with_labels_and_help() {
        insta::assert_snapshot!(render(DiagnosticFormat::Text));
    }

    #[test]
    fn many_findings_print_in_their_order_across_chunks() {
        let count = 2 * super::RENDER_CHUNK + 3;
        let out =
            crate::render::test_support::render_many(crate::render::DiagnosticFormat::Text, count);
        let numbers: Vec<usize> = out
            .lines()
            .filter_map(|line| line.strip_prefix("warning[QB106]: finding "))
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(numbers, (0..count).collect::<Vec<_>>());
        // Each finding quotes its own line: finding n the line n % 10 + 1.
        let quoted: Vec<usize> = out
            .lines()
            .filter_map(|line| line.split_once(" | key").map(|(_, rest)| rest))
            .map(|rest| rest.split(' ').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(quoted, (0..count).map(|n| n % 10 + 1).collect::<Vec<_>>());
    }
}
