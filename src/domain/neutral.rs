//! The settings every admin sets, named once for every vendor (`@language`, `@vlan`, `@lldp`,
//! `@codecs`, `@admin_password`, `@directory`, `@cloud`, `@pickup_code`): set like any parameter (at any scope,
//! the most specific winning) and turned by each vendor's handset into its own parameters (the
//! company directory a phone gets is chosen by `@directory`). A site's phones get a generated
//! admin password unless one is set, and the vendor's cloud services off unless `@cloud` is on.

use std::fmt;

use crate::domain::text::quoted;

/// The language of the phone's menus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// US English.
    EnglishUs,
    /// German (Germany).
    German,
    /// Spanish (Spain).
    Spanish,
    /// French (France).
    French,
    /// French (Canada).
    FrenchCanada,
    /// Italian.
    Italian,
    /// Dutch.
    Dutch,
}

impl Language {
    /// Every language, with its code.
    pub const ALL: [(Language, &'static str); 7] = [
        (Language::EnglishUs, "en-us"),
        (Language::German, "de-de"),
        (Language::Spanish, "es-es"),
        (Language::French, "fr-fr"),
        (Language::FrenchCanada, "fr-ca"),
        (Language::Italian, "it-it"),
        (Language::Dutch, "nl-nl"),
    ];

    /// Parses a code (`de-de`, `de_DE`, `de`; any case).
    pub fn parse(text: &str) -> Option<Language> {
        let code = text.trim().to_ascii_lowercase().replace('_', "-");
        let short = |c: &str| c.split('-').next().map(str::to_string);
        Language::ALL
            .iter()
            .find(|(_, known)| *known == code)
            .or_else(|| {
                // A bare language picks its first country (`fr` is France's French).
                Language::ALL
                    .iter()
                    .find(|(_, known)| short(known) == Some(code.clone()))
            })
            .map(|(language, _)| *language)
    }

    /// Its code.
    pub fn code(self) -> &'static str {
        Language::ALL
            .iter()
            .find(|(language, _)| *language == self)
            .map_or("en-us", |(_, code)| code)
    }
}

/// A voice codec phones of every vendor offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// G.722 wideband.
    G722,
    /// G.711 u-law (PCMU).
    Pcmu,
    /// G.711 a-law (PCMA).
    Pcma,
    /// G.729.
    G729,
}

impl Codec {
    /// Every codec, with the names accepted for it (the first is the one written).
    pub const ALL: [(Codec, &'static [&'static str]); 4] = [
        (Codec::G722, &["g722"]),
        (Codec::Pcmu, &["pcmu", "g711u", "g711mu", "ulaw"]),
        (Codec::Pcma, &["pcma", "g711a", "alaw"]),
        (Codec::G729, &["g729", "g729a", "g729ab"]),
    ];

    /// Parses a codec name (`G.722`, `pcmu`, `g711a`; any case, dots and dashes ignored).
    pub fn parse(text: &str) -> Option<Codec> {
        let name: String = text
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !matches!(c, '.' | '-' | '_' | ' '))
            .collect();
        Codec::ALL
            .iter()
            .find(|(_, names)| names.contains(&name.as_str()))
            .map(|(codec, _)| *codec)
    }

    /// The name written.
    pub fn name(self) -> &'static str {
        Codec::ALL
            .iter()
            .find(|(codec, _)| *codec == self)
            .map_or("pcmu", |(_, names)| names[0])
    }
}

/// Largest admin password: Aastra phones take digits up to 4294967295 (Aastra SIP IP Phone
/// Administrator Guide 41-001343-02, appendix A, "admin password": "numeric characters only",
/// range 0-4294967295).
pub const MAX_ADMIN_PASSWORD: u64 = 4_294_967_295;
/// Digits of a generated admin password (fits under [`MAX_ADMIN_PASSWORD`]).
pub const GENERATED_ADMIN_PASSWORD_DIGITS: u32 = 9;

/// Which company directory a phone gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DirectoryScope {
    /// Every listed extension of the deployment (the default).
    #[default]
    Deployment,
    /// The listed extensions of the phone's site.
    Site,
    /// None: the phone keeps its own contacts only.
    Off,
}

impl DirectoryScope {
    /// The value as written.
    pub fn as_str(self) -> &'static str {
        match self {
            DirectoryScope::Deployment => "deployment",
            DirectoryScope::Site => "site",
            DirectoryScope::Off => "none",
        }
    }
}

/// A vendor-neutral setting with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Neutral {
    /// `@language`.
    Language(Language),
    /// `@vlan`: the VLAN phones tag their traffic with; `None` (`none`): untagged.
    Vlan(Option<u16>),
    /// `@lldp`: LLDP-MED on or off.
    Lldp(bool),
    /// `@codecs`: the codecs offered, in order; the others are off.
    Codecs(Vec<Codec>),
    /// `@admin_password`: the phone's admin password (digits).
    AdminPassword(String),
    /// `@directory`: which company directory the phone gets.
    Directory(DirectoryScope),
    /// `@cloud`: whether the phone may use its vendor's cloud services (Poly's zero-touch
    /// provisioning and Poly Lens); off unless set.
    Cloud(bool),
    /// `@pickup_code`: the call server's directed call pickup code, dialled before the
    /// extension where the phone picks a ringing call up by code (`*8`, `**`).
    PickupCode(String),
}

/// The neutral settings' names.
pub const NEUTRAL_NAMES: [&str; 8] = [
    "@language",
    "@vlan",
    "@lldp",
    "@codecs",
    "@admin_password",
    "@directory",
    "@cloud",
    "@pickup_code",
];

/// Longest directed call pickup code (Yealink: "String within 32 characters").
const MAX_PICKUP_CODE: usize = 32;

/// The name of the cloud services setting.
pub const CLOUD: &str = "@cloud";

/// The name of the company directory setting.
pub const DIRECTORY: &str = "@directory";

/// The name of the admin password setting.
pub const ADMIN_PASSWORD: &str = "@admin_password";

impl Neutral {
    /// What a neutral setting takes, for messages.
    pub fn expected(name: &str) -> String {
        match name {
            "@language" => format!(
                "a language: {}",
                Language::ALL.map(|(_, code)| code).join(", ")
            ),
            "@vlan" => "a VLAN from 1 to 4094, or none".to_string(),
            "@lldp" => "0 or 1".to_string(),
            "@codecs" => "codecs in order, comma-separated: g722, pcmu, pcma, g729".to_string(),
            "@admin_password" => format!("digits, at most {MAX_ADMIN_PASSWORD}"),
            "@directory" => "deployment, site or none".to_string(),
            "@cloud" => "on or off".to_string(),
            "@pickup_code" => {
                format!("the call server's pickup code: digits, * and #, at most {MAX_PICKUP_CODE}")
            }
            _ => format!("one of {}", NEUTRAL_NAMES.join(", ")),
        }
    }

    /// Parses a neutral setting's value; `Err` says what it takes.
    pub fn parse(name: &str, value: &str) -> Result<Neutral, String> {
        let value = value.trim();
        let parsed = match name {
            "@language" => Language::parse(value).map(Neutral::Language),
            "@vlan" if value.eq_ignore_ascii_case("none") => Some(Neutral::Vlan(None)),
            "@vlan" => value
                .parse::<u16>()
                .ok()
                .filter(|id| (1..=4094).contains(id))
                .map(|id| Neutral::Vlan(Some(id))),
            "@lldp" => match value {
                "0" => Some(Neutral::Lldp(false)),
                "1" => Some(Neutral::Lldp(true)),
                _ => None,
            },
            "@codecs" => {
                let codecs: Option<Vec<Codec>> = value.split(',').map(Codec::parse).collect();
                codecs.filter(|list| {
                    !list.is_empty()
                        && list
                            .iter()
                            .enumerate()
                            .all(|(i, codec)| !list[..i].contains(codec))
                })
            }
            .map(Neutral::Codecs),
            "@admin_password" => (!value.is_empty()
                && value.len() <= 10
                && value.bytes().all(|b| b.is_ascii_digit())
                && value.parse::<u64>().is_ok_and(|n| n <= MAX_ADMIN_PASSWORD))
            .then(|| Neutral::AdminPassword(value.to_string())),
            "@directory" => match value.to_ascii_lowercase().as_str() {
                "deployment" => Some(Neutral::Directory(DirectoryScope::Deployment)),
                "site" => Some(Neutral::Directory(DirectoryScope::Site)),
                "none" | "off" => Some(Neutral::Directory(DirectoryScope::Off)),
                _ => None,
            },
            "@pickup_code" => (!value.is_empty()
                && value.len() <= MAX_PICKUP_CODE
                && value
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'*' || b == b'#'))
            .then(|| Neutral::PickupCode(value.to_string())),
            "@cloud" => match value.to_ascii_lowercase().as_str() {
                "on" | "1" => Some(Neutral::Cloud(true)),
                "off" | "0" => Some(Neutral::Cloud(false)),
                _ => None,
            },
            _ => None,
        };
        parsed.ok_or_else(|| Neutral::expected(name))
    }

    /// Its value as written.
    pub fn value_text(&self) -> String {
        match self {
            Neutral::Language(language) => language.code().to_string(),
            Neutral::Vlan(Some(id)) => id.to_string(),
            Neutral::Vlan(None) => "none".to_string(),
            Neutral::Lldp(on) => u8::from(*on).to_string(),
            Neutral::Codecs(list) => list.iter().map(|c| c.name()).collect::<Vec<_>>().join(","),
            Neutral::AdminPassword(password) => password.clone(),
            Neutral::Directory(scope) => scope.as_str().to_string(),
            Neutral::Cloud(on) => if *on { "on" } else { "off" }.to_string(),
            Neutral::PickupCode(code) => code.clone(),
        }
    }
}

impl fmt::Display for Neutral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", quoted(&self.value_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_and_bad_ones_say_what_they_take() {
        assert_eq!(
            Neutral::parse("@language", "DE_de"),
            Ok(Neutral::Language(Language::German))
        );
        assert_eq!(
            Neutral::parse("@language", "fr"),
            Ok(Neutral::Language(Language::French))
        );
        assert_eq!(
            Neutral::parse("@codecs", "G.722, PCMU,g711a"),
            Ok(Neutral::Codecs(vec![Codec::G722, Codec::Pcmu, Codec::Pcma]))
        );
        assert!(Neutral::parse("@codecs", "g722,g722").is_err());
        assert_eq!(Neutral::parse("@vlan", "none"), Ok(Neutral::Vlan(None)));
        assert!(Neutral::parse("@vlan", "4095").is_err());
        assert!(Neutral::parse("@admin_password", "4294967296").is_err());
        assert!(Neutral::parse("@admin_password", "12ab").is_err());
        assert_eq!(Neutral::parse("@lldp", "2"), Err("0 or 1".to_string()));
        assert_eq!(Neutral::parse("@cloud", "ON"), Ok(Neutral::Cloud(true)));
        assert_eq!(Neutral::parse("@cloud", "0"), Ok(Neutral::Cloud(false)));
        assert!(Neutral::parse("@cloud", "maybe").is_err());
        assert_eq!(
            Neutral::parse("@pickup_code", "*8"),
            Ok(Neutral::PickupCode("*8".into()))
        );
        assert!(Neutral::parse("@pickup_code", "*8; reboot").is_err());
    }
}
