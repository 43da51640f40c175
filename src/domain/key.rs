//! Programmable keys: what a phone's key N does (a line, a busy lamp field on an extension, a
//! speed dial, call park or pickup, do-not-disturb, transfer to voice mail), set for one phone or
//! for a profile (a phone's own key N wins over its profile's). Which kinds and how many keys a
//! model takes is its vendor's (`src/handset/<vendor>/keys.rs`).

use std::collections::BTreeMap;
use std::fmt;

use crate::domain::text::quoted;
use crate::domain::{Mac, ProfileName};

/// Longest key value (a number or code).
pub const MAX_KEY_VALUE: usize = 64;
/// Longest key label.
pub const MAX_KEY_LABEL: usize = 32;

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// Shows one of the phone's lines (value: the line number).
    Line,
    /// Busy lamp field: shows an extension's state, calls it, picks up its calls.
    Blf,
    /// Dials a number.
    SpeedDial,
    /// Parks a call on an orbit (and, where the vendor's key does both, retrieves it; value: the
    /// orbit or park code).
    Park,
    /// Retrieves a call parked on an orbit: the pair of a park key (value: the orbit).
    Retrieve,
    /// Picks up a watched extension's ringing call (value: the extension).
    Pickup,
    /// Do not disturb on and off.
    Dnd,
    /// Transfers the call to an extension's voice mail (value: the extension).
    Voicemail,
}

impl KeyKind {
    /// Every kind with its name.
    pub const ALL: [(KeyKind, &'static str); 8] = [
        (KeyKind::Line, "line"),
        (KeyKind::Blf, "blf"),
        (KeyKind::SpeedDial, "speeddial"),
        (KeyKind::Park, "park"),
        (KeyKind::Retrieve, "retrieve"),
        (KeyKind::Pickup, "pickup"),
        (KeyKind::Dnd, "dnd"),
        (KeyKind::Voicemail, "voicemail"),
    ];

    /// Parses a kind (any case; `speed dial`, `speed_dial` too).
    pub fn parse(text: &str) -> Option<KeyKind> {
        let name: String = text
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .collect();
        KeyKind::ALL
            .iter()
            .find(|(_, known)| *known == name)
            .map(|(kind, _)| *kind)
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        KeyKind::ALL
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("line", |(_, name)| name)
    }

    /// Whether the key needs a value (all but do-not-disturb).
    pub fn needs_value(self) -> bool {
        self != KeyKind::Dnd
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose keys: one phone's, or a profile's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyOwner {
    /// A phone.
    Phone(Mac),
    /// Every phone given the profile.
    Profile(ProfileName),
}

impl KeyOwner {
    /// Parses a MAC, or `profile:<name>`.
    pub fn parse(text: &str) -> Result<KeyOwner, String> {
        let text = text.trim();
        match text.strip_prefix("profile:") {
            Some(name) => ProfileName::parse(name)
                .map(KeyOwner::Profile)
                .map_err(|e| e.to_string()),
            None => Mac::parse(text).map(KeyOwner::Phone).map_err(|_| {
                format!(
                    "{} is neither a MAC address nor profile:<name>",
                    quoted(text)
                )
            }),
        }
    }

    /// As stored: the MAC, or `profile:<name>`.
    pub fn stored(&self) -> String {
        match self {
            KeyOwner::Phone(mac) => mac.polycom_name(),
            KeyOwner::Profile(name) => format!("profile:{name}"),
        }
    }
}

impl fmt::Display for KeyOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyOwner::Phone(mac) => write!(f, "phone {mac}"),
            KeyOwner::Profile(name) => write!(f, "profile {name}"),
        }
    }
}

/// One programmed key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ProgrammedKey {
    /// Its number on the phone, from 1 (the model's keys first, then expansion modules').
    pub key: u16,
    /// What it does.
    #[serde(rename = "type", serialize_with = "kind_name")]
    #[schema(value_type = String)]
    pub kind: KeyKind,
    /// Its number, extension, line or code (empty for do-not-disturb).
    pub value: String,
    /// What the key shows (empty: the phone's default).
    pub label: String,
}

fn kind_name<S: serde::Serializer>(kind: &KeyKind, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(kind.as_str())
}

/// Checks a key's value and label: no control character, within their lengths, a value where
/// the kind needs one.
pub fn check_key_text(
    kind: KeyKind,
    value: &str,
    label: &str,
) -> Result<(), (&'static str, String)> {
    if kind.needs_value() && value.is_empty() {
        return Err(("value", format!("a {kind} key needs a value")));
    }
    for (field, text, max) in [
        ("value", value, MAX_KEY_VALUE),
        ("label", label, MAX_KEY_LABEL),
    ] {
        if text.chars().any(char::is_control) {
            return Err((field, format!("{} holds a control character", quoted(text))));
        }
        if text.chars().count() > max {
            return Err((field, format!("longer than {max} characters")));
        }
    }
    Ok(())
}

/// The keys a phone gets: its profile's, with its own in their place where it sets the same
/// key, in key order.
pub fn keys_of(own: &[ProgrammedKey], profile: &[ProgrammedKey]) -> Vec<ProgrammedKey> {
    let mut keys: BTreeMap<u16, &ProgrammedKey> = profile.iter().map(|k| (k.key, k)).collect();
    keys.extend(own.iter().map(|k| (k.key, k)));
    keys.into_values().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: u16, value: &str) -> ProgrammedKey {
        ProgrammedKey {
            key,
            kind: KeyKind::Blf,
            value: value.into(),
            label: String::new(),
        }
    }

    #[test]
    fn a_phones_own_key_wins_over_its_profiles() {
        let merged = keys_of(&[key(2, "own")], &[key(1, "p1"), key(2, "p2")]);
        assert_eq!(merged, vec![key(1, "p1"), key(2, "own")]);
    }

    #[test]
    fn kinds_owners_and_texts_parse() {
        assert_eq!(KeyKind::parse("Speed Dial"), Some(KeyKind::SpeedDial));
        assert_eq!(KeyKind::parse("intercom"), None);
        assert!(matches!(
            KeyOwner::parse("profile:Lobby"),
            Ok(KeyOwner::Profile(_))
        ));
        assert!(KeyOwner::parse("nope").is_err());
        assert!(check_key_text(KeyKind::Blf, "", "").is_err());
        assert!(check_key_text(KeyKind::Dnd, "", "").is_ok());
        assert!(check_key_text(KeyKind::SpeedDial, "1\n2", "").is_err());
    }
}
