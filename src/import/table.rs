//! Reading a CSV file of fixed columns (the settings and key files): a header naming every
//! column once, in any order and case; then rows of text cells in the header's order, each with
//! the line it starts on. Blank rows are skipped; a cell's export escape (`'`) is removed; every
//! problem is collected with its line.

use crate::domain::quoted;
use crate::import::file_help::{csv_reader, normalized, unknown_column, workbook_error};
use crate::import::{ErrorList, RowError, unneutralize};

/// One data row: its line and its cells in the order of the columns asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// Line of the file where the row starts.
    pub line: u64,
    /// Cells, trimmed, in the order of the columns asked for.
    pub cells: Vec<String>,
}

/// Reads `input` as a table of exactly `columns`; every error found, else the rows.
pub fn read_table(input: &[u8], columns: &[&str]) -> Result<Vec<TableRow>, ErrorList> {
    if let Some(error) = workbook_error(input) {
        let mut errors = ErrorList::default();
        errors.push(error);
        return Err(errors);
    }
    let (mut reader, mut lines) = csv_reader(input);
    let mut order: Option<Vec<usize>> = None;
    let mut rows = Vec::new();
    let mut errors = ErrorList::default();
    for record in reader.byte_records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = lines.at(e.position());
                errors.push(RowError::row(
                    line,
                    format!("the file is not valid CSV: {e}"),
                ));
                return Err(errors);
            }
        };
        let line = lines.at(record.position());
        let Some(positions) = &order else {
            match header(line, &record, columns) {
                Ok(found) => order = Some(found),
                Err(header_errors) => {
                    errors.extend(header_errors);
                    return Err(errors);
                }
            }
            continue;
        };
        if record.iter().all(|field| field.trim_ascii().is_empty()) {
            continue;
        }
        if record.len() != columns.len() {
            errors.push(RowError::row(
                line,
                format!(
                    "{} fields, but the header has {}",
                    record.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let mut cells = Vec::with_capacity(columns.len());
        for (column, index) in columns.iter().zip(positions) {
            let bytes = record.get(*index).unwrap_or_default();
            match std::str::from_utf8(bytes) {
                Ok(text) => cells.push(unneutralize(text.trim()).to_string()),
                Err(_) => {
                    errors.push(RowError::cell(
                        line,
                        column,
                        format!(
                            "{} is not valid UTF-8 text; save the file as UTF-8",
                            quoted(&String::from_utf8_lossy(bytes))
                        ),
                    ));
                    cells.push(String::new());
                }
            }
        }
        rows.push(TableRow { line, cells });
    }
    if order.is_none() {
        errors.push(RowError::row(
            1,
            format!(
                "the file is empty: a header row is required ({})",
                columns.join(",")
            ),
        ));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Where each of `columns` sits in the header row.
fn header(
    line: u64,
    record: &csv::ByteRecord,
    columns: &[&str],
) -> Result<Vec<usize>, Vec<RowError>> {
    let mut positions: Vec<Option<usize>> = vec![None; columns.len()];
    let mut errors = Vec::new();
    for (index, raw) in record.iter().enumerate() {
        let raw = String::from_utf8_lossy(raw);
        let name = normalized(&raw);
        match columns.iter().position(|c| *c == name) {
            Some(slot) if positions[slot].is_some() => errors.push(RowError::row(
                line,
                format!("column {} appears twice in the header", quoted(&name)),
            )),
            Some(slot) => positions[slot] = Some(index),
            None => errors.push(RowError::row(line, unknown_column(&raw, columns))),
        }
    }
    for (column, position) in columns.iter().zip(&positions) {
        if position.is_none() {
            errors.push(RowError::row(
                line,
                format!(
                    "the header has no {} column, which is required",
                    quoted(column)
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(positions.into_iter().flatten().collect())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_any_order_and_every_problem_with_its_line() {
        let rows = read_table(b"B,a\n2,1\n\n,\n4,3\n", &["a", "b"]).unwrap();
        assert_eq!(
            rows,
            [
                TableRow {
                    line: 2,
                    cells: vec!["1".into(), "2".into()]
                },
                TableRow {
                    line: 5,
                    cells: vec!["3".into(), "4".into()]
                },
            ]
        );
        let errors = read_table(b"a,b\n1\n1,\xff\n", &["a", "b"])
            .unwrap_err()
            .finish();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "line 2: 1 fields, but the header has 2",
                "line 3, column b: \"\u{fffd}\" is not valid UTF-8 text; save the file as UTF-8",
            ]
        );
        assert!(read_table(b"a,c\n", &["a", "b"]).is_err());
    }
}
