//! Secret files (the secret key, the admin token) must be their owner's alone: [`refuse_exposed`]
//! refuses one whose permission bits open it to the group or others.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A secret file (the secret key, the admin token) that users other than its owner can read or
/// write: refused, since whoever reads it reads every SIP password or drives the admin API.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} can be read or written by other users (mode {mode:04o}); make it the owner's alone: chmod 600 {}",
    path.display(),
    path.display()
)]
pub struct ExposedFile {
    /// The file.
    pub path: PathBuf,
    /// Its permission bits.
    pub mode: u32,
}

/// Refuses `path` if it exists with permission bits for the group or others.
pub fn refuse_exposed(path: &Path) -> Result<(), ExposedFile> {
    match open_to_others(path) {
        Ok(Some(mode)) => Err(ExposedFile {
            path: path.to_path_buf(),
            mode,
        }),
        _ => Ok(()),
    }
}

/// The permission bits of `path` if they give the group or others any access.
pub fn open_to_others(path: &Path) -> std::io::Result<Option<u32>> {
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o7777;
    Ok((mode & 0o077 != 0).then_some(mode))
}
