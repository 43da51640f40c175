//! Phones: a device by MAC, its vendor and model, which extension sits on each line key, when and
//! how it last fetched a file, and what it uploaded.

use std::collections::BTreeMap;
use std::fmt;

use crate::domain::{ExtensionNumber, Mac, Vendor};

/// A 1-based line key number.
pub type LineNumber = u8;

/// A phone as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// Hardware address, the phone's identity.
    pub mac: Mac,
    /// Vendor: detected from model or MAC prefix unless `vendor_pinned`.
    pub vendor: Vendor,
    /// Set when an admin chose the vendor; imports then leave it alone.
    pub vendor_pinned: bool,
    /// Canonical model name (see [`crate::domain::Model`]), if known.
    pub model: Option<String>,
    /// Extension on each line key.
    pub lines: BTreeMap<LineNumber, ExtensionNumber>,
    /// The last file fetch, if the phone was ever seen.
    pub last_seen: Option<LastSeen>,
}

/// How a file reached a phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
    /// FTP (or FTPS).
    Ftp,
    /// TFTP.
    Tftp,
}

impl Transport {
    /// Lowercase name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Http => "http",
            Transport::Https => "https",
            Transport::Ftp => "ftp",
            Transport::Tftp => "tftp",
        }
    }

    /// Whether a request over it proves its source address: a TCP handshake does, a UDP
    /// packet's source (TFTP) can be forged by anyone.
    pub fn proves_source(self) -> bool {
        self != Transport::Tftp
    }

    /// From the stored name.
    pub fn parse(text: &str) -> Option<Transport> {
        match text {
            "http" => Some(Transport::Http),
            "https" => Some(Transport::Https),
            "ftp" => Some(Transport::Ftp),
            "tftp" => Some(Transport::Tftp),
            _ => None,
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One file fetch by a phone, as the transports report it. Sightings are recorded in batches,
/// never with a database write per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// Which phone.
    pub mac: Mac,
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Client address.
    pub ip: String,
    /// HTTP User-Agent, if the transport has one.
    pub user_agent: Option<String>,
    /// Firmware version parsed from the user agent.
    pub firmware: Option<String>,
    /// Requested file name.
    pub file: String,
    /// Transport used.
    pub transport: Transport,
}

/// The latest sighting of a phone, as stored on it.
pub type LastSeen = Sighting;

/// How often a phone fetched one file, and when last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFetch {
    /// File name.
    pub file: String,
    /// Number of fetches recorded.
    pub count: i64,
    /// Last fetch, milliseconds since the Unix epoch.
    pub last_at_ms: i64,
    /// Transport of the last fetch.
    pub transport: Transport,
}

/// A file a phone uploaded (log, override, directory), kept per phone and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Which phone.
    pub mac: Mac,
    /// File name as the phone sent it (e.g. `0004f214ab37-phone.cfg`).
    pub name: String,
    /// Content.
    pub content: Vec<u8>,
    /// Last write, milliseconds since the Unix epoch.
    pub updated_at_ms: i64,
}

/// An upload to store: it replaces the stored file, or, with `log_keep`, is appended to the
/// stored log, of which only the newest `log_keep` bytes are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadWrite {
    /// The phone, the name, the bytes received and when.
    pub upload: Upload,
    /// For a log: how many of its newest bytes are kept.
    pub log_keep: Option<usize>,
}

/// A log after appending `new` to `old`, keeping only the newest `keep` bytes.
pub fn append_log(old: &[u8], new: &[u8], keep: usize) -> Vec<u8> {
    let mut log = Vec::with_capacity((old.len() + new.len()).min(keep));
    let total = old.len() + new.len();
    let skip = total.saturating_sub(keep);
    if skip < old.len() {
        log.extend_from_slice(&old[skip..]);
        log.extend_from_slice(new);
    } else {
        log.extend_from_slice(&new[skip - old.len()..]);
    }
    log
}

/// What a phone uploaded, without the content: for listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadInfo {
    /// File name as the phone sent it.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Last write, milliseconds since the Unix epoch.
    pub updated_at_ms: i64,
    /// Whether an admin accepted it as it is now (an upload is untrusted until then).
    pub accepted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_keep_the_newest_bytes() {
        assert_eq!(append_log(b"abc", b"de", 10), b"abcde");
        assert_eq!(append_log(b"abc", b"de", 4), b"bcde");
        assert_eq!(append_log(b"abc", b"defgh", 3), b"fgh");
        assert_eq!(append_log(b"", b"xyz", 0), b"");
    }
}
