//! Aastra 67xxi/68xxi/9xxxi and Mitel 69xx: `aastra.cfg` (also served as `startup.cfg`, its name
//! on Mitel 6800 firmware from 4.0 on), then `<model>.cfg`, then `<MAC>.cfg` (uppercase); in
//! `key: value` lines where the last value read wins.
//!
//! A backup server, when there is none, is written as `0.0.0.0` port 5060 (as wazo does), so a
//! phone drops a backup it may have cached from an earlier configuration.

use crate::domain::{Extension, LineNumber, Mac, SiteSettings};
use crate::vendor::ServerView;

/// Names of the global file.
pub const GLOBAL_FILES: [&str; 2] = ["aastra.cfg", "startup.cfg"];
/// Voice mail access code dialled by the message key (MAXCS: `##`).
pub const VOICEMAIL_ACCESS: &str = "##";

/// The "no backup server" placeholder.
pub fn no_backup() -> ServerView {
    ServerView {
        address: "0.0.0.0".into(),
        port: crate::domain::DEFAULT_SIP_PORT,
    }
}

/// Time zone as Aastra phones name it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TimeZoneView {
    /// `time zone name`: `US-Eastern`, `US-Central`, `US-Mountain`, `US-Pacific` (with their
    /// DST rules) or `Custom`.
    pub name: &'static str,
    /// True for `Custom`: then `minutes` is written as `time zone minutes`.
    pub custom: bool,
    /// Offset from UTC in minutes (for `Custom`).
    pub minutes: i32,
}

/// The Aastra time zone of a UTC offset with or without DST.
pub fn time_zone(utc_offset_seconds: i32, daylight_saving: bool) -> TimeZoneView {
    let named = match (utc_offset_seconds, daylight_saving) {
        (-18000, true) => Some("US-Eastern"),
        (-21600, true) => Some("US-Central"),
        (-25200, true) => Some("US-Mountain"),
        (-28800, true) => Some("US-Pacific"),
        _ => None,
    };
    TimeZoneView {
        name: named.unwrap_or("Custom"),
        custom: named.is_none(),
        minutes: utc_offset_seconds / 60,
    }
}

/// Context of `aastra/aastra.cfg`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GlobalContext {
    /// Proxy and registrar.
    pub server: ServerView,
    /// Backup proxy and registrar (the same address for both), or `0.0.0.0`.
    pub backup: ServerView,
    /// Registration period in seconds.
    pub registration_period: u32,
    /// Time server.
    pub sntp_server: String,
    /// Time zone.
    pub time_zone: TimeZoneView,
}

/// The global file, from the default site's settings.
pub fn global(
    settings: &SiteSettings,
    server: ServerView,
    backup: Option<ServerView>,
    registration_period: u32,
) -> GlobalContext {
    GlobalContext {
        server,
        backup: backup.unwrap_or_else(no_backup),
        registration_period,
        sntp_server: settings.sntp_server.clone(),
        time_zone: time_zone(settings.utc_offset_seconds, settings.daylight_saving),
    }
}

/// Context of `aastra/model.cfg`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelContext {
    /// Model name, e.g. `6757i`.
    pub model: String,
}

/// One line key of an Aastra phone.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LineView {
    /// Line key number N (`sip lineN ...`).
    pub n: LineNumber,
    /// Extension number (`user name`).
    pub number: String,
    /// SIP auth user (`auth name`).
    pub auth_name: String,
    /// SIP password.
    pub password: String,
    /// Caller name (`display name`).
    pub display_name: String,
    /// Idle screen text (`screen name`): the label if set, else the display name.
    pub screen_name: String,
    /// Voice mail access number (`vmail`).
    pub vmail: &'static str,
    /// Proxy and registrar.
    pub server: ServerView,
    /// Backup proxy and registrar, or `0.0.0.0`.
    pub backup: ServerView,
    /// Registration period in seconds.
    pub registration_period: u32,
}

/// A line key of `extension`.
pub fn line(
    n: LineNumber,
    extension: &Extension,
    server: ServerView,
    backup: Option<ServerView>,
    registration_period: u32,
) -> LineView {
    LineView {
        n,
        number: extension.number.to_string(),
        auth_name: extension.effective_auth_user().to_string(),
        password: extension.password.clone(),
        display_name: extension.display_name.clone(),
        screen_name: extension
            .label
            .clone()
            .unwrap_or_else(|| extension.display_name.clone()),
        vmail: VOICEMAIL_ACCESS,
        server,
        backup: backup.unwrap_or_else(no_backup),
        registration_period,
    }
}

/// Context of `aastra/phone.cfg`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PhoneContext {
    /// The file's name, `<MAC>.cfg`.
    pub file_name: String,
    /// Line keys in order.
    pub lines: Vec<LineView>,
}

/// The per-phone file.
pub fn phone(mac: &Mac, lines: Vec<LineView>) -> PhoneContext {
    PhoneContext {
        file_name: phone_file_name(mac),
        lines,
    }
}

/// `<MAC>.cfg` in uppercase.
pub fn phone_file_name(mac: &Mac) -> String {
    format!("{}.cfg", mac.aastra_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_zones_by_name_others_custom() {
        assert_eq!(time_zone(-28800, true).name, "US-Pacific");
        assert_eq!(time_zone(-18000, true).name, "US-Eastern");
        let custom = time_zone(3600, false);
        assert_eq!(
            (custom.name, custom.custom, custom.minutes),
            ("Custom", true, 60)
        );
        assert!(time_zone(-18000, false).custom, "no DST is not US-Eastern");
    }
}
