//! One publish: compare the file set with the target's manifest, put every file that is new or
//! changed, remove every file phoneprov published earlier that is no longer in the set, then
//! write the manifest. A file that fails is reported and the others go on; a failure of the
//! connection itself stops the publish (the next one completes it). Files phoneprov did not
//! publish are never touched: only names in its manifest are removed.

use std::collections::BTreeMap;
use std::time::Instant;

use bytes::Bytes;
use serde::Serialize;

use crate::publish::manifest::{MANIFEST_NAME, Manifest, hash_of, is_publishable_name};
use crate::publish::sink::{Sink, SinkError};

/// Most file errors kept in a report.
const MAX_ERRORS_KEPT: usize = 20;

/// What a publish did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PublishReport {
    /// The target, without its password.
    pub target: String,
    /// When it ended (ms since the epoch, UTC).
    pub at_ms: i64,
    /// How long it took, in milliseconds.
    pub took_ms: u64,
    /// Files sent (new or changed).
    pub sent: usize,
    /// Files removed (published earlier, no longer rendered).
    pub deleted: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// How many files failed.
    pub failed: usize,
    /// The first failures, each `name: why`; or why the whole publish failed.
    pub errors: Vec<String>,
    /// Whether it went through to the end (the manifest written).
    pub complete: bool,
}

impl PublishReport {
    /// Whether everything was published.
    pub fn ok(&self) -> bool {
        self.complete && self.failed == 0
    }

    fn error(&mut self, text: String) {
        self.failed += 1;
        if self.errors.len() < MAX_ERRORS_KEPT {
            self.errors.push(text);
        }
    }
}

impl std::fmt::Display for PublishReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "published to {}: {} sent, {} deleted, {} unchanged, {} failed ({} ms){}",
            self.target,
            self.sent,
            self.deleted,
            self.unchanged,
            self.failed,
            self.took_ms,
            if self.complete { "" } else { "; not complete" }
        )?;
        for error in &self.errors {
            writeln!(f, "  {error}")?;
        }
        Ok(())
    }
}

/// Publishes `files` (name → content) to `sink`; the report names `target`.
pub fn publish(
    files: &BTreeMap<String, Bytes>,
    sink: &mut dyn Sink,
    target: &str,
) -> PublishReport {
    publish_from(files, sink, target, None).report
}

/// One attempt at a publish: its report, what the target holds now as far as this process
/// knows (the manifest as it would be written), and whether the connection was lost midway
/// (then another attempt on a new connection can go on from `written`).
#[derive(Debug)]
pub struct Attempt {
    /// What it did.
    pub report: PublishReport,
    /// The files on the target and their hashes, after what this attempt wrote.
    pub written: Manifest,
    /// The connection was lost; the publish is not complete.
    pub lost: bool,
}

/// [`publish`], starting from `known` (what an earlier attempt wrote) instead of the target's
/// manifest when given.
pub fn publish_from(
    files: &BTreeMap<String, Bytes>,
    sink: &mut dyn Sink,
    target: &str,
    known: Option<&Manifest>,
) -> Attempt {
    let started = Instant::now();
    let mut report = PublishReport {
        target: target.to_string(),
        ..PublishReport::default()
    };
    let finish = |mut report: PublishReport| {
        report.took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        report.at_ms = crate::clock::now_ms();
        report
    };
    let read = match known {
        Some(known) => Ok(known.clone()),
        None => sink
            .read(MANIFEST_NAME)
            .map(|text| Manifest::parse(&String::from_utf8_lossy(&text.unwrap_or_default()))),
    };
    let before = match read {
        Ok(manifest) => manifest,
        Err(e) => {
            let lost = connection_lost(&e);
            report
                .errors
                .push(format!("cannot read the manifest {MANIFEST_NAME}: {e}"));
            return Attempt {
                report: finish(report),
                written: Manifest::default(),
                lost,
            };
        }
    };
    // What the target holds after this publish: the old entries until replaced or removed.
    let mut after = before.clone();
    for (name, content) in files {
        if !is_publishable_name(name) || name == MANIFEST_NAME {
            report.error(format!("{name}: not a name that can be published"));
            continue;
        }
        let hash = hash_of(content);
        if before.0.get(name) == Some(&hash) {
            report.unchanged += 1;
            continue;
        }
        match sink.put(name, content) {
            Ok(()) => {
                report.sent += 1;
                after.0.insert(name.clone(), hash);
            }
            Err(e) if connection_lost(&e) => {
                report.error(format!("{name}: {e}"));
                return Attempt {
                    report: finish(report),
                    written: after,
                    lost: true,
                };
            }
            Err(e) => report.error(format!("{name}: {e}")),
        }
    }
    for name in before.0.keys().filter(|name| !files.contains_key(*name)) {
        match sink.remove(name) {
            Ok(()) => {
                report.deleted += 1;
                after.0.remove(name);
            }
            Err(e) => report.error(format!("{name}: {e}")),
        }
    }
    if (after != before || before.0.is_empty())
        && let Err(e) = sink.put(MANIFEST_NAME, after.to_text().as_bytes())
    {
        let lost = connection_lost(&e);
        report.error(format!("{MANIFEST_NAME}: {e}"));
        return Attempt {
            report: finish(report),
            written: after,
            lost,
        };
    }
    report.complete = true;
    Attempt {
        report: finish(report),
        written: after,
        lost: false,
    }
}

/// Whether an error means the connection is gone (no point trying the next file; a new
/// connection may go on).
pub fn connection_lost(error: &SinkError) -> bool {
    match error {
        SinkError::Io { .. } => false,
        SinkError::Ftp { detail, .. } => {
            let detail = detail.to_ascii_lowercase();
            detail.contains("connection")
                || detail.contains("broken pipe")
                || detail.contains("timed out")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::sink::DirSink;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, Bytes> {
        pairs
            .iter()
            .map(|(n, c)| (n.to_string(), Bytes::from(c.to_string())))
            .collect()
    }

    #[test]
    fn a_folder_is_published_incrementally_and_foreign_files_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink = DirSink::open(dir.path()).unwrap();
        std::fs::write(dir.path().join("theirs.cfg"), "keep me").unwrap();
        let first = publish(
            &files(&[("a.cfg", "1"), ("b.cfg", "2"), ("uc5/x.cfg", "3")]),
            &mut sink,
            "dir:t",
        );
        assert!(first.ok(), "{first}");
        assert_eq!((first.sent, first.deleted, first.unchanged), (3, 0, 0));
        let second = publish(
            &files(&[("a.cfg", "1"), ("uc5/x.cfg", "3*")]),
            &mut sink,
            "dir:t",
        );
        assert_eq!((second.sent, second.deleted, second.unchanged), (1, 1, 1));
        assert!(!dir.path().join("b.cfg").exists());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("uc5/x.cfg")).unwrap(),
            "3*"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("theirs.cfg")).unwrap(),
            "keep me"
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names.iter().any(|n| n.ends_with(".phoneprov-part")),
            "{names:?}"
        );
        let hostile = publish(&files(&[("../escape.cfg", "x")]), &mut sink, "dir:t");
        assert_eq!(hostile.failed, 1);
        assert!(!dir.path().parent().unwrap().join("escape.cfg").exists());
    }
}
