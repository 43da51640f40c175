//! `phoneprov check`: looks over the deployment for problems an admin should fix before phones
//! boot. Warnings do not fail the check; errors do. (Rendering every phone's files joins this check
//! when the rendering layer exists.)

use std::fmt;

use crate::store::{Store, StoreError};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Works, but probably not as intended.
    Warning,
    /// Phones would get broken files.
    Error,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// What and where.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{label}: {}", self.message)
    }
}

/// Checks the deployment and returns every finding.
pub async fn check(store: &dyn Store) -> Result<Vec<Finding>, StoreError> {
    let snapshot = store.snapshot().await?;
    let mut findings = Vec::new();
    for site in &snapshot.sites {
        if site.settings.sip_server.is_none() {
            findings.push(Finding {
                severity: Severity::Warning,
                message: format!(
                    "site {:?} has no call server set; phones are sent phoneprov's own address \
                     until one is set",
                    site.name.as_str()
                ),
            });
        }
    }
    let phones_without_lines = snapshot
        .phones
        .iter()
        .filter(|p| p.lines.is_empty())
        .count();
    if phones_without_lines > 0 {
        findings.push(Finding {
            severity: Severity::Warning,
            message: format!("{phones_without_lines} phone(s) have no extension on any line key"),
        });
    }
    Ok(findings)
}
