//! The provisioning core every transport calls: given a requested file name, decide what it is
//! (which vendor's file, for which phone, extension or site) and render it. No transport knows a
//! vendor; no vendor module knows a socket.
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
pub mod upload;

use tera::Context;

pub use deployment::{Deployment, DeploymentError};

use crate::domain::{ExtensionNumber, Mac, Model, Phone, SiteName, Vendor};
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
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// The file.
    Found(Rendered),
    /// No such file, and why (for logs and `phoneprov render`, not for phones).
    NotFound(String),
}

/// Renders the files phones ask for.
#[derive(Debug, Clone)]
pub struct Provisioner {
    renderer: Renderer,
}

fn context(value: impl serde::Serialize, template: &str) -> Result<Context, RenderError> {
    Context::from_serialize(&value).map_err(|e| RenderError::Template {
        name: template.to_string(),
        message: e.to_string(),
    })
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
        let not_found = |reason: String| Ok(Fetch::NotFound(reason));
        let Some(stem) = name
            .strip_suffix(".cfg")
            .filter(|s| !s.contains(['/', '\\']))
        else {
            return not_found(format!("{name:?} is not a file phoneprov renders"));
        };
        if name == polycom::DEFAULT_MASTER {
            return self.polycom_default_master();
        }
        if stem.len() == 12 && stem.bytes().all(|b| b.is_ascii_hexdigit()) {
            let Ok(mac) = Mac::parse(stem) else {
                return not_found(format!("{stem} is not a phone's MAC address"));
            };
            return match deployment.phone(&mac) {
                Some(phone) if phone.vendor == Vendor::Polycom => {
                    self.polycom_master(deployment, phone)
                }
                Some(phone) => self.aastra_phone(deployment, phone),
                None => not_found(format!("no phone with MAC {mac}")),
            };
        }
        if let Ok(number) = ExtensionNumber::parse(stem) {
            if deployment.extension(&number).is_some() {
                return self.polycom_extension(deployment, &number);
            }
            if let Some(model) = aastra_model(stem) {
                return self.aastra_model(model);
            }
            return not_found(format!("no extension {number}"));
        }
        if name == polycom::DEFAULT_SITE_FILE {
            return self.polycom_site(deployment, &SiteName::default_site());
        }
        if let Some(site) = stem.strip_prefix(polycom::SITE_FILE_PREFIX) {
            return match SiteName::parse(site) {
                Ok(site) if deployment.site_named(&site).is_some() => {
                    self.polycom_site(deployment, &site)
                }
                _ => not_found(format!("no site {site:?}")),
            };
        }
        if aastra::GLOBAL_FILES.contains(&name) {
            return self.aastra_global(deployment);
        }
        if let Some(model) = aastra_model(stem) {
            return self.aastra_model(model);
        }
        not_found(format!("{name:?} is not a file phoneprov renders"))
    }

    /// The names of the files phoneprov renders for one phone, in the order it fetches them.
    pub fn files_of_phone(&self, deployment: &Deployment, phone: &Phone) -> Vec<String> {
        match phone.vendor {
            Vendor::Polycom => {
                let mut files = vec![format!("{}.cfg", phone.mac.polycom_name())];
                files.extend(polycom_config_files(deployment, phone));
                files.truncate(files.len() - polycom::VENDOR_CONFIG_FILES.len());
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

    fn found(&self, template: &str, context: Context, secret: bool) -> Result<Fetch, RenderError> {
        let vendor = if template.starts_with("polycom/") {
            Vendor::Polycom
        } else {
            Vendor::Aastra
        };
        Ok(Fetch::Found(Rendered {
            content: self.renderer.render(template, &context)?,
            content_type: match vendor {
                Vendor::Polycom => POLYCOM_CONTENT_TYPE,
                Vendor::Aastra => AASTRA_CONTENT_TYPE,
            },
            vendor,
            carries_secret: secret,
        }))
    }

    fn polycom_default_master(&self) -> Result<Fetch, RenderError> {
        let template = render::POLYCOM_DEFAULT_MASTER;
        self.found(
            template,
            context(polycom::default_master(), template)?,
            false,
        )
    }

    fn polycom_master(&self, deployment: &Deployment, phone: &Phone) -> Result<Fetch, RenderError> {
        let template = render::POLYCOM_MASTER;
        let mut files = polycom_config_files(deployment, phone);
        let site_file = files.remove(files.len() - 1 - polycom::VENDOR_CONFIG_FILES.len());
        files.truncate(files.len() - polycom::VENDOR_CONFIG_FILES.len());
        let master = polycom::master(files, site_file);
        self.found(template, context(master, template)?, false)
    }

    fn polycom_extension(
        &self,
        deployment: &Deployment,
        number: &ExtensionNumber,
    ) -> Result<Fetch, RenderError> {
        let template = render::POLYCOM_EXTENSION;
        let Some(extension) = deployment.extension(number) else {
            return Ok(Fetch::NotFound(format!("no extension {number}")));
        };
        let line = deployment.placement(number).map_or(1, |(_, line)| line);
        let site = deployment.site_of(extension);
        let file = polycom::extension(
            line,
            extension,
            deployment.server_of(site),
            deployment.backup_of(site),
            deployment.expires_of(site),
            deployment.voicemail_of(site),
        );
        self.found(template, context(file, template)?, true)
    }

    fn polycom_site(&self, deployment: &Deployment, name: &SiteName) -> Result<Fetch, RenderError> {
        let template = render::POLYCOM_SITE;
        let Some(site) = deployment.site_named(name) else {
            return Ok(Fetch::NotFound(format!("no site {name}")));
        };
        self.found(
            template,
            context(polycom::site(&site.name, &site.settings), template)?,
            false,
        )
    }

    fn aastra_global(&self, deployment: &Deployment) -> Result<Fetch, RenderError> {
        let template = render::AASTRA_GLOBAL;
        let site = deployment.default_site();
        let file = aastra::global(
            &site.settings,
            deployment.server_of(site),
            deployment.backup_of(site),
            deployment.expires_of(site),
        );
        self.found(template, context(file, template)?, false)
    }

    fn aastra_model(&self, model: &Model) -> Result<Fetch, RenderError> {
        let template = render::AASTRA_MODEL;
        let file = aastra::ModelContext {
            model: model.name.to_string(),
        };
        self.found(template, context(file, template)?, false)
    }

    fn aastra_phone(&self, deployment: &Deployment, phone: &Phone) -> Result<Fetch, RenderError> {
        let template = render::AASTRA_PHONE;
        let lines = phone
            .lines
            .iter()
            .filter_map(|(line, number)| {
                let extension = deployment.extension(number)?;
                let site = deployment.site_of(extension);
                Some(aastra::line(
                    *line,
                    extension,
                    deployment.server_of(site),
                    deployment.backup_of(site),
                    deployment.expires_of(site),
                ))
            })
            .collect();
        let file = aastra::phone(&phone.mac, lines);
        self.found(template, context(file, template)?, true)
    }
}

/// A Polycom phone's `CONFIG_FILES`: extension files by line key, its site file (the site of the
/// extension on its lowest key, or the default site), then the vendor files.
fn polycom_config_files(deployment: &Deployment, phone: &Phone) -> Vec<String> {
    let extensions: Vec<_> = phone
        .lines
        .values()
        .filter_map(|number| deployment.extension(number))
        .collect();
    let site = extensions
        .first()
        .map_or_else(|| deployment.default_site(), |e| deployment.site_of(e));
    let mut files: Vec<String> = extensions
        .iter()
        .map(|e| polycom::extension_file_name(e))
        .collect();
    files.push(polycom::site_file_name(&site.name));
    files.extend(polycom::VENDOR_CONFIG_FILES.map(String::from));
    files
}

/// The Aastra/Mitel model whose file-name stem is `stem` (any case).
fn aastra_model(stem: &str) -> Option<&'static Model> {
    crate::domain::MODELS
        .iter()
        .find(|m| m.vendor == Vendor::Aastra && m.name.eq_ignore_ascii_case(stem))
}
