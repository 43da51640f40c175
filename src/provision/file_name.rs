//! [`FileName`]: a file name a phone asks for, normalised once for every transport and parsed
//! once into what it names in the grammar every vendor shares ([`FileKind`]). HTTP, FTP and TFTP
//! hand the name they received to [`FileName::from_url_path`] (HTTP, percent-encoded) or
//! [`FileName::parse`] (FTP, TFTP); from there on nothing re-reads the text to tell whose file it
//! is. Which of these names are a vendor's files (a Polycom site file, an Aastra model file) is
//! the vendor's to say ([`crate::handset::Handset::resolve`], given [`FileName::asked`]).
//!
//! | name | kind |
//! |---|---|
//! | `<12 hex digits>.cfg`, any case | [`FileKind::PhoneMaster`] (a phone's own file: Polycom master, Aastra `<MAC>.cfg`) |
//! | `<12 hex digits>.cfg` of no phone (all zero, multicast) | [`FileKind::NotAPhone`] |
//! | `<mac>-<anything>`, `<mac>.<ext>`, `<folder>/<mac>-<upload suffix>` | [`FileKind::PhoneOwned`], with the upload it may be ([`UploadName`]) |
//! | `<digits>.cfg` | [`FileKind::Extension`] (or, with no such extension, a vendor's model file) |
//! | anything else | [`FileKind::Other`]: a vendor's shared file, a firmware file, or nothing |

use std::fmt;

use crate::domain::{ExtensionNumber, Mac};
use crate::handset::file::AskedName;
use crate::provision::upload::{SUFFIXES, UploadName};

/// Longest name accepted, in bytes (a firmware path may have folders).
pub const MAX_NAME: usize = 1024;

/// Why a received name is refused before anything looks it up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadName {
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8 once decoded.
    #[error("the name is not valid percent-encoded UTF-8")]
    Encoding,
    /// A NUL or a backslash: never part of a file a phone asks for.
    #[error("the name holds a NUL or a backslash")]
    ForbiddenCharacter,
    /// Longer than [`MAX_NAME`].
    #[error("the name is longer than {MAX_NAME} bytes")]
    TooLong,
}

/// What a file name names in the grammar every vendor shares, decided from the name alone (no
/// data is looked up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// A phone's own file named by its MAC, `<mac>.cfg` (any case): the master file of a phone
    /// of most vendors.
    PhoneMaster(Mac),
    /// Twelve hex digits and `.cfg` that are no phone's MAC (all zero, multicast).
    NotAPhone,
    /// A phone's own other file: its uploads and overrides (`<mac>-boot.log`, `<mac>-phone.cfg`,
    /// also under one folder) and any other `<mac>-…` or `<mac>.<ext>` name.
    PhoneOwned {
        /// The phone the name carries.
        mac: Mac,
        /// The upload it is, when it is a name phones may upload.
        upload: Option<UploadName>,
    },
    /// An extension's registration file `<number>.cfg` (or a model file such as `6930.cfg`
    /// when there is no such extension).
    Extension(ExtensionNumber),
    /// Anything else: a vendor's shared file (a site or model file), a firmware file, or
    /// nothing.
    Other,
}

/// A requested file name: the normalised text and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    text: String,
    kind: FileKind,
}

impl FileName {
    /// An HTTP request path (after the optional prefix and its `/`): percent-decoded exactly
    /// once, then [`FileName::parse`]d.
    pub fn from_url_path(raw: &str) -> Result<FileName, BadName> {
        FileName::parse(&percent_decode(raw)?)
    }

    /// A name as FTP and TFTP clients send it: leading slashes dropped, refused if it holds a
    /// NUL or a backslash or is longer than [`MAX_NAME`].
    pub fn parse(raw: &str) -> Result<FileName, BadName> {
        let text = raw.trim_start_matches('/');
        if text.contains(['\0', '\\']) {
            return Err(BadName::ForbiddenCharacter);
        }
        if text.len() > MAX_NAME {
            return Err(BadName::TooLong);
        }
        Ok(FileName {
            kind: kind_of(text),
            text: text.to_string(),
        })
    }

    /// The name as asked for (normalised).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What it names.
    pub fn kind(&self) -> &FileKind {
        &self.kind
    }

    /// The MAC the name carries: a phone's master file or one of its own files.
    pub fn mac(&self) -> Option<Mac> {
        match &self.kind {
            FileKind::PhoneMaster(mac) | FileKind::PhoneOwned { mac, .. } => Some(*mac),
            _ => None,
        }
    }

    /// The name as a vendor reads it when it resolves the name ([`AskedName`]).
    pub fn asked(&self) -> AskedName<'_> {
        AskedName {
            text: &self.text,
            mac: self.mac(),
            extension: self.extension(),
        }
    }

    /// The extension whose file this is (by name: it may turn out to be a model file).
    pub fn extension(&self) -> Option<&ExtensionNumber> {
        match &self.kind {
            FileKind::Extension(number) => Some(number),
            _ => None,
        }
    }

    /// The upload this name is, if phones may upload it.
    pub fn upload(&self) -> Option<&UploadName> {
        match &self.kind {
            FileKind::PhoneOwned { upload, .. } => upload.as_ref(),
            _ => None,
        }
    }

    /// Whether the name is one phone's: its MAC's or an extension's. Such a name that is missing
    /// or refused is a guess toward a ban.
    pub fn is_phone_file(&self) -> bool {
        self.mac().is_some() || self.extension().is_some()
    }

    /// Whether it is one name with no folder.
    pub fn is_flat(&self) -> bool {
        !self.text.contains('/')
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn kind_of(text: &str) -> FileKind {
    let Some(stem) = text.strip_suffix(".cfg").filter(|s| !s.contains('/')) else {
        return owned_or_other(text);
    };
    if stem.len() == 12 && stem.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Mac::parse(stem).map_or(FileKind::NotAPhone, FileKind::PhoneMaster);
    }
    if let Ok(number) = ExtensionNumber::parse(stem) {
        return FileKind::Extension(number);
    }
    owned_or_other(text)
}

/// A phone's own file (`<mac>` then `.`, `-` or nothing; or an upload name under one folder),
/// else [`FileKind::Other`].
fn owned_or_other(text: &str) -> FileKind {
    let upload = upload_name(text);
    let mac = mac_leading(text).or(upload.as_ref().map(|u| u.mac));
    match mac {
        Some(mac) => FileKind::PhoneOwned { mac, upload },
        None => FileKind::Other,
    }
}

/// The MAC a flat name starts with (`<mac>.cfg`, `<mac>-boot.log`), in any letter case.
fn mac_leading(name: &str) -> Option<Mac> {
    let hex = name.get(..12)?;
    matches!(name.as_bytes().get(12), None | Some(b'.' | b'-'))
        .then(|| Mac::parse(hex).ok())
        .flatten()
}

/// The upload a path names, if it is one phones may upload: `<mac><suffix>`, at the top or under
/// one plain folder (no dot-folders, no deeper paths).
fn upload_name(path: &str) -> Option<UploadName> {
    let file = match path.split_once('/') {
        None => path,
        Some((dir, file)) => {
            let plain_dir = !dir.is_empty() && !dir.starts_with('.') && !file.contains('/');
            if !plain_dir {
                return None;
            }
            file
        }
    };
    let mac = Mac::parse(file.get(..12)?).ok()?;
    let suffix = file.get(12..)?;
    let keep = SUFFIXES
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(suffix))?
        .1;
    Some(UploadName {
        name: format!("{}{}", mac.polycom_name(), suffix.to_ascii_lowercase()),
        mac,
        keep,
    })
}

/// Decodes `%XX` escapes once; refuses a broken escape or bytes that are not UTF-8.
fn percent_decode(raw: &str) -> Result<String, BadName> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|pair| std::str::from_utf8(pair).ok())
                .ok_or(BadName::Encoding)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| BadName::Encoding)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| BadName::Encoding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::upload::Keep;

    fn kind(name: &str) -> FileKind {
        FileName::parse(name).unwrap().kind
    }

    fn mac(text: &str) -> Mac {
        Mac::parse(text).unwrap()
    }

    #[test]
    fn url_paths_are_decoded_once_and_checked() {
        let decoded = |raw: &str| FileName::from_url_path(raw).map(|n| n.text);
        assert_eq!(decoded("201.cfg").as_deref(), Ok("201.cfg"));
        assert_eq!(decoded("%2e%2e/x").as_deref(), Ok("../x"));
        assert_eq!(decoded("%252e").as_deref(), Ok("%2e"), "decoded once only");
        for bad in ["%", "%2", "%zz", "%ff"] {
            assert_eq!(decoded(bad), Err(BadName::Encoding), "{bad:?}");
        }
        for bad in ["a%00b", "a%5cb", "a\\b"] {
            assert_eq!(decoded(bad), Err(BadName::ForbiddenCharacter), "{bad:?}");
        }
        assert_eq!(
            FileName::parse(&"a".repeat(MAX_NAME + 1)),
            Err(BadName::TooLong)
        );
        assert_eq!(FileName::parse("//201.cfg").unwrap().as_str(), "201.cfg");
    }

    #[test]
    fn each_kind_of_name() {
        assert_eq!(kind("000000000000.cfg"), FileKind::NotAPhone);
        assert_eq!(
            kind("0004F214AB37.cfg"),
            FileKind::PhoneMaster(mac("0004f214ab37"))
        );
        assert_eq!(kind("010203040506.cfg"), FileKind::NotAPhone);
        assert_eq!(
            kind("201.cfg"),
            FileKind::Extension(ExtensionNumber::parse("201").unwrap())
        );
        assert!(matches!(
            kind("0004f214ab37-settings.cfg"),
            FileKind::PhoneOwned { mac: m, upload: None } if m == mac("0004f214ab37")
        ));
        for other in [
            "altigen.uc.cfg",
            "site-east.cfg",
            "startup.cfg",
            "6757I.cfg",
            "sip.ld",
            "6799i.cfg",
            "201.xml",
            "../201.cfg",
            "x/201.cfg",
            "",
        ] {
            assert_eq!(kind(other), FileKind::Other, "{other:?}");
        }
    }

    #[test]
    fn a_phones_own_files_name_it() {
        let phone = mac("0004f214ab37");
        for name in ["0004f214ab37-phone.cfg", "0004F214AB37.xml", "0004f214ab37"] {
            let parsed = FileName::parse(name).unwrap();
            assert_eq!(parsed.mac(), Some(phone), "{name}");
            assert!(parsed.is_phone_file(), "{name}");
        }
        let extension = FileName::parse("201.cfg").unwrap();
        assert!(extension.is_phone_file() && extension.mac().is_none());
        for name in [
            "altigen.cfg",
            "sip.ld",
            "0004f214ab37x.cfg",
            "000000000000-app.log",
        ] {
            assert!(!FileName::parse(name).unwrap().is_phone_file(), "{name}");
        }
    }

    #[test]
    fn only_a_phones_own_upload_names() {
        let upload = |name: &str| FileName::parse(name).unwrap().upload().cloned();
        let app = upload("0004F214AB37-App.log").unwrap();
        assert_eq!(
            (app.name.as_str(), app.keep),
            ("0004f214ab37-app.log", Keep::Log)
        );
        let overrides = upload("overrides/0004f214ab37-phone.cfg").unwrap();
        assert_eq!(
            (overrides.name.as_str(), overrides.keep),
            ("0004f214ab37-phone.cfg", Keep::Replace)
        );
        for bad in [
            "evil.sh",
            "0004f214ab37.cfg",
            "0004f214ab37-evil.sh",
            "0004f214ab37-app.log.sh",
            "../0004f214ab37-app.log",
            "a/b/0004f214ab37-app.log",
            ".hidden/0004f214ab37-app.log",
            "000000000000-phone.cfg",
            "0004f2zz1234-app.log",
            "",
        ] {
            assert_eq!(upload(bad), None, "{bad:?}");
        }
    }
}
