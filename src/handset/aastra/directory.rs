//! The Aastra/Mitel company directory file, `<MAC>-directory.csv`, named to the phone by
//! `directory 1` in its `<MAC>.cfg`.
//!
//! Format (Aastra SIP IP Phone Administrator Guide 41-001343-02, "Directory List"): one entry
//! per line, `name, number` (an optional third field is the line), `#` starts a comment, a name
//! with a comma is quoted. A line is at most 255 characters, a name at most 15 characters on
//! every phone but the 6867i (which cuts long names itself), a number (URI) at most 45. At boot
//! the phone reads the file, adds its entries as the server's, removes the server's entries no
//! longer in it, and never touches entries made on the phone; it keeps at most 200.

use std::io::Write;

/// The ending of a phone's directory file after its MAC.
pub const FILE_SUFFIX: &str = "-directory.csv";
/// The parameter of `<MAC>.cfg` that names the directory file.
pub const FILE_PARAMETER: &str = "directory 1";

/// A phone's directory file, `<MAC>-directory.csv`.
pub fn file_name(mac: &crate::domain::Mac) -> String {
    format!("{}{FILE_SUFFIX}", mac.aastra_name())
}

/// Whether the phone shows names of any length: a 6867i cuts long names itself (Aastra guide
/// 41-001343-02, "Directory List Limitations").
pub fn shows_whole_names(phone: &crate::domain::Phone) -> bool {
    phone.model.as_deref() == Some("6867i")
}

/// Longest name on phones other than the 6867i.
pub const MAX_NAME_CHARS: usize = 15;
/// Longest number.
pub const MAX_NUMBER_CHARS: usize = 45;
/// Most entries a phone keeps.
pub const MAX_ENTRIES: usize = 200;

/// One company contact.
#[derive(Debug, Clone, Copy)]
pub struct Contact<'a> {
    /// The user's name.
    pub name: &'a str,
    /// The number dialled.
    pub number: &'a str,
}

/// A name as one field: control characters and quotes dropped, cut to `max` characters, quoted
/// when it holds a comma.
fn name_field(name: &str, max: Option<usize>) -> String {
    let clean: String = name
        .trim()
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '#')
        .take(max.unwrap_or(usize::MAX))
        .collect();
    let clean = clean.trim();
    if clean.contains(',') {
        format!("\"{clean}\"")
    } else {
        clean.to_string()
    }
}

/// Writes the directory of `contacts`; `max_name` is the longest name the model shows whole
/// (`None` for the 6867i).
pub fn write<'a, W: Write>(
    contacts: impl IntoIterator<Item = Contact<'a>>,
    max_name: Option<usize>,
    mut out: W,
) -> std::io::Result<W> {
    writeln!(out, "# Company directory. Rendered by phoneprov.")?;
    for contact in contacts {
        let number: String = contact
            .number
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '+' | '.' | '@'))
            .take(MAX_NUMBER_CHARS)
            .collect();
        writeln!(out, "{}, {number}", name_field(contact.name, max_name))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_contact_names_cut_and_quoted() {
        let contacts = [
            Contact {
                name: "Alice Johnson",
                number: "201",
            },
            Contact {
                name: "Smith, John\nsip line1 password: x",
                number: "202",
            },
        ];
        let text =
            String::from_utf8(write(contacts, Some(MAX_NAME_CHARS), Vec::new()).unwrap()).unwrap();
        assert_eq!(
            text,
            "# Company directory. Rendered by phoneprov.\nAlice Johnson, 201\n\"Smith, Johnsip\", 202\n"
        );
    }
}
