//! The Aastra/Mitel parameters phoneprov knows by name, type and range, with where each fact
//! comes from. A value set for one of them is checked; any other name is still accepted, with
//! a warning (`docs/settings.md`).
//!
//! Source: Aastra SIP IP Phone Administrator Guide, 41-001343-02 (rev 04, 2014), appendix A,
//! "Operational, Basic, and Advanced Parameters". Every parameter here is read from
//! `aastra.cfg`, `<model>.cfg` and `<MAC>.cfg` alike, by every firmware 3.x and 4.x.

use crate::domain::{Codec, Language, Neutral, ParameterSpec, ValueKind};

const GUIDE: &str = "Aastra SIP IP Phone Administrator Guide 41-001343-02, appendix A";

const fn spec(name: &'static str, kind: ValueKind, meaning: &'static str) -> ParameterSpec {
    ParameterSpec::every_family(name, kind, meaning, GUIDE)
}

/// The catalogue.
pub const CATALOGUE: &[ParameterSpec] = &[
    spec(
        "admin password",
        ValueKind::Integer {
            min: 0,
            max: 4_294_967_295,
        },
        "the phone's admin password, digits only (factory 22222)",
    ),
    spec(
        "user password",
        ValueKind::Integer {
            min: 0,
            max: 4_294_967_295,
        },
        "the user password, digits only",
    ),
    spec(
        "language",
        ValueKind::Integer { min: 0, max: 4 },
        "0 English, 1 to 4 the packs of language 1 to language 4",
    ),
    spec(
        "language 1",
        ValueKind::Text { max: 64 },
        "language pack file, e.g. lang_de.txt",
    ),
    spec(
        "input language",
        ValueKind::Text { max: 32 },
        "keypad input language, e.g. German",
    ),
    spec(
        "tone set",
        ValueKind::Text { max: 32 },
        "call progress tones of a country, e.g. Germany",
    ),
    spec(
        "tagging enabled",
        ValueKind::Flag,
        "1: 802.1Q VLAN tagging on the LAN port",
    ),
    spec(
        "vlan id",
        ValueKind::Integer { min: 1, max: 4095 },
        "the LAN port's VLAN",
    ),
    spec(
        "vlan id port 1",
        ValueKind::Integer { min: 1, max: 4095 },
        "the PC port's VLAN (4095: untagged)",
    ),
    spec("lldp", ValueKind::Flag, "1: LLDP-MED on"),
    spec(
        "sip use basic codecs",
        ValueKind::Flag,
        "1: G.711 and G.729 only",
    ),
    spec(
        "sip customized codec",
        ValueKind::Text { max: 256 },
        "codec order: payload=N;ptime=20;silsupp=off, comma-separated",
    ),
    spec(
        "time format",
        ValueKind::Flag,
        "0: 12-hour clock, 1: 24-hour clock",
    ),
    spec(
        "call waiting",
        ValueKind::Flag,
        "0: a second call gets busy",
    ),
];

/// The language pack file and keypad input language of a language (the packs phoneprov's
/// firmware folder must hold, e.g. `lang_de.txt`); none for English, built in.
fn language_pack(language: Language) -> Option<(&'static str, &'static str)> {
    match language {
        Language::EnglishUs => None,
        Language::German => Some(("lang_de.txt", "German")),
        Language::Spanish => Some(("lang_es.txt", "Spanish")),
        Language::French => Some(("lang_fr.txt", "French")),
        Language::FrenchCanada => Some(("lang_fr_ca.txt", "French")),
        Language::Italian => Some(("lang_it.txt", "Italian")),
        Language::Dutch => Some(("lang_nl_nl.txt", "Dutch")),
    }
}

/// The RTP payload type of a codec in `sip customized codec`.
fn payload(codec: Codec) -> u8 {
    match codec {
        Codec::Pcmu => 0,
        Codec::Pcma => 8,
        Codec::G722 => 9,
        Codec::G729 => 18,
    }
}

fn pair(name: &str, value: impl ToString) -> (String, String) {
    (name.to_string(), value.to_string())
}

/// A neutral setting as Aastra parameters (every firmware spells them alike).
pub fn neutral_parameters(neutral: &Neutral) -> Vec<(String, String)> {
    match neutral {
        Neutral::Language(language) => match language_pack(*language) {
            None => vec![pair("language", 0)],
            Some((pack, input)) => vec![
                pair("language", 1),
                pair("language 1", pack),
                pair("input language", input),
            ],
        },
        Neutral::Vlan(Some(id)) => vec![pair("tagging enabled", 1), pair("vlan id", id)],
        Neutral::Vlan(None) => vec![pair("tagging enabled", 0)],
        Neutral::Lldp(on) => vec![pair("lldp", u8::from(*on))],
        Neutral::Codecs(order) => {
            let list: Vec<String> = order
                .iter()
                .map(|codec| format!("payload={};ptime=20;silsupp=off", payload(*codec)))
                .collect();
            vec![pair("sip customized codec", list.join(","))]
        }
        Neutral::AdminPassword(password) => vec![pair("admin password", password)],
        // Dialled before the BLF key's extension when the server's BLF messages carry no
        // directed call pickup information (41-001343-01 p. 5-129).
        Neutral::PickupCode(code) => vec![pair("directed call pickup prefix", code)],
        // `directory 1` names the phone's own file: written with the phone's settings. No
        // Aastra/Mitel guide phoneprov follows documents a cloud service switch.
        Neutral::Directory(_) | Neutral::Cloud(_) => Vec::new(),
    }
}
