//! A strict well-formedness check of rendered XML, on quick-xml's reader (the project's one XML
//! crate). quick-xml alone catches mismatched and unterminated tags, bad references' syntax and
//! duplicate attributes; this adds what a strict parser also refuses: characters XML 1.0 cannot
//! hold, names that are not XML names, `<` in an attribute value, undefined entities, text or
//! a second element outside the root, and elements left open at the end.

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

/// Why a document is not well-formed, with the byte position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {position}: {message}")]
pub struct XmlError {
    /// Byte offset in the document.
    pub position: u64,
    /// What is wrong.
    pub message: String,
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == ':'
}

fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(is_name_start)
        && chars
            .all(|c| is_name_start(c) || c.is_alphanumeric() || matches!(c, '-' | '.' | '\u{B7}'))
}

fn reference_ok(reference: &BytesRef<'_>) -> bool {
    if reference.is_char_ref() {
        return matches!(reference.resolve_char_ref(), Ok(Some(c)) if is_xml_char(c));
    }
    matches!(
        reference.xml10_content().as_ref(),
        "amp" | "lt" | "gt" | "quot" | "apos"
    )
}

fn check_start(start: &BytesStart<'_>) -> Result<(), String> {
    let name = start.name();
    let name = String::from_utf8_lossy(name.as_ref().as_bytes());
    if !is_name(&name) {
        return Err(format!("{name:?} is not an element name"));
    }
    for attribute in start.attributes().with_checks(true) {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let key = String::from_utf8_lossy(attribute.key.as_ref().as_bytes()).into_owned();
        if !is_name(&key) {
            return Err(format!("{key:?} is not an attribute name"));
        }
        if attribute.value.contains('<') {
            return Err(format!("the value of {key} holds '<'"));
        }
        attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("the value of {key}: {e}"))?;
    }
    Ok(())
}

/// Checks that `document` is well-formed XML 1.0.
pub fn check(document: &str) -> Result<(), XmlError> {
    let at = |position: u64, message: String| XmlError { position, message };
    if let Some((index, c)) = document.char_indices().find(|(_, c)| !is_xml_char(*c)) {
        return Err(at(
            index as u64,
            format!("U+{:04X} is not allowed in XML", c as u32),
        ));
    }
    let mut reader = Reader::from_str(document);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.allow_unmatched_ends = false;
    let mut open = 0usize;
    let mut roots = 0usize;
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| at(reader.error_position(), e.to_string()))?;
        let outside = open == 0;
        match event {
            Event::Eof => break,
            Event::Start(_) | Event::Empty(_) if outside && roots > 0 => {
                return Err(at(position, "a second root element".into()));
            }
            Event::Start(start) => {
                check_start(&start).map_err(|m| at(position, m))?;
                open += 1;
                roots += usize::from(outside);
            }
            Event::Empty(start) => {
                check_start(&start).map_err(|m| at(position, m))?;
                roots += usize::from(outside);
            }
            Event::End(_) => open = open.saturating_sub(1),
            Event::Text(text) if outside && !text.xml10_content().trim().is_empty() => {
                return Err(at(position, "text outside the root element".into()));
            }
            Event::GeneralRef(_) | Event::CData(_) if outside => {
                return Err(at(position, "content outside the root element".into()));
            }
            Event::GeneralRef(reference) if !reference_ok(&reference) => {
                return Err(at(
                    position,
                    format!("&{}; is not a defined entity", reference.xml10_content()),
                ));
            }
            _ => {}
        }
    }
    if open > 0 {
        return Err(at(document.len() as u64, "an element is left open".into()));
    }
    if roots == 0 {
        return Err(at(0, "no root element".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_strict_parser_refuses_is_refused() {
        for bad in [
            "<a></b>",
            "<a>&amp</a>",
            r#"<a x="1" x="2"/>"#,
            r#"<a x="a<b"/>"#,
            "<a>\u{1}</a>",
            "<1a/>",
            "<a>",
            "<a/><b/>",
            "<a>&nbsp;</a>",
            "<a>&#0;</a>",
            "text<a/>",
            "",
            r#"<a x="&bogus;"/>"#,
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
        for good in [
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- c --><a x="&amp;&#49;&quot;">O&apos;Brien &lt;x&gt;<b/></a>
"#,
            r#"<polycomConfig><settings up.backlight.idleIntensity="1"/></polycomConfig>"#,
        ] {
            assert_eq!(check(good), Ok(()), "{good:?}");
        }
    }
}
