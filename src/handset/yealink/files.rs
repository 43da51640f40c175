//! Yealink's files (firmware 81 or later) and the context of each template. A phone asks for
//! `<mac>.boot` first; the boot file names the files it then reads in order, later values
//! winning: its model's common file `y0000000000NN.cfg`, then its own `<mac>.cfg` (lowercase),
//! which holds its accounts and so its passwords. `overwrite_mode = 1` in the boot file makes a
//! parameter left blank or removed go back to its factory value, so an account or a backup
//! server taken away is taken away on the phone too. Every file starts with the
//! `#!version:1.0.0.1` header the guides require on the first line, and holds no time stamp: the
//! phone skips a file whose MD5 it has applied already.

use crate::domain::{
    ClockRules, Effective, Extension, LineNumber, Mac, ServerView, SiteName, SiteSettings,
};
use crate::handset::dialing;
use crate::handset::yealink::clock::{self, YealinkClock};

/// Voice mail access number dialled by the message key (MAXCS: `##`).
pub const VOICEMAIL_ACCESS: &str = "##";

/// `sip.notify_reboot_enable`: 0, a check-sync NOTIFY makes the phone fetch its files and
/// reboots it only when the event says `reboot=true` (the factory value 1 reboots it on every
/// push).
pub const NOTIFY_FETCH_WITHOUT_REBOOT: u8 = 0;

/// `account.X.fallback.timeout`: seconds between the phone's tries of the primary server while
/// the backup serves it (the guide's default).
pub const FALLBACK_TIMEOUT_SECONDS: u32 = 120;

/// `<mac>.boot`.
pub fn boot_file_name(mac: &Mac) -> String {
    format!("{mac}.boot")
}

/// `<mac>.cfg`, lowercase.
pub fn phone_file_name(mac: &Mac) -> String {
    format!("{mac}.cfg")
}

/// Context of `yealink/boot.boot`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BootContext {
    /// The file's name, `<mac>.boot`.
    pub file_name: String,
    /// The files the phone reads, in order (names relative to the boot file).
    pub includes: Vec<String>,
}

/// Context of `yealink/common.cfg`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CommonContext {
    /// The file's name, `y0000000000NN.cfg`.
    pub file_name: String,
    /// The models reading it, comma-separated (`T53, T53W`).
    pub models: String,
}

/// One account of a Yealink phone (`account.N.*`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountView {
    /// The account number N: the line the extension is on.
    pub n: LineNumber,
    /// `label`: the extension's label, else its display name.
    pub label: String,
    /// `display_name`: the caller name.
    pub display_name: String,
    /// `auth_name`.
    pub auth_name: String,
    /// `user_name`: the extension number.
    pub user_name: String,
    /// `password`.
    pub password: String,
    /// `sip_server.1`: the call server.
    pub server: ServerView,
    /// `sip_server.2`: the backup server, if the site has one.
    pub backup: Option<ServerView>,
    /// `sip_server.Y.expires`: registration expiry in seconds.
    pub expires: u32,
    /// `fallback.timeout`.
    pub fallback_timeout: u32,
    /// `voice_mail.number.N`: the voice mail access number at the voice mail server
    /// (`##@<server>`); with `subscribe_mwi_to_vm` the message-waiting subscription goes there
    /// too.
    pub voicemail: String,
}

/// Where an account registers and subscribes: its call server, its backup, the registration
/// expiry and the voice mail server.
#[derive(Debug, Clone)]
pub struct AccountServers {
    /// The call server.
    pub server: ServerView,
    /// The backup server, if any.
    pub backup: Option<ServerView>,
    /// Registration expiry in seconds.
    pub expires: u32,
    /// The voice mail server message waiting is subscribed at.
    pub voicemail_server: String,
}

/// The account of `extension` on line `n`.
pub fn account(n: LineNumber, extension: &Extension, servers: AccountServers) -> AccountView {
    AccountView {
        n,
        label: extension
            .label
            .clone()
            .unwrap_or_else(|| extension.display_name.clone()),
        display_name: extension.display_name.clone(),
        auth_name: extension.effective_auth_user().to_string(),
        user_name: extension.number.to_string(),
        password: extension.password.clone(),
        server: servers.server,
        backup: servers.backup,
        expires: servers.expires,
        fallback_timeout: FALLBACK_TIMEOUT_SECONDS,
        voicemail: format!("{VOICEMAIL_ACCESS}@{}", servers.voicemail_server),
    }
}

/// The settings of a phone's site, in its `<mac>.cfg`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PhoneSiteView {
    /// Site name.
    pub name: String,
    /// `local_time.ntp_server1`.
    pub ntp_server: String,
    /// `local_time.*`: its time zone and daylight saving.
    pub clock: YealinkClock,
    /// `sip.listen_port`: the port the phone listens on, the site's SIP port (check-sync
    /// pushes go there).
    pub listen_port: u16,
    /// `sip.notify_reboot_enable`.
    pub notify_reboot: u8,
    /// `static.auto_provision.weekly.begin_time` and `end_time`: the phone's daily re-check
    /// (`HH:MM`, every day of the week), or none when the site's re-check is off.
    pub recheck_time: Option<String>,
    /// `phone_setting.emergency.number`: the site's emergency numbers, comma-separated.
    pub emergency_numbers: String,
    /// `dialplan.dialnow.rule.N`: the numbers dialled as soon as they are complete.
    pub dial_now: Vec<String>,
}

/// A phone's site settings, with its clock as it stands this year.
pub fn phone_site(
    name: &SiteName,
    settings: &SiteSettings,
    clock_rules: &ClockRules,
    mac: &Mac,
) -> PhoneSiteView {
    PhoneSiteView {
        name: name.to_string(),
        ntp_server: settings.sntp_server.clone(),
        clock: clock::yealink(clock_rules),
        listen_port: settings.effective_sip_port(),
        notify_reboot: NOTIFY_FETCH_WITHOUT_REBOOT,
        recheck_time: settings.recheck.time_of(mac),
        emergency_numbers: settings.emergency_numbers.numbers().join(","),
        dial_now: dialing::complete_numbers(settings)
            .into_iter()
            .map(str::to_string)
            .collect(),
    }
}

/// Context of `yealink/phone.cfg`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PhoneContext {
    /// The file's name, `<mac>.cfg`.
    pub file_name: String,
    /// The phone's site.
    pub site: PhoneSiteView,
    /// Its accounts, in line order.
    pub accounts: Vec<AccountView>,
    /// `static.firmware.url`: the absolute URL of the image the admin pinned for its model,
    /// when there is one and the server knows its web URL (else the phone keeps its firmware).
    pub firmware_url: Option<String>,
    /// The phone's effective settings, last in the file so that they win.
    pub settings: Vec<Effective>,
}

/// The per-phone file.
pub fn phone(
    mac: &Mac,
    site: PhoneSiteView,
    accounts: Vec<AccountView>,
    firmware_url: Option<String>,
    settings: Vec<Effective>,
) -> PhoneContext {
    PhoneContext {
        file_name: phone_file_name(mac),
        site,
        accounts,
        firmware_url,
        settings,
    }
}
