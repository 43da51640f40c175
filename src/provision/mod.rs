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
//! | `altigen.cfg`, `site-<name>.cfg` | a site's Polycom settings |
//! | `aastra.cfg`, `startup.cfg` | Aastra global file (default site) |
//! | `<model>.cfg`, e.g. `6757i.cfg` | Aastra model file |
//!
//! Anything else, and a name for an unknown phone, extension or site, is not found, with a reason.

pub mod deployment;
pub mod sample;
pub mod upload;

use tera::Context;

pub use deployment::{Deployment, DeploymentError};

use crate::domain::{Extension, ExtensionNumber, Mac, Model, Phone, Site, SiteName, Vendor};
use crate::render::{self, RenderError, Renderer};
use crate::vendor::{aastra, polycom};

/// Content type of Polycom files.
pub const POLYCOM_CONTENT_TYPE: &str = "text/xml; charset=utf-8";
/// Content type of Aastra files.
pub const AASTRA_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

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
    /// An extension's `<number>.cfg`.
    PolycomExtension(&'d Extension),
    /// A site's `altigen.cfg` / `site-<name>.cfg`.
    PolycomSite(&'d Site),
    /// `aastra.cfg` / `startup.cfg`.
    AastraGlobal,
    /// `<model>.cfg`.
    AastraModel(&'static Model),
    /// A known Aastra phone's `<MAC>.cfg`.
    AastraPhone(&'d Phone),
}

impl Target<'_> {
    /// Whose format the file is in.
    pub fn vendor(&self) -> Vendor {
        match self {
            Target::PolycomDefaultMaster
            | Target::PolycomMaster(_)
            | Target::PolycomExtension(_)
            | Target::PolycomSite(_) => Vendor::Polycom,
            Target::AastraGlobal | Target::AastraModel(_) | Target::AastraPhone(_) => {
                Vendor::Aastra
            }
        }
    }

    /// True when the file holds a SIP password.
    pub fn carries_secret(&self) -> bool {
        matches!(self, Target::PolycomExtension(_) | Target::AastraPhone(_))
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
            Target::PolycomExtension(extension) => FileAccess {
                owner: deployment.placement(&extension.number).map(|(mac, _)| mac),
                master: false,
                trust_first_address: deployment
                    .site(extension.home_site)
                    .settings
                    .trust_first_address,
            },
            Target::PolycomDefaultMaster
            | Target::PolycomSite(_)
            | Target::AastraGlobal
            | Target::AastraModel(_) => FileAccess::default(),
        }
    }
}

/// What the file `name` of `deployment` is, or why there is none. Cheap: no rendering.
pub fn resolve<'d>(deployment: &'d Deployment, name: &str) -> Result<Target<'d>, String> {
    let Some(stem) = name
        .strip_suffix(".cfg")
        .filter(|s| !s.contains(['/', '\\']))
    else {
        return Err(format!("{name:?} is not a file phoneprov renders"));
    };
    if name == polycom::DEFAULT_MASTER {
        return Ok(Target::PolycomDefaultMaster);
    }
    if stem.len() == 12 && stem.bytes().all(|b| b.is_ascii_hexdigit()) {
        let Ok(mac) = Mac::parse(stem) else {
            return Err(format!("{stem} is not a phone's MAC address"));
        };
        return match deployment.phone(&mac) {
            Some(phone) if phone.vendor == Vendor::Polycom => Ok(Target::PolycomMaster(phone)),
            Some(phone) => Ok(Target::AastraPhone(phone)),
            None => Err(format!("no phone with MAC {mac}")),
        };
    }
    if let Ok(number) = ExtensionNumber::parse(stem) {
        if let Some(extension) = deployment.extension(&number) {
            return Ok(Target::PolycomExtension(extension));
        }
        return aastra_model(stem)
            .map(Target::AastraModel)
            .ok_or_else(|| format!("no extension {number}"));
    }
    if name == polycom::DEFAULT_SITE_FILE {
        return Ok(Target::PolycomSite(deployment.default_site()));
    }
    if let Some(site) = stem.strip_prefix(polycom::SITE_FILE_PREFIX) {
        return SiteName::parse(site)
            .ok()
            .and_then(|name| deployment.site_named(&name))
            .map(Target::PolycomSite)
            .ok_or_else(|| format!("no site {site:?}"));
    }
    if aastra::GLOBAL_FILES.contains(&name) {
        return Ok(Target::AastraGlobal);
    }
    aastra_model(stem)
        .map(Target::AastraModel)
        .ok_or_else(|| format!("{name:?} is not a file phoneprov renders"))
}

/// The MAC a file name starts with (`<mac>.cfg`, `<mac>-boot.log`), in any letter case.
pub fn mac_in_name(name: &str) -> Option<Mac> {
    let hex = name.get(..12)?;
    matches!(name.as_bytes().get(12), None | Some(b'.' | b'-'))
        .then(|| Mac::parse(hex).ok())
        .flatten()
}

/// Renders the files phones ask for.
#[derive(Debug, Clone)]
pub struct Provisioner {
    renderer: Renderer,
}

impl Provisioner {
    /// A provisioner rendering with `renderer`.
    pub fn new(renderer: Renderer) -> Provisioner {
        Provisioner { renderer }
    }

    /// The templates in use.
    pub fn renderer(&self) -> &Renderer {
        &self.renderer
    }

    /// Renders the file `name` of `deployment`, or says why there is none.
    pub fn fetch(&self, deployment: &Deployment, name: &str) -> Result<Fetch, RenderError> {
        match resolve(deployment, name) {
            Ok(target) => Ok(Fetch::Found(self.render(deployment, target)?)),
            Err(reason) => Ok(Fetch::NotFound(reason)),
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
                (template, context(polycom::default_master(), template)?)
            }
            Target::PolycomMaster(phone) => {
                let template = render::POLYCOM_MASTER;
                let (extension_files, site_file) = polycom_layout(deployment, phone);
                (
                    template,
                    context(polycom::master(extension_files, site_file), template)?,
                )
            }
            Target::PolycomExtension(extension) => {
                let template = render::POLYCOM_EXTENSION;
                let line = deployment
                    .placement(&extension.number)
                    .map_or(1, |(_, line)| line);
                let site = deployment.site_of(extension);
                let (server, backup) = deployment.servers_of(extension);
                let file = polycom::extension(
                    line,
                    extension,
                    server,
                    backup,
                    deployment.expires_of(site),
                    deployment.voicemail_of(site),
                );
                (template, context(file, template)?)
            }
            Target::PolycomSite(site) => {
                let template = render::POLYCOM_SITE;
                (
                    template,
                    context(polycom::site(&site.name, &site.settings), template)?,
                )
            }
            Target::AastraGlobal => {
                let template = render::AASTRA_GLOBAL;
                let site = deployment.default_site();
                let file = aastra::global(
                    &site.settings,
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
                let lines = phone
                    .lines
                    .iter()
                    .filter_map(|(line, number)| {
                        let extension = deployment.extension(number)?;
                        let site = deployment.site_of(extension);
                        let (server, backup) = deployment.servers_of(extension);
                        Some(aastra::line(
                            *line,
                            extension,
                            server,
                            backup,
                            deployment.expires_of(site),
                        ))
                    })
                    .collect();
                (
                    template,
                    context(aastra::phone(&phone.mac, lines), template)?,
                )
            }
        };
        let vendor = target.vendor();
        Ok(Rendered {
            content: self.renderer.render(template, &context)?,
            content_type: match vendor {
                Vendor::Polycom => POLYCOM_CONTENT_TYPE,
                Vendor::Aastra => AASTRA_CONTENT_TYPE,
            },
            vendor,
            carries_secret: target.carries_secret(),
            access: target.access(deployment),
        })
    }

    /// The names of the files phoneprov renders for one phone, in the order it fetches them.
    pub fn files_of_phone(&self, deployment: &Deployment, phone: &Phone) -> Vec<String> {
        match phone.vendor {
            Vendor::Polycom => {
                let (extension_files, site_file) = polycom_layout(deployment, phone);
                let mut files = vec![format!("{}.cfg", phone.mac.polycom_name())];
                files.extend(extension_files);
                files.push(site_file);
                files
            }
            Vendor::Aastra => {
                let mut files = vec![aastra::GLOBAL_FILES[0].to_string()];
                if let Some(model) = phone.model.as_deref().and_then(aastra_model) {
                    files.push(format!("{}.cfg", model.name));
                }
                files.push(aastra::phone_file_name(&phone.mac));
                files
            }
        }
    }
}

/// A Polycom phone's own files: its extension files by line key, and its site file (the site of
/// the extension on its lowest key, or the default site).
fn polycom_layout(deployment: &Deployment, phone: &Phone) -> (Vec<String>, String) {
    let extensions: Vec<_> = phone
        .lines
        .values()
        .filter_map(|number| deployment.extension(number))
        .collect();
    let site = extensions
        .first()
        .map_or_else(|| deployment.default_site(), |e| deployment.site_of(e));
    let files = extensions
        .iter()
        .map(|e| polycom::extension_file_name(e))
        .collect();
    (files, polycom::site_file_name(&site.name))
}

fn context(value: impl serde::Serialize, template: &str) -> Result<Context, RenderError> {
    Context::from_serialize(&value).map_err(|e| RenderError::Template {
        name: template.to_string(),
        message: e.to_string(),
    })
}

/// The Aastra/Mitel model whose file-name stem is `stem` (any case).
fn aastra_model(stem: &str) -> Option<&'static Model> {
    crate::domain::MODELS
        .iter()
        .find(|m| m.vendor == Vendor::Aastra && m.name.eq_ignore_ascii_case(stem))
}
