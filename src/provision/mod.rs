//! The provisioning core every transport calls: given a requested file name, decide what it is
//! ([`resolve`]: a phone's company directory, else the file of the first vendor in the registry
//! that claims the name; cheap, nothing rendered) and render it ([`Provisioner::render`]: the
//! vendor prepares its template and context, the renderer writes it). The core matches on no
//! vendor: which names are whose files, and what each holds, is each vendor's folder's
//! (`handset/<vendor>/provide.rs`). No transport knows a vendor; no vendor module knows a socket.
//!
//! Anything no vendor claims, and a name for an unknown phone, extension or site, is not found,
//! with a reason ([`NotServed`]).

pub mod directory;
pub mod file_name;
pub mod limits;
pub mod live;
pub mod sample;
pub mod upload;

pub use crate::domain::{Deployment, DeploymentError};
pub use crate::handset::file::NotServed;
pub use file_name::{FileKind, FileName};

use crate::domain::{CLOUD, Effective, Mac, Neutral, Phone, Vendor};
use crate::handset::file::{About, FileInput, VendorFile};
use crate::handset::file_provider::FirmwareNeed;
use crate::handset::interface::Contact;
use crate::handset::polycom::firmware::FirmwarePins;
use crate::handset::{HANDSETS, handset};
use crate::render::{RenderError, Renderer};

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
    /// One of a vendor's files, as the vendor resolved the name.
    Vendor(Vendor, VendorFile<'d>),
    /// A known phone's company directory (its MAC and its vendor's directory ending).
    Directory(&'d Phone),
}

impl Target<'_> {
    /// Whose format the file is in.
    pub fn vendor(&self) -> Vendor {
        match self {
            Target::Vendor(vendor, _) => *vendor,
            Target::Directory(phone) => phone.vendor,
        }
    }

    /// The key the render cache keeps it under when phones share it (a company directory);
    /// `None`: under its own name.
    pub fn shared_key(&self, deployment: &Deployment) -> Option<String> {
        match self {
            Target::Directory(phone) => Some(directory::shared_key(deployment, phone)),
            Target::Vendor(..) => None,
        }
    }

    /// True when the file holds a SIP password (or, for a settings file, may hold the phone's
    /// admin password).
    pub fn carries_secret(&self) -> bool {
        match self {
            Target::Vendor(vendor, file) => handset(*vendor).role(file).carries_secret,
            Target::Directory(_) => false,
        }
    }

    /// Whose file it is: a phone's (its own files), an extension's phone's, or nobody's.
    pub fn access(&self, deployment: &Deployment) -> FileAccess {
        let Target::Vendor(vendor, file) = self else {
            return FileAccess::default();
        };
        match file.about {
            About::Phone(phone) => FileAccess {
                owner: Some(phone.mac),
                master: handset(*vendor).role(file).master,
                trust_first_address: deployment
                    .home_site_of_phone(phone)
                    .settings
                    .trust_first_address,
            },
            About::Extension(extension) => FileAccess {
                owner: deployment.placement(&extension.number).map(|(mac, _)| mac),
                master: false,
                trust_first_address: deployment
                    .site(extension.home_site)
                    .settings
                    .trust_first_address,
            },
            About::Vendor | About::Site(_) | About::Model(_) => FileAccess::default(),
        }
    }
}

/// What the file `name` of `deployment` is, or why there is none. Cheap: no rendering. A
/// phone's directory is the core's; every other name is offered to each vendor in the registry,
/// and the first that claims it resolves it.
pub fn resolve<'d>(deployment: &'d Deployment, name: &FileName) -> Result<Target<'d>, NotServed> {
    if let Some(phone) = directory_named(deployment, name) {
        return Ok(Target::Directory(phone));
    }
    let asked = name.asked();
    for handset in HANDSETS {
        if let Some(found) = handset.resolve(deployment, asked) {
            return found.map(|file| Target::Vendor(handset.vendor(), file));
        }
    }
    Err(match name.kind() {
        FileKind::PhoneMaster(mac) if deployment.phone(mac).is_none() => NotServed::NoPhone(*mac),
        FileKind::NotAPhone => {
            NotServed::NotAMac(name.as_str().trim_end_matches(".cfg").to_string())
        }
        FileKind::Extension(number) => NotServed::NoExtension(number.clone()),
        _ => NotServed::NotRendered(name.as_str().to_string()),
    })
}

/// `content`, the rendered file `name`, as a phone reading it from a boot server gets it: a
/// phone's company directory (rendered once per list) with the phone's own speed dials where its
/// vendor keeps them there (Polycom); any other file as it is. `phoneprov render` and publishing
/// go through here; the running server adds, besides, the contacts the phone uploaded.
pub fn with_speed_dials(deployment: &Deployment, name: &str, content: String) -> String {
    let Some(phone) = FileName::parse(name)
        .ok()
        .and_then(|parsed| directory_named(deployment, &parsed))
    else {
        return content;
    };
    match directory::for_phone(deployment, phone, &content, None) {
        Some(Ok(merged)) => String::from_utf8(merged).unwrap_or(content),
        _ => content,
    }
}

/// The phone whose directory `name` is (`<mac>` and its vendor's directory ending).
fn directory_named<'d>(deployment: &'d Deployment, name: &FileName) -> Option<&'d Phone> {
    let FileKind::PhoneOwned { mac, .. } = name.kind() else {
        return None;
    };
    // The name first (a phone's other files, asked for at every boot, stop there), then the
    // phone: every known phone gets a directory, an empty company list under `@directory none`.
    let rest = name.as_str().get(12..)?;
    deployment
        .phone(mac)
        .filter(|phone| rest.eq_ignore_ascii_case(handset(phone.vendor).directory_suffix()))
}

/// Renders every file of every phone and every vendor's shared files (default master, site
/// files) with `provisioner`, and returns one message (phone, file, reason) per file that fails
/// or that a phone will ask for and cannot be served, in a stable order. `check` reports them;
/// a template reload is refused when there is one.
pub fn render_failures(deployment: &Deployment, provisioner: &Provisioner) -> Vec<String> {
    let mut files: Vec<(Option<String>, String)> = HANDSETS
        .iter()
        .flat_map(|handset| handset.shared_files(deployment))
        .map(|file| (None, file))
        .collect();
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

    /// Renders a resolved file: its vendor prepares the template and context, the renderer
    /// renders them in the template's format.
    pub fn render(
        &self,
        deployment: &Deployment,
        target: Target<'_>,
    ) -> Result<Rendered, RenderError> {
        let file = match target {
            Target::Directory(phone) => return Ok(render_directory(deployment, phone)),
            Target::Vendor(_, file) => file,
        };
        let vendor = target.vendor();
        let prepared = self
            .with_input(deployment, |input| handset(vendor).prepare(input, &file))
            .map_err(|e| RenderError::Template {
                name: e.template.to_string(),
                message: e.message,
            })?;
        Ok(Rendered {
            content: self.renderer.render(prepared.template, &prepared.context)?,
            content_type: handset(vendor).content_type(),
            vendor,
            carries_secret: target.carries_secret(),
            access: target.access(deployment),
            directory: false,
        })
    }

    /// A phone's effective settings, with where each value comes from (see
    /// [`settings_of_phone`]), in the spelling of the firmware family it is served.
    pub fn settings_of(&self, deployment: &Deployment, phone: &Phone) -> Vec<Effective> {
        settings_of_phone(deployment, phone, self.family_of(phone))
    }

    /// The names of the files phoneprov renders for one phone, in the order it fetches them.
    pub fn files_of_phone(&self, deployment: &Deployment, phone: &Phone) -> Vec<String> {
        self.with_input(deployment, |input| {
            handset(phone.vendor).files_of_phone(input, phone)
        })
    }

    /// The firmware files the files of `phone` name (its vendor's answer).
    pub fn firmware_needed(&self, phone: &Phone) -> Vec<FirmwareNeed> {
        handset(phone.vendor).firmware_needed(phone, &self.pins)
    }

    /// The firmware family `phone` is served as (short name; `""` where its vendor has one
    /// file grammar).
    pub fn family_of(&self, phone: &Phone) -> &'static str {
        handset(phone.vendor).family_of(phone, &self.pins)
    }

    /// Runs `make` with what a vendor makes files from: `deployment`, the pins, and each
    /// phone's effective settings.
    fn with_input<T>(&self, deployment: &Deployment, make: impl FnOnce(&FileInput<'_>) -> T) -> T {
        let settings_of = |phone: &Phone| self.settings_of(deployment, phone);
        make(&FileInput {
            deployment,
            pins: &self.pins,
            settings_of: &settings_of,
        })
    }
}

/// The company directory `phone` gets, written by its vendor straight from the data (no
/// template).
fn render_directory(deployment: &Deployment, phone: &Phone) -> Rendered {
    let listed = directory::contacts(deployment, phone);
    let contacts: Vec<Contact<'_>> = listed
        .iter()
        .map(|e| Contact {
            name: &e.display_name,
            number: e.number.as_str(),
        })
        .collect();
    let handset = handset(phone.vendor);
    // Every vendor's writer writes UTF-8 only.
    let content = String::from_utf8(handset.write_directory(phone, &contacts)).unwrap_or_default();
    Rendered {
        content,
        content_type: handset.content_type(),
        vendor: phone.vendor,
        carries_secret: false,
        access: FileAccess::default(),
        directory: true,
    }
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

/// A phone's effective settings: those of its vendor and the neutral ones set for the
/// deployment, its site, its vendor, its model, its profile and itself, the most specific
/// winning; `family` is the firmware family it is served (a vendor's spelling may differ by
/// family).
pub fn settings_of_phone(deployment: &Deployment, phone: &Phone, family: &str) -> Vec<Effective> {
    let facts = deployment.facts_of(phone);
    let handset = handset(phone.vendor);
    // Every phone reads its directory file, an empty one under `@directory none`.
    let directory_files: Vec<Effective> = handset
        .directory_settings(phone, deployment.web_url())
        .into_iter()
        .map(|(parameter, value)| Effective {
            parameter,
            value,
            origin: "company directory".to_string(),
        })
        .collect();
    let mut settings = deployment.settings().effective(&facts, &|neutral| {
        handset.neutral_parameters(neutral, family)
    });
    // The vendor's cloud services stay off unless `@cloud` is set.
    let cloud_off: Vec<Effective> = match deployment.settings().neutral_of(&facts, CLOUD) {
        Some(_) => Vec::new(),
        None => handset
            .neutral_parameters(&Neutral::Cloud(false), family)
            .into_iter()
            .map(|(parameter, value)| Effective {
                parameter,
                value,
                origin: "default (@cloud off)".to_string(),
            })
            .collect(),
    };
    // Its programmed keys, and the setting that names its directory file, unless a setting
    // sets the same parameter.
    // A key the phone cannot do (stored before a rule, or from a profile) is left out: `check`
    // names it.
    let model = phone.model.as_deref().and_then(crate::domain::Model::find);
    let keys: Vec<_> = deployment
        .settings()
        .keys_of_phone(&phone.mac)
        .into_iter()
        .filter(|key| handset.check_key(model, family, key).is_ok())
        .collect();
    let key_entries = handset
        .key_parameters(model, family, &keys)
        .into_iter()
        .map(|(parameter, value)| Effective {
            parameter,
            value,
            origin: "keys".to_string(),
        });
    for entry in key_entries.chain(directory_files).chain(cloud_off) {
        if !settings.iter().any(|e| e.parameter == entry.parameter) {
            let at = settings.partition_point(|e| e.parameter < entry.parameter);
            settings.insert(at, entry);
        }
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ExtensionNumber;
    use crate::provision::sample::sample_snapshot;

    /// Ten phones: 0-6 Polycom (`0004f2000000`...), 7-9 Aastra (`00085d000007`...); phone 0 has
    /// extensions 100000 and 100001, each later phone one more (phone 7: 100008).
    fn deployment() -> Deployment {
        Deployment::new(sample_snapshot(10), "192.0.2.1".into()).unwrap()
    }

    fn resolved<'d>(deployment: &'d Deployment, name: &str) -> Result<Target<'d>, NotServed> {
        resolve(deployment, &FileName::parse(name).unwrap())
    }

    /// Whose file a name resolved to, and the vendor's kind of it.
    fn whose(deployment: &Deployment, name: &str) -> (Vendor, &'static str) {
        match resolved(deployment, name) {
            Ok(Target::Vendor(vendor, file)) => (vendor, file.kind),
            other => panic!("{name}: {other:?}"),
        }
    }

    fn mac(text: &str) -> Mac {
        Mac::parse(text).unwrap()
    }

    #[test]
    fn a_phones_master_file_by_its_vendor_and_none_for_an_unknown_mac() {
        let deployment = deployment();
        assert_eq!(
            whose(&deployment, "0004F2000001.cfg"),
            (Vendor::Polycom, "master")
        );
        assert_eq!(
            whose(&deployment, "00085D000007.cfg"),
            (Vendor::Aastra, "phone")
        );
        assert_eq!(
            resolved(&deployment, "0004f2999999.cfg").err(),
            Some(NotServed::NoPhone(mac("0004f2999999")))
        );
        assert_eq!(
            whose(&deployment, "000000000000.cfg"),
            (Vendor::Polycom, "default-master")
        );
        assert_eq!(
            resolved(&deployment, "010203040506.cfg").err(),
            Some(NotServed::NotAMac("010203040506".into()))
        );
    }

    /// No vendor is the fallback: every vendor of the registry resolves its own phones' files,
    /// renders them in its own format, and lists files of its phones that it resolves itself.
    #[test]
    fn every_vendor_of_the_registry_is_dispatched_to_itself() {
        let deployment = deployment();
        let provisioner = Provisioner::new(Renderer::builtin());
        for handset in HANDSETS {
            let vendor = handset.vendor();
            let phone = deployment
                .phones()
                .find(|p| p.vendor == vendor)
                .unwrap_or_else(|| panic!("the sample has a {vendor} phone"));
            let own = handset.phone_file_name(&phone.mac);
            let target = resolved(&deployment, &own).unwrap();
            assert_eq!(target.vendor(), vendor, "{own}");
            assert!(
                target.access(&deployment).master,
                "{own} is its master file"
            );
            let Ok(Fetch::Found(file)) = provisioner.fetch(&deployment, &own) else {
                panic!("{own} renders");
            };
            assert_eq!(
                (file.vendor, file.content_type),
                (vendor, handset.content_type())
            );
            for name in provisioner.files_of_phone(&deployment, phone) {
                let target =
                    resolved(&deployment, &name).unwrap_or_else(|e| panic!("{vendor} {name}: {e}"));
                assert_eq!(target.vendor(), vendor, "{name}");
            }
        }
    }

    #[test]
    fn an_extension_file_only_for_an_extension_on_a_polycom_phone() {
        let deployment = deployment();
        let number = |n: &str| ExtensionNumber::parse(n).unwrap();
        assert!(matches!(
            resolved(&deployment, "100001.cfg"),
            Ok(Target::Vendor(Vendor::Polycom, VendorFile { kind: "extension", about: About::Extension(e) }))
                if e.number == number("100001")
        ));
        assert_eq!(
            resolved(&deployment, "100008.cfg").err(),
            Some(NotServed::InPhonesOwnFile {
                number: number("100008"),
                vendor: Vendor::Aastra
            }),
            "an Aastra phone's lines are in its own file"
        );
        assert_eq!(
            resolved(&deployment, "999.cfg").err(),
            Some(NotServed::NoExtension(number("999")))
        );
        assert!(
            matches!(
                resolved(&deployment, "6930.cfg"),
                Ok(Target::Vendor(Vendor::Aastra, VendorFile { about: About::Model(m), .. })) if m.name == "6930"
            ),
            "a Mitel model number with no such extension is the model file"
        );
    }

    #[test]
    fn site_and_global_files() {
        let deployment = deployment();
        assert_eq!(
            whose(&deployment, "altigen.uc.cfg"),
            (Vendor::Polycom, "site.uc")
        );
        assert_eq!(
            resolved(&deployment, "site-nowhere.cfg").err(),
            Some(NotServed::NoSite("nowhere".into()))
        );
        assert_eq!(
            whose(&deployment, "startup.cfg"),
            (Vendor::Aastra, "global")
        );
        assert_eq!(
            resolved(&deployment, "0004f2000001-phone.cfg").err(),
            Some(NotServed::NotRendered("0004f2000001-phone.cfg".into())),
            "a phone's uploads are not rendered"
        );
        assert_eq!(
            resolved(&deployment, "00085d000007-settings.cfg").err(),
            Some(NotServed::OtherVendorsPhone {
                mac: mac("00085d000007"),
                vendor: Vendor::Aastra,
                file: "00085d000007-settings.cfg".into()
            })
        );
    }

    #[test]
    fn whose_file_and_whether_it_holds_a_password() {
        let deployment = deployment();
        let phone = mac("0004f2000000");
        let master = resolved(&deployment, "0004f2000000.cfg").unwrap();
        assert_eq!(master.access(&deployment).owner, Some(phone));
        assert!(master.access(&deployment).master && !master.carries_secret());
        let settings = resolved(&deployment, "0004f2000000-settings.cfg").unwrap();
        assert_eq!(settings.access(&deployment).owner, Some(phone));
        assert!(!settings.access(&deployment).master && settings.carries_secret());
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
