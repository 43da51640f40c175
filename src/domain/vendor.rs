//! Vendors and phone models: which vendor a phone is (from its model name or its MAC's OUI), and how
//! many line keys each known model has (the upper bound for a CSV `line` column).
//!
//! Line counts come from vendor data sheets and admin guides; `docs/csv-format.md` lists them and
//! marks the ones not confirmed from a vendor document.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use crate::domain::Mac;

/// The phone families phoneprov renders files for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vendor {
    /// Polycom / Poly SoundPoint IP, SoundStation IP, VVX.
    Polycom,
    /// Aastra 67xxi/68xxi/9xxxi and their Mitel successors (one file grammar).
    Aastra,
    /// Yealink T3x/T4x/T5x/T7x/T8x desk phones (firmware 81 or later: boot files).
    Yealink,
}

impl Vendor {
    /// Every vendor, in display order.
    pub const ALL: [Vendor; 3] = [Vendor::Polycom, Vendor::Aastra, Vendor::Yealink];

    /// The stored, lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Polycom => "polycom",
            Vendor::Aastra => "aastra",
            Vendor::Yealink => "yealink",
        }
    }

    /// Parses a stored or admin-given vendor name (case-insensitive; `mitel` means Aastra).
    pub fn parse(text: &str) -> Option<Vendor> {
        match text.trim().to_ascii_lowercase().as_str() {
            "polycom" | "poly" => Some(Vendor::Polycom),
            "aastra" | "mitel" => Some(Vendor::Aastra),
            "yealink" => Some(Vendor::Yealink),
            _ => None,
        }
    }

    /// Whether its phones read parameter names in any case (Aastra/Mitel: names are stored
    /// lowercased, as `admin password`); Polycom's are case-sensitive XML attributes, Yealink's
    /// are written as its guides spell them (lowercase, dotted).
    pub fn names_fold_case(self) -> bool {
        match self {
            Vendor::Polycom | Vendor::Yealink => false,
            Vendor::Aastra => true,
        }
    }

    /// The vendor owning a MAC's OUI, if it is one of the known prefixes.
    pub fn from_mac(mac: &Mac) -> Option<Vendor> {
        match mac.oui() {
            [0x00, 0x04, 0xf2] | [0x64, 0x16, 0x7f] | [0x48, 0x25, 0x67] => Some(Vendor::Polycom),
            [0x00, 0x08, 0x5d] | [0x08, 0x00, 0x0f] | [0x14, 0x00, 0xe9] => Some(Vendor::Aastra),
            [0x00, 0x15, 0x65]
            | [0xe4, 0x34, 0xd7]
            | [0x80, 0x5e, 0xc0]
            | [0x80, 0x5e, 0x0c]
            | [0x24, 0x9a, 0xd8]
            | [0x34, 0x97, 0xd7]
            | [0x44, 0xdb, 0xd2]
            | [0x64, 0x4f, 0x56]
            | [0xb0, 0x61, 0xa9]
            | [0xc4, 0xfc, 0x22]
            | [0xec, 0x1d, 0xa9]
            | [0xf0, 0x16, 0x53] => Some(Vendor::Yealink),
            _ => None,
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A known phone model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Model {
    /// Canonical name: Polycom's user-agent token (`SPIP_331`, `VVX_400`) or the Aastra/Mitel
    /// file-name model (`6757i`, which is also the name of its `<model>.cfg`).
    pub name: &'static str,
    /// Who makes it.
    pub vendor: Vendor,
    /// Number of line keys (registrations) the model supports.
    pub lines: u8,
}

const fn polycom(name: &'static str, lines: u8) -> Model {
    Model {
        name,
        vendor: Vendor::Polycom,
        lines,
    }
}

const fn aastra(name: &'static str, lines: u8) -> Model {
    Model {
        name,
        vendor: Vendor::Aastra,
        lines,
    }
}

const fn yealink(name: &'static str, lines: u8) -> Model {
    Model {
        name,
        vendor: Vendor::Yealink,
        lines,
    }
}

/// Every model phoneprov knows.
pub const MODELS: &[Model] = &[
    polycom("SPIP_300", 2),
    polycom("SPIP_301", 2),
    polycom("SPIP_320", 2),
    polycom("SPIP_321", 2),
    polycom("SPIP_330", 2),
    polycom("SPIP_331", 2),
    polycom("SPIP_335", 2),
    polycom("SPIP_430", 2),
    polycom("SPIP_450", 3),
    polycom("SPIP_500", 3),
    polycom("SPIP_501", 3),
    polycom("SPIP_550", 4),
    polycom("SPIP_560", 4),
    polycom("SPIP_600", 6),
    polycom("SPIP_601", 6),
    polycom("SPIP_650", 6),
    polycom("SPIP_670", 6),
    polycom("SSIP_4000", 1),
    polycom("SSIP_5000", 1),
    polycom("SSIP_6000", 1),
    polycom("SSIP_7000", 1),
    polycom("VVX_101", 1),
    polycom("VVX_150", 2),
    polycom("VVX_201", 2),
    polycom("VVX_250", 4),
    polycom("VVX_300", 6),
    polycom("VVX_301", 6),
    polycom("VVX_310", 6),
    polycom("VVX_311", 6),
    polycom("VVX_350", 6),
    polycom("VVX_400", 12),
    polycom("VVX_401", 12),
    polycom("VVX_410", 12),
    polycom("VVX_411", 12),
    polycom("VVX_450", 12),
    polycom("VVX_500", 12),
    polycom("VVX_501", 12),
    polycom("VVX_600", 16),
    polycom("VVX_601", 16),
    polycom("VVX_1500", 6),
    // Poly Edge E and CCX: the name as their user agents spell it (`PolyEdge-Edge_E450-UA`,
    // `PolyCCX-CCX_600-UA`); Edge E lines are the registrations of Poly's tables as a peer's
    // generator cites them, CCX lines are not confirmed from a Poly document.
    polycom("Edge_E100", 8),
    polycom("Edge_E220", 16),
    polycom("Edge_E300", 32),
    polycom("Edge_E320", 32),
    polycom("Edge_E350", 32),
    polycom("Edge_E400", 34),
    polycom("Edge_E450", 34),
    polycom("Edge_E500", 34),
    polycom("Edge_E550", 34),
    polycom("CCX_400", 24),
    polycom("CCX_500", 24),
    polycom("CCX_505", 24),
    polycom("CCX_600", 24),
    polycom("CCX_700", 24),
    aastra("6730i", 2),
    aastra("6731i", 2),
    aastra("6735i", 9),
    aastra("6737i", 9),
    aastra("6739i", 9),
    aastra("6751i", 9),
    aastra("6753i", 9),
    aastra("6755i", 9),
    aastra("6757i", 9),
    aastra("6757iCT", 9),
    aastra("9143i", 9),
    aastra("9480i", 9),
    aastra("9480iCT", 9),
    aastra("6863i", 2),
    aastra("6865i", 9),
    aastra("6867i", 9),
    aastra("6869i", 24),
    aastra("6873i", 24),
    aastra("6920", 24),
    aastra("6930", 24),
    aastra("6940", 24),
    aastra("6970", 24),
    // Yealink: the number of SIP accounts (`account.X`), the name as its boot files' `[$MODEL]`
    // spells it.
    yealink("T31G", 2),
    yealink("T33G", 4),
    yealink("T42U", 12),
    yealink("T43U", 12),
    yealink("T46S", 16),
    yealink("T46U", 16),
    yealink("T48S", 16),
    yealink("T48U", 16),
    yealink("T53", 12),
    yealink("T53W", 12),
    yealink("T54W", 16),
    yealink("T57W", 16),
    yealink("T58W", 16),
    yealink("T73U", 12),
    yealink("T74U", 16),
    yealink("T77U", 16),
    yealink("T85W", 16),
    yealink("T87W", 16),
    yealink("T88W", 16),
];

impl Model {
    /// Finds a model by any usual spelling, ignoring case, spaces, `-` and `_` and a vendor or
    /// family prefix: `SPIP_331`, `IP331`, `SoundPoint IP 331`, `VVX400`, `vvx-400`,
    /// `SoundStation IP 6000`, `Aastra 6757i`, `6757i CT`, `Mitel 6930`, `SIP-T46S`, `t46s`,
    /// `Yealink T54W`, `Poly Edge E450`, `E450`, `CCX 600`.
    pub fn find(text: &str) -> Option<&'static Model> {
        static BY_KEY: LazyLock<HashMap<String, &'static Model>> =
            LazyLock::new(|| MODELS.iter().map(|m| (model_key(m.name), m)).collect());
        BY_KEY.get(&model_key(text)).copied()
    }
}

/// Lowercase alphanumerics with vendor/family prefixes removed, so spellings compare equal.
fn model_key(text: &str) -> String {
    let mut key: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    // Yealink's user agents and data sheets say `SIP-T46S`, admins write `T46S`.
    for prefix in [
        "polycom", "poly", "edge", "aastra", "mitel", "yealink", "sip",
    ] {
        if let Some(rest) = key.strip_prefix(prefix) {
            key = rest.to_string();
        }
    }
    // SoundPoint and SoundStation models are told apart by their number (331 vs 6000).
    for prefix in ["soundpointip", "soundstationip", "spip", "ssip", "ip"] {
        if let Some(rest) = key.strip_prefix(prefix) {
            key = rest.to_string();
            break;
        }
    }
    key
}

/// Picks the vendor of a phone: the model's if the model is known, else the MAC's OUI.
pub fn detect_vendor(model: Option<&Model>, mac: &Mac) -> Option<Vendor> {
    model.map(|m| m.vendor).or_else(|| Vendor::from_mac(mac))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_models_by_usual_spellings() {
        for (text, name) in [
            ("SPIP_331", "SPIP_331"),
            ("IP331", "SPIP_331"),
            ("SoundPoint IP 331", "SPIP_331"),
            ("Polycom VVX 400", "VVX_400"),
            ("vvx-400", "VVX_400"),
            ("SoundStation IP 6000", "SSIP_6000"),
            ("SSIP_6000", "SSIP_6000"),
            ("6757i", "6757i"),
            ("Aastra 6757i CT", "6757iCT"),
            ("Mitel6930", "6930"),
            ("SIP-T46S", "T46S"),
            ("Poly Edge E450", "Edge_E450"),
            ("Edge_E450", "Edge_E450"),
            ("e450", "Edge_E450"),
            ("Poly CCX 600", "CCX_600"),
            ("VVX 411", "VVX_411"),
            ("t46s", "T46S"),
            ("Yealink SIP-T54W", "T54W"),
            ("T77U", "T77U"),
        ] {
            assert_eq!(Model::find(text).map(|m| m.name), Some(name), "{text}");
        }
        assert_eq!(Model::find("IP9999"), None);
        assert_eq!(Model::find(""), None);
        assert_eq!(Model::find("Polycom"), None);
    }

    #[test]
    fn canonical_names_are_unique() {
        for (i, a) in MODELS.iter().enumerate() {
            for b in &MODELS[i + 1..] {
                assert_ne!(
                    model_key(a.name),
                    model_key(b.name),
                    "{} vs {}",
                    a.name,
                    b.name
                );
            }
        }
    }

    #[test]
    fn vendor_from_every_listed_prefix() {
        for (mac, vendor) in [
            ("0004f2000001", Some(Vendor::Polycom)),
            ("64167f000001", Some(Vendor::Polycom)),
            ("482567000001", Some(Vendor::Polycom)),
            ("00085d000001", Some(Vendor::Aastra)),
            ("08000f000001", Some(Vendor::Aastra)),
            ("1400e9000001", Some(Vendor::Aastra)),
            ("001565000001", Some(Vendor::Yealink)),
            ("44dbd2000001", Some(Vendor::Yealink)),
            ("001122334455", None),
        ] {
            let mac = Mac::parse(mac).unwrap();
            assert_eq!(Vendor::from_mac(&mac), vendor, "{mac}");
        }
    }

    #[test]
    fn model_wins_over_mac_prefix() {
        let polycom_mac = Mac::parse("0004f2000001").unwrap();
        let model = Model::find("6757i");
        assert_eq!(detect_vendor(model, &polycom_mac), Some(Vendor::Aastra));
        assert_eq!(detect_vendor(None, &polycom_mac), Some(Vendor::Polycom));
    }
}
