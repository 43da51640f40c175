//! What makes the CSV readers forgiving and their errors helpful, shared by every CSV the admin
//! loads (extensions and phones, settings, keys): the file's separator (a spreadsheet in a
//! European locale saves `;`, some save tabs), a "did you mean" for a column name a
//! spreadsheet user would write (`Name`, `MAC Address`) and the plainest of those read as the
//! column they name, the hint for a MAC address a spreadsheet turned into a number
//! (`4.15123E+11`), and the error for a workbook uploaded instead of its CSV.

use crate::import::RowError;

/// The bytes of a file after its UTF-8 byte-order mark, if any.
pub(super) fn without_bom(input: &[u8]) -> &[u8] {
    input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input)
}

/// Numbers the lines records start on from the file's own bytes: a line ends at `\n`, or at a
/// `\r` not followed by one, so a file a spreadsheet saved with `\r\n` is numbered as the
/// spreadsheet numbers its rows. Positions must be asked for in file order.
pub(super) struct Lines<'a> {
    text: &'a [u8],
    byte: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    /// The lines of `input` (as [`csv_reader`] reads it: without its byte order mark).
    fn of(input: &'a [u8]) -> Lines<'a> {
        Lines {
            text: without_bom(input),
            byte: 0,
            line: 1,
        }
    }

    /// The line of the record starting at `position`, blank lines before it skipped (the last
    /// line asked for when there is none).
    pub(super) fn at(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return self.line;
        };
        let mut byte = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        // A record starts after the blank lines the reader skipped before it.
        while matches!(self.text.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        if byte > self.byte {
            let ends = self.text[self.byte..byte]
                .iter()
                .enumerate()
                .filter(|&(i, b)| {
                    *b == b'\n' || (*b == b'\r' && self.text.get(self.byte + i + 1) != Some(&b'\n'))
                })
                .count();
            self.line += u64::try_from(ends).unwrap_or(u64::MAX);
            self.byte = byte;
        }
        self.line
    }
}

/// The field separator of a file, from its header line: `,` unless the header has no comma
/// and has semicolons (then `;`) or tabs (then a tab).
pub(super) fn separator_of(input: &[u8]) -> u8 {
    let header = input.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |wanted: u8| header.iter().filter(|b| **b == wanted).count();
    match (count(b','), count(b';'), count(b'\t')) {
        (0, semicolons, tabs) if semicolons > 0 && semicolons >= tabs => b';',
        (0, _, tabs) if tabs > 0 => b'\t',
        _ => b',',
    }
}

/// A CSV reader of `input` (without its byte-order mark) with its separator, and the numbering
/// of the lines its records start on.
pub(super) fn csv_reader(input: &[u8]) -> (csv::Reader<&[u8]>, Lines<'_>) {
    let text = without_bom(input);
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator_of(text))
        .from_reader(text);
    (reader, Lines::of(input))
}

/// Names spreadsheet users give the columns, and the column each means.
const SYNONYMS: &[(&str, &str)] = &[
    ("name", "display_name"),
    ("full_name", "display_name"),
    ("user", "display_name"),
    ("user_name", "display_name"),
    ("username", "display_name"),
    ("displayname", "display_name"),
    ("mac_address", "mac"),
    ("macaddress", "mac"),
    ("mac_addr", "mac"),
    ("hardware_address", "mac"),
    ("ext", "extension"),
    ("number", "extension"),
    ("extension_number", "extension"),
    ("phone_number", "extension"),
    ("pass", "password"),
    ("pwd", "password"),
    ("secret", "password"),
    ("sip_password", "password"),
    ("key", "line"),
    ("line_key", "line"),
    ("linekey", "line"),
    ("auth", "auth_user"),
    ("authuser", "auth_user"),
    ("sip_user", "auth_user"),
    ("auth_name", "auth_user"),
    ("phone_model", "model"),
    ("type", "model"),
    ("site_name", "site"),
    ("location", "site"),
    ("param", "parameter"),
    ("name_of_parameter", "parameter"),
    ("setting", "parameter"),
];

/// `name` trimmed, lowercased, with spaces, dashes and dots as underscores: how a header name
/// is matched.
pub(super) fn normalized(name: &str) -> String {
    name.trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if matches!(c, ' ' | '-' | '.') { '_' } else { c })
        .collect()
}

/// Header names so common and so plain that the import reads them as the column they name,
/// with a note, instead of refusing the file (a name that could mean two columns, such as
/// `user`, is still refused with its guess).
const ACCEPTED_ALIASES: &[(&str, &str)] = &[
    ("name", "display_name"),
    ("full_name", "display_name"),
    ("displayname", "display_name"),
    ("mac_address", "mac"),
    ("macaddress", "mac"),
    ("mac_addr", "mac"),
    ("ext", "extension"),
    ("extension_number", "extension"),
    ("phone_model", "model"),
    ("site_name", "site"),
    ("sip_password", "password"),
    ("line_key", "line"),
    ("linekey", "line"),
    ("sip_user", "auth_user"),
];

/// The known column the header name `raw` is an accepted alias of, if it is one.
pub(super) fn accepted_alias<'a>(raw: &str, known: &[&'a str]) -> Option<&'a str> {
    let name = normalized(raw);
    ACCEPTED_ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .and_then(|(_, meant)| known.iter().copied().find(|k| k == meant))
}

/// The error for a file that is a spreadsheet workbook rather than CSV text (an `.xlsx` or
/// `.ods` is a ZIP archive; an old `.xls` a compound document), saying how to save it as CSV.
pub(super) fn workbook_error(input: &[u8]) -> Option<RowError> {
    let kind = if input.starts_with(b"PK\x03\x04") {
        "an Excel workbook (.xlsx) or another spreadsheet archive"
    } else if input.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        "an old Excel workbook (.xls)"
    } else {
        return None;
    };
    Some(RowError::row(
        1,
        format!(
            "this file is {kind}, not CSV text: in Excel choose File > Save As > \
             \"CSV UTF-8 (Comma delimited) (*.csv)\" (LibreOffice: File > Save As > Text CSV, \
             character set UTF-8), then import that file"
        ),
    ))
}

/// The known column a user most likely meant by `name`, if any.
pub(super) fn meant_column<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let name = normalized(name);
    let known_as = |wanted: &str| known.iter().copied().find(|k| *k == wanted);
    if let Some(found) = known_as(&name) {
        return Some(found);
    }
    if let Some(found) = SYNONYMS
        .iter()
        .find(|(said, _)| *said == name)
        .and_then(|(_, meant)| known_as(meant))
    {
        return Some(found);
    }
    known
        .iter()
        .copied()
        .map(|k| (k, edit_distance(&name, k)))
        .filter(|(_, distance)| *distance <= 2)
        .min_by_key(|(_, distance)| *distance)
        .map(|(k, _)| k)
}

/// The error for the unknown column `raw`, with a guess when there is one.
pub(super) fn unknown_column(raw: &str, known: &[&str]) -> String {
    let guess = meant_column(raw, known)
        .map(|k| format!(" (did you mean {k:?}?)"))
        .unwrap_or_default();
    format!(
        "unknown column {}{guess}; the columns are {}",
        crate::domain::quoted(raw),
        known.join(", ")
    )
}

/// Levenshtein distance of two short ASCII names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

/// A hint for a MAC cell a spreadsheet turned into a number (`4.15123E+11`, `41512300000`).
pub(super) fn spreadsheet_mac_hint(text: &str) -> Option<&'static str> {
    let t = text.trim();
    let (mantissa, exponent) = t
        .split_once(['E', 'e'])
        .map_or((t, None), |(m, e)| (m, Some(e)));
    let mantissa_is_number = !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.chars().filter(|c| *c == '.').count() <= 1;
    let exponent_is_number = exponent.is_none_or(|e| {
        let digits = e.trim_start_matches(['+', '-']);
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
    });
    (mantissa_is_number && exponent_is_number && (exponent.is_some() || mantissa.contains('.')))
        .then_some(
            "a spreadsheet turned this MAC into a number: format the mac column as Text and \
             type the MACs again (or write them with colons, 00:04:f2:14:ab:37)",
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_follows_the_header() {
        assert_eq!(separator_of(b"extension,display_name\n1;2\n"), b',');
        assert_eq!(separator_of(b"extension;display_name;mac\n"), b';');
        assert_eq!(separator_of(b"extension\tdisplay_name\n"), b'\t');
        assert_eq!(separator_of(b"extension\n201\n"), b',');
    }

    #[test]
    fn spreadsheet_names_get_a_guess() {
        let known = ["extension", "display_name", "mac", "line"];
        assert_eq!(meant_column("Name", &known), Some("display_name"));
        assert_eq!(meant_column("MAC Address", &known), Some("mac"));
        assert_eq!(meant_column("Extention", &known), Some("extension"));
        assert_eq!(meant_column("Display Name", &known), Some("display_name"));
        assert_eq!(meant_column("colour", &known), None);
        assert!(unknown_column("Name", &known).contains("did you mean \"display_name\"?"));
    }

    #[test]
    fn numbers_a_spreadsheet_made_of_macs_are_recognised() {
        assert!(spreadsheet_mac_hint("4.15123E+11").is_some());
        assert!(spreadsheet_mac_hint("4.15E11").is_some());
        assert!(spreadsheet_mac_hint("0004f214ab37").is_none());
        assert!(spreadsheet_mac_hint("00:04:f2:14:ab:37").is_none());
        assert!(spreadsheet_mac_hint("not-a-mac").is_none());
    }
}
