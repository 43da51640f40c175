//! Import errors: each names the line of the file, the column and the value, and an import with
//! any error writes nothing.

use std::fmt;

use crate::domain::RandomError;
use crate::store::StoreError;

/// One problem in a CSV file, e.g. `line 14, column mac: "0004f2zz1234" is not a MAC address`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// 1-based line of the file where the row starts.
    pub line: u64,
    /// Column name, when the problem is in one cell.
    pub column: Option<String>,
    /// What is wrong, naming the value.
    pub message: String,
}

impl RowError {
    /// A problem in one cell.
    pub fn cell(line: u64, column: &str, message: impl fmt::Display) -> RowError {
        RowError {
            line,
            column: Some(column.to_string()),
            message: message.to_string(),
        }
    }

    /// A problem with a whole row (or the file).
    pub fn row(line: u64, message: impl fmt::Display) -> RowError {
        RowError {
            line,
            column: None,
            message: message.to_string(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, column {}: {}", self.line, column, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has errors; all of them are listed, in file order.
    #[error("{} error{} in the file; nothing was written", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Rejected(Vec<RowError>),
    /// The database failed or changed meanwhile.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No password could be generated.
    #[error(transparent)]
    Random(#[from] RandomError),
}
