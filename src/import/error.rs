//! Import errors: each names the line of the file, the column and the value, and an import with
//! any error writes nothing.

use std::fmt;

use crate::domain::RandomError;
use crate::store::StoreError;

/// One problem in a CSV file, e.g. `line 14, column mac: "0004f2zz1234" is not a MAC address`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// 1-based line of the file where the row starts.
    pub line: u64,
    /// Column name, when the problem is in one cell.
    pub column: Option<String>,
    /// What is wrong, naming the value.
    pub message: String,
    /// The extension of the row, when the row names one that could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

impl RowError {
    /// A problem in one cell.
    pub fn cell(line: u64, column: &str, message: impl fmt::Display) -> RowError {
        RowError {
            line,
            column: Some(column.to_string()),
            message: message.to_string(),
            extension: None,
        }
    }

    /// A problem with a whole row (or the file).
    pub fn row(line: u64, message: impl fmt::Display) -> RowError {
        RowError {
            line,
            column: None,
            message: message.to_string(),
            extension: None,
        }
    }

    /// The same problem, naming the row's extension too.
    pub fn for_extension(self, extension: impl fmt::Display) -> RowError {
        RowError {
            extension: Some(extension.to_string()),
            ..self
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(extension) = &self.extension {
            write!(f, " (extension {extension})")?;
        }
        match &self.column {
            Some(column) => write!(f, ", column {column}: {}", self.message),
            None => write!(f, ": {}", self.message),
        }
    }
}

/// Most errors an import lists; the rest are counted in one last line, so a large bad file
/// cannot build a report (and a memory peak) as large as itself.
pub const MAX_LISTED_ERRORS: usize = 1000;

/// Errors in file order, at most [`MAX_LISTED_ERRORS`] kept and the rest counted.
#[derive(Debug, Default)]
pub struct ErrorList {
    listed: Vec<RowError>,
    unlisted: usize,
}

impl ErrorList {
    /// Adds one error (counted only, once the list is full).
    pub fn push(&mut self, error: RowError) {
        if self.listed.len() < MAX_LISTED_ERRORS {
            self.listed.push(error);
        } else {
            self.unlisted += 1;
        }
    }

    /// Adds several.
    pub fn extend(&mut self, errors: impl IntoIterator<Item = RowError>) {
        for error in errors {
            self.push(error);
        }
    }

    /// True when no error was added.
    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// The errors by line, and a last line counting those not listed.
    pub fn finish(mut self) -> Vec<RowError> {
        self.listed.sort_by_key(|e| e.line);
        if self.unlisted > 0 {
            let line = self.listed.last().map_or(0, |e| e.line);
            self.listed.push(RowError::row(
                line,
                format!(
                    "and {} more errors, not listed (the first {MAX_LISTED_ERRORS} are); fix these and import again",
                    self.unlisted
                ),
            ));
        }
        self.listed
    }
}

/// "1 error", "12 errors", or "1000 errors and more" when the list was cut.
fn count_of(errors: &[RowError]) -> String {
    let cut = errors.len() > MAX_LISTED_ERRORS;
    match errors.len().min(MAX_LISTED_ERRORS) {
        1 => "1 error".to_string(),
        n if cut => format!("{n} errors and more"),
        n => format!("{n} errors"),
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has errors, listed in file order (the first [`MAX_LISTED_ERRORS`], then a line
    /// counting the rest).
    #[error("{} in the file; nothing was written", count_of(.0))]
    Rejected(Vec<RowError>),
    /// The database failed or changed meanwhile.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No password could be generated.
    #[error(transparent)]
    Random(#[from] RandomError),
}
