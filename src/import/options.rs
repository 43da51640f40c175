//! [`ImportOptions`]: how an import is applied (dry run, replace, on whose behalf).

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Report what would change and write nothing.
    pub dry_run: bool,
    /// Also delete extensions and phones the file does not name.
    pub replace: bool,
    /// Who the audit log names for the change (`api`, `cli:<user>`).
    pub actor: String,
}

impl ImportOptions {
    /// Default options on behalf of `actor`.
    pub fn by(actor: &str) -> ImportOptions {
        ImportOptions {
            actor: actor.to_string(),
            ..ImportOptions::default()
        }
    }
}
