//! The import report: what was (or, in a dry run, would be) created, updated, left unchanged and
//! deleted, per entity; the same report for the CLI (text) and the API (JSON).

use std::fmt;

/// An updated row and which of its fields change.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Update {
    /// Extension number or MAC.
    pub key: String,
    /// Changed fields.
    #[schema(value_type = Vec<String>)]
    pub fields: Vec<&'static str>,
}

/// Outcome for one kind of entity.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct EntityReport {
    /// Keys of created rows, in file order.
    pub created: Vec<String>,
    /// Updated rows, in file order.
    pub updated: Vec<Update>,
    /// Rows the file names that stay as they are.
    pub unchanged: usize,
    /// Keys of deleted rows.
    pub deleted: Vec<String>,
}

impl EntityReport {
    /// True when nothing changes.
    pub fn is_unchanged(&self) -> bool {
        self.created.is_empty() && self.updated.is_empty() && self.deleted.is_empty()
    }

    fn counts_line(&self, f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
        writeln!(
            f,
            "{name:<11} {} created, {} updated, {} unchanged, {} deleted",
            self.created.len(),
            self.updated.len(),
            self.unchanged,
            self.deleted.len()
        )
    }

    fn details(&self, f: &mut fmt::Formatter<'_>, noun: &str) -> fmt::Result {
        let mut lines: Vec<String> = Vec::new();
        lines.extend(self.created.iter().map(|k| format!("  create {noun} {k}")));
        lines.extend(
            self.updated
                .iter()
                .map(|u| format!("  update {noun} {} ({})", u.key, u.fields.join(", "))),
        );
        lines.extend(self.deleted.iter().map(|k| format!("  delete {noun} {k}")));
        for line in lines.iter().take(DETAIL_LIMIT) {
            writeln!(f, "{line}")?;
        }
        if lines.len() > DETAIL_LIMIT {
            writeln!(
                f,
                "  ... and {} more {noun} changes",
                lines.len() - DETAIL_LIMIT
            )?;
        }
        Ok(())
    }
}

/// Most change lines listed per entity in the text form of a dry run.
const DETAIL_LIMIT: usize = 50;

/// What an import did or would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// True when nothing was written.
    pub dry_run: bool,
    /// Extensions.
    pub extensions: EntityReport,
    /// Phones.
    pub phones: EntityReport,
    /// New extensions that got a generated password.
    pub passwords_generated: usize,
    /// Data revision after the import (none for a dry run or when nothing changed).
    pub revision: Option<i64>,
    /// What the phones cannot keep after the import, as `phoneprov check` says it: a company
    /// directory past what a model keeps, colliding codec priorities (filled in by whoever
    /// imported, from the deployment after the import).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<String>,
}

impl ImportReport {
    /// True when the import changes nothing.
    pub fn is_unchanged(&self) -> bool {
        self.extensions.is_unchanged() && self.phones.is_unchanged()
    }
}

/// Counts, then (in a dry run) each change.
impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            writeln!(f, "dry run: nothing was written; the import would change:")?;
        }
        self.extensions.counts_line(f, "extensions:")?;
        self.phones.counts_line(f, "phones:")?;
        if self.passwords_generated > 0 {
            writeln!(
                f,
                "{} new extension{} got a generated password (see `phoneprov export --with-passwords`)",
                self.passwords_generated,
                if self.passwords_generated == 1 {
                    ""
                } else {
                    "s"
                }
            )?;
        }
        if self.dry_run {
            self.extensions.details(f, "extension")?;
            self.phones.details(f, "phone")?;
        }
        for limit in &self.limits {
            writeln!(f, "warning: {limit}")?;
        }
        Ok(())
    }
}
