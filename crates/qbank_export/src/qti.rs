//! IMS/1EdTech QTI content packages, version 3.0 and 2.1: one assessment item per item, one
//! assessment test per exam with a section per domain in blueprint order (each selecting the
//! domain's share of a form by the largest-remainder method), exhibits as `webcontent`
//! resources, and `imsmanifest.xml` tying them together.
//!
//! Responses use the standard `match_correct` processing. The stem is one `<p>` whose line
//! breaks are `<br/>`. Option feedback and the rationale are modal feedback, shown after the
//! attempt: option feedback when the candidate chose that option, the rationale always. An
//! item with feedback carries the `match_correct` rules inline with the rule that sets the
//! feedback outcome; an item without uses the template by reference. A pack without keys has
//! no correct response, response processing or feedback.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use qbank_blueprint::largest_remainder;
use qbank_model::Decimal;

use crate::ExportError;
use crate::archive::Compressed;
use crate::pack::{Pack, PackBlueprint, PackItem, PackItemType, label};
use crate::text::{check_xml, xml, xml_string};

/// Which QTI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    V3,
    V21,
}

/// The element and attribute names of one version.
struct Vocabulary {
    format: &'static str,
    item_ns: &'static str,
    item_xsd: &'static str,
    manifest_ns: &'static str,
    manifest_xsd: &'static str,
    schema: &'static str,
    schema_version: &'static str,
    item_type: &'static str,
    test_type: &'static str,
    item: &'static str,
    test: &'static str,
    response_declaration: &'static str,
    correct_response: &'static str,
    value: &'static str,
    outcome_declaration: &'static str,
    default_value: &'static str,
    item_body: &'static str,
    choice_interaction: &'static str,
    simple_choice: &'static str,
    response_processing: &'static str,
    match_correct: &'static str,
    test_part: &'static str,
    section: &'static str,
    selection: &'static str,
    item_ref: &'static str,
    base_type: &'static str,
    time_dependent: &'static str,
    response_identifier: &'static str,
    max_choices: &'static str,
    navigation_mode: &'static str,
    submission_mode: &'static str,
    response_condition: &'static str,
    response_if: &'static str,
    response_else: &'static str,
    match_: &'static str,
    variable: &'static str,
    correct: &'static str,
    set_outcome_value: &'static str,
    base_value: &'static str,
    multiple: &'static str,
    modal_feedback: &'static str,
    outcome_identifier: &'static str,
    show_hide: &'static str,
    /// The wrapper of modal feedback content, which QTI 3.0 added.
    content_body: Option<&'static str>,
}

const V3: Vocabulary = Vocabulary {
    format: "qti3",
    item_ns: "http://www.imsglobal.org/xsd/imsqtiasi_v3p0",
    item_xsd: "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd",
    manifest_ns: "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1",
    manifest_xsd: "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd",
    schema: "QTI Package",
    schema_version: "3.0.0",
    item_type: "imsqti_item_xmlv3p0",
    test_type: "imsqti_test_xmlv3p0",
    item: "qti-assessment-item",
    test: "qti-assessment-test",
    response_declaration: "qti-response-declaration",
    correct_response: "qti-correct-response",
    value: "qti-value",
    outcome_declaration: "qti-outcome-declaration",
    default_value: "qti-default-value",
    item_body: "qti-item-body",
    choice_interaction: "qti-choice-interaction",
    simple_choice: "qti-simple-choice",
    response_processing: "qti-response-processing",
    match_correct: "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml",
    test_part: "qti-test-part",
    section: "qti-assessment-section",
    selection: "qti-selection",
    item_ref: "qti-assessment-item-ref",
    base_type: "base-type",
    time_dependent: "time-dependent",
    response_identifier: "response-identifier",
    max_choices: "max-choices",
    navigation_mode: "navigation-mode",
    submission_mode: "submission-mode",
    response_condition: "qti-response-condition",
    response_if: "qti-response-if",
    response_else: "qti-response-else",
    match_: "qti-match",
    variable: "qti-variable",
    correct: "qti-correct",
    set_outcome_value: "qti-set-outcome-value",
    base_value: "qti-base-value",
    multiple: "qti-multiple",
    modal_feedback: "qti-modal-feedback",
    outcome_identifier: "outcome-identifier",
    show_hide: "show-hide",
    content_body: Some("qti-content-body"),
};

const V21: Vocabulary = Vocabulary {
    format: "qti21",
    item_ns: "http://www.imsglobal.org/xsd/imsqti_v2p1",
    item_xsd: "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd",
    manifest_ns: "http://www.imsglobal.org/xsd/imscp_v1p1",
    manifest_xsd: "http://www.imsglobal.org/xsd/imscp_v1p1.xsd",
    schema: "QTIv2.1 Package",
    schema_version: "1.0.0",
    item_type: "imsqti_item_xmlv2p1",
    test_type: "imsqti_test_xmlv2p1",
    item: "assessmentItem",
    test: "assessmentTest",
    response_declaration: "responseDeclaration",
    correct_response: "correctResponse",
    value: "value",
    outcome_declaration: "outcomeDeclaration",
    default_value: "defaultValue",
    item_body: "itemBody",
    choice_interaction: "choiceInteraction",
    simple_choice: "simpleChoice",
    response_processing: "responseProcessing",
    match_correct: "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct",
    test_part: "testPart",
    section: "assessmentSection",
    selection: "selection",
    item_ref: "assessmentItemRef",
    base_type: "baseType",
    time_dependent: "timeDependent",
    response_identifier: "responseIdentifier",
    max_choices: "maxChoices",
    navigation_mode: "navigationMode",
    submission_mode: "submissionMode",
    response_condition: "responseCondition",
    response_if: "responseIf",
    response_else: "responseElse",
    match_: "match",
    variable: "variable",
    correct: "correct",
    set_outcome_value: "setOutcomeValue",
    base_value: "baseValue",
    multiple: "multiple",
    modal_feedback: "modalFeedback",
    outcome_identifier: "outcomeIdentifier",
    show_hide: "showHide",
    content_body: None,
};

/// A QTI identifier for `id`: letters, digits, `-`, `_` and `.`, starting with a letter or `_`.
fn identifier(prefix: &str, id: &str) -> String {
    let clean: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if prefix.is_empty() && clean.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        clean
    } else {
        format!("{prefix}{clean}")
    }
}

/// Writes `pack` as a QTI content package; returns its members, compressed, which the caller
/// zips with the manifest.
pub(crate) fn write(pack: &Pack, version: Version) -> Result<Compressed, ExportError> {
    let v = match version {
        Version::V3 => &V3,
        Version::V21 => &V21,
    };
    check_xml(pack, v.format)?;
    let mut seen = BTreeSet::new();
    for item in &pack.items {
        if !seen.insert(identifier("I_", &item.id)) {
            return Err(ExportError::Unrepresentable {
                item: item.id.clone(),
                field: "`id`".to_owned(),
                format: v.format,
                reason: "gives the same QTI identifier as another item".to_owned(),
            });
        }
    }
    // Each exam's test is a member named by its identifier.
    let mut tests = BTreeMap::new();
    let mut previous = None;
    for item in &pack.items {
        let exam = item.exam.as_str();
        if previous.replace(exam) == Some(exam) {
            continue;
        }
        let first = *tests.entry(identifier("T_", exam)).or_insert(exam);
        if first != exam {
            return Err(ExportError::Unrepresentable {
                item: item.id.clone(),
                field: "`exam`".to_owned(),
                format: v.format,
                reason: format!("gives the same QTI test identifier as the exam `{first}`"),
            });
        }
    }
    let mut compressed = Compressed::default();
    // The tests and the manifest are one document each, built and compressed while the items
    // are.
    let (items, files) = rayon::join(
        || {
            compressed.add_each(&pack.items, |item, out| {
                let ident = identifier("I_", &item.id);
                item_xml(out, v, item, &ident, pack.meta.keys);
                format!("items/{ident}.xml")
            })
        },
        || {
            let mut files = Compressed::default();
            files.add_files(package_files(v, pack)).map(|()| files)
        },
    );
    items?;
    compressed.append(files?);
    Ok(compressed)
}

/// The members of the package beside the items: a test per exam, the media, the manifest.
fn package_files(v: &Vocabulary, pack: &Pack) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut tests = Vec::new();
    let mut exams: Vec<&str> = pack.items.iter().map(|i| i.exam.as_str()).collect();
    exams.dedup();
    for exam in exams {
        let ident = identifier("T_", exam);
        files.push((
            format!("tests/{ident}.xml"),
            test_xml(v, pack, exam, &ident).into_bytes(),
        ));
        tests.push((exam, ident));
    }
    for (path, bytes) in &pack.media {
        files.push((format!("media/{path}"), bytes.clone()));
    }
    files.push((
        "imsmanifest.xml".to_owned(),
        manifest_xml(v, pack, &tests).into_bytes(),
    ));
    files
}

fn header(out: &mut String, root: &str, ns: &str, xsd: &str) {
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"{ns}\"\n    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n    xsi:schemaLocation=\"{ns} {xsd}\""
    );
}

/// Writes the item's XML into `out`.
fn item_xml(out: &mut String, v: &Vocabulary, item: &PackItem, ident: &str, keys: bool) {
    header(out, v.item, v.item_ns, v.item_xsd);
    let _ = writeln!(
        out,
        "\n    identifier=\"{ident}\" title=\"{}\"\n    adaptive=\"false\" {}=\"false\" xml:lang=\"en\">",
        xml_string(&item.id),
        v.time_dependent
    );
    let multiple = item.item_type == PackItemType::Multiple;
    let cardinality = if multiple { "multiple" } else { "single" };
    let _ = writeln!(
        out,
        "  <{} identifier=\"RESPONSE\" cardinality=\"{cardinality}\" {}=\"identifier\">",
        v.response_declaration, v.base_type
    );
    if keys {
        let _ = writeln!(out, "    <{}>", v.correct_response);
        for key in item.key_indices() {
            let _ = writeln!(out, "      <{0}>{1}</{0}>", v.value, label(key));
        }
        let _ = writeln!(out, "    </{}>", v.correct_response);
    }
    let _ = writeln!(out, "  </{}>", v.response_declaration);
    let _ = writeln!(
        out,
        "  <{0} identifier=\"SCORE\" cardinality=\"single\" {1}=\"float\">\n    <{2}>\n      <{3}>0</{3}>\n    </{2}>\n  </{0}>",
        v.outcome_declaration, v.base_type, v.default_value, v.value
    );
    let feedback = if keys { feedback(item) } else { Vec::new() };
    if !feedback.is_empty() {
        let _ = writeln!(
            out,
            "  <{} identifier=\"FEEDBACK\" cardinality=\"multiple\" {}=\"identifier\"/>",
            v.outcome_declaration, v.base_type
        );
    }
    let _ = writeln!(out, "  <{}>", v.item_body);
    out.push_str("    ");
    paragraph(&item.stem, out);
    for exhibit in &item.exhibits {
        out.push_str("    <p><img src=\"../media/");
        xml(&exhibit.file, out);
        out.push_str("\" alt=\"");
        xml(&exhibit.alt, out);
        out.push_str("\"/></p>\n");
    }
    let max = u8::from(!multiple);
    let _ = writeln!(
        out,
        "    <{} {}=\"RESPONSE\" shuffle=\"{}\" {}=\"{max}\">",
        v.choice_interaction, v.response_identifier, item.shuffle, v.max_choices
    );
    for (i, option) in item.options.iter().enumerate() {
        let fixed = if option.fixed { " fixed=\"true\"" } else { "" };
        let _ = write!(
            out,
            "      <{} identifier=\"{}\"{fixed}>",
            v.simple_choice,
            label(i)
        );
        xml(&option.text, out);
        let _ = writeln!(out, "</{}>", v.simple_choice);
    }
    let _ = writeln!(out, "    </{}>", v.choice_interaction);
    let _ = writeln!(out, "  </{}>", v.item_body);
    if keys && feedback.is_empty() {
        let _ = writeln!(
            out,
            "  <{} template=\"{}\"/>",
            v.response_processing, v.match_correct
        );
    } else if keys {
        response_processing_with_feedback(v, out);
    }
    for (identifier, title, text) in &feedback {
        let title = title.map(|t| format!(" title=\"{t}\"")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  <{} {}=\"FEEDBACK\" {}=\"show\" identifier=\"{identifier}\"{title}>",
            v.modal_feedback, v.outcome_identifier, v.show_hide
        );
        let margin = match v.content_body {
            Some(body) => {
                let _ = writeln!(out, "    <{body}>");
                "      "
            }
            None => "    ",
        };
        out.push_str(margin);
        paragraph(text, out);
        if let Some(body) = v.content_body {
            let _ = writeln!(out, "    </{body}>");
        }
        let _ = writeln!(out, "  </{}>", v.modal_feedback);
    }
    let _ = writeln!(out, "</{}>", v.item);
}

/// Plain text as one `<p>` whose line breaks are `<br/>`, and a line feed.
fn paragraph(text: &str, out: &mut String) {
    out.push_str("<p>");
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<br/>");
        }
        xml(line, out);
    }
    out.push_str("</p>\n");
}

/// The modal feedback of an item, in order: each option's feedback, shown when the candidate
/// chose that option (identified by the option's own identifier), then the rationale, shown
/// after every attempt. Empty texts are left out.
fn feedback(item: &PackItem) -> Vec<(String, Option<&'static str>, &str)> {
    let mut out: Vec<(String, Option<&'static str>, &str)> = item
        .options
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            let text = o.feedback.as_deref().filter(|f| !f.is_empty())?;
            Some((label(i), None, text))
        })
        .collect();
    if let Some(rationale) = item.rationale.as_deref().filter(|r| !r.is_empty()) {
        out.push((RATIONALE.to_owned(), Some("Rationale"), rationale));
    }
    out
}

/// The identifier of the rationale's modal feedback; option identifiers are letters only, so
/// never this.
const RATIONALE: &str = "RATIONALE";

/// The standard `match_correct` processing written out, followed by the rule that shows the
/// feedback. A `template` cannot be combined with rules of the item's own (QTI gives the
/// item's rules precedence, and a processor may use either), so an item with feedback carries
/// the template's rules inline: SCORE is 1 when the response matches the correct response and
/// 0 otherwise; FEEDBACK holds `RATIONALE` and the identifiers of the chosen options.
fn response_processing_with_feedback(v: &Vocabulary, out: &mut String) {
    let set_score = |out: &mut String, value: u8| {
        let _ = writeln!(
            out,
            "        <{0} identifier=\"SCORE\">\n          <{1} {2}=\"float\">{value}</{1}>\n        </{0}>",
            v.set_outcome_value, v.base_value, v.base_type
        );
    };
    let _ = writeln!(
        out,
        "  <{}>\n    <{}>\n      <{}>\n        <{}>\n          <{} identifier=\"RESPONSE\"/>\n          <{} identifier=\"RESPONSE\"/>\n        </{}>",
        v.response_processing,
        v.response_condition,
        v.response_if,
        v.match_,
        v.variable,
        v.correct,
        v.match_
    );
    set_score(out, 1);
    let _ = writeln!(
        out,
        "      </{}>\n      <{}>",
        v.response_if, v.response_else
    );
    set_score(out, 0);
    let _ = writeln!(
        out,
        "      </{}>\n    </{}>",
        v.response_else, v.response_condition
    );
    let _ = writeln!(
        out,
        "    <{0} identifier=\"FEEDBACK\">\n      <{1}>\n        <{2} {3}=\"identifier\">{RATIONALE}</{2}>\n        <{4} identifier=\"RESPONSE\"/>\n      </{1}>\n    </{0}>\n  </{5}>",
        v.set_outcome_value,
        v.multiple,
        v.base_value,
        v.base_type,
        v.variable,
        v.response_processing
    );
}

fn test_xml(v: &Vocabulary, pack: &Pack, exam: &str, ident: &str) -> String {
    let mut out = String::with_capacity(4096);
    header(&mut out, v.test, v.item_ns, v.item_xsd);
    let blueprint = pack.blueprint_of(exam);
    let title = blueprint.map_or(exam, |b| b.title.as_str());
    let _ = writeln!(
        out,
        "\n    identifier=\"{ident}\" title=\"{}\">",
        xml_string(title)
    );
    let _ = writeln!(
        out,
        "  <{} identifier=\"P1\" {}=\"nonlinear\" {}=\"simultaneous\">",
        v.test_part, v.navigation_mode, v.submission_mode
    );
    let groups: Vec<_> = pack
        .groups()
        .into_iter()
        .filter(|(e, _, _)| *e == exam)
        .collect();
    let quotas = blueprint.map(form_quotas).unwrap_or_default();
    for (n, (_, domain, items)) in groups.iter().enumerate() {
        let _ = writeln!(
            out,
            "    <{} identifier=\"S{}\" title=\"{}\" visible=\"true\">",
            v.section,
            n + 1,
            xml_string(&pack.domain_title(exam, domain))
        );
        let share = quotas
            .iter()
            .find(|(id, _)| id == domain)
            .map_or(0, |(_, q)| u64::from(*q));
        let select = share.min(items.len() as u64);
        if select > 0 && select < items.len() as u64 {
            let _ = writeln!(out, "      <{} select=\"{select}\"/>", v.selection);
        }
        for item in *items {
            let id = identifier("I_", &item.id);
            let _ = writeln!(
                out,
                "      <{} identifier=\"{id}\" href=\"../items/{id}.xml\"/>",
                v.item_ref
            );
        }
        let _ = writeln!(out, "    </{}>", v.section);
    }
    let _ = writeln!(out, "  </{}>\n</{}>", v.test_part, v.test);
    out
}

/// Each domain's quota on one form of `blueprint`, by the largest-remainder method over all
/// of its domains (as `qbank assemble` fills a form), whether or not the pack has items there.
fn form_quotas(blueprint: &PackBlueprint) -> Vec<(&str, u32)> {
    let weights: Vec<(&str, Decimal)> = blueprint
        .domains
        .iter()
        .map(|d| {
            let billionths = i64::try_from(d.billionths).unwrap_or(i64::MAX);
            (d.id.as_str(), Decimal { billionths })
        })
        .collect();
    let length = u32::try_from(blueprint.form_length.max(0)).unwrap_or(u32::MAX);
    let quotas = largest_remainder(&weights, length);
    weights.iter().map(|(id, _)| *id).zip(quotas).collect()
}

fn manifest_xml(v: &Vocabulary, pack: &Pack, tests: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(pack.items.len() * 256 + 1024);
    header(&mut out, "manifest", v.manifest_ns, v.manifest_xsd);
    let _ = writeln!(
        out,
        "\n    identifier=\"MANIFEST-{}\">\n  <metadata>\n    <schema>{}</schema>\n    <schemaversion>{}</schemaversion>\n  </metadata>\n  <organizations/>\n  <resources>",
        identifier("", &pack.meta.profile),
        v.schema,
        v.schema_version
    );
    let media: Vec<(&String, String)> = pack
        .media
        .keys()
        .enumerate()
        .map(|(i, path)| (path, format!("M{}", i + 1)))
        .collect();
    for (exam, ident) in tests {
        let _ = writeln!(
            out,
            "    <resource identifier=\"R_{ident}\" type=\"{}\" href=\"tests/{ident}.xml\">\n      <file href=\"tests/{ident}.xml\"/>",
            v.test_type
        );
        for item in pack.items.iter().filter(|i| i.exam == *exam) {
            let _ = writeln!(
                out,
                "      <dependency identifierref=\"R_{}\"/>",
                identifier("I_", &item.id)
            );
        }
        out.push_str("    </resource>\n");
    }
    for item in &pack.items {
        let id = identifier("I_", &item.id);
        let _ = writeln!(
            out,
            "    <resource identifier=\"R_{id}\" type=\"{}\" href=\"items/{id}.xml\">\n      <file href=\"items/{id}.xml\"/>",
            v.item_type
        );
        for exhibit in &item.exhibits {
            if let Some((_, m)) = media.iter().find(|(p, _)| **p == exhibit.file) {
                let _ = writeln!(out, "      <dependency identifierref=\"{m}\"/>");
            }
        }
        out.push_str("    </resource>\n");
    }
    for (path, m) in &media {
        let href = xml_string(&format!("media/{path}"));
        let _ = writeln!(
            out,
            "    <resource identifier=\"{m}\" type=\"webcontent\" href=\"{href}\">\n      <file href=\"{href}\"/>\n    </resource>"
        );
    }
    out.push_str("  </resources>\n</manifest>\n");
    out
}
