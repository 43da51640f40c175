//! CSV import and export of extensions and their phones: the same code behind `phoneprov import`
//! and, later, the admin API.
//!
//! An import parses the whole file (collecting every error), reads a consistent snapshot of the
//! database, plans the final state of each touched row, and applies it in one transaction, or
//! writes nothing at all. The format is described in `docs/csv-format.md`.

mod columns;
mod error;
mod export;
mod file_help;
mod keys;
mod options;
mod parse;
mod plan;
mod report;
mod settings;
mod table;

pub use columns::Column;
pub use error::{ErrorList, ImportError, MAX_LISTED_ERRORS, RowError};
pub use export::{ExportError, export_csv, neutralize, unneutralize};
pub use keys::{KEY_COLUMNS, KeysReport, apply_key_rows, import_keys, plan_keys, write_keys};
pub use options::ImportOptions;
pub use parse::{Cell, Parsed, Row, parse as parse_csv};
pub use report::{EntityReport, ImportReport, Update, describe_update};
pub use settings::{
    KnownData, Names, PROFILE_PARAMETER, SETTINGS_COLUMNS, SettingsPlan, SettingsReport,
    apply_declared_settings, apply_settings_rows, import_settings, plan_rows, plan_settings,
};
pub use table::{TableRow, read_table};

use std::time::Instant;

use crate::store::{Progress, Store};

/// Imports a CSV file: all rows or none. Returns the report, or every error found.
pub async fn import_csv(
    store: &dyn Store,
    input: &[u8],
    options: &ImportOptions,
    progress: Progress<'_>,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let parsed = parse::parse(input).map_err(ImportError::Rejected)?;
    tracing::debug!(rows = parsed.rows.len(), elapsed = ?started.elapsed(), "import: parsed");
    let mut report = plan_and_apply(store, &parsed.rows, options, progress).await?;
    report.notes = parsed.notes;
    Ok(report)
}

/// Applies rows built by other means than a CSV file (the admin API's edits), with the same
/// checks, planning and single transaction as an import. Row line numbers are reported in errors.
pub async fn apply_rows(
    store: &dyn Store,
    rows: &[Row],
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    plan_and_apply(store, rows, options, &|_, _| {}).await
}

/// Reads a snapshot, plans `rows` over it and (unless a dry run) applies the plan in one
/// transaction, refused if the data changed since the snapshot.
async fn plan_and_apply(
    store: &dyn Store,
    rows: &[Row],
    options: &ImportOptions,
    progress: Progress<'_>,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let snapshot = store.snapshot().await?;
    tracing::debug!(elapsed = ?started.elapsed(), "import: read the database");
    let plan::Plan {
        changes,
        mut report,
    } = plan::plan(&snapshot, rows, options)?;
    tracing::debug!(elapsed = ?started.elapsed(), "import: planned");
    if !options.dry_run && !changes.is_empty() {
        report.revision = Some(store.apply(&changes, &options.actor, progress).await?);
        tracing::debug!(elapsed = ?started.elapsed(), "import: committed");
    }
    Ok(report)
}
