//! Aastra/Mitel's part of the provisioning core: which names are its files (the global file
//! `aastra.cfg`/`startup.cfg`, a model's `<model>.cfg`, a phone's `<MAC>.cfg`, which holds its
//! lines and so its passwords), the template and context each is rendered with, the files of a
//! phone in fetch order, its built-in templates and their sample contexts.

use tera::Context;

use crate::domain::{Deployment, MODELS, Mac, Model, Phone, SiteName, SiteSettings, Vendor};
use crate::handset::aastra::Aastra;
use crate::handset::aastra::files::{self as aastra, GLOBAL_FILES};
use crate::handset::file::{
    About, AskedName, FileInput, FileRole, Format, NotServed, PrepareError, Prepared, Template,
    VendorFile, claimed,
};
use crate::handset::file_provider::FileProvider;
use crate::handset::samples::{sample_extension, sample_server, sample_setting};

/// Aastra global file (`aastra.cfg`, `startup.cfg`).
pub const AASTRA_GLOBAL: &str = "aastra/aastra.cfg";
/// Aastra model file (`6757i.cfg`).
pub const AASTRA_MODEL: &str = "aastra/model.cfg";
/// Aastra per-phone file (`<MAC>.cfg`).
pub const AASTRA_PHONE: &str = "aastra/phone.cfg";

/// `aastra.cfg` / `startup.cfg`.
const GLOBAL_FILE: &str = "global";
/// `<model>.cfg`.
const MODEL_FILE: &str = "model";
/// A known phone's `<MAC>.cfg`.
const PHONE_FILE: &str = "phone";

/// Aastra/Mitel's built-in templates.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: AASTRA_GLOBAL,
        text: include_str!("../../../templates/aastra/aastra.cfg"),
        format: Format::ColonLines,
    },
    Template {
        name: AASTRA_MODEL,
        text: include_str!("../../../templates/aastra/model.cfg"),
        format: Format::ColonLines,
    },
    Template {
        name: AASTRA_PHONE,
        text: include_str!("../../../templates/aastra/phone.cfg"),
        format: Format::ColonLines,
    },
];

/// The Aastra/Mitel model whose file-name stem is `stem` (any case).
pub fn model_named(stem: &str) -> Option<&'static Model> {
    MODELS
        .iter()
        .find(|m| m.vendor == Vendor::Aastra && m.name.eq_ignore_ascii_case(stem))
}

/// A phone's `<MAC>.cfg`: its site's settings and its line keys.
fn phone_file(input: &FileInput<'_>, phone: &Phone) -> aastra::PhoneContext {
    let deployment = input.deployment;
    let site = deployment.site_of_phone(phone);
    let site_view = aastra::phone_site(
        &site.name,
        &site.settings,
        deployment.clock_of(site),
        site.settings.effective_sip_port(),
        &phone.mac,
    );
    let lines = deployment
        .registrations_of(phone)
        .map(|r| aastra::line(r.line, r.extension, r.server, r.backup, r.expires))
        .collect();
    aastra::phone(&phone.mac, site_view, lines, (input.settings_of)(phone))
}

impl FileProvider for Aastra {
    fn templates(&self) -> &'static [Template] {
        TEMPLATES
    }

    /// The file `name` names among Aastra/Mitel's, if it is one of theirs.
    fn resolve<'d>(
        &self,
        deployment: &'d Deployment,
        name: AskedName<'_>,
    ) -> Option<Result<VendorFile<'d>, NotServed>> {
        if GLOBAL_FILES.contains(&name.text) {
            return claimed(GLOBAL_FILE, About::Vendor);
        }
        if let (Some(mac), Some(".cfg")) = (name.mac, name.after_mac()) {
            return deployment
                .phone(&mac)
                .filter(|p| p.vendor == Vendor::Aastra)
                .and_then(|p| claimed(PHONE_FILE, About::Phone(p)));
        }
        let stem = name.cfg_stem()?;
        // A Mitel model numbered like an extension (`6930.cfg`) is the extension's file when there
        // is such an extension.
        if name
            .extension
            .is_some_and(|n| deployment.extension(n).is_some())
        {
            return None;
        }
        model_named(stem).and_then(|model| claimed(MODEL_FILE, About::Model(model)))
    }

    /// What the core guards of one of Aastra/Mitel's files: a phone's `<MAC>.cfg` is its master
    /// file and holds its passwords.
    fn role(&self, file: &VendorFile<'_>) -> FileRole {
        let phone_file = file.kind == PHONE_FILE;
        FileRole {
            master: phone_file,
            carries_secret: phone_file,
        }
    }

    /// The template and context of one of Aastra/Mitel's files.
    fn prepare(
        &self,
        input: &FileInput<'_>,
        file: &VendorFile<'_>,
    ) -> Result<Prepared, PrepareError> {
        let deployment = input.deployment;
        match file.about {
            About::Phone(phone) => Prepared::of(AASTRA_PHONE, phone_file(input, phone)),
            About::Model(model) => Prepared::of(
                AASTRA_MODEL,
                aastra::ModelContext {
                    model: model.name.to_string(),
                },
            ),
            _ => {
                let site = deployment.default_site();
                Prepared::of(
                    AASTRA_GLOBAL,
                    aastra::global(
                        deployment.server_of(site),
                        deployment.backup_of(site),
                        deployment.expires_of(site),
                    ),
                )
            }
        }
    }

    /// An Aastra/Mitel phone's files in the order it fetches them: the global file, its model's
    /// file (a known model), its own `<MAC>.cfg`.
    fn files_of_phone(&self, _input: &FileInput<'_>, phone: &Phone) -> Vec<String> {
        let mut files = vec![GLOBAL_FILES[0].to_string()];
        if let Some(model) = phone.model.as_deref().and_then(model_named) {
            files.push(format!("{}.cfg", model.name));
        }
        files.push(aastra::phone_file_name(&phone.mac));
        files
    }

    /// A sample context of one of Aastra/Mitel's templates, with the branches of the most
    /// variables (a backup server, daylight saving rules).
    fn sample_context(&self, template: &str) -> Option<Context> {
        let settings = SiteSettings::maxcs_defaults();
        let clock = settings.clock(2026);
        let backup = Some(sample_server("192.0.2.20"));
        let mac = Mac::parse("0004f2000001").ok()?;
        let site = SiteName::default_site();
        let context = match template {
            AASTRA_GLOBAL => {
                Context::from_serialize(&aastra::global(sample_server("192.0.2.10"), backup, 90))
            }
            AASTRA_MODEL => Context::from_serialize(&aastra::ModelContext {
                model: "6757i".into(),
            }),
            AASTRA_PHONE => Context::from_serialize(&aastra::phone(
                &mac,
                aastra::phone_site(&site, &settings, &clock, 5060, &mac),
                vec![aastra::line(
                    1,
                    &sample_extension()?,
                    sample_server("192.0.2.10"),
                    backup,
                    90,
                )],
                vec![sample_setting("language", "1")],
            )),
            _ => return None,
        };
        context.ok()
    }
}
