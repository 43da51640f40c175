//! Escaping per output format, applied by Tera to every value a template prints.
//!
//! - XML (Polycom): `& < > " '` become entities, and characters XML 1.0 cannot hold (controls,
//!   U+FFFE, U+FFFF) are dropped, as are line breaks: every value is an attribute.
//! - `key: value` lines (Aastra/Mitel): control characters, CR, LF and the Unicode line separators are
//!   dropped, so no value can start a line (and inject a key) of its own.

use std::io::{self, Write};

use crate::domain::is_forbidden_char;

fn dropped_from_xml(c: char) -> bool {
    is_forbidden_char(c) || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// XML attribute escaping.
pub fn escape_xml(input: &str, out: &mut dyn Write) -> io::Result<()> {
    let mut start = 0;
    for (index, c) in input.char_indices() {
        let replacement: Option<&[u8]> = match c {
            '&' => Some(b"&amp;"),
            '<' => Some(b"&lt;"),
            '>' => Some(b"&gt;"),
            '"' => Some(b"&quot;"),
            '\'' => Some(b"&apos;"),
            c if dropped_from_xml(c) => Some(b""),
            _ => None,
        };
        if let Some(replacement) = replacement {
            out.write_all(&input.as_bytes()[start..index])?;
            out.write_all(replacement)?;
            start = index + c.len_utf8();
        }
    }
    out.write_all(&input.as_bytes()[start..])
}

/// Escaping of a value that is the rest of one line (`key: value` for Aastra/Mitel, `key = value`
/// for Yealink): everything but forbidden characters (line breaks, controls) passes.
pub fn escape_colon_lines(input: &str, out: &mut dyn Write) -> io::Result<()> {
    let mut start = 0;
    for (index, c) in input.char_indices() {
        if is_forbidden_char(c) {
            out.write_all(&input.as_bytes()[start..index])?;
            start = index + c.len_utf8();
        }
    }
    out.write_all(&input.as_bytes()[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: fn(&str, &mut dyn Write) -> io::Result<()>, input: &str) -> String {
        let mut out = Vec::new();
        f(input, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn xml_escapes_markup_and_drops_controls() {
        assert_eq!(
            run(escape_xml, "O'Brien & \"Sons\" <Sales>"),
            "O&apos;Brien &amp; &quot;Sons&quot; &lt;Sales&gt;"
        );
        assert_eq!(run(escape_xml, "a\u{1}b\nc\u{FFFE}"), "abc");
        assert_eq!(run(escape_xml, "Zoë Ångström"), "Zoë Ångström");
    }

    #[test]
    fn aastra_drops_line_breaks_and_controls_only() {
        assert_eq!(
            run(escape_colon_lines, "Eve\r\nsip line1 password: x\u{2028}"),
            "Evesip line1 password: x"
        );
        assert_eq!(
            run(escape_colon_lines, "O'Brien & <Sales>"),
            "O'Brien & <Sales>"
        );
    }
}
