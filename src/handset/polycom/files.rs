//! Polycom SoundPoint IP / SoundStation IP / VVX: the master file `<mac>.cfg` (and the default
//! `000000000000.cfg`), one registration file per extension (`201.cfg`) and one file per site and
//! spelling (`altigen.cfg` for the default site, `site-<name>.cfg` for others; `.uc.cfg` instead of
//! `.cfg` for phones on UC Software, which spells some parameters differently).
//!
//! Line keys: an extension's file carries `reg.N.*` and `msg.mwi.N.*` for the line key N it sits
//! on. An extension is on at most one key of one phone, so the files of a multi-line phone
//! (`201.cfg` with `reg.1.*`, `203.cfg` with `reg.2.*`) never set the same parameter. The file of
//! the extension on a phone's lowest key also carries that phone's daily re-check time
//! (`prov.polling.*`): it is the first file of the phone's `CONFIG_FILES`, so it wins.

use crate::domain::ServerView;
use crate::domain::{ClockRules, Effective, Extension, Mac, Model, SiteName, SiteSettings};
use crate::handset::clock::{self, PolycomClock};
use crate::handset::dialing;
use crate::handset::polycom::firmware::{
    DEFAULT_FAMILY, Family, FirmwarePins, Spelling, master_tag,
};

/// The master file phones without their own ask for.
pub const DEFAULT_MASTER: &str = "000000000000.cfg";
/// Site file of the default site, as the AltiGen guide names it.
pub const DEFAULT_SITE_FILE: &str = "altigen.cfg";
/// Prefix of other sites' files.
pub const SITE_FILE_PREFIX: &str = "site-";
/// What UC Software site files carry before `.cfg` (`altigen.uc.cfg`); site names hold no dot,
/// so the name cannot be another site's.
pub const UC_SITE_FILE_MARK: &str = ".uc";
/// Seconds a phone registered to its backup server waits before it tries its primary again
/// (`failOver.failBack.timeout` with mode `duration`).
pub const FAILBACK_SECONDS: u32 = 300;

/// The file name of a site's settings in one spelling.
pub fn site_file_name(site: &SiteName, spelling: Spelling) -> String {
    let stem = if *site == SiteName::default_site() {
        DEFAULT_SITE_FILE.trim_end_matches(".cfg").to_string()
    } else {
        format!("{SITE_FILE_PREFIX}{site}")
    };
    match spelling {
        Spelling::Sip => format!("{stem}.cfg"),
        Spelling::Uc => format!("{stem}{UC_SITE_FILE_MARK}.cfg"),
    }
}

/// The registration file of an extension.
pub fn extension_file_name(extension: &Extension) -> String {
    format!("{}.cfg", extension.number)
}

/// One model's own element of a master file (`<APPLICATION_SPIP301 .../>`), for phones whose
/// family differs from the master's own attributes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelSection {
    /// The model as master files name it: `SPIP301`, `VVX400`.
    pub tag: String,
    /// `APP_FILE_PATH_<tag>`.
    pub app_file_path: String,
    /// `CONFIG_FILES_<tag>`.
    pub config_files: Vec<String>,
}

/// Context of `polycom/master.xml` and `polycom/default-master.xml`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MasterContext {
    /// `APP_FILE_PATH`: the application image of the phone's firmware family.
    pub app_file_path: String,
    /// `CONFIG_FILES`, in order: the phone's extension files by line key, its site file in its
    /// family's spelling, then the family's vendor files. The first file that sets a parameter
    /// wins.
    pub config_files: Vec<String>,
    /// The per-model elements: none for a phone whose model is known; for the default master
    /// and phones of unknown model, one for every model whose family or image differs from the
    /// master's own attributes.
    pub models: Vec<ModelSection>,
}

/// What a phone's master lists: its settings file, its extension files, and the site it belongs
/// to (`None` for the default master, which names no settings and no site).
pub struct MasterFiles<'a> {
    /// The phone's settings file (`<mac>-settings.cfg`), first: the first file that sets a
    /// parameter wins.
    pub settings: Option<String>,
    /// The phone's extension files, in key order.
    pub extension_files: &'a [String],
    /// The phone's site.
    pub site: Option<&'a SiteName>,
}

fn config_files(files: &MasterFiles<'_>, family: Family) -> Vec<String> {
    let mut list: Vec<String> = files.settings.iter().cloned().collect();
    list.extend(files.extension_files.iter().cloned());
    if let Some(site) = files.site {
        list.push(site_file_name(site, family.spelling()));
    }
    list.extend(family.vendor_config_files().iter().map(|f| f.to_string()));
    list
}

/// The master of a phone of `model` (if known) with `files`, under `pins`.
pub fn master(model: Option<&Model>, files: MasterFiles<'_>, pins: &FirmwarePins) -> MasterContext {
    if let Some((family, image)) = model.and_then(|m| pins.firmware_of(m)) {
        return MasterContext {
            app_file_path: image,
            config_files: config_files(&files, family),
            models: Vec::new(),
        };
    }
    let own_image = DEFAULT_FAMILY.default_image();
    let models = pins
        .polycom_models()
        .filter(|(_, family, image)| *family != DEFAULT_FAMILY || image != own_image)
        .map(|(model, family, image)| ModelSection {
            tag: master_tag(model),
            app_file_path: image,
            config_files: config_files(&files, family),
        })
        .collect();
    MasterContext {
        app_file_path: own_image.to_string(),
        config_files: config_files(&files, DEFAULT_FAMILY),
        models,
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
    /// Seconds on the backup before trying the primary again (`failOver.failBack.timeout`).
    pub failback_timeout: u32,
    /// Which failover parameters the phone's firmware reads: `uc` (UC Software: all five),
    /// `sip32` (SIP 3.2: no `onlySignalWithRegistered`, which its stock `phone1.cfg` does not
    /// list) or `none` (SIP 2.1 and 3.1: the stock 3.1.6 `phone1.cfg` lists no `failOver` name).
    pub failover: &'static str,
    /// The phone's daily re-check: present only in the file of the extension on the phone's
    /// lowest key.
    pub recheck: Option<RecheckView>,
}

/// A phone's daily re-check (`prov.polling.*`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecheckView {
    /// `prov.polling.enabled`: 1 or 0.
    pub enabled: u8,
    /// `prov.polling.time`: the phone's own `HH:MM`, when enabled.
    pub time: Option<String>,
}

/// Where and how an extension is registered, as its file says.
pub struct Registration {
    /// Primary call server.
    pub server: ServerView,
    /// Backup call server.
    pub backup: Option<ServerView>,
    /// Registration expiry in seconds.
    pub expires: u32,
    /// Voice mail server.
    pub voicemail_server: String,
}

/// The registration file of `extension` on line key `line`; `recheck` for the phone's first.
pub fn extension(
    line: u8,
    extension: &Extension,
    registration: Registration,
    recheck: Option<RecheckView>,
    family: Family,
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
        server: registration.server,
        backup: registration.backup,
        expires: registration.expires,
        voicemail_server: registration.voicemail_server,
        failback_timeout: FAILBACK_SECONDS,
        failover: failover_names(family),
        recheck,
    }
}

/// Which failover parameters a firmware family reads (see [`ExtensionContext::failover`]).
fn failover_names(family: Family) -> &'static str {
    match family {
        Family::Uc4 | Family::Uc5 | Family::Uc6 | Family::Edge | Family::Ccx => "uc",
        Family::Sip32 => "sip32",
        Family::Sip21 | Family::Sip31 => "none",
    }
}

/// A site as the site template sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteView {
    /// Site name.
    pub name: String,
    /// True for the UC Software spelling (ring classes by name, `se.pat.misc.messageWaiting`).
    pub uc_software: bool,
    /// The call server's SIP port (also the phones' local SIP port).
    pub sip_port: u16,
    /// SNTP server.
    pub sntp_server: String,
    /// The site's clock (`tcpIpApp.sntp.gmtOffset`, `tcpIpApp.sntp.daylightSavings.*`).
    pub clock: PolycomClock,
    /// `dialplan.digitmap`: emergency numbers first, then the site's numbering.
    pub digitmap: String,
    /// True when the message-waiting beep is silenced (the message-waiting pattern is written).
    pub silence_mwi_beep: bool,
}

/// Context of `polycom/site.xml`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteContext {
    /// The site.
    pub site: SiteView,
}

/// The site file of a site in one spelling, with its clock as it stands this year.
pub fn site(
    name: &SiteName,
    settings: &SiteSettings,
    spelling: Spelling,
    clock_rules: &ClockRules,
) -> SiteContext {
    SiteContext {
        site: SiteView {
            name: name.to_string(),
            uc_software: spelling == Spelling::Uc,
            sip_port: settings.effective_sip_port(),
            sntp_server: settings.sntp_server.clone(),
            clock: clock::polycom(clock_rules),
            digitmap: digitmap(settings),
            silence_mwi_beep: !settings.mwi_beep,
        },
    }
}

/// The dial plan: the site's rules ([`dialing::site_rules`]: emergency numbers first, a full
/// match dials at once), then, with the North American plan, 3+ digits sent on the digit
/// timeout (a site's own plan says itself what waits for the timeout).
pub fn digitmap(settings: &SiteSettings) -> String {
    let mut rules = dialing::site_rules(settings);
    if settings.dial_plan.is_none() {
        rules.push("xxx.T");
    }
    rules.join("|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DialPlan, EmergencyNumbers, ExtensionLength, LocalDialing};

    #[test]
    fn digitmaps_follow_the_site_numbering() {
        let mut settings = SiteSettings::maxcs_defaults();
        assert_eq!(
            digitmap(&settings),
            "911|9911|0|##|#[1-3]x|#[5-9]x|#41xx|#4[2-9]|[1-7]xx|9[2-9]xxxxxx|91xxxxxxxxxx|xxx.T"
        );
        settings.emergency_numbers = EmergencyNumbers::parse("112").unwrap();
        settings.extension_length = ExtensionLength::Four;
        settings.local_dialing = LocalDialing::Ten;
        assert_eq!(
            digitmap(&settings),
            "112|0|##|#[1-3]x|#[5-9]x|#41xx|#4[2-9]|[1-7]xxx|9[2-9]xxxxxxxxx|91xxxxxxxxxx|xxx.T"
        );
        // A site's own plan replaces the North American one, emergency numbers still first.
        settings.dial_plan = Some(DialPlan::parse("0[1-9]xxxxxxx|00x.T|[1-7]xx").unwrap());
        assert_eq!(digitmap(&settings), "112|0[1-9]xxxxxxx|00x.T|[1-7]xx");
    }

    #[test]
    fn site_file_names() {
        let east = SiteName::parse("east").unwrap();
        assert_eq!(
            site_file_name(&SiteName::default_site(), Spelling::Sip),
            "altigen.cfg"
        );
        assert_eq!(
            site_file_name(&SiteName::default_site(), Spelling::Uc),
            "altigen.uc.cfg"
        );
        assert_eq!(site_file_name(&east, Spelling::Sip), "site-east.cfg");
        assert_eq!(site_file_name(&east, Spelling::Uc), "site-east.uc.cfg");
    }
}

/// The ending of a phone's settings file name, after its MAC.
pub const SETTINGS_FILE_SUFFIX: &str = "-settings.cfg";

/// A phone's settings file, `<mac>-settings.cfg`.
pub fn settings_file_name(mac: &Mac) -> String {
    format!("{}{SETTINGS_FILE_SUFFIX}", mac.polycom_name())
}

/// Context of `polycom/settings.xml`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SettingsContext {
    /// The phone's effective settings, by parameter name.
    pub settings: Vec<Effective>,
}
