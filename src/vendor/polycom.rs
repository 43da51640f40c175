//! Polycom SoundPoint IP / SoundStation IP / VVX: the master file `<mac>.cfg` (and the default
//! `000000000000.cfg`), one registration file per extension (`201.cfg`) and one file per site
//! (`altigen.cfg` for the default site, `site-<name>.cfg` for others).
//!
//! Line keys: an extension's file carries `reg.N.*` and `msg.mwi.N.*` for the line key N it sits
//! on. An extension is on at most one key of one phone, so the files of a multi-line phone
//! (`201.cfg` with `reg.1.*`, `203.cfg` with `reg.2.*`) never set the same parameter.

use crate::domain::{Extension, ExtensionLength, LocalDialing, SiteName, SiteSettings};
use crate::vendor::ServerView;

/// The master file phones without their own ask for.
pub const DEFAULT_MASTER: &str = "000000000000.cfg";
/// The SIP application image named in master files.
pub const APP_FILE_PATH: &str = "sip.ld";
/// Vendor files every master lists after phoneprov's own.
pub const VENDOR_CONFIG_FILES: [&str; 2] = ["phone1.cfg", "sip.cfg"];
/// Site file of the default site, as the AltiGen guide names it.
pub const DEFAULT_SITE_FILE: &str = "altigen.cfg";
/// Prefix of other sites' files.
pub const SITE_FILE_PREFIX: &str = "site-";

/// The file name of a site's settings.
pub fn site_file_name(site: &SiteName) -> String {
    if *site == SiteName::default_site() {
        DEFAULT_SITE_FILE.to_string()
    } else {
        format!("{SITE_FILE_PREFIX}{site}.cfg")
    }
}

/// The registration file of an extension.
pub fn extension_file_name(extension: &Extension) -> String {
    format!("{}.cfg", extension.number)
}

/// Context of `polycom/master.xml` and `polycom/default-master.xml`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MasterContext {
    /// `APP_FILE_PATH`: the SIP application image.
    pub app_file_path: &'static str,
    /// `CONFIG_FILES`, in order: the phone's extension files by line key, its site file, then
    /// `phone1.cfg` and `sip.cfg`. The first file that sets a parameter wins.
    pub config_files: Vec<String>,
}

/// The master of a phone whose line keys carry `extension_files` (in key order) at `site_file`.
pub fn master(extension_files: Vec<String>, site_file: String) -> MasterContext {
    let mut config_files = extension_files;
    config_files.push(site_file);
    config_files.extend(VENDOR_CONFIG_FILES.map(String::from));
    MasterContext {
        app_file_path: APP_FILE_PATH,
        config_files,
    }
}

/// The master for unknown phones: firmware and the vendor files only, no account.
pub fn default_master() -> MasterContext {
    MasterContext {
        app_file_path: APP_FILE_PATH,
        config_files: VENDOR_CONFIG_FILES.map(String::from).to_vec(),
    }
}

/// An extension as the registration template sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExtensionView {
    /// Number (`reg.N.address`).
    pub number: String,
    /// User's name (`reg.N.displayName`).
    pub display_name: String,
    /// Line key label (`reg.N.label`): the label, or the number.
    pub label: String,
    /// SIP auth user (`reg.N.auth.userId`): the one set, or the number.
    pub auth_user: String,
    /// SIP password (`reg.N.auth.password`).
    pub password: String,
}

/// Context of `polycom/extension.xml`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExtensionContext {
    /// The line key N the extension sits on (1 when on no phone).
    pub line: u8,
    /// The extension.
    pub extension: ExtensionView,
    /// Primary call server (`reg.N.server.1.*`).
    pub server: ServerView,
    /// Backup call server (`reg.N.server.2.*`), if the site has one.
    pub backup: Option<ServerView>,
    /// Registration expiry in seconds.
    pub expires: u32,
    /// Where MWI subscriptions and the voice mail call-back (`##@server`) go.
    pub voicemail_server: String,
}

/// The registration file of `extension` on line key `line`.
pub fn extension(
    line: u8,
    extension: &Extension,
    server: ServerView,
    backup: Option<ServerView>,
    expires: u32,
    voicemail_server: String,
) -> ExtensionContext {
    ExtensionContext {
        line,
        extension: ExtensionView {
            number: extension.number.to_string(),
            display_name: extension.display_name.clone(),
            label: extension.effective_label().to_string(),
            auth_user: extension.effective_auth_user().to_string(),
            password: extension.password.clone(),
        },
        server,
        backup,
        expires,
        voicemail_server,
    }
}

/// A site as the site template sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteView {
    /// Site name.
    pub name: String,
    /// The call server's SIP port (also the phones' local SIP port).
    pub sip_port: u16,
    /// SNTP server.
    pub sntp_server: String,
    /// Offset from UTC in seconds (`tcpIpApp.sntp.gmtOffset`).
    pub gmt_offset: i32,
    /// 1 when daylight saving time applies, else 0.
    pub daylight_saving: u8,
    /// `dialplan.digitmap`, from the site's extension length and local dialing.
    pub digitmap: String,
    /// True when the message-waiting beep is silenced (the `se.pat.misc.1` block is written).
    pub silence_mwi_beep: bool,
}

/// Context of `polycom/site.xml`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteContext {
    /// The site.
    pub site: SiteView,
}

/// The site file of a site.
pub fn site(name: &SiteName, settings: &SiteSettings) -> SiteContext {
    SiteContext {
        site: SiteView {
            name: name.to_string(),
            sip_port: settings.effective_sip_port(),
            sntp_server: settings.sntp_server.clone(),
            gmt_offset: settings.utc_offset_seconds,
            daylight_saving: u8::from(settings.daylight_saving),
            digitmap: digitmap(settings.extension_length, settings.local_dialing),
            silence_mwi_beep: !settings.mwi_beep,
        },
    }
}

/// The MAXCS dial plan: operator `0`, voice mail `##`, feature codes, system call park `#41xx`,
/// other `#4` codes, extensions starting 1-7, trunk 9 + local number, 9 + 1 + 10-digit long
/// distance, and 3+ digits sent on Dial.
pub fn digitmap(extension_length: ExtensionLength, local: LocalDialing) -> String {
    let extensions = match extension_length {
        ExtensionLength::Three => "[1-7]xx",
        ExtensionLength::Four => "[1-7]xxx",
    };
    let local = match local {
        LocalDialing::Seven => "9[2-9]xxxxxx",
        LocalDialing::Ten => "9[2-9]xxxxxxxxx",
    };
    format!("0|##|#[1-3]x|#[5-9]x|#41xx|#4[2-9]|{extensions}|{local}|91xxxxxxxxxx|xxx.T")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digitmaps_follow_the_site_numbering() {
        assert_eq!(
            digitmap(ExtensionLength::Three, LocalDialing::Seven),
            "0|##|#[1-3]x|#[5-9]x|#41xx|#4[2-9]|[1-7]xx|9[2-9]xxxxxx|91xxxxxxxxxx|xxx.T"
        );
        assert_eq!(
            digitmap(ExtensionLength::Four, LocalDialing::Ten),
            "0|##|#[1-3]x|#[5-9]x|#41xx|#4[2-9]|[1-7]xxx|9[2-9]xxxxxxxxx|91xxxxxxxxxx|xxx.T"
        );
    }

    #[test]
    fn site_file_names() {
        assert_eq!(site_file_name(&SiteName::default_site()), "altigen.cfg");
        assert_eq!(
            site_file_name(&SiteName::parse("east").unwrap()),
            "site-east.cfg"
        );
    }
}
