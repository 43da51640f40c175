//! Reading a CSV file into rows, checking everything that needs no database: the header, field
//! counts, UTF-8, each cell's syntax, and conflicts between rows (the same extension twice, the
//! same MAC and line twice, one MAC given two models). Every problem is collected.

use std::collections::HashMap;

use crate::domain::{
    ExtensionNumber, LineNumber, Mac, Model, SiteName, check_auth_user, check_display_name,
    check_label, check_password, quoted,
};
use crate::import::columns::{Column, Header};
use crate::import::file_help::{csv_reader, spreadsheet_mac_hint, workbook_error};
use crate::import::{ErrorList, RowError, unneutralize};

/// A cell of an optional column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<T> {
    /// The file has no such column: existing values are kept.
    Absent,
    /// The column is there and this cell is empty.
    Empty,
    /// A value.
    Value(T),
}

impl<T> Cell<T> {
    /// The value, if there is one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Cell::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// One data row, every cell parsed.
#[derive(Debug, Clone)]
pub struct Row {
    /// Line of the file where the row starts.
    pub line: u64,
    /// Extension number.
    pub extension: ExtensionNumber,
    /// Display name.
    pub display_name: String,
    /// Password.
    pub password: Cell<String>,
    /// Label.
    pub label: Cell<String>,
    /// Auth user.
    pub auth_user: Cell<String>,
    /// Phone MAC.
    pub mac: Cell<Mac>,
    /// Phone model.
    pub model: Cell<&'static Model>,
    /// Home site.
    pub site: Cell<SiteName>,
    /// Line key (1 when the column or cell is empty).
    pub line_key: LineNumber,
    /// Whether it follows its site's switchover (`None`: as stored; on for a new one): the
    /// `switchover` column, `yes` or `no`.
    pub switchover: Option<bool>,
}

/// The rows of a file, and a note for each header name read as the column it is an alias of.
#[derive(Debug)]
pub struct Parsed {
    /// The rows.
    pub rows: Vec<Row>,
    /// Notes on the header (`column "MAC Address" read as "mac"`).
    pub notes: Vec<String>,
}

/// Rows of a file, or every error found in it.
pub fn parse(input: &[u8]) -> Result<Parsed, Vec<RowError>> {
    if let Some(error) = workbook_error(input) {
        return Err(vec![error]);
    }
    let (mut reader, mut lines) = csv_reader(input);
    let mut header: Option<Header> = None;
    let mut rows = Vec::new();
    let mut errors = ErrorList::default();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = lines.at(e.position());
                errors.push(RowError::row(
                    line,
                    format!("the file is not valid CSV: {e}"),
                ));
                return Err(errors.finish());
            }
        }
        let line = lines.at(record.position());
        let Some(columns) = &header else {
            let names = decode_header(line, &record)?;
            header = Some(Header::parse(line, &names)?);
            continue;
        };
        if record.iter().all(|field| field.trim_ascii().is_empty()) {
            continue;
        }
        if record.len() != columns.width {
            errors.push(RowError::row(
                line,
                format!(
                    "{} fields, but the header has {}",
                    record.len(),
                    columns.width
                ),
            ));
            continue;
        }
        match parse_row(line, columns, &record) {
            Ok(row) => rows.push(row),
            Err(row_errors) => errors.extend(row_errors),
        }
    }
    if header.is_none() {
        errors.push(RowError::row(
            1,
            "the file is empty: a header row is required",
        ));
    }
    errors.extend(cross_row_errors(&rows));
    if errors.is_empty() {
        Ok(Parsed {
            rows,
            notes: header.map(|h| h.notes).unwrap_or_default(),
        })
    } else {
        Err(errors.finish())
    }
}

fn decode_header(line: u64, record: &csv::ByteRecord) -> Result<Vec<String>, Vec<RowError>> {
    record
        .iter()
        .map(|field| {
            String::from_utf8(field.to_vec()).map_err(|_| {
                vec![RowError::row(
                    line,
                    "the header is not valid UTF-8 text; save the file as UTF-8",
                )]
            })
        })
        .collect()
}

/// Reads the row's cells one by one, keeping every error.
struct CellReader<'a> {
    line: u64,
    header: &'a Header,
    record: &'a csv::ByteRecord,
    errors: Vec<RowError>,
}

impl CellReader<'_> {
    /// The cell's text (with a leading export-escape `'` removed), `Empty`, or `Absent`.
    fn text(&mut self, column: Column, trim: bool) -> Cell<String> {
        let Some(index) = self.header.position(column) else {
            return Cell::Absent;
        };
        let bytes = self.record.get(index).unwrap_or_default();
        let Ok(text) = std::str::from_utf8(bytes) else {
            self.errors.push(RowError::cell(
                self.line,
                column.name(),
                format!(
                    "{} is not valid UTF-8 text; save the file as UTF-8",
                    quoted(&String::from_utf8_lossy(bytes))
                ),
            ));
            return Cell::Empty;
        };
        let text = if trim { text.trim() } else { text };
        match unneutralize(text) {
            "" => Cell::Empty,
            value => Cell::Value(value.to_string()),
        }
    }

    /// The cell parsed with `parse`; a parse error is recorded and the cell read as `Empty`.
    fn parsed<T, E: std::fmt::Display>(
        &mut self,
        column: Column,
        trim: bool,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Cell<T> {
        match self.text(column, trim) {
            Cell::Value(text) => match parse(&text) {
                Ok(value) => Cell::Value(value),
                Err(e) => {
                    self.errors
                        .push(RowError::cell(self.line, column.name(), e));
                    Cell::Empty
                }
            },
            Cell::Empty => Cell::Empty,
            Cell::Absent => Cell::Absent,
        }
    }

    fn required<T>(&mut self, column: Column, cell: Cell<T>) -> Option<T> {
        match cell {
            Cell::Value(v) => Some(v),
            Cell::Empty | Cell::Absent => {
                let already_reported = self
                    .errors
                    .iter()
                    .any(|e| e.column.as_deref() == Some(column.name()));
                if !already_reported {
                    self.errors.push(RowError::cell(
                        self.line,
                        column.name(),
                        "must not be empty",
                    ));
                }
                None
            }
        }
    }
}

fn parse_row(line: u64, header: &Header, record: &csv::ByteRecord) -> Result<Row, Vec<RowError>> {
    let mut cells = CellReader {
        line,
        header,
        record,
        errors: Vec::new(),
    };
    let extension = cells.parsed(Column::Extension, true, ExtensionNumber::parse);
    let extension = cells.required(Column::Extension, extension);
    let display_name = cells.parsed(Column::DisplayName, false, |v| {
        check_display_name(v).map(|()| v.to_string())
    });
    let display_name = cells.required(Column::DisplayName, display_name);
    let password = cells.parsed(Column::Password, false, |v| {
        check_password(v).map(|()| v.to_string())
    });
    let label = cells.parsed(Column::Label, false, |v| {
        check_label(v).map(|()| v.to_string())
    });
    let auth_user = cells.parsed(Column::AuthUser, true, |v| {
        check_auth_user(v).map(|()| v.to_string())
    });
    let mac = cells.parsed(Column::Mac, true, |v| {
        Mac::parse(v).map_err(|e| match spreadsheet_mac_hint(v) {
            Some(hint) => format!("{e}: {hint}"),
            None => e.to_string(),
        })
    });
    let model = cells.parsed(Column::Model, true, |v| {
        Model::find(v).ok_or_else(|| {
            format!(
                "{} is not a known phone model (`phoneprov models` lists them)",
                quoted(v)
            )
        })
    });
    let site = cells.parsed(Column::Site, true, SiteName::parse);
    let line_key = cells.parsed(Column::Line, true, |v| match v.parse::<LineNumber>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "{} is not a line key number (1, 2, ...)",
            quoted(v)
        )),
    });
    let switchover = cells.parsed(Column::Switchover, true, follows_switchover);
    if let (Cell::Value(n), Cell::Empty | Cell::Absent) = (&line_key, &mac) {
        let already_reported = cells
            .errors
            .iter()
            .any(|e| e.column.as_deref() == Some("mac"));
        if !already_reported {
            cells.errors.push(RowError::cell(
                line,
                Column::Line.name(),
                format!("line key {n} is given without a mac"),
            ));
        }
    }
    match (extension, display_name, cells.errors.is_empty()) {
        (Some(extension), Some(display_name), true) => Ok(Row {
            line,
            extension,
            display_name,
            password,
            label,
            auth_user,
            mac,
            model,
            site,
            line_key: line_key.value().copied().unwrap_or(1),
            switchover: switchover.value().copied(),
        }),
        (Some(extension), _, _) => Err(cells
            .errors
            .into_iter()
            .map(|e| e.for_extension(&extension))
            .collect()),
        _ => Err(cells.errors),
    }
}

/// A `switchover` cell: `yes` (follows its site's switchover) or `no` (excluded); also
/// `on`/`off`, `true`/`false`, `1`/`0`, any case.
fn follows_switchover(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "yes" | "y" | "on" | "true" | "1" => Ok(true),
        "no" | "n" | "off" | "false" | "0" => Ok(false),
        _ => Err(format!(
            "{} is not yes or no (whether the extension follows its site's switchover)",
            quoted(text)
        )),
    }
}

/// Conflicts between rows: an extension twice, a MAC's line key twice, a MAC with two models.
fn cross_row_errors(rows: &[Row]) -> Vec<RowError> {
    let mut errors = Vec::new();
    let mut extensions: HashMap<&ExtensionNumber, u64> = HashMap::new();
    let mut line_keys: HashMap<(Mac, LineNumber), (&ExtensionNumber, u64)> = HashMap::new();
    let mut models: HashMap<Mac, (&'static Model, u64)> = HashMap::new();
    for row in rows {
        if let Some(first) = extensions.insert(&row.extension, row.line) {
            extensions.insert(&row.extension, first);
            errors.push(
                RowError::cell(
                    row.line,
                    Column::Extension.name(),
                    format!(
                        "{} appears again (first on line {first})",
                        quoted(row.extension.as_str())
                    ),
                )
                .for_extension(&row.extension),
            );
            continue;
        }
        let Cell::Value(mac) = row.mac else { continue };
        if let Some((other, first)) = line_keys.get(&(mac, row.line_key)) {
            errors.push(
                RowError::cell(
                row.line,
                Column::Line.name(),
                format!(
                    "line key {} of MAC {mac} is already given to extension {other} on line {first}",
                    row.line_key
                ),
            )
            .for_extension(&row.extension),
        );
        } else {
            line_keys.insert((mac, row.line_key), (&row.extension, row.line));
        }
        if let Cell::Value(model) = row.model {
            match models.get(&mac) {
                Some((first_model, first)) if first_model.name != model.name => {
                    errors.push(
                        RowError::cell(
                            row.line,
                            Column::Model.name(),
                            format!(
                                "{} differs from {} given for MAC {mac} on line {first}",
                                quoted(model.name),
                                quoted(first_model.name)
                            ),
                        )
                        .for_extension(&row.extension),
                    );
                }
                Some(_) => {}
                None => {
                    models.insert(mac, (model, row.line));
                }
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of an error is the file's own, whatever ends its lines (a spreadsheet saves
    /// `\r\n`), and names the row's extension.
    #[test]
    fn errors_name_the_files_own_line_and_the_extension() {
        for end in ["\n", "\r\n", "\r"] {
            let file = [
                "extension,display_name,password",
                "301,Ann,goodpassword1",
                "302,Bob,1234",
                "",
                "303,\"Cy",
                "Dee\",goodpassword3",
                "304,Eve,x",
            ]
            .join(end);
            let errors = parse(file.as_bytes()).expect_err("three bad rows");
            let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
            assert_eq!(said.len(), 3, "{end:?}: {said:?}");
            for (said, starts) in said.iter().zip([
                "line 3 (extension 302), column password:",
                "line 5 (extension 303), column display_name:",
                "line 7 (extension 304), column password:",
            ]) {
                assert!(said.starts_with(starts), "{end:?}: {said}");
            }
        }
    }
}
