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

/// Whether `name` is a firmware image by its ending: Polycom's `.ld` (`sip.ld`, `bootrom.ld`,
/// `uc5/sip.ld`), Aastra/Mitel's `.st`, Yealink's `.rom`, and `.bin`/`.img` images.
pub fn is_image(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".ld", ".st", ".rom", ".bin", ".img"]
        .iter()
        .any(|ending| lower.ends_with(ending))
}

/// The file under `root` that `name` (a decoded request path without leading `/`) names, if it is
/// a safe name of an existing regular file inside `root`.
pub fn resolve(root: &Path, name: &str) -> Option<PathBuf> {
    inside(root, name).filter(|path| path.is_file())
}

/// The folder under `root` that `name` names (`""`: the root itself), on the same rules.
pub fn resolve_dir(root: &Path, name: &str) -> Option<PathBuf> {
    if name.is_empty() {
        return root.canonicalize().ok().filter(|path| path.is_dir());
    }
    inside(root, name).filter(|path| path.is_dir())
}

/// The plain names of the regular files and folders directly in `dir` (hidden names and links out
/// of `dir` left out).
pub fn entries(dir: &Path) -> Vec<(String, std::fs::Metadata)> {
    let (Ok(read), Ok(root)) = (std::fs::read_dir(dir), dir.canonicalize()) else {
        return Vec::new();
    };
    let mut entries: Vec<(String, std::fs::Metadata)> = read
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let target = entry.path().canonicalize().ok()?;
            if !target.starts_with(&root) {
                return None;
            }
            let metadata = std::fs::metadata(target).ok()?;
            (!name.starts_with('.') && (metadata.is_file() || metadata.is_dir()))
                .then_some((name, metadata))
        })
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}

/// `root/name`, symlinks followed, if `name` is a safe name and the result lies inside `root`.
fn inside(root: &Path, name: &str) -> Option<PathBuf> {
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
    let found = path.canonicalize().ok()?;
    found.starts_with(&root).then_some(found)
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
        assert!(resolve_dir(&root, "").is_some());
        assert!(resolve_dir(&root, "SoundPointIPLocalization").is_some());
        for bad in [
            "..",
            "sip.ld",
            "../firmware",
            "missing",
            "SoundPointIPLocalization/..",
        ] {
            assert_eq!(resolve_dir(&root, bad), None, "{bad:?}");
        }
        let names: Vec<String> = entries(&root).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            ["SoundPointIPLocalization", "alias.ld", "sip.ld"],
            "no hidden names, no links out"
        );
        assert_eq!(resolve(&root, &"a".repeat(MAX_PATH + 1)), None);
    }
}
