//! The firmware folder: vendor files served as they are (`sip.ld`, `bootrom.ld`, `sip.cfg`,
//! `phone1.cfg`, `*.ld`, `*.st`, ringtones, language folders). A requested name reaches the
//! filesystem only if every segment is a plain name (no `..`, `.`, hidden names, backslashes, NUL,
//! empty segments, over-long names) and the file it resolves to, symlinks followed, still lies in
//! the folder.

use std::path::{Path, PathBuf};

/// Longest request path considered.
pub const MAX_PATH: usize = 1024;
/// Longest path segment.
pub const MAX_SEGMENT: usize = 255;

/// The file under `root` that `name` (a decoded request path without leading `/`) names, if it is
/// a safe name of an existing regular file inside `root`.
pub fn resolve(root: &Path, name: &str) -> Option<PathBuf> {
    if name.is_empty() || name.len() > MAX_PATH {
        return None;
    }
    let mut path = root.to_path_buf();
    for segment in name.split('/') {
        let plain = !segment.is_empty()
            && segment.len() <= MAX_SEGMENT
            && !segment.starts_with('.')
            && !segment.contains(['\\', '\0', ':']);
        if !plain {
            return None;
        }
        path.push(segment);
    }
    let root = root.canonicalize().ok()?;
    let file = path.canonicalize().ok()?;
    (file.starts_with(&root) && file.is_file()).then_some(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("firmware");
        std::fs::create_dir_all(root.join("SoundPointIPLocalization/English_United_States"))
            .unwrap();
        std::fs::write(root.join("sip.ld"), b"image").unwrap();
        std::fs::write(root.join(".hidden"), b"no").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"secret").unwrap();
        std::fs::write(
            root.join("SoundPointIPLocalization/English_United_States/SoundPointIP-dictionary.xml"),
            b"<x/>",
        )
        .unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("escape.ld")).unwrap();
        std::os::unix::fs::symlink(root.join("sip.ld"), root.join("alias.ld")).unwrap();
        assert!(resolve(&root, "sip.ld").is_some());
        assert!(
            resolve(
                &root,
                "SoundPointIPLocalization/English_United_States/SoundPointIP-dictionary.xml"
            )
            .is_some()
        );
        assert!(
            resolve(&root, "alias.ld").is_some(),
            "a link inside the folder is fine"
        );
        for bad in [
            "",
            "../secret.txt",
            "SoundPointIPLocalization/../../secret.txt",
            "./sip.ld",
            ".hidden",
            "escape.ld",
            "sip.ld/",
            "/etc/passwd",
            "a//sip.ld",
            "..\\secret.txt",
            "sip.ld\0",
            "C:secret.txt",
            "SoundPointIPLocalization",
            "missing.ld",
        ] {
            assert_eq!(resolve(&root, bad), None, "{bad:?}");
        }
        assert_eq!(resolve(&root, &"a".repeat(MAX_PATH + 1)), None);
    }
}
