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
    /// Fields the file has no column for that keep their value from before (an extension's
    /// label, SIP user, password or site).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<String>)]
    pub kept: Vec<&'static str>,
}

impl Update {
    /// `201 (display_name, site; keeps label from before)`.
    pub fn describe(&self) -> String {
        describe_update(&self.key, &self.fields, &self.kept)
    }
}

/// One update as a dry run lists it: its key, the fields it changes and those it keeps from
/// before (`201 (display_name; keeps label from before)`); the web page's preview, which reads
/// the report as JSON, says it the same way.
pub fn describe_update(key: &str, fields: &[&str], kept: &[&str]) -> String {
    let kept = if kept.is_empty() {
        String::new()
    } else {
        format!("; keeps {} from before", kept.join(", "))
    };
    format!("{key} ({}{kept})", fields.join(", "))
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

    /// The changes, riskiest first (deletes, then updates, then creates), each kind up to
    /// [`DETAIL_LIMIT`] lines, so many creates never hide an update or a delete.
    fn details(&self, f: &mut fmt::Formatter<'_>, noun: &str) -> fmt::Result {
        let deletes: Vec<String> = self
            .deleted
            .iter()
            .map(|k| format!("  delete {noun} {k}"))
            .collect();
        let updates: Vec<String> = self
            .updated
            .iter()
            .map(|u| format!("  update {noun} {}", u.describe()))
            .collect();
        let creates: Vec<String> = self
            .created
            .iter()
            .map(|k| format!("  create {noun} {k}"))
            .collect();
        for (lines, verb) in [
            (deletes, "delete"),
            (updates, "update"),
            (creates, "create"),
        ] {
            for line in lines.iter().take(DETAIL_LIMIT) {
                writeln!(f, "{line}")?;
            }
            if lines.len() > DETAIL_LIMIT {
                writeln!(
                    f,
                    "  ... and {} more {noun}s to {verb}",
                    lines.len() - DETAIL_LIMIT
                )?;
            }
        }
        Ok(())
    }
}

/// Most change lines listed per entity and kind (create, update, delete) in the text form of a
/// dry run.
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
    /// How the file was read where it differs from the format: a header name read as the
    /// column it is an alias of (`column "MAC Address" read as "mac"`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
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
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        for limit in &self.limits {
            writeln!(f, "warning: {limit}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deletes and updates come before creates, each kind with its own limit, so 60 creates do
    /// not hide one update or one delete.
    #[test]
    fn a_dry_run_lists_the_riskiest_changes_first() {
        let report = ImportReport {
            dry_run: true,
            extensions: EntityReport {
                created: (0..60).map(|n| format!("{}", 500 + n)).collect(),
                updated: vec![Update {
                    key: "201".into(),
                    fields: vec!["display_name"],
                    kept: vec!["label"],
                }],
                unchanged: 0,
                deleted: vec!["299".into()],
            },
            ..ImportReport::default()
        };
        let text = report.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[3], "  delete extension 299", "{text}");
        assert_eq!(
            lines[4], "  update extension 201 (display_name; keeps label from before)",
            "{text}"
        );
        assert_eq!(lines[5], "  create extension 500", "{text}");
        assert!(
            text.contains("  ... and 10 more extensions to create\n"),
            "{text}"
        );
    }
}
