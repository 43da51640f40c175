//! Sites: one or more call servers (PBXs) and the settings every phone registered to them
//! shares (ports, time zone, dial plan and emergency numbers, message-waiting beep, registration
//! expiry, alternate site, voice mail server, reserved numbers, the daily re-check).
//!
//! A `default` site exists from the first start. It has no call server until an admin sets
//! one, and none means "the address phoneprov itself serves on", so a fresh install renders
//! usable files (`phoneprov check` warns about it).

use std::fmt;

use crate::domain::distribution::Bin;
use crate::domain::text::{quoted, short_name};
use crate::domain::{
    CallServer, ClockRules, DialPlan, EmergencyNumbers, NumberRanges, Recheck, ZoneName,
    call_servers_text,
};

/// The name of the site that exists from the start.
pub const DEFAULT_SITE: &str = "default";
/// SIP port phones use when a site sets none.
pub const DEFAULT_SIP_PORT: u16 = 5060;
/// SIP port of the default site: AltiGen MAXCS listens on 10060.
pub const MAXCS_SIP_PORT: u16 = 10060;
/// Longest site name.
pub(super) const MAX_SITE_NAME: usize = 32;

/// Database identity of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SiteId(pub i64);

/// A site name: 1 to 32 of `a-z 0-9 - _`, starting with a letter or digit. Parsing lowercases,
/// so names compare case-insensitively. Site names also name files (a site's Polycom file), hence
/// the narrow alphabet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SiteName(String);

/// Why a value is not a site name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} is not a site name (1 to 32 letters, digits, - and _, starting with a letter or digit)",
    quoted(.0)
)]
pub struct SiteNameError(pub String);

impl SiteName {
    /// Parses and lowercases a site name.
    pub fn parse(text: &str) -> Result<SiteName, SiteNameError> {
        short_name(text, MAX_SITE_NAME)
            .map(SiteName)
            .ok_or_else(|| SiteNameError(text.to_string()))
    }

    /// The `default` site's name.
    pub fn default_site() -> SiteName {
        SiteName(DEFAULT_SITE.to_string())
    }

    /// The lowercase name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SiteName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Digits in an extension number at a site; drives the dial plan (`[1-7]xx` or `[1-7]xxx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionLength {
    /// 3-digit extensions.
    Three,
    /// 4-digit extensions.
    Four,
}

impl ExtensionLength {
    /// 3 or 4.
    pub fn digits(self) -> u8 {
        match self {
            ExtensionLength::Three => 3,
            ExtensionLength::Four => 4,
        }
    }

    /// From 3 or 4.
    pub fn from_digits(digits: i64) -> Option<ExtensionLength> {
        match digits {
            3 => Some(ExtensionLength::Three),
            4 => Some(ExtensionLength::Four),
            _ => None,
        }
    }
}

/// Digits of a local call after the trunk code 9; drives the dial plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalDialing {
    /// 7-digit local numbers.
    Seven,
    /// 10-digit local numbers.
    Ten,
}

impl LocalDialing {
    /// 7 or 10.
    pub fn digits(self) -> u8 {
        match self {
            LocalDialing::Seven => 7,
            LocalDialing::Ten => 10,
        }
    }

    /// From 7 or 10.
    pub fn from_digits(digits: i64) -> Option<LocalDialing> {
        match digits {
            7 => Some(LocalDialing::Seven),
            10 => Some(LocalDialing::Ten),
            _ => None,
        }
    }
}

/// A site's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSettings {
    /// Call servers, in order; none until set: phones then use phoneprov's own address.
    pub call_servers: Vec<CallServer>,
    /// SIP port of the call servers without one of their own and of the phones themselves
    /// (`voIpProt.SIP.local.port`); `None` means 5060.
    pub sip_port: Option<u16>,
    /// The site's time zone by name; when set, it decides the offset and daylight saving rules.
    pub time_zone: Option<ZoneName>,
    /// Without a zone name: the offset of local standard time from UTC, in seconds (Pacific:
    /// -28800); `None` (and no zone name) means UTC.
    pub utc_offset_seconds: Option<i32>,
    /// Without a zone name: whether daylight saving time applies (on the US rules).
    pub daylight_saving: bool,
    /// SNTP server phones set their clock from.
    pub sntp_server: String,
    /// Digits in an extension number.
    pub extension_length: ExtensionLength,
    /// Digits of a local number.
    pub local_dialing: LocalDialing,
    /// Whether phones beep while a message waits (`false`: the beep is silenced).
    pub mwi_beep: bool,
    /// Registration expiry in seconds; `None` picks 90, or 600 above 100 Polycom phones.
    pub registration_expiry: Option<u32>,
    /// The site phones switch over to.
    pub alternate_site: Option<SiteId>,
    /// The site's own voice mail server; `None` means its call server.
    pub voicemail_server: Option<String>,
    /// Numbers the call server uses itself (not provisioned by phoneprov): extensions with one
    /// of them cannot switch over to this site.
    pub reserved_numbers: NumberRanges,
    /// Trust on first use: a phone's credential files go only to the address that first fetched
    /// its master file (until an admin resets the binding).
    pub trust_first_address: bool,
    /// Numbers dialled at once, first in the dial plan.
    pub emergency_numbers: EmergencyNumbers,
    /// The site's own dial plan, replacing the North American plan built from the extension and
    /// local-number lengths (none: that plan).
    pub dial_plan: Option<DialPlan>,
    /// When phones re-check their files on their own.
    pub recheck: Recheck,
}

impl SiteSettings {
    /// The settings the `default` site starts with, those of the AltiGen MAXCS guide: port 10060,
    /// Pacific time with DST, `time.nist.gov`, 3-digit extensions, 7-digit local dialing, beep
    /// silenced; call server unset.
    pub fn maxcs_defaults() -> SiteSettings {
        SiteSettings {
            call_servers: Vec::new(),
            sip_port: Some(MAXCS_SIP_PORT),
            time_zone: None,
            utc_offset_seconds: Some(-28800),
            daylight_saving: true,
            sntp_server: "time.nist.gov".to_string(),
            extension_length: ExtensionLength::Three,
            local_dialing: LocalDialing::Seven,
            mwi_beep: false,
            registration_expiry: None,
            alternate_site: None,
            voicemail_server: None,
            reserved_numbers: NumberRanges::default(),
            trust_first_address: false,
            emergency_numbers: EmergencyNumbers::default(),
            dial_plan: None,
            recheck: Recheck::default(),
        }
    }

    /// The settings a site created without them starts with: the MAXCS defaults with SIP port
    /// 5060 and no time set (UTC, which `phoneprov check` warns about, until a zone is given).
    pub fn new_site_defaults() -> SiteSettings {
        SiteSettings {
            sip_port: None,
            utc_offset_seconds: None,
            daylight_saving: false,
            ..SiteSettings::maxcs_defaults()
        }
    }

    /// The clock phones of this site are told, as its rules stand in `year`: the named zone's,
    /// else the offset with the US daylight saving rules if the flag is set, else UTC.
    pub fn clock(&self, year: i16) -> ClockRules {
        match (&self.time_zone, self.utc_offset_seconds) {
            (Some(zone), _) => ClockRules::of_zone(zone, year),
            (None, Some(offset)) => ClockRules::from_offset(offset, self.daylight_saving),
            (None, None) => ClockRules::utc(),
        }
    }

    /// The site's time zone when it lies outside the North American Numbering Plan while the
    /// site dials by phoneprov's North American plan (no dial plan of its own): its phones would
    /// send numbers before they are complete.
    pub fn north_american_plan_abroad(&self) -> Option<&ZoneName> {
        self.time_zone.as_ref().filter(|zone| {
            self.dial_plan.is_none() && !crate::domain::zone_dials_north_american(zone.as_str())
        })
    }

    /// True when neither a zone nor an offset is set (phones get UTC).
    pub fn time_unset(&self) -> bool {
        self.time_zone.is_none() && self.utc_offset_seconds.is_none()
    }

    /// The port phones use: the set one or 5060.
    pub fn effective_sip_port(&self) -> u16 {
        self.sip_port.unwrap_or(DEFAULT_SIP_PORT)
    }

    /// The call servers as registration distribution sees them.
    pub fn bins(&self) -> Vec<Bin> {
        let port = self.effective_sip_port();
        self.call_servers
            .iter()
            .map(|s| Bin {
                key: s.key(port),
                weight: s.weight(),
            })
            .collect()
    }

    /// Every setting as `(name, value in words)`, in a fixed order; `site_name` names the
    /// alternate site.
    pub fn describe(
        &self,
        site_name: impl Fn(SiteId) -> Option<String>,
    ) -> Vec<(&'static str, String)> {
        let or_none = |value: Option<String>| value.unwrap_or_else(|| "-".to_string());
        vec![
            (
                "call_servers",
                or_none(Some(call_servers_text(&self.call_servers)).filter(|t| !t.is_empty())),
            ),
            ("sip_port", self.effective_sip_port().to_string()),
            (
                "time_zone",
                or_none(self.time_zone.as_ref().map(ToString::to_string)),
            ),
            (
                "utc_offset_seconds",
                or_none(self.utc_offset_seconds.map(|s| s.to_string())),
            ),
            ("daylight_saving", self.daylight_saving.to_string()),
            ("sntp_server", self.sntp_server.clone()),
            (
                "extension_length",
                self.extension_length.digits().to_string(),
            ),
            ("local_dialing", self.local_dialing.digits().to_string()),
            ("mwi_beep", self.mwi_beep.to_string()),
            (
                "registration_expiry",
                or_none(self.registration_expiry.map(|s| s.to_string())),
            ),
            (
                "alternate_site",
                or_none(self.alternate_site.and_then(&site_name)),
            ),
            ("voicemail_server", or_none(self.voicemail_server.clone())),
            (
                "reserved_numbers",
                or_none(Some(self.reserved_numbers.to_string()).filter(|t| !t.is_empty())),
            ),
            ("trust_first_address", self.trust_first_address.to_string()),
            ("emergency_numbers", self.emergency_numbers.to_string()),
            (
                "dial_plan",
                or_none(self.dial_plan.as_ref().map(ToString::to_string)),
            ),
            ("recheck", self.recheck.to_string()),
        ]
    }

    /// The settings that differ from `before`, as `name: old -> new; ...` (empty when none).
    pub fn changes_from(
        &self,
        before: &SiteSettings,
        site_name: impl Fn(SiteId) -> Option<String>,
    ) -> String {
        before
            .describe(&site_name)
            .into_iter()
            .zip(self.describe(&site_name))
            .filter(|((_, old), (_, new))| old != new)
            .map(|((name, old), (_, new))| format!("{name}: {old} -> {new}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The first call server's address, if any (the one-server shorthand `sip_server`).
    pub fn sip_server(&self) -> Option<&str> {
        self.call_servers.first().map(|s| s.address.as_str())
    }
}

/// A site as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Database identity.
    pub id: SiteId,
    /// Unique name.
    pub name: SiteName,
    /// Settings.
    pub settings: SiteSettings,
    /// Switched over: its switchover-enabled extensions are served by the alternate site's call
    /// server until a switchback.
    pub switched_over: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lowercased_and_checked() {
        assert_eq!(SiteName::parse("Branch-2").unwrap().as_str(), "branch-2");
        assert_eq!(
            SiteName::parse("default").unwrap(),
            SiteName::default_site()
        );
        for bad in ["", "-x", "main office", "a/b", "é", &"x".repeat(33)] {
            assert!(SiteName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn maxcs_defaults_match_the_guide() {
        let s = SiteSettings::maxcs_defaults();
        assert_eq!(s.effective_sip_port(), 10060);
        assert_eq!(s.utc_offset_seconds, Some(-28800));
        assert!(s.daylight_saving && !s.mwi_beep);
        assert_eq!(s.extension_length.digits(), 3);
        assert_eq!(s.local_dialing.digits(), 7);
    }
}
