//! Yealink's remote phone book, `<mac>-phonebook.xml`: `<YealinkIPPhoneDirectory>` with one
//! `<DirectoryEntry>` (`<Name>`, `<Telephone>`) per contact, written as a stream with
//! quick-xml. A phone reads it from the URL its `remote_phonebook.data.N.url` names.

use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, Event};

use crate::handset::interface::Contact;
use crate::handset::xml_writing::element;

/// The ending of a phone's phone book after its MAC.
pub const FILE_SUFFIX: &str = "-phonebook.xml";

/// The name the phone shows for the company phone book.
pub const BOOK_NAME: &str = "Company";

/// The settings that point a phone at its phone book under phoneprov's web URL:
/// `remote_phonebook.data.1.url` and `.name` (none without the URL: a phone book needs an
/// absolute URL).
pub fn settings(mac: &crate::domain::Mac, web_url: Option<&str>) -> Vec<(String, String)> {
    let Some(web_url) = web_url else {
        return Vec::new();
    };
    vec![
        (
            "remote_phonebook.data.1.url".to_string(),
            format!("{web_url}{mac}{FILE_SUFFIX}"),
        ),
        (
            "remote_phonebook.data.1.name".to_string(),
            BOOK_NAME.to_string(),
        ),
    ]
}

/// Writes the phone book of `contacts` into `out`, one entry per contact.
pub fn write<W: Write>(contacts: &[Contact<'_>], out: W) -> std::io::Result<W> {
    let mut writer = Writer::new_with_indent(out, b' ', 1);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer.write_event(Event::Start(BytesStart::new("YealinkIPPhoneDirectory")))?;
    for contact in contacts {
        writer.write_event(Event::Start(BytesStart::new("DirectoryEntry")))?;
        element(&mut writer, "Name", contact.name)?;
        element(&mut writer, "Telephone", contact.number)?;
        writer.write_event(Event::End(BytesEnd::new("DirectoryEntry")))?;
    }
    writer.write_event(Event::End(BytesEnd::new("YealinkIPPhoneDirectory")))?;
    let mut out = writer.into_inner();
    out.write_all(b"\n")?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_escaped_and_the_file_is_well_formed() {
        let contacts = [
            Contact {
                name: "Alice & Bob <Sales>",
                number: "201",
            },
            Contact {
                name: "Zoë",
                number: "202",
            },
        ];
        let text = String::from_utf8(write(&contacts, Vec::new()).unwrap()).unwrap();
        assert!(
            text.contains("<Name>Alice &amp; Bob &lt;Sales&gt;</Name>"),
            "{text}"
        );
        assert!(text.contains("<Telephone>202</Telephone>"), "{text}");
        crate::render::xml_check::check(&text).unwrap();
    }
}
