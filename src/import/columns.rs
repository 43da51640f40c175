//! The CSV columns and the header row: any order, names case-insensitive, unknown or repeated
//! names refused, required columns checked.

use crate::import::RowError;
use crate::import::file_help::{accepted_alias, normalized, unknown_column};

/// A column of the import/export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// Extension number (required).
    Extension,
    /// User's name (required).
    DisplayName,
    /// SIP password.
    Password,
    /// Line key label.
    Label,
    /// SIP auth user.
    AuthUser,
    /// Phone MAC.
    Mac,
    /// Phone model.
    Model,
    /// Home site name.
    Site,
    /// 1-based line key on the phone.
    Line,
    /// Whether the extension follows its site's switchover (import only: the export leaves it
    /// out, and a file without it keeps each extension's choice).
    Switchover,
}

impl Column {
    /// Every column, in export order.
    pub const ALL: [Column; 10] = [
        Column::Extension,
        Column::DisplayName,
        Column::Password,
        Column::Label,
        Column::AuthUser,
        Column::Mac,
        Column::Model,
        Column::Site,
        Column::Line,
        Column::Switchover,
    ];

    /// The header name.
    pub fn name(self) -> &'static str {
        match self {
            Column::Extension => "extension",
            Column::DisplayName => "display_name",
            Column::Password => "password",
            Column::Label => "label",
            Column::AuthUser => "auth_user",
            Column::Mac => "mac",
            Column::Model => "model",
            Column::Site => "site",
            Column::Line => "line",
            Column::Switchover => "switchover",
        }
    }

    fn required(self) -> bool {
        matches!(self, Column::Extension | Column::DisplayName)
    }
}

/// Where each column sits in the file.
#[derive(Debug, Clone, Default)]
pub(super) struct Header {
    positions: [Option<usize>; 10],
    /// Number of fields in the header row.
    pub width: usize,
    /// A note for each header name read as the column it is an alias of.
    pub notes: Vec<String>,
}

impl Header {
    /// Reads the header row; all problems are returned at once.
    pub(super) fn parse(line: u64, names: &[String]) -> Result<Header, Vec<RowError>> {
        let mut header = Header {
            width: names.len(),
            ..Header::default()
        };
        let mut errors = Vec::new();
        let known = Column::ALL.map(Column::name);
        for (index, raw) in names.iter().enumerate() {
            let mut name = normalized(raw);
            if !known.contains(&name.as_str())
                && let Some(meant) = accepted_alias(raw, &known)
            {
                header.notes.push(format!(
                    "column {} read as {meant:?}",
                    crate::domain::quoted(raw.trim())
                ));
                name = meant.to_string();
            }
            match Column::ALL.iter().position(|c| c.name() == name) {
                Some(slot) if header.positions[slot].is_some() => errors.push(RowError::row(
                    line,
                    format!(
                        "column {:?} appears twice in the header",
                        Column::ALL[slot].name()
                    ),
                )),
                Some(slot) => header.positions[slot] = Some(index),
                None => errors.push(RowError::row(
                    line,
                    unknown_column(raw, &Column::ALL.map(Column::name)),
                )),
            }
        }
        for column in Column::ALL {
            if column.required() && header.position(column).is_none() {
                errors.push(RowError::row(
                    line,
                    format!(
                        "the header has no {:?} column, which is required",
                        column.name()
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(header)
        } else {
            Err(errors)
        }
    }

    /// The field index of a column, if the file has it.
    pub(super) fn position(&self, column: Column) -> Option<usize> {
        self.positions[Column::ALL
            .iter()
            .position(|c| *c == column)
            .unwrap_or_default()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn any_order_any_case() {
        let header = Header::parse(1, &names(&["MAC", "Display_Name", " extension "])).unwrap();
        assert_eq!(header.position(Column::Extension), Some(2));
        assert_eq!(header.position(Column::Mac), Some(0));
        assert_eq!(header.position(Column::Password), None);
    }

    #[test]
    fn every_header_problem_is_reported() {
        let errors = Header::parse(1, &names(&["extension", "extension", "vlan"])).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "line 1: column \"extension\" appears twice in the header",
                "line 1: unknown column \"vlan\"; the columns are extension, display_name, \
                 password, label, auth_user, mac, model, site, line, switchover",
                "line 1: the header has no \"display_name\" column, which is required",
            ]
        );
    }
}
