//! The provisioning core every transport calls: given a requested file name, decide what it is
//! (which vendor's file, for which phone, extension or site: [`resolve`], cheap, nothing
//! rendered) and render it ([`Provisioner::render`]). No transport knows a vendor; no vendor
//! module knows a socket.
//!
//! Names answered (all ending `.cfg`):
//!
//! | name | file |
//! |---|---|
//! | `000000000000.cfg` | Polycom default master (no account) |
//! | `<12 hex digits>.cfg`, any case | a known phone's file: Polycom master or Aastra `<MAC>.cfg` |
//! | `<digits>.cfg` | an extension's Polycom registration file; if there is no such extension, a Mitel model file (`6930.cfg`) |
//! | `<mac>-settings.cfg` | a known Polycom phone's settings (deployment, site, model, profile, phone) |
//! | `<mac>-directory.xml`, `<MAC>-directory.csv` | a known phone's company directory (Polycom, Aastra) |
//! | `altigen.cfg`, `site-<name>.cfg` | a site's Polycom settings (SIP 2.x/3.x spelling) |
//! | `altigen.uc.cfg`, `site-<name>.uc.cfg` | the same for phones on UC Software 4.0 and later |
//! | `aastra.cfg`, `startup.cfg` | Aastra global file (default site) |
//! | `<model>.cfg`, e.g. `6757i.cfg` | Aastra model file |
//!
//! Anything else, and a name for an unknown phone, extension or site, is not found, with a reason.

pub mod directory;
pub mod file_name;
pub mod live;
pub mod sample;
pub mod upload;

use tera::Context;

pub use crate::domain::{Deployment, DeploymentError};
pub use file_name::{FileKind, FileName};

use file_name::aastra_model;

use crate::domain::{
    DirectoryScope, Effective, Extension, ExtensionNumber, Mac, Model, Phone, Site, SiteName,
    Vendor,
};
use crate::handset::polycom::firmware::{DEFAULT_FAMILY, Family, FirmwarePins, Spelling};
use crate::handset::{aastra, handset, polycom};
use crate::render::{self, RenderError, Renderer};

/// A rendered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The bytes a phone receives.
    pub content: String,
    /// HTTP content type.
    pub content_type: &'static str,
    /// Whose format.
    pub vendor: Vendor,
    /// True when the file holds a SIP password.
    pub carries_secret: bool,
    /// Whose file it is, for the checks of who may fetch it.
    pub access: FileAccess,
    /// A company directory: shared by every phone with the same list (so it names no owner;
    /// who may fetch it is checked as for the phone's uploads), merged with the contacts the
    /// phone uploaded.
    pub directory: bool,
}

/// Whose file a rendered file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileAccess {
    /// The phone it belongs to: a phone's master file, or an extension's file and the phone the
    /// extension sits on.
    pub owner: Option<Mac>,
    /// True for a phone's master file (`<MAC>.cfg`), whose first fetch binds the phone to the
    /// fetching address under trust on first use.
    pub master: bool,
    /// Whether the owner's home site trusts only the first address (trust on first use).
    pub trust_first_address: bool,
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// The file.
    Found(Rendered),
    /// No such file, and why (for logs and `phoneprov render`, not for phones).
    NotFound(String),
}

/// A file the core renders, decided from its name; nothing is rendered yet.
#[derive(Debug, Clone, Copy)]
pub enum Target<'d> {
    /// `000000000000.cfg`.
    PolycomDefaultMaster,
    /// A known Polycom phone's `<mac>.cfg`.
    PolycomMaster(&'d Phone),
    /// A known Polycom phone's `<mac>-settings.cfg`.
    PolycomSettings(&'d Phone),
    /// An extension's `<number>.cfg`.
    PolycomExtension(&'d Extension),
    /// A site's `altigen.cfg` / `site-<name>.cfg`, or its UC Software spelling.
    PolycomSite(&'d Site, Spelling),
    /// `aastra.cfg` / `startup.cfg`.
    AastraGlobal,
    /// `<model>.cfg`.
    AastraModel(&'static Model),
    /// A known Aastra phone's `<MAC>.cfg`.
    AastraPhone(&'d Phone),
    /// A known phone's company directory (`<mac>-directory.xml`, `<MAC>-directory.csv`).
    Directory(&'d Phone),
}

impl Target<'_> {
    /// Whose format the file is in.
    pub fn vendor(&self) -> Vendor {
        match self {
            Target::PolycomDefaultMaster
            | Target::PolycomMaster(_)
            | Target::PolycomSettings(_)
            | Target::PolycomExtension(_)
            | Target::PolycomSite(..) => Vendor::Polycom,
            Target::AastraGlobal | Target::AastraModel(_) | Target::AastraPhone(_) => {
                Vendor::Aastra
            }
            Target::Directory(phone) => phone.vendor,
        }
    }

    /// The key the render cache keeps it under when phones share it (a company directory);
    /// `None`: under its own name.
    pub fn shared_key(&self, deployment: &Deployment) -> Option<String> {
        match self {
            Target::Directory(phone) => Some(directory::shared_key(deployment, phone)),
            _ => None,
        }
    }

    /// True when the file holds a SIP password (or, for a settings file, may hold the phone's
    /// admin password).
    pub fn carries_secret(&self) -> bool {
        matches!(
            self,
            Target::PolycomExtension(_) | Target::AastraPhone(_) | Target::PolycomSettings(_)
        )
    }

    /// Whose file it is.
    pub fn access(&self, deployment: &Deployment) -> FileAccess {
        match self {
            Target::PolycomMaster(phone) | Target::AastraPhone(phone) => FileAccess {
                owner: Some(phone.mac),
                master: true,
                trust_first_address: deployment
                    .home_site_of_phone(phone)
                    .settings
                    .trust_first_address,
            },
            Target::PolycomSettings(phone) => FileAccess {
                owner: Some(phone.mac),
                master: false,
                trust_first_address: deployment
                    .home_site_of_phone(phone)
                    .settings
                    .trust_first_address,
            },
            Target::PolycomExtension(extension) => FileAccess {
                owner: deployment.placement(&extension.number).map(|(mac, _)| mac),
                master: false,
                trust_first_address: deployment
                    .site(extension.home_site)
                    .settings
                    .trust_first_address,
            },
            Target::PolycomDefaultMaster
            | Target::PolycomSite(..)
            | Target::AastraGlobal
            | Target::AastraModel(_)
            | Target::Directory(_) => FileAccess::default(),
        }
    }
}

/// Why a name is not a file phoneprov renders (for logs and `phoneprov render`, never for
/// phones: they get "not found" whatever the reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotServed {
    /// Not a name of a rendered file at all (a firmware file, or nothing).
    #[error("{0:?} is not a file phoneprov renders")]
    NotRendered(String),
    /// Twelve hex digits that are no phone's MAC address.
    #[error("{0} is not a phone's MAC address")]
    NotAMac(String),
    /// No phone has this MAC.
    #[error("no phone with MAC {0}")]
    NoPhone(Mac),
    /// A settings file of an Aastra phone, whose settings are in its own `<MAC>.cfg`.
    #[error("phone {0} is an Aastra phone: its settings are in its <MAC>.cfg")]
    SettingsOfAastra(Mac),
    /// The extension is on an Aastra phone, whose lines are in the phone's own file.
    #[error("extension {0} is on an Aastra phone: its file is the phone's <MAC>.cfg")]
    OnAastraPhone(ExtensionNumber),
    /// No such extension (nor a model of that number).
    #[error("no extension {0}")]
    NoExtension(ExtensionNumber),
    /// No site of that name.
    #[error("no site {0:?}")]
    NoSite(String),
}

/// What the file `name` of `deployment` is, or why there is none. Cheap: no rendering.
pub fn resolve<'d>(deployment: &'d Deployment, name: &FileName) -> Result<Target<'d>, NotServed> {
    let not_rendered = || NotServed::NotRendered(name.as_str().to_string());
    match name.kind() {
        FileKind::DefaultMaster => Ok(Target::PolycomDefaultMaster),
        FileKind::PhoneMaster(mac) => match deployment.phone(mac) {
            Some(phone) if phone.vendor == Vendor::Polycom => Ok(Target::PolycomMaster(phone)),
            Some(phone) => Ok(Target::AastraPhone(phone)),
            None => Err(NotServed::NoPhone(*mac)),
        },
        FileKind::PhoneSettings(mac) => match deployment.phone(mac) {
            Some(phone) if phone.vendor == Vendor::Polycom => Ok(Target::PolycomSettings(phone)),
            Some(_) => Err(NotServed::SettingsOfAastra(*mac)),
            None => Err(NotServed::NoPhone(*mac)),
        },
        FileKind::NotAPhone => Err(NotServed::NotAMac(
            name.as_str().trim_end_matches(".cfg").to_string(),
        )),
        FileKind::Extension(number) => {
            let Some(extension) = deployment.extension(number) else {
                return aastra_model(number.as_str())
                    .map(Target::AastraModel)
                    .ok_or_else(|| NotServed::NoExtension(number.clone()));
            };
            // An Aastra phone's extensions are in its own `<MAC>.cfg`; no Polycom copy of them.
            let on_aastra = deployment
                .placement(number)
                .and_then(|(mac, _)| deployment.phone(&mac))
                .is_some_and(|phone| phone.vendor != Vendor::Polycom);
            if on_aastra {
                return Err(NotServed::OnAastraPhone(number.clone()));
            }
            Ok(Target::PolycomExtension(extension))
        }
        FileKind::SiteFile {
            site: None,
            spelling,
        } => Ok(Target::PolycomSite(deployment.default_site(), *spelling)),
        FileKind::SiteFile {
            site: Some(site),
            spelling,
        } => SiteName::parse(site)
            .ok()
            .and_then(|name| deployment.site_named(&name))
            .map(|found| Target::PolycomSite(found, *spelling))
            .ok_or_else(|| NotServed::NoSite(site.clone())),
        FileKind::VendorGlobal => Ok(Target::AastraGlobal),
        FileKind::Model(model) => Ok(Target::AastraModel(model)),
        FileKind::PhoneOwned { mac, .. } => {
            // The name first (a phone's other files, asked for at every boot, stop there), then
            // the phone's vendor and whether it gets a directory.
            let directory_of = |vendor: Vendor, suffix: &str| {
                name.as_str()
                    .get(12..)
                    .filter(|rest| rest.eq_ignore_ascii_case(suffix))
                    .and_then(|_| deployment.phone(mac))
                    .filter(|phone| phone.vendor == vendor)
                    .filter(|phone| directory::serves(deployment, phone))
            };
            directory_of(Vendor::Polycom, polycom::directory::FILE_SUFFIX)
                .or_else(|| directory_of(Vendor::Aastra, aastra::directory::FILE_SUFFIX))
                .map(Target::Directory)
                .ok_or_else(not_rendered)
        }
        FileKind::Other => Err(not_rendered()),
    }
}

/// Renders every file of every phone, every site file in both spellings and the default master
/// with `provisioner`, and returns one message (phone, file, reason) per file that fails or that
/// a phone will ask for and cannot be served, in a stable order. `check` reports them; a template
/// reload is refused when there is one.
pub fn render_failures(deployment: &Deployment, provisioner: &Provisioner) -> Vec<String> {
    let mut sites: Vec<_> = deployment.sites().collect();
    sites.sort_by(|a, b| a.name.cmp(&b.name));
    let mut files: Vec<(Option<String>, String)> = vec![(None, polycom::DEFAULT_MASTER.into())];
    for site in &sites {
        for spelling in [Spelling::Sip, Spelling::Uc] {
            files.push((None, polycom::site_file_name(&site.name, spelling)));
        }
    }
    let mut phones: Vec<_> = deployment.phones().collect();
    phones.sort_by_key(|p| p.mac);
    for phone in &phones {
        for file in provisioner.files_of_phone(deployment, phone) {
            files.push((Some(phone.mac.to_string()), file));
        }
    }
    let mut failures = Vec::new();
    for (phone, file) in files {
        let place = match &phone {
            Some(mac) => format!("phone {mac}, file {file}"),
            None => format!("file {file}"),
        };
        match provisioner.fetch(deployment, &file) {
            Ok(Fetch::Found(_)) => {}
            Ok(Fetch::NotFound(reason)) => {
                failures.push(format!("{place}: cannot be served: {reason}"))
            }
            Err(e) => failures.push(format!("{place}: {e}")),
        }
    }
    failures
}

/// Renders the files phones ask for.
#[derive(Debug, Clone)]
pub struct Provisioner {
    renderer: Renderer,
    pins: FirmwarePins,
}

impl Provisioner {
    /// A provisioner rendering with `renderer`, every model on its family's default image.
    pub fn new(renderer: Renderer) -> Provisioner {
        Provisioner {
            renderer,
            pins: FirmwarePins::default(),
        }
    }

    /// This provisioner with the admin's firmware pins.
    pub fn with_pins(self, pins: FirmwarePins) -> Provisioner {
        Provisioner { pins, ..self }
    }

    /// The templates in use.
    pub fn renderer(&self) -> &Renderer {
        &self.renderer
    }

    /// Renders the file `name` of `deployment`, or says why there is none.
    pub fn fetch(&self, deployment: &Deployment, name: &str) -> Result<Fetch, RenderError> {
        let resolved = FileName::parse(name)
            .map_err(|_| NotServed::NotRendered(name.to_string()))
            .and_then(|parsed| resolve(deployment, &parsed));
        match resolved {
            Ok(target) => Ok(Fetch::Found(self.render(deployment, target)?)),
            Err(reason) => Ok(Fetch::NotFound(reason.to_string())),
        }
    }

    /// Renders a resolved file.
    pub fn render(
        &self,
        deployment: &Deployment,
        target: Target<'_>,
    ) -> Result<Rendered, RenderError> {
        let (template, context) = match target {
            Target::PolycomDefaultMaster => {
                let template = render::POLYCOM_DEFAULT_MASTER;
                let files = polycom::MasterFiles {
                    settings: None,
                    extension_files: &[],
                    site: None,
                };
                (
                    template,
                    context(polycom::master(None, files, &self.pins), template)?,
                )
            }
            Target::PolycomMaster(phone) => {
                let template = render::POLYCOM_MASTER;
                let (extension_files, site) = polycom_layout(deployment, phone);
                let files = polycom::MasterFiles {
                    settings: Some(polycom::settings_file_name(&phone.mac)),
                    extension_files: &extension_files,
                    site: Some(&site.name),
                };
                let master = polycom::master(model_of(phone), files, &self.pins);
                (template, context(master, template)?)
            }
            Target::PolycomSettings(phone) => {
                let template = render::POLYCOM_SETTINGS;
                let file = polycom::SettingsContext {
                    settings: settings_of_phone(deployment, phone, self.family_of(phone)),
                };
                (template, context(file, template)?)
            }
            Target::PolycomExtension(extension) => {
                let template = render::POLYCOM_EXTENSION;
                let file = polycom_extension(deployment, extension);
                (template, context(file, template)?)
            }
            Target::PolycomSite(site, spelling) => {
                let template = render::POLYCOM_SITE;
                let clock = deployment.clock_of(site);
                let file = polycom::site(&site.name, &site.settings, spelling, clock);
                (template, context(file, template)?)
            }
            Target::AastraGlobal => {
                let template = render::AASTRA_GLOBAL;
                let site = deployment.default_site();
                let file = aastra::global(
                    deployment.server_of(site),
                    deployment.backup_of(site),
                    deployment.expires_of(site),
                );
                (template, context(file, template)?)
            }
            Target::AastraModel(model) => {
                let template = render::AASTRA_MODEL;
                let file = aastra::ModelContext {
                    model: model.name.to_string(),
                };
                (template, context(file, template)?)
            }
            Target::AastraPhone(phone) => {
                let template = render::AASTRA_PHONE;
                let file = aastra_phone(deployment, phone, self.family_of(phone));
                (template, context(file, template)?)
            }
            Target::Directory(phone) => return Ok(render_directory(deployment, phone)),
        };
        let vendor = target.vendor();
        Ok(Rendered {
            content: self.renderer.render(template, &context)?,
            content_type: handset(vendor).content_type(),
            vendor,
            carries_secret: target.carries_secret(),
            access: target.access(deployment),
            directory: false,
        })
    }

    /// The firmware family and application image a Polycom phone is served: its model's (or its
    /// pin's), else those of phones of unknown model.
    pub fn firmware_of(&self, phone: &Phone) -> (Family, String) {
        model_of(phone)
            .and_then(|model| self.pins.firmware_of(model))
            .unwrap_or_else(|| (DEFAULT_FAMILY, DEFAULT_FAMILY.default_image().to_string()))
    }

    /// A phone's effective settings, with where each value comes from (see
    /// [`settings_of_phone`]).
    pub fn settings_of(&self, deployment: &Deployment, phone: &Phone) -> Vec<Effective> {
        settings_of_phone(deployment, phone, self.family_of(phone))
    }

    /// The firmware family a Polycom phone is served as.
    pub fn family_of(&self, phone: &Phone) -> Family {
        self.firmware_of(phone).0
    }

    /// The names of the files phoneprov renders for one phone, in the order it fetches them.
    pub fn files_of_phone(&self, deployment: &Deployment, phone: &Phone) -> Vec<String> {
        match phone.vendor {
            Vendor::Polycom => {
                let (extension_files, site) = polycom_layout(deployment, phone);
                let mut files = vec![
                    handset(phone.vendor).phone_file_name(&phone.mac),
                    polycom::settings_file_name(&phone.mac),
                ];
                files.extend(extension_files);
                let spelling = self.family_of(phone).spelling();
                files.push(polycom::site_file_name(&site.name, spelling));
                files
            }
            Vendor::Aastra => {
                let mut files = vec![aastra::GLOBAL_FILES[0].to_string()];
                if let Some(model) = phone.model.as_deref().and_then(aastra_model) {
                    files.push(format!("{}.cfg", model.name));
                }
                files.push(handset(phone.vendor).phone_file_name(&phone.mac));
                files
            }
        }
    }
}

/// The company directory `phone` gets, written straight from the data (no template).
fn render_directory(deployment: &Deployment, phone: &Phone) -> Rendered {
    let listed = directory::contacts(deployment, phone);
    let content = match phone.vendor {
        Vendor::Polycom => {
            let contacts = listed.iter().map(|e| polycom::directory::Contact {
                name: &e.display_name,
                number: e.number.as_str(),
            });
            polycom::directory::write(contacts, Vec::with_capacity(listed.len() * 96))
        }
        Vendor::Aastra => {
            let contacts = listed.iter().map(|e| aastra::directory::Contact {
                name: &e.display_name,
                number: e.number.as_str(),
            });
            let max_name =
                (!directory::whole_names(phone)).then_some(aastra::directory::MAX_NAME_CHARS);
            aastra::directory::write(contacts, max_name, Vec::with_capacity(listed.len() * 24))
        }
    };
    // Writing into memory cannot fail, and both writers write UTF-8 only.
    let content = content
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default();
    Rendered {
        content,
        content_type: handset(phone.vendor).content_type(),
        vendor: phone.vendor,
        carries_secret: false,
        access: FileAccess::default(),
        directory: true,
    }
}

/// A phone's known model.
fn model_of(phone: &Phone) -> Option<&'static Model> {
    phone.model.as_deref().and_then(Model::find)
}

/// Where a check-sync NOTIFY for a phone goes: the user part (its first extension, else its MAC)
/// and the port its files make it listen on.
pub fn sip_target(deployment: &Deployment, phone: &Phone) -> (String, u16) {
    let user = deployment
        .first_extension(phone)
        .map_or_else(|| phone.mac.polycom_name(), |e| e.number.to_string());
    let site = deployment.site_of_phone(phone);
    (user, handset(phone.vendor).sip_port(site))
}

/// A Polycom phone's own files: its extension files by line key, and its site.
fn polycom_layout<'d>(deployment: &'d Deployment, phone: &Phone) -> (Vec<String>, &'d Site) {
    let files = phone
        .lines
        .values()
        .filter_map(|number| deployment.extension(number))
        .map(polycom::extension_file_name)
        .collect();
    (files, deployment.site_of_phone(phone))
}

/// The registration file of an extension, with the phone's re-check when the extension is on
/// the lowest key of its phone (its file is then the first in the phone's `CONFIG_FILES`).
fn polycom_extension(deployment: &Deployment, extension: &Extension) -> polycom::ExtensionContext {
    let placement = deployment.placement(&extension.number);
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
    polycom::extension(line, extension, registration, recheck)
}

/// An Aastra phone's `<MAC>.cfg`: its site's settings and its line keys.
fn aastra_phone(deployment: &Deployment, phone: &Phone, family: Family) -> aastra::PhoneContext {
    let site = deployment.site_of_phone(phone);
    let site_view = aastra::phone_site(
        &site.name,
        &site.settings,
        deployment.clock_of(site),
        handset(phone.vendor).sip_port(site),
        &phone.mac,
    );
    let lines = phone
        .lines
        .iter()
        .filter_map(|(line, number)| {
            let extension = deployment.extension(number)?;
            let (server, backup) = deployment.servers_of(extension);
            Some(aastra::line(
                *line,
                extension,
                server,
                backup,
                deployment.expires_of(deployment.site_of(extension)),
            ))
        })
        .collect();
    aastra::phone(
        &phone.mac,
        site_view,
        lines,
        settings_of_phone(deployment, phone, family),
    )
}

/// A phone's effective settings: those of its vendor and the neutral ones set for the
/// deployment, its site, its vendor, its model, its profile and itself, the most specific
/// winning; `family` is the firmware family it is served (Polycom's spelling differs by family).
pub fn settings_of_phone(deployment: &Deployment, phone: &Phone, family: Family) -> Vec<Effective> {
    let facts = deployment.facts_of(phone);
    let handset = handset(phone.vendor);
    let listed = directory::scope_of(deployment, phone) != DirectoryScope::Off;
    let directory_file = (phone.vendor == Vendor::Aastra && listed).then(|| Effective {
        parameter: aastra::directory::FILE_PARAMETER.to_string(),
        value: aastra::directory::file_name(&phone.mac),
        origin: "company directory".to_string(),
    });
    let family = match phone.vendor {
        Vendor::Polycom => family.as_str(),
        Vendor::Aastra => "",
    };
    let mut settings = deployment.settings().effective(&facts, &|neutral| {
        handset.neutral_parameters(neutral, family)
    });
    // Its programmed keys, and an Aastra phone's directory file, unless a setting sets the same
    // parameter.
    let keys = deployment.settings().keys_of_phone(&phone.mac);
    let key_entries = handset
        .key_parameters(model_of(phone), &keys)
        .into_iter()
        .map(|(parameter, value)| Effective {
            parameter,
            value,
            origin: "keys".to_string(),
        });
    for entry in key_entries.chain(directory_file) {
        if !settings.iter().any(|e| e.parameter == entry.parameter) {
            let at = settings.partition_point(|e| e.parameter < entry.parameter);
            settings.insert(at, entry);
        }
    }
    settings
}

fn context(value: impl serde::Serialize, template: &str) -> Result<Context, RenderError> {
    Context::from_serialize(&value).map_err(|e| RenderError::Template {
        name: template.to_string(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::sample::sample_snapshot;

    /// Ten phones: 0-6 Polycom (`0004f2000000`...), 7-9 Aastra (`00085d000007`...); phone 0 has
    /// extensions 100000 and 100001, each later phone one more (phone 7: 100008).
    fn deployment() -> Deployment {
        Deployment::new(sample_snapshot(10), "192.0.2.1".into()).unwrap()
    }

    fn resolved<'d>(deployment: &'d Deployment, name: &str) -> Result<Target<'d>, NotServed> {
        resolve(deployment, &FileName::parse(name).unwrap())
    }

    fn mac(text: &str) -> Mac {
        Mac::parse(text).unwrap()
    }

    #[test]
    fn a_phones_master_file_by_its_vendor_and_none_for_an_unknown_mac() {
        let deployment = deployment();
        assert!(matches!(
            resolved(&deployment, "0004F2000001.cfg"),
            Ok(Target::PolycomMaster(p)) if p.mac == mac("0004f2000001")
        ));
        assert!(matches!(
            resolved(&deployment, "00085D000007.cfg"),
            Ok(Target::AastraPhone(p)) if p.mac == mac("00085d000007")
        ));
        assert_eq!(
            resolved(&deployment, "0004f2999999.cfg").err(),
            Some(NotServed::NoPhone(mac("0004f2999999")))
        );
        assert!(matches!(
            resolved(&deployment, "000000000000.cfg"),
            Ok(Target::PolycomDefaultMaster)
        ));
    }

    #[test]
    fn an_extension_file_only_for_an_extension_on_a_polycom_phone() {
        let deployment = deployment();
        let number = |n: &str| ExtensionNumber::parse(n).unwrap();
        assert!(matches!(
            resolved(&deployment, "100001.cfg"),
            Ok(Target::PolycomExtension(e)) if e.number == number("100001")
        ));
        assert_eq!(
            resolved(&deployment, "100008.cfg").err(),
            Some(NotServed::OnAastraPhone(number("100008"))),
            "an Aastra phone's lines are in its own file"
        );
        assert_eq!(
            resolved(&deployment, "999.cfg").err(),
            Some(NotServed::NoExtension(number("999")))
        );
        assert!(
            matches!(resolved(&deployment, "6930.cfg"), Ok(Target::AastraModel(m)) if m.name == "6930"),
            "a Mitel model number with no such extension is the model file"
        );
    }

    #[test]
    fn site_and_global_files() {
        let deployment = deployment();
        assert!(matches!(
            resolved(&deployment, "altigen.uc.cfg"),
            Ok(Target::PolycomSite(_, Spelling::Uc))
        ));
        assert_eq!(
            resolved(&deployment, "site-nowhere.cfg").err(),
            Some(NotServed::NoSite("nowhere".into()))
        );
        assert!(matches!(
            resolved(&deployment, "startup.cfg"),
            Ok(Target::AastraGlobal)
        ));
        assert_eq!(
            resolved(&deployment, "0004f2000001-phone.cfg").err(),
            Some(NotServed::NotRendered("0004f2000001-phone.cfg".into())),
            "a phone's uploads are not rendered"
        );
    }

    #[test]
    fn whose_file_and_whether_it_holds_a_password() {
        let deployment = deployment();
        let phone = mac("0004f2000000");
        let master = resolved(&deployment, "0004f2000000.cfg").unwrap();
        assert_eq!(master.access(&deployment).owner, Some(phone));
        assert!(master.access(&deployment).master && !master.carries_secret());
        let extension = resolved(&deployment, "100001.cfg").unwrap();
        assert_eq!(extension.access(&deployment).owner, Some(phone));
        assert!(!extension.access(&deployment).master && extension.carries_secret());
        let aastra = resolved(&deployment, "00085d000007.cfg").unwrap();
        assert!(aastra.carries_secret() && aastra.access(&deployment).master);
        for shared in ["altigen.cfg", "aastra.cfg", "6757i.cfg", "000000000000.cfg"] {
            let target = resolved(&deployment, shared).unwrap();
            assert_eq!(
                target.access(&deployment),
                FileAccess::default(),
                "{shared}"
            );
            assert!(!target.carries_secret(), "{shared}");
        }
    }
}
