//! Reading Moodle XML: `multichoice` questions under their categories.
//!
//! Hostile XML is refused, not parsed with care: a document type declaration (the only place
//! where entities can be declared, so no external entity is ever fetched and no entity bomb
//! can expand), references to any entity but XML's five predefined ones, and elements nested
//! deeper than [`MAX_DEPTH`]. The elements kept are counted too (at most [`MAX_ELEMENTS`]), so
//! that a file of empty elements (`<text/>` over and over, each a few bytes of input and over a
//! hundred of memory) cannot take gigabytes. quick-xml itself never expands or fetches an entity: it reports
//! each reference, and only the predefined ones and character references are resolved here.

use std::path::Path;

use quick_xml::Reader;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::Event;

use crate::ExportError;
use crate::import::parse_error;
use crate::import_gift::{exam_and_domain, split_references};
use crate::pack::{PackItem, PackItemType, PackOption, PackStatus};
use crate::text::html_to_text;

/// An element with its attributes, text and children.
#[derive(Default)]
struct Element {
    name: String,
    /// The line its start tag is on.
    line: usize,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text of `<name><text>…</text></name>`, read in the element's `format`.
    fn text_of(&self, name: &str) -> Option<String> {
        let element = self.child(name)?;
        let text = &element.child("text")?.text;
        Some(match element.attribute("format") {
            Some("html") => html_to_text(text),
            _ => text.clone(),
        })
    }
}

/// The elements the reader looks at. Others are dropped as soon as they end, so a file of
/// elements Moodle XML does not have takes no memory.
const READ: [&str; 12] = [
    "quiz",
    "question",
    "category",
    "questiontext",
    "answer",
    "text",
    "feedback",
    "generalfeedback",
    "single",
    "shuffleanswers",
    "tags",
    "tag",
];

/// Whether an element `name` that ends with `depth` elements open (the document's own root
/// at depth 1) is kept: the root always, so that a wrong root is named.
/// An `<answer>` as an option. A single-answer question's key has full credit; partial credit
/// on another answer does not make it a second key.
fn answer(a: &Element, single: bool) -> PackOption {
    let fraction: f64 = a
        .attribute("fraction")
        .and_then(|f| f.trim().parse().ok())
        .unwrap_or(0.0);
    let text = a.child("text").map(|t| t.text.clone()).unwrap_or_default();
    let text = if a.attribute("format") == Some("html") {
        html_to_text(&text)
    } else {
        text
    };
    PackOption {
        text,
        correct: Some(if single {
            fraction >= 100.0
        } else {
            fraction > 0.0
        }),
        feedback: a.text_of("feedback").filter(|f| !f.is_empty()),
        fixed: false,
    }
}

fn kept(name: &str, depth: usize) -> bool {
    depth <= 1 || READ.contains(&name)
}

/// The deepest nesting of elements accepted. Moodle XML needs five levels
/// (`quiz/question/answer/feedback/text`); a few more leave room for tags and HTML-free extras.
pub(crate) const MAX_DEPTH: usize = 32;

/// The most elements a file may have kept for reading: about 260 MB of elements. A Moodle
/// export holds about one kept element per 50 bytes, so a file of the largest size accepted
/// (64 MiB) holds about 1.3 million.
pub(crate) const MAX_ELEMENTS: usize = 2_000_000;

fn tree(path: &Path, text: &str) -> Result<Element, ExportError> {
    tree_limited(path, text, MAX_ELEMENTS)
}

/// [`tree`], keeping at most `max_elements` elements.
#[expect(
    clippy::too_many_lines,
    reason = "one pass over the events, an arm for each"
)]
fn tree_limited(path: &Path, text: &str, max_elements: usize) -> Result<Element, ExportError> {
    let mut reader = Reader::from_str(text);
    let mut stack = vec![Element::default()];
    let mut elements = 0_usize;
    // Lines counted as the reader moves on, for the line of each element.
    let (mut counted_to, mut counted_line) = (0_usize, 1_usize);
    let mut line_at = |at: u64| {
        let at = usize::try_from(at).unwrap_or(usize::MAX).min(text.len());
        if at > counted_to {
            counted_line += memchr::memchr_iter(b'\n', &text.as_bytes()[counted_to..at]).count();
            counted_to = at;
        }
        counted_line
    };
    let too_many =
        || format!("more than {max_elements} elements: far more than a question bank file holds");
    let line = |at: u64| {
        text.as_bytes()[..usize::try_from(at).unwrap_or(0).min(text.len())]
            .split(|b| *b == b'\n')
            .count()
    };
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| parse_error(path, line(at), e.to_string()))?;
        let bad = |m: String| parse_error(path, line(at), m);
        match event {
            Event::DocType(_) => {
                return Err(bad(
                    "a document type declaration (`<!DOCTYPE`) is not accepted: it could declare \
                     entities that expand without bound or read files outside the document"
                        .to_owned(),
                ));
            }
            Event::Start(e) => {
                if stack.len() > MAX_DEPTH {
                    return Err(bad(format!(
                        "elements are nested more than {MAX_DEPTH} levels deep"
                    )));
                }
                let mut element = Element {
                    name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    line: line_at(at),
                    ..Element::default()
                };
                for attribute in e.attributes() {
                    let attribute = attribute.map_err(|e| bad(e.to_string()))?;
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| bad(e.to_string()))?;
                    element.attributes.push((
                        String::from_utf8_lossy(attribute.key.as_ref()).into_owned(),
                        value.into_owned(),
                    ));
                }
                stack.push(element);
            }
            Event::Empty(e) => {
                let element = Element {
                    name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    line: line_at(at),
                    ..Element::default()
                };
                if kept(&element.name, stack.len())
                    && let Some(parent) = stack.last_mut()
                {
                    elements += 1;
                    if elements > max_elements {
                        return Err(bad(too_many()));
                    }
                    parent.children.push(element);
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else { break };
                let depth = stack.len();
                let Some(parent) = stack.last_mut() else {
                    return Err(bad("unbalanced end tag".to_owned()));
                };
                if kept(&done.name, depth) {
                    elements += 1;
                    if elements > max_elements {
                        return Err(bad(too_many()));
                    }
                    parent.children.push(done);
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content().map_err(|e| bad(e.to_string()))?;
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&content);
                }
            }
            Event::CData(t) => {
                let content = t.decode().map_err(|e| bad(e.to_string()))?;
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&content);
                }
            }
            Event::GeneralRef(r) => {
                let resolved =
                    if let Some(c) = r.resolve_char_ref().map_err(|e| bad(e.to_string()))? {
                        c.to_string()
                    } else {
                        let name = r.decode().map_err(|e| bad(e.to_string()))?;
                        resolve_xml_entity(&name)
                            .ok_or_else(|| bad(format!("unknown entity `&{name};`")))?
                            .to_owned()
                    };
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut root = stack.pop().unwrap_or_default();
    if !stack.is_empty() {
        return Err(parse_error(
            path,
            line(reader.buffer_position()),
            "the document ends inside an element",
        ));
    }
    root.children
        .pop()
        .ok_or_else(|| parse_error(path, 1, "the file holds no XML element"))
}

pub(crate) fn moodle(path: &Path, text: &str) -> Result<Vec<PackItem>, ExportError> {
    let quiz = tree(path, text)?;
    if quiz.name != "quiz" {
        return Err(parse_error(
            path,
            1,
            format!("the root element is `<{}>`, expected `<quiz>`", quiz.name),
        ));
    }
    let mut items = Vec::new();
    let mut category = String::new();
    for (n, question) in quiz
        .children
        .iter()
        .filter(|c| c.name == "question")
        .enumerate()
    {
        let kind = question.attribute("type").unwrap_or("");
        if kind == "category" {
            category = question.text_of("category").unwrap_or_default();
            continue;
        }
        if kind != "multichoice" {
            return Err(parse_error(
                path,
                question.line,
                format!(
                    "question {} is of type `{kind}`; only `multichoice` questions are imported",
                    n + 1
                ),
            ));
        }
        let stem = question.text_of("questiontext").unwrap_or_default();
        let single = question
            .child("single")
            .is_none_or(|s| matches!(s.text.trim(), "true" | "1"));
        let options: Vec<PackOption> = question
            .children
            .iter()
            .filter(|c| c.name == "answer")
            .map(|a| answer(a, single))
            .collect();
        if options.len() < 2 {
            return Err(parse_error(
                path,
                question.line,
                format!(
                    "question {} has {} answer(s); only multiple-choice questions are imported",
                    n + 1,
                    options.len()
                ),
            ));
        }
        let (exam, domain) = exam_and_domain(&category);
        let (rationale, references) = split_references(question.text_of("generalfeedback"));
        items.push(PackItem {
            exam,
            domain,
            item_type: if single {
                PackItemType::Single
            } else {
                PackItemType::Multiple
            },
            status: PackStatus::Draft,
            shuffle: question
                .child("shuffleanswers")
                .is_none_or(|s| matches!(s.text.trim(), "true" | "1")),
            stem,
            rationale,
            references,
            tags: question
                .child("tags")
                .map(|t| {
                    t.children
                        .iter()
                        .filter_map(|tag| tag.child("text").map(|x| x.text.trim().to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
            options,
            ..PackItem::default()
        });
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::tree_limited;

    /// A question of a type that is not imported is named with the line it starts on.
    #[test]
    fn a_question_of_another_type_is_named_by_line() {
        let text = "<?xml version=\"1.0\"?>\n<quiz>\n  <question type=\"category\">\n    \
                    <category><text>$course$/top/x</text></category>\n  </question>\n  \
                    <question type=\"truefalse\">\n  </question>\n</quiz>\n";
        let error = super::moodle(Path::new("m.xml"), text).unwrap_err();
        assert_eq!(
            error.to_string(),
            "m.xml:6: question 2 is of type `truefalse`; only `multichoice` questions are imported"
        );
    }

    /// Empty elements count like any other: a file of them is refused at the limit, by line.
    #[test]
    fn a_file_of_too_many_elements_is_refused() {
        let text = format!("<quiz>\n{}</quiz>\n", "<text/>".repeat(1000));
        // With the root, `<quiz>`, 1001 elements.
        assert!(tree_limited(Path::new("m.xml"), &text, 1001).is_ok());
        let Err(error) = tree_limited(Path::new("m.xml"), &text, 1000) else {
            panic!("1001 elements were kept under a limit of 1000");
        };
        assert_eq!(
            error.to_string(),
            "m.xml:2: more than 1000 elements: far more than a question bank file holds"
        );
        let nested = format!(
            "<quiz>\n{}</quiz>\n",
            "<tag><text>t</text></tag>\n".repeat(600)
        );
        // Two kept elements a line from line 2: the 1001st is on line 502.
        let Err(error) = tree_limited(Path::new("m.xml"), &nested, 1000) else {
            panic!("1200 elements were kept under a limit of 1000");
        };
        assert!(error.to_string().starts_with("m.xml:502:"), "{error}");
    }
}
