//! What the store reads and writes whole: the [`Snapshot`] the phone files are rendered from, the
//! [`ChangeSet`] an import or admin edit applies in one transaction, the [`SettingsChange`] of
//! settings, row [`Counts`] and per-phone [`PhoneActivity`].

use std::collections::BTreeMap;

use crate::domain::{
    Extension, ExtensionNumber, KeyOwner, LineNumber, Mac, ParameterName, Phone, ProfileName,
    ProgrammedKey, Scope, Setting,
};

/// Row counts, for summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Counts {
    /// Sites.
    pub sites: i64,
    /// Extensions.
    pub extensions: i64,
    /// Phones.
    pub phones: i64,
}

/// Phones by when they were last seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhoneActivity {
    /// Phones that fetched a file since the time asked about.
    pub seen_since: i64,
    /// Phones that never fetched a file.
    pub never_seen: i64,
}

/// A bulk change, applied in one transaction. The planner (e.g. CSV import) fills it with the
/// final state of each touched row.
#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    /// The revision the change was planned from; applying fails with [`StoreError::Conflict`]
    /// if the data has changed since.
    pub expected_revision: i64,
    /// Extensions to create or overwrite.
    pub upsert_extensions: Vec<Extension>,
    /// Extensions to delete (their line assignments go with them).
    pub delete_extensions: Vec<ExtensionNumber>,
    /// Phones to create, or whose vendor/model to overwrite; lines and last-seen data are not
    /// taken from here.
    pub upsert_phones: Vec<Phone>,
    /// Phones to delete, with their lines, fetch records and uploads.
    pub delete_phones: Vec<Mac>,
    /// Existing phones whose line keys become exactly the given set.
    pub replace_lines: Vec<(Mac, BTreeMap<LineNumber, ExtensionNumber>)>,
    /// Line keys of phones this change set creates (they have none to clear first).
    pub lines_of_new_phones: Vec<(Mac, BTreeMap<LineNumber, ExtensionNumber>)>,
}

impl ChangeSet {
    /// What it changes, in words, for the audit log.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let named = |what: &str, count: usize, names: Vec<String>| {
            let mut text = format!("{what} {count}");
            if (1..=5).contains(&count) {
                text.push_str(&format!(" ({})", names.join(", ")));
            }
            text
        };
        for (what, names) in [
            (
                "extensions written",
                self.upsert_extensions
                    .iter()
                    .map(|e| e.number.to_string())
                    .collect::<Vec<_>>(),
            ),
            (
                "extensions deleted",
                self.delete_extensions
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            ),
            (
                "phones written",
                self.upsert_phones
                    .iter()
                    .map(|p| p.mac.to_string())
                    .collect(),
            ),
            (
                "phones deleted",
                self.delete_phones.iter().map(ToString::to_string).collect(),
            ),
            (
                "phones' lines replaced",
                self.replace_lines
                    .iter()
                    .map(|(m, _)| m.to_string())
                    .collect(),
            ),
        ] {
            if !names.is_empty() {
                parts.push(named(what, names.len(), names));
            }
        }
        parts.join(", ")
    }

    /// True when applying it would write nothing.
    pub fn is_empty(&self) -> bool {
        self.upsert_extensions.is_empty()
            && self.delete_extensions.is_empty()
            && self.upsert_phones.is_empty()
            && self.delete_phones.is_empty()
            && self.replace_lines.is_empty()
            && self.lines_of_new_phones.is_empty()
    }
}

/// Reports progress of a long write: rows written so far, rows in all.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When, ms since the epoch.
    pub at_ms: i64,
    /// Who: `api` or `cli:<user>`.
    pub actor: String,
    /// What, e.g. `switchover`, `switchback`, `relocate`, `switchover-enable`.
    pub action: String,
    /// On what: a site or an extension.
    pub subject: String,
    /// The change, in words.
    pub detail: String,
}

/// A change of settings and profile assignments, applied whole or not at all.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    /// The revision the change was planned from: applying fails with a conflict when the data
    /// changed since. `None`: apply on whatever is there.
    pub expected_revision: Option<i64>,
    /// Remove every setting and profile assignment first.
    pub replace_all: bool,
    /// Settings to create or overwrite.
    pub set: Vec<Setting>,
    /// Settings to remove.
    pub remove: Vec<(Scope, ParameterName)>,
    /// Profiles to give phones (`None`: take the phone's profile away).
    pub profiles: Vec<(Mac, Option<ProfileName>)>,
    /// Owners whose programmed keys become exactly these (an empty list clears them).
    pub keys: Vec<(KeyOwner, Vec<ProgrammedKey>)>,
}

impl SettingsChange {
    /// One line for the audit log.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.replace_all {
            parts.push("replaced every setting".to_string());
        }
        if !self.set.is_empty() {
            parts.push(format!("{} set", self.set.len()));
        }
        if !self.remove.is_empty() {
            parts.push(format!("{} removed", self.remove.len()));
        }
        if !self.profiles.is_empty() {
            parts.push(format!("{} profile assignments", self.profiles.len()));
        }
        if !self.keys.is_empty() {
            let keys: usize = self.keys.iter().map(|(_, k)| k.len()).sum();
            parts.push(format!(
                "{keys} keys of {} phones or profiles",
                self.keys.len()
            ));
        }
        if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// A warning or error logged, as saved so a restart keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedProblem {
    /// When, ms since the epoch.
    pub at_ms: i64,
    /// `WARN` or `ERROR`.
    pub level: String,
    /// Its kind (`login`, `ban`, `firmware`, `registration`, `other`).
    pub kind: String,
    /// The message with its fields.
    pub message: String,
    /// The phone it is about, if any.
    pub phone: Option<String>,
}
