//! The file a Yealink phone uploads with the changes made on its handset or web page,
//! `<mac>-local.cfg` (`static.auto_provision.custom.sync = 1`), and reads back at its next
//! provisioning, where its values win over the provisioned files
//! (`static.auto_provision.custom.protect = 1`). Anyone who can pass for the phone could plant
//! one, so an upload never keeps a parameter that redirects provisioning or registration or
//! carries a credential ([`strip_protected`]); and what the phone reads back leaves out every
//! parameter its provisioned `<mac>.cfg` sets ([`read_back`]), so the admin's values still apply
//! where the admin set them.

use std::collections::HashSet;

use crate::handset::upload_screen::Protected;

/// The name a phone uploads its changes under, after its MAC.
pub const LOCAL_CONFIG: &str = "-local.cfg";

/// Parameter prefixes an upload may not set (compared without case): provisioning, the phone's
/// logins and certificates, firmware, the network, and include lines.
const PROTECTED_PREFIXES: [&str; 8] = [
    "static.auto_provision.",
    "static.security.",
    "static.firmware.",
    "static.network.",
    "static.trusted_certificates.",
    "static.server_certificates.",
    "auto_provision.",
    "include:",
];

/// Parts of an account's parameters (`account.N.<part>`) an upload may not set: its servers,
/// proxies, login and identity.
const PROTECTED_ACCOUNT_PARTS: [&str; 6] = [
    "sip_server",
    "outbound_proxy",
    "auth_name",
    "user_name",
    "password",
    "enable",
];

/// Whether an uploaded `<mac>-local.cfg` may not set the parameter `name`.
pub fn is_protected(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".url")
        || lower == "overwrite_mode"
        || Protected {
            prefixes: &PROTECTED_PREFIXES,
            numbered: "account.",
            numbered_parts: &PROTECTED_ACCOUNT_PARTS,
        }
        .covers(name)
}

/// An upload that is not a Yealink configuration file (a phone writes none; it is not stored).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotLocalConfig {
    /// Not UTF-8 text.
    #[error("the local configuration is not UTF-8 text")]
    NotText,
    /// A line that is neither a comment nor `name = value`.
    #[error("line {0} of the local configuration is not `name = value`")]
    NotParameter(usize),
}

/// The parameter a line sets, if it sets one (not a comment or a blank line).
fn parameter_of(line: &str) -> Option<&str> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    Some(line.split_once('=').map_or(line, |(name, _)| name.trim()))
}

/// `content` without the protected parameters, and the names of those it dropped; comments,
/// blank lines and every other parameter are kept as sent.
pub fn strip_protected(content: &[u8]) -> Result<(Vec<u8>, Vec<String>), NotLocalConfig> {
    let text = std::str::from_utf8(content).map_err(|_| NotLocalConfig::NotText)?;
    let mut kept = String::with_capacity(text.len());
    let mut dropped = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if let Some(name) = parameter_of(line) {
            if !line.contains('=') && !name.starts_with("include:") {
                return Err(NotLocalConfig::NotParameter(index + 1));
            }
            if is_protected(name) {
                dropped.push(name.to_string());
                continue;
            }
        }
        kept.push_str(line);
        kept.push('\n');
    }
    Ok((kept.into_bytes(), dropped))
}

/// What the phone reads back of its stored `<mac>-local.cfg`: every line but those setting a
/// parameter its provisioned `<mac>.cfg` (`provisioned`) sets.
pub fn read_back(stored: &[u8], provisioned: &[u8]) -> Vec<u8> {
    let provisioned = String::from_utf8_lossy(provisioned);
    let set: HashSet<String> = provisioned
        .lines()
        .filter_map(parameter_of)
        .map(str::to_ascii_lowercase)
        .collect();
    let stored = String::from_utf8_lossy(stored);
    let mut kept = String::with_capacity(stored.len());
    for line in stored.lines() {
        if parameter_of(line).is_some_and(|name| set.contains(&name.to_ascii_lowercase())) {
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_redirections_are_dropped_the_rest_kept() {
        let upload = b"#!version:1.0.0.1\n\
            lang.gui = French\n\
            account.1.sip_server.1.address = 203.0.113.9\n\
            account.1.password = stolen\n\
            static.auto_provision.server.url = http://203.0.113.9/\n\
            static.security.user_password = admin:1\n\
            remote_phonebook.data.1.url = http://203.0.113.9/book.xml\n\
            account.12.label = Mine\n\
            phone_setting.backlight_time = 60\n";
        let (kept, dropped) = strip_protected(upload).unwrap();
        assert_eq!(
            String::from_utf8(kept).unwrap(),
            "#!version:1.0.0.1\nlang.gui = French\naccount.12.label = Mine\n\
             phone_setting.backlight_time = 60\n"
        );
        assert_eq!(
            dropped,
            [
                "account.1.sip_server.1.address",
                "account.1.password",
                "static.auto_provision.server.url",
                "static.security.user_password",
                "remote_phonebook.data.1.url",
            ]
        );
    }

    #[test]
    fn what_is_not_a_configuration_file_is_refused() {
        assert_eq!(
            strip_protected(b"lang.gui = x\nnonsense\n"),
            Err(NotLocalConfig::NotParameter(2))
        );
        assert_eq!(strip_protected(&[0xff, 0xfe]), Err(NotLocalConfig::NotText));
    }

    #[test]
    fn the_provisioned_values_win_on_read_back() {
        let stored = b"#!version:1.0.0.1\nlang.gui = French\nphone_setting.backlight_time = 60\n";
        let provisioned = b"#!version:1.0.0.1\nlang.gui = English\naccount.1.enable = 1\n";
        assert_eq!(
            String::from_utf8(read_back(stored, provisioned)).unwrap(),
            "#!version:1.0.0.1\nphone_setting.backlight_time = 60\n"
        );
    }
}
