//! The admin API's bearer token: given by the admin (`--admin-token`), else kept in the data
//! folder (`admin-token`, mode 0600), generated on first start and printed once. Compared in
//! constant time.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::domain::{RandomError, generate_password};

/// File name of the stored token in the data folder.
pub const TOKEN_FILE: &str = "admin-token";

/// Why no token could be had.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Reading or writing the token file failed.
    #[error("cannot read or write the admin token file {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// No random token could be generated.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// A token given on the command line, in the environment or the config file is too short to
    /// resist guessing.
    #[error(
        "the admin token must have at least {MIN_TOKEN_LEN} characters (it has {0}); leave it out to have one generated"
    )]
    TooShort(usize),
    /// The token file can be read or written by other users.
    #[error(transparent)]
    Exposed(#[from] crate::private_file::ExposedFile),
}

/// Fewest characters of an admin token.
pub const MIN_TOKEN_LEN: usize = 24;

/// The token, and whether it was generated just now (so it should be shown once).
pub fn load_or_create(
    data_dir: &Path,
    given: Option<String>,
) -> Result<(String, bool), TokenError> {
    if let Some(token) = given.filter(|t| !t.trim().is_empty()) {
        let token = token.trim();
        if token.chars().count() < MIN_TOKEN_LEN {
            return Err(TokenError::TooShort(token.chars().count()));
        }
        return Ok((token.to_string(), false));
    }
    let path = data_dir.join(TOKEN_FILE);
    crate::private_file::refuse_exposed(&path)?;
    let file_error = |source| TokenError::File {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(token) if !token.trim().is_empty() => return Ok((token.trim().to_string(), false)),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(file_error(e)),
    }
    let token = format!("{}{}", generate_password()?, generate_password()?);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(file_error)?;
    writeln!(file, "{token}").map_err(file_error)?;
    Ok((token, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (first, generated) = load_or_create(dir.path(), None).unwrap();
        assert!(generated && first.len() == 40);
        let (again, generated) = load_or_create(dir.path(), None).unwrap();
        assert!(!generated);
        assert_eq!(again, first);
        let mode = std::fs::metadata(dir.path().join(TOKEN_FILE)).unwrap();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
            0o600
        );
        let given = "given-token-of-24-chars!".to_string();
        assert_eq!(
            load_or_create(dir.path(), Some(given.clone())).unwrap(),
            (given, false)
        );
        assert!(matches!(
            load_or_create(dir.path(), Some("given".into())),
            Err(TokenError::TooShort(5))
        ));
    }
}
