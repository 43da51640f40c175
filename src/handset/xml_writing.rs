//! Writing contacts as XML elements, for the vendors whose directory files are XML: text an
//! admin typed, with the characters XML 1.0 cannot hold dropped.

use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::BytesText;

/// Characters XML 1.0 cannot hold are dropped (a name is any text an admin typed).
fn xml_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(|c| !crate::domain::is_forbidden_char(c)) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(
            text.chars()
                .filter(|c| !crate::domain::is_forbidden_char(*c))
                .collect(),
        )
    }
}

/// `<name>text</name>`, the text escaped.
pub(crate) fn element<W: Write>(
    writer: &mut Writer<W>,
    name: &str,
    text: &str,
) -> std::io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(BytesText::new(&xml_text(text)))?;
    Ok(())
}
