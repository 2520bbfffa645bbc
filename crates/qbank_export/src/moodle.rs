//! Moodle XML: a category per exam and domain, one `multichoice` question per item.
//!
//! Texts are `plain_text`, which Moodle shows as written (line breaks kept, no markup), so the
//! only escaping is XML's. Multiple-response credit is split with [`fraction`], which gives
//! only values from Moodle's list of grade options, written as Moodle writes them.

use crate::output::Output;
use std::fmt::Write as _;

use crate::ExportError;
use crate::pack::{Pack, PackItem, PackItemType, write_groups};
use crate::text::{check_xml, xml};

/// The fraction, in percent as Moodle writes it, that each of `keys` keys earns so that all
/// of them add up to 100; `None` when Moodle's list has no such value.
pub(crate) fn fraction(keys: usize) -> Option<&'static str> {
    Some(match keys {
        1 => "100",
        2 => "50",
        3 => "33.33333",
        4 => "25",
        5 => "20",
        6 => "16.66667",
        7 => "14.28571",
        8 => "12.5",
        9 => "11.11111",
        10 => "10",
        20 => "5",
        _ => return None,
    })
}

/// The fractions of an item's options: 100 and 0 for a single-response item; for a
/// multiple-response item the keys share 100 and each distractor takes away one key's share.
pub(crate) fn fractions(item: &PackItem, format: &'static str) -> Result<Vec<String>, ExportError> {
    let keys = item.key_indices();
    let share = match item.item_type {
        PackItemType::Single if keys.len() == 1 => "100",
        _ => fraction(keys.len()).ok_or_else(|| ExportError::Unrepresentable {
            item: item.id.clone(),
            field: "`options`".to_owned(),
            format,
            reason: format!(
                "has {} keys, which Moodle's list of fractions cannot split evenly",
                keys.len()
            ),
        })?,
    };
    let single = item.item_type == PackItemType::Single && keys.len() == 1;
    Ok(item
        .options
        .iter()
        .map(|o| match (o.correct == Some(true), single) {
            (true, _) => share.to_owned(),
            (false, true) => "0".to_owned(),
            (false, false) => format!("-{share}"),
        })
        .collect())
}

/// A Moodle category path: `/` inside a name is doubled, as Moodle reads it.
pub(crate) fn category(exam: &str, domain_title: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .replace('/', "//")
    };
    format!("$course$/top/{}/{}", clean(exam), clean(domain_title))
}

/// General feedback: the rationale, then the references.
pub(crate) fn general_feedback(item: &PackItem) -> String {
    let mut text = item.rationale.clone().unwrap_or_default();
    if !item.references.is_empty() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str("References:");
        for r in &item.references {
            text.push_str("\n- ");
            text.push_str(r);
        }
    }
    text
}

/// Writes `pack` as Moodle XML to `out`.
pub(crate) fn write(pack: &Pack, out: &mut Output) -> Result<(), ExportError> {
    if !pack.meta.keys {
        return Err(ExportError::KeysRequired("moodle"));
    }
    check_xml(pack, "moodle")?;
    let prelude = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n";
    let header = |exam: &str, domain: &str, out: &mut String| {
        out.push_str("  <question type=\"category\">\n    <category>\n      <text>");
        xml(&category(exam, &pack.domain_title(exam, domain)), out);
        out.push_str("</text>\n    </category>\n  </question>\n");
    };
    write_groups(pack, prelude, header, question, "</quiz>\n", out)
}

fn text_element(tag: &str, text: &str, indent: &str, out: &mut String) {
    let _ = write!(
        out,
        "{indent}<{tag} format=\"plain_text\">\n{indent}  <text>"
    );
    xml(text, out);
    let _ = writeln!(out, "</text>\n{indent}</{tag}>");
}

fn question(item: &PackItem, out: &mut String) -> Result<(), ExportError> {
    let fractions = fractions(item, "moodle")?;
    out.push_str("  <question type=\"multichoice\">\n    <name>\n      <text>");
    xml(&item.id, out);
    out.push_str("</text>\n    </name>\n");
    text_element("questiontext", &item.stem, "    ", out);
    text_element("generalfeedback", &general_feedback(item), "    ", out);
    out.push_str("    <defaultgrade>1.0000000</defaultgrade>\n    <penalty>0.3333333</penalty>\n    <hidden>0</hidden>\n    <idnumber>");
    xml(&item.id, out);
    out.push_str("</idnumber>\n");
    let single = item.item_type == PackItemType::Single;
    let _ = writeln!(out, "    <single>{single}</single>");
    let _ = writeln!(out, "    <shuffleanswers>{}</shuffleanswers>", item.shuffle);
    out.push_str("    <answernumbering>ABCD</answernumbering>\n    <showstandardinstruction>0</showstandardinstruction>\n");
    text_element("correctfeedback", "Your answer is correct.", "    ", out);
    text_element(
        "partiallycorrectfeedback",
        "Your answer is partially correct.",
        "    ",
        out,
    );
    text_element(
        "incorrectfeedback",
        "Your answer is incorrect.",
        "    ",
        out,
    );
    out.push_str("    <shownumcorrect/>\n");
    for (option, fraction) in item.options.iter().zip(&fractions) {
        let _ = writeln!(
            out,
            "    <answer fraction=\"{fraction}\" format=\"plain_text\">"
        );
        out.push_str("      <text>");
        xml(&option.text, out);
        out.push_str("</text>\n");
        text_element(
            "feedback",
            option.feedback.as_deref().unwrap_or(""),
            "      ",
            out,
        );
        out.push_str("    </answer>\n");
    }
    if !item.tags.is_empty() {
        out.push_str("    <tags>\n");
        for tag in &item.tags {
            out.push_str("      <tag><text>");
            xml(tag, out);
            out.push_str("</text></tag>\n");
        }
        out.push_str("    </tags>\n");
    }
    out.push_str("  </question>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_split_comes_from_moodles_list() {
        for keys in 1..=10 {
            let share: f64 = fraction(keys).unwrap().parse().unwrap();
            let total = share * keys as f64;
            assert!((total - 100.0).abs() < 0.001, "{keys}: {total}");
        }
        assert_eq!(fraction(11), None);
    }

    #[test]
    fn category_names_double_their_slashes() {
        assert_eq!(category("cism", "1 A/B"), "$course$/top/cism/1 A//B");
    }
}
