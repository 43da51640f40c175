//! Polycom's contact directory, `<mac>-directory.xml`: written as a stream with quick-xml (one
//! `<item>` per contact, nothing held but the output), and merged with the directory a phone
//! uploaded (the contacts its user added on the handset) without losing one of them.
//!
//! Format (SIP 1.4 administrator guide 3.1.16.1 "Local Contact Directory File Format"; SIP 3.1
//! guide 4-10; UC Software 4.1.6 Expansion Module addendum): `<directory><item_list><item>` with
//! `<fn>` first name, `<ln>` last name (UTF-8, up to 40 bytes each), `<ct>` contact (the number
//! dialled) and optional `<sd>` speed dial, `<lb>` label, `<pt>`, `<rt>`, `<dc>`, `<ad>`, `<ar>`,
//! `<bw>`, `<bb>`. At boot the phone's copy is replaced by the server's `<mac>-directory.xml`
//! when there is one; a change on the handset is uploaded back under that name.

use std::io::Write;

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::handset::xml_writing::element;

/// The ending of a phone's directory file after its MAC (also the name it uploads it under).
pub const FILE_SUFFIX: &str = "-directory.xml";

/// Longest first or last name, in bytes (the guide: "UTF-8 encoded string of up to 40 bytes").
pub const MAX_NAME_BYTES: usize = 40;

/// One company contact.
#[derive(Debug, Clone, Copy)]
pub struct Contact<'a> {
    /// The user's name, as the extension has it.
    pub name: &'a str,
    /// The number dialled.
    pub number: &'a str,
}

/// Why an uploaded directory cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// Not well-formed XML.
    #[error("the uploaded directory is not well-formed XML: {0}")]
    Xml(#[from] quick_xml::Error),
    /// Writing failed (only into memory: cannot happen in practice).
    #[error("cannot write the directory: {0}")]
    Write(#[from] std::io::Error),
    /// Our own directory lacks its closing `</item_list>`.
    #[error("the company directory has no item list")]
    NoItemList,
}

/// `text` cut to at most `max` bytes on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// First and last name of a display name: the last word is the last name ("Alice Johnson");
/// a single word is a first name.
fn split_name(name: &str) -> (&str, &str) {
    let name = name.trim();
    match name.rsplit_once(' ') {
        Some((first, last)) => (first.trim_end(), last),
        None => (name, ""),
    }
}

/// Writes the directory of `contacts` into `out`, one item per contact.
pub fn write<'a, W: Write>(
    contacts: impl IntoIterator<Item = Contact<'a>>,
    out: W,
) -> std::io::Result<W> {
    let mut writer = Writer::new_with_indent(out, b' ', 1);
    writer.write_event(Event::Decl(BytesDecl::new(
        "1.0",
        Some("UTF-8"),
        Some("yes"),
    )))?;
    writer.write_event(Event::Start(BytesStart::new("directory")))?;
    writer.write_event(Event::Start(BytesStart::new("item_list")))?;
    for contact in contacts {
        let (first, last) = split_name(contact.name);
        writer.write_event(Event::Start(BytesStart::new("item")))?;
        element(&mut writer, "fn", cut(first, MAX_NAME_BYTES))?;
        element(&mut writer, "ln", cut(last, MAX_NAME_BYTES))?;
        element(&mut writer, "ct", contact.number)?;
        writer.write_event(Event::End(BytesEnd::new("item")))?;
    }
    writer.write_event(Event::End(BytesEnd::new("item_list")))?;
    writer.write_event(Event::End(BytesEnd::new("directory")))?;
    let mut out = writer.into_inner();
    out.write_all(b"\n")?;
    Ok(out)
}

/// The text of a reference inside an element (`&amp;`, `&#49;`), for reading a contact number.
fn reference_text(reference: &quick_xml::events::BytesRef<'_>) -> String {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return c.to_string();
    }
    match reference.xml10_content().as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
    .to_string()
}

/// A speed dial of the phone: a directory entry with a speed-dial index, shown on a free key.
#[derive(Debug, Clone, Copy)]
pub struct SpeedDial<'a> {
    /// The speed-dial index, 1 to 40.
    pub index: u16,
    /// The number dialled.
    pub number: &'a str,
    /// What the key shows (empty: the number).
    pub label: &'a str,
}

/// The company directory `company` (as [`write`] made it), then the phone's speed dials, then
/// every contact of the phone's upload `uploaded` that is not ours (`is_ours` of its `<ct>`: a
/// company contact or a speed dial): the user's own contacts are kept as they were uploaded, the
/// company's and the speed dials come fresh from the data (a renamed extension shows its new
/// name).
pub fn merge(
    company: &str,
    speed_dials: &[SpeedDial<'_>],
    uploaded: Option<&[u8]>,
    is_ours: impl Fn(&str) -> bool,
) -> Result<Vec<u8>, DirectoryError> {
    let close = company
        .rfind("</item_list>")
        .ok_or(DirectoryError::NoItemList)?;
    let uploaded = uploaded.unwrap_or_default();
    // Room for the user's items as they came, and the line breaks put before each.
    let mut out =
        Vec::with_capacity(company.len() + uploaded.len() * 2 + speed_dials.len() * 128 + 64);
    out.extend_from_slice(&company.as_bytes()[..close]);
    let mut writer = Writer::new_with_indent(out, b' ', 1);
    for dial in speed_dials {
        writer.write_event(Event::Start(BytesStart::new("item")))?;
        let label = if dial.label.is_empty() {
            dial.number
        } else {
            dial.label
        };
        element(&mut writer, "fn", cut(label, MAX_NAME_BYTES))?;
        element(&mut writer, "ct", dial.number)?;
        element(&mut writer, "sd", &dial.index.to_string())?;
        writer.write_event(Event::End(BytesEnd::new("item")))?;
    }
    let out = writer.into_inner();
    let mut writer = Writer::new(out);
    if uploaded.is_empty() {
        let mut out = writer.into_inner();
        out.extend_from_slice(b"\n ");
        out.extend_from_slice(&company.as_bytes()[close..]);
        return Ok(out);
    }
    let mut reader = Reader::from_reader(uploaded);
    let mut buf = Vec::new();
    // The events of the item being read, its depth inside it, and its contact number.
    let mut item: Vec<Event<'static>> = Vec::new();
    let mut depth = 0usize;
    let mut in_contact = false;
    let mut contact = String::new();
    let mut open = 0usize;
    loop {
        let event = reader.read_event_into(&mut buf)?;
        let was_inside = depth > 0;
        match &event {
            Event::Eof => break,
            Event::Start(start) => {
                open += 1;
                if depth == 0 && start.name().as_ref() == "item" {
                    depth = 1;
                    contact.clear();
                } else if depth > 0 {
                    depth += 1;
                    in_contact = depth == 2 && start.name().as_ref() == "ct";
                }
            }
            Event::End(_) => {
                open = open.checked_sub(1).ok_or(DirectoryError::NoItemList)?;
                if depth > 0 {
                    depth -= 1;
                    in_contact = false;
                }
            }
            Event::Text(text) if in_contact => contact.push_str(&text.xml10_content()),
            Event::GeneralRef(reference) if in_contact => {
                contact.push_str(&reference_text(reference));
            }
            _ => {}
        }
        if was_inside || depth > 0 {
            item.push(event.into_owned());
        }
        if was_inside && depth == 0 {
            // An item ended: a user's contact is kept as it came.
            if !is_ours(contact.trim()) {
                writer.write_event(Event::Text(BytesText::new("\n  ")))?;
                for event in item.drain(..) {
                    writer.write_event(event)?;
                }
            }
            item.clear();
        }
        buf.clear();
    }
    if open != 0 {
        return Err(DirectoryError::Xml(quick_xml::Error::Syntax(
            quick_xml::errors::SyntaxError::UnclosedTag,
        )));
    }
    let mut out = writer.into_inner();
    out.extend_from_slice(b"\n ");
    out.extend_from_slice(&company.as_bytes()[close..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company() -> String {
        let contacts = [
            Contact {
                name: "Alice Johnson",
                number: "201",
            },
            Contact {
                name: "O'Brien & \"Sons\" <Sales>",
                number: "203",
            },
        ];
        String::from_utf8(write(contacts, Vec::new()).unwrap()).unwrap()
    }

    #[test]
    fn names_are_split_escaped_and_cut_to_forty_bytes() {
        let text = company();
        assert!(text.contains("<fn>Alice</fn>"), "{text}");
        assert!(text.contains("<ln>Johnson</ln>"), "{text}");
        assert!(text.contains("<ct>201</ct>"), "{text}");
        assert!(
            text.contains("<fn>O&apos;Brien &amp; &quot;Sons&quot;</fn>"),
            "{text}"
        );
        assert!(text.contains("<ln>&lt;Sales&gt;</ln>"), "{text}");
        let long = "é".repeat(30);
        assert_eq!(cut(&long, MAX_NAME_BYTES).len(), 40);
        assert_eq!(cut("abc", 40), "abc");
    }

    #[test]
    fn a_users_contacts_are_kept_and_the_companys_replaced() {
        let uploaded = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<directory><item_list>
<item><fn>Old</fn><ln>Name</ln><ct>201</ct><sd>1</sd></item>
<item><fn>Mum</fn><ln></ln><ct>0612345678</ct><sd>2</sd><rt>3</rt></item>
<item><fn>Pizza &amp; Co</fn><ct>5551234</ct></item>
</item_list></directory>"#;
        let dials = [SpeedDial {
            index: 4,
            number: "5550000",
            label: "Taxi",
        }];
        let ours = |ct: &str| ct == "201" || ct == "203" || ct == "5550000";
        let merged =
            String::from_utf8(merge(&company(), &dials, Some(uploaded), ours).unwrap()).unwrap();
        assert!(merged.contains("<fn>Taxi</fn>"), "{merged}");
        assert!(merged.contains("<sd>4</sd>"), "{merged}");
        assert!(!merged.contains("Old"), "{merged}");
        assert_eq!(merged.matches("<ct>201</ct>").count(), 1, "{merged}");
        assert!(
            merged.contains("<fn>Mum</fn><ln></ln><ct>0612345678</ct><sd>2</sd><rt>3</rt>"),
            "{merged}"
        );
        assert!(merged.contains("<fn>Pizza &amp; Co</fn>"), "{merged}");
        assert!(merged.trim_end().ends_with("</directory>"), "{merged}");
        for broken in [
            &b"<directory><item_list><item>"[..],
            b"<directory></item_list>",
        ] {
            assert!(merge(&company(), &[], Some(broken), |_| false).is_err());
        }
    }
}
