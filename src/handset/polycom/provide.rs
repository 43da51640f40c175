//! Polycom's part of the provisioning core: which names are its files (the default master
//! `000000000000.cfg`, a phone's `<mac>.cfg` and `<mac>-settings.cfg`, an extension's
//! `<number>.cfg`, the site files `altigen[.uc].cfg` and `site-<name>[.uc].cfg`), the template and
//! context each is rendered with, the files of a phone in fetch order, its built-in templates and
//! their sample contexts.

use tera::Context;

use crate::domain::{Deployment, Extension, Mac, Model, Phone, SiteName, SiteSettings, Vendor};
use crate::handset::file::{
    About, AskedName, FileInput, FileRole, Format, NotServed, PrepareError, Prepared, Template,
    VendorFile, claimed,
};
use crate::handset::file_provider::{FileProvider, FirmwareNeed, Pins};
use crate::handset::polycom::Polycom;
use crate::handset::polycom::codec_lists;
use crate::handset::polycom::files::{
    self as polycom, DEFAULT_MASTER, DEFAULT_SITE_FILE, SETTINGS_FILE_SUFFIX, SITE_FILE_PREFIX,
    UC_SITE_FILE_MARK,
};
use crate::handset::polycom::firmware::{DEFAULT_FAMILY, Family, FirmwarePins, Spelling};
use crate::handset::samples::{sample_extension, sample_server, sample_setting};

/// Polycom master file of a known phone (`<mac>.cfg`).
pub const POLYCOM_MASTER: &str = "polycom/master.xml";
/// Polycom master file for unknown phones (`000000000000.cfg`).
pub const POLYCOM_DEFAULT_MASTER: &str = "polycom/default-master.xml";
/// Polycom registration file of one extension (`201.cfg`).
pub const POLYCOM_EXTENSION: &str = "polycom/extension.xml";
/// Polycom site file (`altigen.cfg`).
pub const POLYCOM_SITE: &str = "polycom/site.xml";
/// Polycom settings file of one phone (`<mac>-settings.cfg`).
pub const POLYCOM_SETTINGS: &str = "polycom/settings.xml";

/// `000000000000.cfg`, for phones of no account.
const DEFAULT_MASTER_FILE: &str = "default-master";
/// A known phone's `<mac>.cfg`.
const MASTER_FILE: &str = "master";
/// A known phone's `<mac>-settings.cfg`.
const SETTINGS_FILE: &str = "settings";
/// An extension's `<number>.cfg`.
const EXTENSION_FILE: &str = "extension";
/// A site's file in the SIP 2.x/3.x spelling.
const SITE_FILE: &str = "site";
/// A site's file in the UC Software spelling.
const UC_SITE_FILE: &str = "site.uc";

/// Polycom's built-in templates.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: POLYCOM_MASTER,
        text: include_str!("../../../templates/polycom/master.xml"),
        format: Format::Xml,
    },
    Template {
        name: POLYCOM_DEFAULT_MASTER,
        text: include_str!("../../../templates/polycom/default-master.xml"),
        format: Format::Xml,
    },
    Template {
        name: POLYCOM_EXTENSION,
        text: include_str!("../../../templates/polycom/extension.xml"),
        format: Format::Xml,
    },
    Template {
        name: POLYCOM_SITE,
        text: include_str!("../../../templates/polycom/site.xml"),
        format: Format::Xml,
    },
    Template {
        name: POLYCOM_SETTINGS,
        text: include_str!("../../../templates/polycom/settings.xml"),
        format: Format::Xml,
    },
];

/// The admin's firmware pins, if `pins` are Polycom's; none else.
pub fn pins(pins: &Pins) -> &FirmwarePins {
    static NONE: FirmwarePins = FirmwarePins::NONE;
    pins.downcast_ref().unwrap_or(&NONE)
}

/// The firmware family a phone is served: its model's (or its pin's), else that of phones of
/// unknown model.
fn family_served(phone: &Phone, pins: &FirmwarePins) -> Family {
    firmware_served(phone, pins).0
}

/// The firmware family and application image a phone is served: its model's (or its pin's),
/// else those of phones of unknown model.
fn firmware_served(phone: &Phone, pins: &FirmwarePins) -> (Family, String) {
    model_of(phone)
        .and_then(|model| pins.firmware_of(model))
        .unwrap_or_else(|| (DEFAULT_FAMILY, DEFAULT_FAMILY.default_image().to_string()))
}

/// A phone's known model.
fn model_of(phone: &Phone) -> Option<&'static Model> {
    phone.model.as_deref().and_then(Model::find)
}

/// A phone's extension files by line key, and its site's name.
fn layout(deployment: &Deployment, phone: &Phone) -> (Vec<String>, SiteName) {
    let files = phone
        .lines
        .values()
        .filter_map(|number| deployment.extension(number))
        .map(polycom::extension_file_name)
        .collect();
    (files, deployment.site_of_phone(phone).name.clone())
}

/// The registration file of an extension, with the phone's re-check when the extension is on
/// the lowest key of its phone (its file is then the first in the phone's `CONFIG_FILES`).
fn extension_file(
    deployment: &Deployment,
    extension: &Extension,
    pins: &FirmwarePins,
) -> polycom::ExtensionContext {
    let placement = deployment.placement(&extension.number);
    let family = placement
        .and_then(|(mac, _)| deployment.phone(&mac))
        .map_or(DEFAULT_FAMILY, |phone| family_served(phone, pins));
    let line = placement.map_or(1, |(_, line)| line);
    let site = deployment.site_of(extension);
    let (server, backup) = deployment.servers_of(extension);
    let recheck = placement
        .and_then(|(mac, _)| deployment.phone(&mac))
        .filter(|phone| {
            deployment.first_extension(phone).map(|e| &e.number) == Some(&extension.number)
        })
        .map(|phone| {
            let time = deployment
                .site_of_phone(phone)
                .settings
                .recheck
                .time_of(&phone.mac);
            polycom::RecheckView {
                enabled: u8::from(time.is_some()),
                time,
            }
        });
    let registration = polycom::Registration {
        server,
        backup,
        expires: deployment.expires_of(site),
        voicemail_server: deployment.voicemail_of(site),
    };
    polycom::extension(line, extension, registration, recheck, family)
}

impl FileProvider for Polycom {
    fn templates(&self) -> &'static [Template] {
        TEMPLATES
    }

    /// The file `name` names among Polycom's, if it is one of theirs.
    fn resolve<'d>(
        &self,
        deployment: &'d Deployment,
        name: AskedName<'_>,
    ) -> Option<Result<VendorFile<'d>, NotServed>> {
        if name.text == DEFAULT_MASTER {
            return claimed(DEFAULT_MASTER_FILE, About::Vendor);
        }
        let stem = name.cfg_stem()?;
        if let (Some(mac), Some(rest)) = (name.mac, name.after_mac()) {
            let phone = deployment.phone(&mac);
            if rest == ".cfg" {
                return phone
                    .filter(|p| p.vendor == Vendor::Polycom)
                    .and_then(|p| claimed(MASTER_FILE, About::Phone(p)));
            }
            if rest.eq_ignore_ascii_case(SETTINGS_FILE_SUFFIX) {
                return Some(match phone {
                    Some(p) if p.vendor == Vendor::Polycom => Ok(VendorFile {
                        kind: SETTINGS_FILE,
                        about: About::Phone(p),
                    }),
                    Some(p) => Err(NotServed::OtherVendorsPhone {
                        mac,
                        vendor: p.vendor,
                        file: name.text.to_string(),
                    }),
                    None => Err(NotServed::NoPhone(mac)),
                });
            }
            return None;
        }
        if let Some(number) = name.extension {
            let extension = deployment.extension(number)?;
            // A phone of another vendor has its extensions in its own file: no Polycom copy.
            let other_vendor = deployment
                .placement(number)
                .and_then(|(mac, _)| deployment.phone(&mac))
                .map(|phone| phone.vendor)
                .filter(|vendor| *vendor != Vendor::Polycom);
            return Some(match other_vendor {
                Some(vendor) => Err(NotServed::InPhonesOwnFile {
                    number: number.clone(),
                    vendor,
                }),
                None => Ok(VendorFile {
                    kind: EXTENSION_FILE,
                    about: About::Extension(extension),
                }),
            });
        }
        let (site_stem, kind) = match stem.strip_suffix(UC_SITE_FILE_MARK) {
            Some(base) => (base, UC_SITE_FILE),
            None => (stem, SITE_FILE),
        };
        if DEFAULT_SITE_FILE.strip_suffix(".cfg") == Some(site_stem) {
            return claimed(kind, About::Site(deployment.default_site()));
        }
        let site = site_stem.strip_prefix(SITE_FILE_PREFIX)?;
        Some(
            SiteName::parse(site)
                .ok()
                .and_then(|parsed| deployment.site_named(&parsed))
                .map(|found| VendorFile {
                    kind,
                    about: About::Site(found),
                })
                .ok_or_else(|| NotServed::NoSite(site.to_string())),
        )
    }

    /// What the core guards of one of Polycom's files: the master file binds, the settings and
    /// extension files hold secrets.
    fn role(&self, file: &VendorFile<'_>) -> FileRole {
        FileRole {
            master: file.kind == MASTER_FILE,
            carries_secret: matches!(file.kind, SETTINGS_FILE | EXTENSION_FILE),
        }
    }

    /// The template and context of one of Polycom's files.
    fn prepare(
        &self,
        input: &FileInput<'_>,
        file: &VendorFile<'_>,
    ) -> Result<Prepared, PrepareError> {
        let deployment = input.deployment;
        match (file.kind, file.about) {
            (MASTER_FILE, About::Phone(phone)) => {
                let (extension_files, site) = layout(deployment, phone);
                let files = polycom::MasterFiles {
                    settings: Some(polycom::settings_file_name(&phone.mac)),
                    extension_files: &extension_files,
                    site: Some(&site),
                };
                let master = polycom::master(model_of(phone), files, pins(input.pins));
                Prepared::of(POLYCOM_MASTER, master)
            }
            (SETTINGS_FILE, About::Phone(phone)) => {
                let settings = match model_of(phone) {
                    Some(model) => codec_lists::with_model_list(
                        (input.settings_of)(phone),
                        model.name,
                        family_served(phone, pins(input.pins)),
                    ),
                    None => (input.settings_of)(phone),
                };
                Prepared::of(POLYCOM_SETTINGS, polycom::SettingsContext { settings })
            }
            (EXTENSION_FILE, About::Extension(extension)) => Prepared::of(
                POLYCOM_EXTENSION,
                extension_file(deployment, extension, pins(input.pins)),
            ),
            (SITE_FILE | UC_SITE_FILE, About::Site(site)) => {
                let spelling = if file.kind == UC_SITE_FILE {
                    Spelling::Uc
                } else {
                    Spelling::Sip
                };
                let clock = deployment.clock_of(site);
                Prepared::of(
                    POLYCOM_SITE,
                    polycom::site(&site.name, &site.settings, spelling, clock),
                )
            }
            _ => {
                let files = polycom::MasterFiles {
                    settings: None,
                    extension_files: &[],
                    site: None,
                };
                Prepared::of(
                    POLYCOM_DEFAULT_MASTER,
                    polycom::master(None, files, pins(input.pins)),
                )
            }
        }
    }

    /// A Polycom phone's files in the order it fetches them: its master file, its settings, its
    /// extensions' files by line key, its site's file in the spelling of its firmware.
    fn files_of_phone(&self, input: &FileInput<'_>, phone: &Phone) -> Vec<String> {
        let (extension_files, site) = layout(input.deployment, phone);
        let mut files = vec![
            format!("{}.cfg", phone.mac.polycom_name()),
            polycom::settings_file_name(&phone.mac),
        ];
        files.extend(extension_files);
        let spelling = family_served(phone, pins(input.pins)).spelling();
        files.push(polycom::site_file_name(&site, spelling));
        files
    }

    /// The default master and every site's file in both spellings.
    fn shared_files(&self, deployment: &Deployment) -> Vec<String> {
        let mut sites: Vec<&SiteName> = deployment.sites().map(|s| &s.name).collect();
        sites.sort();
        let mut files = vec![DEFAULT_MASTER.to_string()];
        for site in sites {
            for spelling in [Spelling::Sip, Spelling::Uc] {
                files.push(polycom::site_file_name(site, spelling));
            }
        }
        files
    }

    /// A sample context of one of Polycom's templates, with the branches of the most variables (a
    /// backup server, a re-check, daylight saving rules, the per-model sections of a master).
    fn sample_context(&self, template: &str) -> Option<Context> {
        let settings = SiteSettings::maxcs_defaults();
        let clock = settings.clock(2026);
        let mac = Mac::parse("0004f2000001").ok()?;
        let pins = FirmwarePins::default();
        let site = SiteName::default_site();
        let context = match template {
            POLYCOM_MASTER | POLYCOM_DEFAULT_MASTER => {
                let files = polycom::MasterFiles {
                    settings: Some(polycom::settings_file_name(&mac)),
                    extension_files: &["201.cfg".to_string()],
                    site: Some(&site),
                };
                Context::from_serialize(&polycom::master(None, files, &pins))
            }
            POLYCOM_EXTENSION => {
                let registration = polycom::Registration {
                    server: sample_server("192.0.2.10"),
                    backup: Some(sample_server("192.0.2.20")),
                    expires: 90,
                    voicemail_server: "192.0.2.10".into(),
                };
                let recheck = polycom::RecheckView {
                    enabled: 1,
                    time: settings.recheck.time_of(&mac),
                };
                Context::from_serialize(&polycom::extension(
                    1,
                    &sample_extension()?,
                    registration,
                    Some(recheck),
                    Family::Uc5,
                ))
            }
            POLYCOM_SETTINGS => Context::from_serialize(&polycom::SettingsContext {
                settings: vec![sample_setting("up.backlight.idleIntensity", "1")],
            }),
            POLYCOM_SITE => {
                Context::from_serialize(&polycom::site(&site, &settings, Spelling::Uc, &clock))
            }
            _ => return None,
        };
        context.ok()
    }

    fn unassigned_files(&self) -> &'static [&'static str] {
        &[DEFAULT_MASTER]
    }

    fn family_of(&self, phone: &Phone, pins: &Pins) -> &'static str {
        family_served(phone, self::pins(pins)).as_str()
    }

    fn family_of_model(&self, model: Option<&Model>) -> &'static str {
        model
            .and_then(Family::of_model)
            .unwrap_or(DEFAULT_FAMILY)
            .as_str()
    }

    /// The application image of the phone's family (or pin), and its family's other files of
    /// the software package.
    fn firmware_needed(&self, phone: &Phone, pins: &Pins) -> Vec<FirmwareNeed> {
        let (family, image) = firmware_served(phone, self::pins(pins));
        let mut needed = vec![FirmwareNeed {
            file: image,
            family: family.title(),
            image: true,
        }];
        needed.extend(
            family
                .vendor_config_files()
                .iter()
                .map(|file| FirmwareNeed {
                    file: file.to_string(),
                    family: family.title(),
                    image: false,
                }),
        );
        needed
    }
}
