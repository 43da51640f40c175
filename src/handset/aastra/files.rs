//! Aastra 67xxi/68xxi/9xxxi and Mitel 69xx: `aastra.cfg` (also served as `startup.cfg`, its name
//! on Mitel 6800 firmware from 4.0 on), then `<model>.cfg`, then `<MAC>.cfg` (uppercase); in
//! `key: value` lines where the last value read wins.
//!
//! A backup server, when there is none, is written as `0.0.0.0` port 5060 (as wazo does), so a
//! phone drops a backup it may have cached from an earlier configuration. A phone's site settings
//! (time server and zone, local SIP port, daily re-check) are written in its `<MAC>.cfg`, read
//! last, so each phone gets its own site's values whatever `aastra.cfg` holds.

use crate::domain::ServerView;
use crate::domain::{ClockRules, Effective, Extension, LineNumber, Mac, SiteName, SiteSettings};
use crate::handset::clock::{self, AastraClock};

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

/// Seconds an explicit MWI subscription is asked for (`sip explicit mwi subscription period`);
/// the phone renews it before then.
pub const MWI_SUBSCRIPTION_SECONDS: u32 = 3600;
/// `auto resync mode` of the daily re-check: 3, configuration files and firmware.
pub const RESYNC_CONFIG_AND_FIRMWARE: u8 = 3;

/// Context of `aastra/aastra.cfg`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GlobalContext {
    /// Proxy and registrar.
    pub server: ServerView,
    /// Backup proxy and registrar (the same address for both), or `0.0.0.0`.
    pub backup: ServerView,
    /// Registration period in seconds.
    pub registration_period: u32,
    /// `sip explicit mwi subscription period`.
    pub mwi_subscription_period: u32,
}

/// The global file, from the default site's servers.
pub fn global(
    server: ServerView,
    backup: Option<ServerView>,
    registration_period: u32,
) -> GlobalContext {
    GlobalContext {
        server,
        backup: backup.unwrap_or_else(no_backup),
        registration_period,
        mwi_subscription_period: MWI_SUBSCRIPTION_SECONDS,
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

/// The settings of a phone's site, written in its `<MAC>.cfg` (read last, so they win over
/// `aastra.cfg` and `<model>.cfg`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct PhoneSiteView {
    /// Site name.
    pub name: String,
    /// `time server1`.
    pub sntp_server: String,
    /// `time zone minutes`, `dst config`, `dst ...`.
    pub clock: AastraClock,
    /// `sip local port`: the port the phone listens on (and check-sync pushes go to).
    pub local_sip_port: u16,
    /// `auto resync mode`: 3 (files and firmware) or 0 (off).
    pub resync_mode: u8,
    /// `auto resync time`: the phone's own `HH:MM`, when on.
    pub resync_time: Option<String>,
}

/// A phone's site settings, with its clock as it stands this year.
pub fn phone_site(
    name: &SiteName,
    settings: &SiteSettings,
    clock_rules: &ClockRules,
    local_sip_port: u16,
    mac: &Mac,
) -> PhoneSiteView {
    let resync_time = settings.recheck.time_of(mac);
    PhoneSiteView {
        name: name.to_string(),
        sntp_server: settings.sntp_server.clone(),
        clock: clock::aastra(clock_rules),
        local_sip_port,
        resync_mode: if resync_time.is_some() {
            RESYNC_CONFIG_AND_FIRMWARE
        } else {
            0
        },
        resync_time,
    }
}

/// Context of `aastra/phone.cfg`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PhoneContext {
    /// The file's name, `<MAC>.cfg`.
    pub file_name: String,
    /// The phone's site settings.
    pub site: PhoneSiteView,
    /// Line keys in order.
    pub lines: Vec<LineView>,
    /// The phone's effective settings, by parameter name, last in the file so that they win.
    pub settings: Vec<Effective>,
}

/// The per-phone file.
pub fn phone(
    mac: &Mac,
    site: PhoneSiteView,
    lines: Vec<LineView>,
    settings: Vec<Effective>,
) -> PhoneContext {
    PhoneContext {
        file_name: phone_file_name(mac),
        site,
        lines,
        settings,
    }
}

/// `<MAC>.cfg` in uppercase.
pub fn phone_file_name(mac: &Mac) -> String {
    format!("{}.cfg", mac.aastra_name())
}
