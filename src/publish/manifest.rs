//! The manifest phoneprov keeps on a target: every file it published there and the SHA-256 of
//! what it sent. It is what makes a publish incremental (a file whose hash is unchanged is not
//! sent again) and safe for files phoneprov did not publish (only names in the manifest are ever
//! deleted). It is written last, after the files: a publish cut short leaves the previous
//! manifest, and the next publish sends whatever may still differ.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// The manifest's file name on the target.
pub const MANIFEST_NAME: &str = ".phoneprov-published";

/// Name → hex SHA-256 of the published content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest(pub BTreeMap<String, String>);

impl Manifest {
    /// Reads a manifest; lines that are not `HASH  NAME` are skipped (a damaged manifest only
    /// makes the next publish send more).
    pub fn parse(text: &str) -> Manifest {
        Manifest(
            text.lines()
                .filter_map(|line| {
                    let (hash, name) = line.split_once("  ")?;
                    let valid = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
                    (valid && is_publishable_name(name))
                        .then(|| (name.to_string(), hash.to_ascii_lowercase()))
                })
                .collect(),
        )
    }

    /// The manifest as written: one `HASH  NAME` line per file, by name.
    pub fn to_text(&self) -> String {
        let mut text = String::from("# files phoneprov published here; it deletes only these\n");
        for (name, hash) in &self.0 {
            text.push_str(&format!("{hash}  {name}\n"));
        }
        text
    }
}

/// Hex SHA-256 of `content`.
pub fn hash_of(content: &[u8]) -> String {
    Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `name` may be written on a target: a relative path of plain segments (no `..`, no
/// absolute path, no control characters), so a file name can never leave the target's folder.
pub fn is_publishable_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.chars().any(char::is_control)
        && name
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_and_skips_what_it_cannot_trust() {
        let mut manifest = Manifest::default();
        manifest.0.insert("201.cfg".into(), hash_of(b"x"));
        manifest.0.insert("uc5/sip.ld".into(), hash_of(b"y"));
        assert_eq!(Manifest::parse(&manifest.to_text()), manifest);
        let hostile = format!(
            "{}  ../etc/passwd\n{}  /abs\nnot a line\n",
            hash_of(b"a"),
            hash_of(b"b")
        );
        assert!(Manifest::parse(&hostile).0.is_empty());
    }
}
