//! CSV export in the import format. Re-importing an export changes nothing. SIP passwords are
//! written only when asked for. Cells that a
//! spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) are prefixed
//! with `'`; so is a cell already starting with `'`, so import can strip exactly one `'` again.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;

use crate::domain::{ExtensionNumber, LineNumber, Mac};
use crate::import::columns::Column;
use crate::store::{Snapshot, Store, StoreError};

/// Characters that make a spreadsheet treat a cell as a formula, plus the escape itself.
const NEUTRALIZED: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// Prefixes `'` to a cell a spreadsheet would otherwise evaluate.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(NEUTRALIZED) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Undoes [`neutralize`]: strips one `'` in front of a neutralized character.
pub fn unneutralize(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(NEUTRALIZED) => rest,
        _ => cell,
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the output failed.
    #[error("cannot write the export: {0}")]
    Write(#[from] csv::Error),
}

/// Writes every extension (numeric order) with its phone and site as CSV; the SIP passwords
/// only `with_passwords` (else the column is left out, and re-importing keeps them).
pub async fn export_csv(
    store: &dyn Store,
    out: impl Write,
    with_passwords: bool,
) -> Result<(), ExportError> {
    let snapshot = store.snapshot().await?;
    write_snapshot(&snapshot, out, with_passwords)
}

fn write_snapshot(
    snapshot: &Snapshot,
    out: impl Write,
    with_passwords: bool,
) -> Result<(), ExportError> {
    // The switchover column is the import's alone: a file without it keeps each choice.
    let keep = |column: &Column| {
        *column != Column::Switchover && (with_passwords || *column != Column::Password)
    };
    let site_names: HashMap<_, _> = snapshot
        .sites
        .iter()
        .map(|s| (s.id, s.name.as_str()))
        .collect();
    let mut placed: HashMap<&ExtensionNumber, (Mac, LineNumber, Option<&str>)> = HashMap::new();
    for phone in &snapshot.phones {
        for (line, number) in &phone.lines {
            placed.insert(number, (phone.mac, *line, phone.model.as_deref()));
        }
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(Column::ALL.iter().filter(|c| keep(c)).map(|c| c.name()))?;
    for e in &snapshot.extensions {
        let (mac, line, model) = match placed.get(&e.number) {
            Some((mac, line, model)) => (mac.to_string(), line.to_string(), model.unwrap_or("")),
            None => (String::new(), String::new(), ""),
        };
        let site = site_names.get(&e.home_site).copied().unwrap_or_default();
        let record = [
            e.number.as_str(),
            &e.display_name,
            &e.password,
            e.label.as_deref().unwrap_or(""),
            e.auth_user.as_deref().unwrap_or(""),
            &mac,
            model,
            site,
            &line,
        ];
        let cells = Column::ALL
            .iter()
            .zip(record)
            .filter(|(column, _)| keep(column))
            .map(|(_, cell)| neutralize(cell).into_owned());
        writer.write_record(cells)?;
    }
    writer.flush().map_err(csv::Error::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralizing_round_trips() {
        for cell in [
            "=1+1", "+x", "-5", "@SUM", "\tx", "'", "''=a", "'hello", "plain", "",
        ] {
            let out = neutralize(cell);
            assert_eq!(unneutralize(&out), cell, "{cell:?}");
        }
        assert_eq!(neutralize("=cmd"), "'=cmd");
        assert_eq!(neutralize("Alice"), "Alice");
        assert_eq!(unneutralize("'hello"), "'hello");
    }
}
