//! Settings without templates: a vendor-native parameter (`up.backlight.idleIntensity`,
//! `language`) set at a [`Scope`] (deployment, site, vendor, model, profile, phone), the most
//! specific scope winning; named profiles assigned to phones; a phone's effective settings with
//! where each value came from ([`SettingsBook::effective`]), vendor-neutral settings
//! (`@language`, ...) turned into each vendor's parameters there; and the parameter catalogue's
//! types ([`ParameterSpec`], [`ValueKind`]) that values of known parameters are checked against.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::domain::neutral::{ADMIN_PASSWORD, NEUTRAL_NAMES, Neutral};
use crate::domain::text::quoted;
use crate::domain::{KeyOwner, Mac, Model, ProfileName, ProgrammedKey, SiteName, Vendor, keys_of};

/// Longest parameter name.
pub const MAX_PARAMETER: usize = 100;
/// Longest value.
pub const MAX_VALUE: usize = 1024;

/// Where a setting applies, from the least specific to the most.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Every phone.
    Deployment,
    /// Phones whose files carry this site.
    Site(SiteName),
    /// Every phone of a vendor (its family of phones).
    Vendor(Vendor),
    /// Every phone of a model.
    Model(&'static str),
    /// Phones the profile is assigned to.
    Profile(ProfileName),
    /// One phone.
    Phone(Mac),
}

/// Why a scope and target do not name a scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// Not one of the scope words.
    #[error(
        "{} is not a scope (deployment, site, vendor, model, profile or phone)",
        quoted(.0)
    )]
    Unknown(String),
    /// The deployment scope takes no target.
    #[error("the deployment scope takes no target (leave it empty), not {}", quoted(.0))]
    TargetNotEmpty(String),
    /// The target is not what the scope needs.
    #[error("{0}")]
    BadTarget(String),
}

impl Scope {
    /// Parses a scope word and its target (`site`, `east`; `model`, `VVX 400`; `deployment`, ``).
    pub fn parse(scope: &str, target: &str) -> Result<Scope, ScopeError> {
        let target = target.trim();
        let bad = |e: &dyn fmt::Display| ScopeError::BadTarget(e.to_string());
        match scope.trim().to_ascii_lowercase().as_str() {
            "deployment" | "global" => {
                if target.is_empty() {
                    Ok(Scope::Deployment)
                } else {
                    Err(ScopeError::TargetNotEmpty(target.to_string()))
                }
            }
            "site" => SiteName::parse(target)
                .map(Scope::Site)
                .map_err(|e| bad(&e)),
            "vendor" => Vendor::parse(target).map(Scope::Vendor).ok_or_else(|| {
                ScopeError::BadTarget(format!(
                    "{} is not a vendor (polycom or aastra)",
                    quoted(target)
                ))
            }),
            "model" => Model::find(target)
                .map(|m| Scope::Model(m.name))
                .ok_or_else(|| {
                    ScopeError::BadTarget(format!("{} is not a known model", quoted(target)))
                }),
            "profile" => ProfileName::parse(target)
                .map(Scope::Profile)
                .map_err(|e| bad(&e)),
            "phone" => Mac::parse(target).map(Scope::Phone).map_err(|e| bad(&e)),
            _ => Err(ScopeError::Unknown(scope.to_string())),
        }
    }

    /// The scope word.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Deployment => "deployment",
            Scope::Site(_) => "site",
            Scope::Vendor(_) => "vendor",
            Scope::Model(_) => "model",
            Scope::Profile(_) => "profile",
            Scope::Phone(_) => "phone",
        }
    }

    /// The target as stored (empty for the deployment).
    pub fn target(&self) -> String {
        match self {
            Scope::Deployment => String::new(),
            Scope::Site(name) => name.to_string(),
            Scope::Vendor(vendor) => vendor.to_string(),
            Scope::Model(model) => model.to_string(),
            Scope::Profile(name) => name.to_string(),
            Scope::Phone(mac) => mac.polycom_name(),
        }
    }

    /// How specific the scope is: a higher rank wins.
    fn rank(&self) -> u8 {
        match self {
            Scope::Deployment => 0,
            Scope::Site(_) => 1,
            Scope::Vendor(_) => 2,
            Scope::Model(_) => 3,
            Scope::Profile(_) => 4,
            Scope::Phone(_) => 5,
        }
    }

    /// The vendor whose phones alone the scope reaches, when it names one.
    pub fn vendor(&self) -> Option<Vendor> {
        match self {
            Scope::Vendor(vendor) => Some(*vendor),
            Scope::Model(name) => Model::find(name).map(|m| m.vendor),
            _ => None,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Deployment => f.write_str("deployment"),
            other => write!(f, "{} {}", other.kind(), other.target()),
        }
    }
}

/// A parameter name: a vendor's own (`polycom:lcl.ml.lang`, `aastra:admin password`: the vendor
/// named, then the name its phones read) or neutral (`@language`, one of [`NEUTRAL_NAMES`]). A
/// vendor's name is letters, digits, `.`, `_`, `-` and single spaces, starting with a letter
/// (Aastra/Mitel names lowercased, as the phone reads them), so it can never close an XML
/// attribute or start another `key:` line. The vendor is always named: by the prefix, by the
/// scope the setting is set at ([`ParameterName::parse_in`]), or, reading an older file, guessed
/// from the spelling ([`ParameterName::parse_old`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParameterName {
    /// Whose parameter; `None` for a neutral setting.
    vendor: Option<Vendor>,
    /// The name the phones read (`@...` for a neutral setting).
    name: String,
}

/// Why a value is not a parameter name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParameterNameError {
    /// Not a name at all.
    #[error(
        "{} is not a parameter name (a vendor and a name, as polycom:up.backlight.idleIntensity or aastra:admin password: up to 100 letters, digits, '.', '_', '-' and single spaces, starting with a letter; or one of {})",
        quoted(.0),
        NEUTRAL_NAMES.join(", ")
    )]
    Invalid(String),
    /// A neutral setting's name written without its `@`, and without a vendor's prefix.
    #[error(
        "{quoted} is a setting every vendor's phones get: write it @{name}; for a vendor's own parameter of that name, write it with the vendor (polycom:{name}, aastra:{name}, yealink:{name})",
        quoted = quoted(.0),
        name = .0
    )]
    NeutralWithoutAt(String),
    /// A vendor's parameter whose vendor is not said.
    #[error(
        "{quoted} names no vendor: write it as polycom:{name} or aastra:{name} (or set it at a vendor, model or phone scope)",
        quoted = quoted(.0),
        name = .0
    )]
    NoVendor(String),
}

/// How a parameter's vendor was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorTold {
    /// A neutral setting, or the name's own prefix.
    Named,
    /// By the scope it is set at (a vendor, a model, a phone).
    ByScope,
    /// Guessed from the spelling (an older file): dotted without spaces is Polycom's.
    BySpelling,
}

impl ParameterName {
    /// Parses a neutral name or a vendor-prefixed one (`polycom:lcl.ml.lang`); a name without
    /// its vendor is refused.
    pub fn parse(text: &str) -> Result<ParameterName, ParameterNameError> {
        ParameterName::parse_in(text, None).map(|(name, _)| name)
    }

    /// Parses a name set at a scope that reaches only `scope_vendor`'s phones (if any): an
    /// unprefixed name is then that vendor's.
    pub fn parse_in(
        text: &str,
        scope_vendor: Option<Vendor>,
    ) -> Result<(ParameterName, VendorTold), ParameterNameError> {
        let trimmed = text.trim();
        if trimmed.starts_with('@') {
            let lower = trimmed.to_ascii_lowercase();
            return NEUTRAL_NAMES
                .contains(&lower.as_str())
                .then_some((
                    ParameterName {
                        vendor: None,
                        name: lower,
                    },
                    VendorTold::Named,
                ))
                .ok_or_else(|| ParameterNameError::Invalid(text.to_string()));
        }
        let (vendor, bare, told) = match trimmed.split_once(':') {
            Some((prefix, bare)) => {
                let vendor = Vendor::parse(prefix)
                    .ok_or_else(|| ParameterNameError::Invalid(text.to_string()))?;
                (vendor, bare.trim(), VendorTold::Named)
            }
            None => {
                // `vlan` is almost surely `@vlan` mistyped: only a vendor's prefix says otherwise.
                let lower = trimmed.to_ascii_lowercase();
                if NEUTRAL_NAMES.contains(&format!("@{lower}").as_str()) {
                    return Err(ParameterNameError::NeutralWithoutAt(lower));
                }
                let vendor = scope_vendor
                    .ok_or_else(|| ParameterNameError::NoVendor(trimmed.to_string()))?;
                (vendor, trimmed, VendorTold::ByScope)
            }
        };
        ParameterName::native(vendor, bare)
            .map(|name| (name, told))
            .ok_or_else(|| ParameterNameError::Invalid(text.to_string()))
    }

    /// Parses a name as an older file wrote it, without its vendor where the scope does not
    /// tell it: a dotted name without spaces is Polycom's, any other Aastra/Mitel's (the rule
    /// phoneprov used before a setting named its vendor; kept only to read such files).
    pub fn parse_old(
        text: &str,
        scope_vendor: Option<Vendor>,
    ) -> Result<(ParameterName, VendorTold), ParameterNameError> {
        match ParameterName::parse_in(text, scope_vendor) {
            Err(ParameterNameError::NoVendor(bare)) => {
                let vendor = if bare.contains('.') && !bare.contains(' ') {
                    Vendor::Polycom
                } else {
                    Vendor::Aastra
                };
                ParameterName::native(vendor, &bare)
                    .map(|name| (name, VendorTold::BySpelling))
                    .ok_or(ParameterNameError::Invalid(bare))
            }
            other => other,
        }
    }

    /// `vendor`'s parameter `bare`, if it is a name (lowercased where the vendor's phones read
    /// names in any case).
    fn native(vendor: Vendor, bare: &str) -> Option<ParameterName> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ' ');
        let well_formed = !bare.is_empty()
            && bare.len() <= MAX_PARAMETER
            && bare.starts_with(|c: char| c.is_ascii_alphabetic())
            && bare.chars().all(allowed)
            && !bare.contains("  ");
        well_formed.then(|| ParameterName {
            vendor: Some(vendor),
            name: if vendor.names_fold_case() {
                bare.to_ascii_lowercase()
            } else {
                bare.to_string()
            },
        })
    }

    /// The name its phones read (`lcl.ml.lang`, `admin password`, `@language`).
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The vendor whose phones read it; `None` for a neutral setting.
    pub fn vendor(&self) -> Option<Vendor> {
        self.vendor
    }

    /// Whether it is a vendor-neutral setting (`@language`).
    pub fn is_neutral(&self) -> bool {
        self.vendor.is_none()
    }

    /// Whether its values are secrets (sealed at rest, left out of listings): a name holding
    /// "password".
    pub fn is_secret(&self) -> bool {
        self.name.to_ascii_lowercase().contains("password")
    }
}

/// The name with its vendor, as stored, listed and exported: `polycom:lcl.ml.lang`, `@vlan`.
impl fmt::Display for ParameterName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.vendor {
            Some(vendor) => write!(f, "{vendor}:{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// Why a value cannot be a setting's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A control character (a line break would start another `key:` line in an Aastra file).
    #[error("{} holds a control character (line breaks and tabs are refused)", quoted(.0))]
    Control(String),
    /// Longer than [`MAX_VALUE`].
    #[error("the value is longer than {MAX_VALUE} characters")]
    TooLong,
    /// Not what the catalogue says the parameter takes.
    #[error("{} is not a valid value of {parameter}: it takes {expected}", quoted(.value))]
    Invalid {
        /// The parameter.
        parameter: String,
        /// The value given.
        value: String,
        /// What it takes.
        expected: String,
    },
}

/// Checks a value's text: no control character, at most [`MAX_VALUE`] characters. Whether it
/// suits the parameter is [`ParameterSpec::check`]'s.
pub fn check_value(value: &str) -> Result<(), ValueError> {
    if value.chars().any(char::is_control) {
        return Err(ValueError::Control(value.to_string()));
    }
    if value.chars().count() > MAX_VALUE {
        return Err(ValueError::TooLong);
    }
    Ok(())
}

/// What a known parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `0` or `1`.
    Flag,
    /// A whole number in a range.
    Integer {
        /// Smallest.
        min: i64,
        /// Largest.
        max: i64,
    },
    /// One of a list of words.
    Choice(&'static [&'static str]),
    /// Free text up to a length.
    Text {
        /// Longest.
        max: usize,
    },
}

impl ValueKind {
    /// Whether `value` is one of these.
    pub fn accepts(&self, value: &str) -> bool {
        match self {
            ValueKind::Flag => matches!(value, "0" | "1"),
            ValueKind::Integer { min, max } => value
                .parse::<i64>()
                .is_ok_and(|n| (*min..=*max).contains(&n)),
            ValueKind::Choice(words) => words.contains(&value),
            ValueKind::Text { max } => value.chars().count() <= *max,
        }
    }
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueKind::Flag => f.write_str("0 or 1"),
            ValueKind::Integer { min, max } => write!(f, "a whole number from {min} to {max}"),
            ValueKind::Choice(words) => write!(f, "one of {}", words.join(", ")),
            ValueKind::Text { max } => write!(f, "text of up to {max} characters"),
        }
    }
}

/// One parameter of a vendor's catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParameterSpec {
    /// The name as the phone reads it.
    pub name: &'static str,
    /// What it takes.
    pub kind: ValueKind,
    /// The firmware families that read it (short names, e.g. `sip32`, `uc5`); empty: every one.
    pub families: &'static [&'static str],
    /// What it does, in a few words.
    pub meaning: &'static str,
    /// Where the facts come from (guide and section).
    pub source: &'static str,
}

impl ParameterSpec {
    /// A parameter every firmware family of its vendor reads.
    pub const fn every_family(
        name: &'static str,
        kind: ValueKind,
        meaning: &'static str,
        source: &'static str,
    ) -> ParameterSpec {
        ParameterSpec {
            name,
            kind,
            families: &[],
            meaning,
            source,
        }
    }

    /// Checks a value of this parameter.
    pub fn check(&self, value: &str) -> Result<(), ValueError> {
        if self.kind.accepts(value) {
            Ok(())
        } else {
            Err(ValueError::Invalid {
                parameter: self.name.to_string(),
                value: value.to_string(),
                expected: self.kind.to_string(),
            })
        }
    }

    /// Whether phones of the firmware family `family` read it.
    pub fn read_by(&self, family: &str) -> bool {
        self.families.is_empty() || self.families.contains(&family)
    }
}

/// One stored setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// Where it applies.
    pub scope: Scope,
    /// Which parameter.
    pub parameter: ParameterName,
    /// Its value (checked: no control character).
    pub value: String,
}

/// A value a phone gets, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Effective {
    /// The parameter.
    pub parameter: String,
    /// The value.
    pub value: String,
    /// Where it was set: `deployment`, `site east`, `model VVX_400`, `profile lobby`,
    /// `phone 0004f2000001`, or a site's named setting (`site east: language`).
    pub origin: String,
}

/// What a phone is, for picking its settings.
#[derive(Debug, Clone, Copy)]
pub struct PhoneFacts<'a> {
    /// The phone.
    pub mac: &'a Mac,
    /// Its vendor.
    pub vendor: Vendor,
    /// Its model's canonical name, if known.
    pub model: Option<&'a str>,
    /// The site its files carry.
    pub site: &'a SiteName,
}

/// Every stored setting and every phone's profile, and each phone's generated admin password.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsBook {
    settings: Vec<Setting>,
    profiles: HashMap<Mac, ProfileName>,
    generated_admin_passwords: HashMap<Mac, String>,
    keys: HashMap<KeyOwner, Vec<ProgrammedKey>>,
}

/// Turns a neutral setting into a vendor's parameters.
pub type Translate<'a> = &'a dyn Fn(&Neutral) -> Vec<(String, String)>;

impl SettingsBook {
    /// A book of these settings and profile assignments.
    pub fn new(settings: Vec<Setting>, profiles: HashMap<Mac, ProfileName>) -> SettingsBook {
        SettingsBook {
            settings,
            profiles,
            generated_admin_passwords: HashMap::new(),
            keys: HashMap::new(),
        }
    }

    /// This book with the programmed keys of phones and profiles.
    pub fn with_keys(self, keys: HashMap<KeyOwner, Vec<ProgrammedKey>>) -> SettingsBook {
        SettingsBook { keys, ..self }
    }

    /// Every owner's programmed keys.
    pub fn keys(&self) -> &HashMap<KeyOwner, Vec<ProgrammedKey>> {
        &self.keys
    }

    /// The keys a phone gets: its profile's, and its own in their place.
    pub fn keys_of_phone(&self, mac: &Mac) -> Vec<ProgrammedKey> {
        let none = Vec::new();
        let own = self.keys.get(&KeyOwner::Phone(*mac)).unwrap_or(&none);
        let profile = self
            .profile_of(mac)
            .and_then(|p| self.keys.get(&KeyOwner::Profile(p.clone())))
            .unwrap_or(&none);
        keys_of(own, profile)
    }

    /// This book with each phone's generated admin password (used where no `@admin_password`
    /// reaches the phone).
    pub fn with_generated_admin_passwords(self, passwords: HashMap<Mac, String>) -> SettingsBook {
        SettingsBook {
            generated_admin_passwords: passwords,
            ..self
        }
    }

    /// A phone's generated admin password.
    pub fn generated_admin_password(&self, phone: &Mac) -> Option<&str> {
        self.generated_admin_passwords
            .get(phone)
            .map(String::as_str)
    }

    /// Every setting.
    pub fn settings(&self) -> &[Setting] {
        &self.settings
    }

    /// The profile assigned to a phone.
    pub fn profile_of(&self, mac: &Mac) -> Option<&ProfileName> {
        self.profiles.get(mac)
    }

    /// Every phone's profile.
    pub fn profiles(&self) -> &HashMap<Mac, ProfileName> {
        &self.profiles
    }

    /// Whether a scope reaches this phone.
    pub fn reaches(&self, scope: &Scope, phone: &PhoneFacts<'_>) -> bool {
        match scope {
            Scope::Deployment => true,
            Scope::Site(name) => name == phone.site,
            Scope::Vendor(vendor) => *vendor == phone.vendor,
            Scope::Model(model) => phone.model == Some(*model),
            Scope::Profile(name) => self.profile_of(phone.mac) == Some(name),
            Scope::Phone(mac) => mac == phone.mac,
        }
    }

    /// The value of a neutral setting (`@directory`) for a phone: the most specific one set.
    pub fn neutral_of(&self, phone: &PhoneFacts<'_>, name: &str) -> Option<Neutral> {
        self.winning(phone, name)
            .and_then(|s| Neutral::parse(name, &s.value).ok())
    }

    /// The setting of `name` that wins for a phone: the most specific scope that reaches it.
    fn winning(&self, phone: &PhoneFacts<'_>, name: &str) -> Option<&Setting> {
        self.settings
            .iter()
            .filter(|s| s.parameter.as_str() == name && self.reaches(&s.scope, phone))
            .max_by_key(|s| s.scope.rank())
    }

    /// The settings a phone gets, by parameter name: those of its vendor and the neutral ones
    /// (turned into its vendor's parameters by `translate`) from every scope that reaches it,
    /// the most specific scope winning; at one scope a native parameter beats a neutral
    /// setting's translation. Under everything: the phone's generated admin password.
    pub fn effective(&self, phone: &PhoneFacts<'_>, translate: Translate<'_>) -> Vec<Effective> {
        // Ranks: the generated admin password 0; then per scope (deployment first) its neutral
        // settings' translations, then its native parameters.
        let mut chosen: BTreeMap<String, (u8, Effective)> = BTreeMap::new();
        let mut offer = |rank: u8, entry: Effective| {
            let replace = chosen
                .get(&entry.parameter)
                .is_none_or(|(held, _)| rank >= *held);
            if replace {
                chosen.insert(entry.parameter.clone(), (rank, entry));
            }
        };
        if let Some(password) = self.generated_admin_password(phone.mac) {
            let origin = format!("phone {} {ADMIN_PASSWORD} (generated)", phone.mac);
            for (parameter, value) in translate(&Neutral::AdminPassword(password.to_string())) {
                offer(
                    0,
                    Effective {
                        parameter,
                        value,
                        origin: origin.clone(),
                    },
                );
            }
        }
        for setting in &self.settings {
            if setting.parameter.vendor() != Some(phone.vendor)
                || !self.reaches(&setting.scope, phone)
            {
                continue;
            }
            offer(
                setting.scope.rank() * 2 + 2,
                Effective {
                    parameter: setting.parameter.as_str().to_string(),
                    value: setting.value.clone(),
                    origin: setting.scope.to_string(),
                },
            );
        }
        for name in NEUTRAL_NAMES {
            let Some(setting) = self.winning(phone, name) else {
                continue;
            };
            let Ok(value) = Neutral::parse(name, &setting.value) else {
                continue;
            };
            let origin = format!("{} {name}", setting.scope);
            for (parameter, value) in translate(&value) {
                offer(
                    setting.scope.rank() * 2 + 1,
                    Effective {
                        parameter,
                        value,
                        origin: origin.clone(),
                    },
                );
            }
        }
        chosen.into_values().map(|(_, entry)| entry).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A setting as an older file wrote it (the vendor told by the scope or the spelling).
    fn setting(scope: Scope, parameter: &str, value: &str) -> Setting {
        Setting {
            parameter: ParameterName::parse_old(parameter, scope.vendor())
                .unwrap()
                .0,
            scope,
            value: value.to_string(),
        }
    }

    #[test]
    fn the_most_specific_scope_wins_and_only_the_phones_vendor_counts() {
        let mac = Mac::parse("0004f2000001").unwrap();
        let other = Mac::parse("0004f2000002").unwrap();
        let lobby = ProfileName::parse("Lobby").unwrap();
        let east = SiteName::parse("east").unwrap();
        let book = SettingsBook::new(
            vec![
                setting(Scope::Phone(mac), "a.b", "phone"),
                setting(Scope::Deployment, "a.b", "deployment"),
                setting(Scope::Site(east.clone()), "a.b", "site"),
                setting(Scope::Deployment, "c.d", "deployment"),
                setting(Scope::Profile(lobby.clone()), "c.d", "profile"),
                setting(Scope::Model("VVX_400"), "e.f", "model"),
                setting(Scope::Vendor(Vendor::Polycom), "e.f", "vendor"),
                setting(Scope::Deployment, "aastra:language", "3"),
            ],
            HashMap::from([(mac, lobby)]),
        );
        let facts = |mac| PhoneFacts {
            mac,
            vendor: Vendor::Polycom,
            model: Some("VVX_400"),
            site: &east,
        };
        let got = |mac| {
            book.effective(&facts(mac), &|_| Vec::new())
                .into_iter()
                .map(|e| (e.parameter, e.value))
                .collect::<Vec<_>>()
        };
        let pairs = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            got(&mac),
            pairs(&[("a.b", "phone"), ("c.d", "profile"), ("e.f", "model")])
        );
        assert_eq!(
            got(&other),
            pairs(&[("a.b", "site"), ("c.d", "deployment"), ("e.f", "model")])
        );
    }

    #[test]
    fn neutral_settings_turn_into_the_vendors_parameters_at_their_scope() {
        let mac = Mac::parse("00085d000001").unwrap();
        let site = SiteName::default_site();
        let facts = PhoneFacts {
            mac: &mac,
            vendor: Vendor::Aastra,
            model: Some("6757i"),
            site: &site,
        };
        let translate = |neutral: &Neutral| match neutral {
            Neutral::AdminPassword(p) => vec![("admin password".to_string(), p.clone())],
            Neutral::Lldp(on) => vec![("lldp".to_string(), u8::from(*on).to_string())],
            _ => Vec::new(),
        };
        let generated = HashMap::from([(mac, "123456789".to_string())]);
        let value_of = |book: &SettingsBook, parameter: &str| {
            book.effective(&facts, &translate)
                .into_iter()
                .find(|e| e.parameter == parameter)
                .map(|e| (e.value, e.origin))
        };
        let plain = SettingsBook::default().with_generated_admin_passwords(generated.clone());
        assert_eq!(
            value_of(&plain, "admin password"),
            Some((
                "123456789".into(),
                "phone 00085d000001 @admin_password (generated)".into()
            ))
        );
        let book = SettingsBook::new(
            vec![
                setting(Scope::Deployment, "@admin_password", "4242"),
                setting(Scope::Model("6757i"), "@lldp", "0"),
                setting(Scope::Model("6757i"), "aastra:lldp", "1"),
                setting(Scope::Phone(mac), "@lldp", "0"),
            ],
            HashMap::new(),
        )
        .with_generated_admin_passwords(generated);
        assert_eq!(
            value_of(&book, "admin password"),
            Some(("4242".into(), "deployment @admin_password".into()))
        );
        assert_eq!(
            value_of(&book, "lldp"),
            Some(("0".into(), "phone 00085d000001 @lldp".into())),
            "the phone's neutral setting beats the model's native parameter"
        );
    }

    #[test]
    fn names_and_values_that_could_inject_are_refused() {
        for bad in [
            "a\"b",
            "x=1",
            "sip line1: x",
            "a\nb",
            "",
            "1abc",
            "a<b",
            "a  b",
        ] {
            assert!(ParameterName::parse(bad).is_err(), "{bad:?}");
        }
        let parsed = |text: &str| ParameterName::parse(text).unwrap();
        assert_eq!(
            parsed("aastra:Admin Password").to_string(),
            "aastra:admin password"
        );
        assert_eq!(
            parsed("mitel:Admin Password").vendor(),
            Some(Vendor::Aastra)
        );
        assert_eq!(parsed("@VLAN").vendor(), None);
        assert!(ParameterName::parse("@colour").is_err());
        assert!(ParameterName::parse("cisco:a.b").is_err(), "no such vendor");
        assert!(ParameterName::parse("polycom:").is_err());
        let dotted = parsed("polycom:up.backlight.idleIntensity");
        assert_eq!(dotted.as_str(), "up.backlight.idleIntensity");
        assert_eq!(dotted.to_string(), "polycom:up.backlight.idleIntensity");
        // A dotted name is not Polycom's by its spelling any more (a third vendor's are
        // dotted too): without its vendor it is refused, unless the scope or an old file says.
        assert_eq!(
            ParameterName::parse("account.1.label"),
            Err(ParameterNameError::NoVendor("account.1.label".into()))
        );
        assert_eq!(
            ParameterName::parse_in("up.idleTimeout", Some(Vendor::Polycom))
                .unwrap()
                .0
                .vendor(),
            Some(Vendor::Polycom),
            "the scope tells"
        );
        // A neutral setting's name without its `@` is no vendor's parameter by accident.
        for (text, scope) in [("vlan", None), ("Codecs", Some(Vendor::Aastra))] {
            assert_eq!(
                ParameterName::parse_in(text, scope),
                Err(ParameterNameError::NeutralWithoutAt(
                    text.to_ascii_lowercase()
                ))
            );
        }
        assert_eq!(
            ParameterName::parse("aastra:language").map(|n| n.vendor()),
            Ok(Some(Vendor::Aastra)),
            "with its vendor it is that vendor's"
        );
        let (old, told) = ParameterName::parse_old("up.backlight.idleIntensity", None).unwrap();
        assert_eq!(
            (old.vendor(), told),
            (Some(Vendor::Polycom), VendorTold::BySpelling)
        );
        let (old, _) = ParameterName::parse_old("Time Format", None).unwrap();
        assert_eq!(old.to_string(), "aastra:time format");
        assert_eq!(
            ParameterName::parse_old("polycom:Time Format", None)
                .unwrap()
                .1,
            VendorTold::Named
        );
        assert!(check_value("1\nsip line1 password: x").is_err());
        assert!(check_value("a \" <b/> & ok").is_ok());
    }

    #[test]
    fn scopes_parse_with_their_targets() {
        assert_eq!(Scope::parse("Deployment", "").unwrap(), Scope::Deployment);
        assert!(Scope::parse("deployment", "x").is_err());
        assert_eq!(
            Scope::parse("model", "6757i").unwrap(),
            Scope::Model("6757i")
        );
        assert_eq!(
            Scope::parse("vendor", "mitel").unwrap(),
            Scope::Vendor(Vendor::Aastra)
        );
        assert!(Scope::parse("room", "x").is_err());
        assert!(Scope::parse("phone", "nope").is_err());
    }
}
