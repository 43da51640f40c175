//! Yealink's part of the provisioning core: which names are its files (a phone's `<mac>.boot`,
//! its master file; a model's common file `y0000000000NN.cfg`; a phone's `<mac>.cfg`, which
//! holds its accounts and so its passwords), the template and context each is rendered with, a
//! phone's files in fetch order, its built-in templates and their sample contexts. The common
//! boot file `y000000000000.boot` is not served: a phone phoneprov knows gets its own boot file,
//! and one it does not know asks next for `<mac>.cfg`, which puts it in the inbox.

use tera::Context;

use crate::domain::{Deployment, MODELS, Mac, Model, Phone, SiteName, SiteSettings, Vendor};
use crate::handset::file::{
    About, AskedName, FileInput, FileRole, Format, NotServed, PrepareError, Prepared, Template,
    VendorFile, claimed,
};
use crate::handset::file_provider::FileProvider;
use crate::handset::polycom::firmware::FirmwarePins;
use crate::handset::samples::{sample_extension, sample_server, sample_setting};
use crate::handset::yealink::Yealink;
use crate::handset::yealink::files as yealink;
use crate::handset::yealink::models;
use crate::handset::yealink::neutral;

/// A phone's boot file (`<mac>.boot`).
pub const YEALINK_BOOT: &str = "yealink/boot.boot";
/// A model's common file (`y0000000000NN.cfg`).
pub const YEALINK_COMMON: &str = "yealink/common.cfg";
/// A phone's own file (`<mac>.cfg`).
pub const YEALINK_PHONE: &str = "yealink/phone.cfg";

/// A known phone's `<mac>.boot`.
const BOOT_FILE: &str = "boot";
/// A model's `y0000000000NN.cfg`.
const COMMON_FILE: &str = "common";
/// A known phone's `<mac>.cfg`.
const PHONE_FILE: &str = "phone";

/// Yealink's built-in templates.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: YEALINK_BOOT,
        text: include_str!("../../../templates/yealink/boot.boot"),
        format: Format::EqualsLines,
    },
    Template {
        name: YEALINK_COMMON,
        text: include_str!("../../../templates/yealink/common.cfg"),
        format: Format::EqualsLines,
    },
    Template {
        name: YEALINK_PHONE,
        text: include_str!("../../../templates/yealink/phone.cfg"),
        format: Format::EqualsLines,
    },
];

/// The Yealink model a phone is, if its model is known.
fn model_of(phone: &Phone) -> Option<&'static Model> {
    phone
        .model
        .as_deref()
        .and_then(Model::find)
        .filter(|model| model.vendor == Vendor::Yealink)
}

/// The common file of a phone's model, if the model is known.
fn common_file_of(phone: &Phone) -> Option<String> {
    model_of(phone)
        .and_then(|model| models::common_file_code(model.name))
        .map(models::common_file_name)
}

/// A phone's files after its boot file, in the order it reads them.
fn included_files(phone: &Phone) -> Vec<String> {
    common_file_of(phone)
        .into_iter()
        .chain([yealink::phone_file_name(&phone.mac)])
        .collect()
}

/// A phone's `<mac>.cfg`: an account per line, with its servers.
fn phone_file(input: &FileInput<'_>, phone: &Phone) -> yealink::PhoneContext {
    let deployment = input.deployment;
    let site = deployment.site_of_phone(phone);
    let accounts: Vec<yealink::AccountView> = deployment
        .registrations_of(phone)
        .map(|r| {
            let servers = yealink::AccountServers {
                server: r.server,
                backup: r.backup,
                expires: r.expires,
                voicemail_server: deployment.voicemail_of(deployment.site_of(r.extension)),
            };
            yealink::account(r.line, r.extension, servers)
        })
        .collect();
    let site_view = yealink::phone_site(
        &site.name,
        &site.settings,
        deployment.clock_of(site),
        &phone.mac,
    );
    let numbers: Vec<_> = accounts.iter().map(|account| account.n).collect();
    let settings = neutral::for_each_account((input.settings_of)(phone), &numbers);
    let firmware_url = firmware_url(input, phone);
    yealink::phone(&phone.mac, site_view, accounts, firmware_url, settings)
}

/// The absolute URL of the image pinned for a phone's model, when the server knows its web URL.
fn firmware_url(input: &FileInput<'_>, phone: &Phone) -> Option<String> {
    let image = input
        .pins
        .downcast_ref::<FirmwarePins>()?
        .pinned_image(model_of(phone)?)?;
    Some(format!("{}{image}", input.deployment.web_url()?))
}

/// The models sharing a common file, as its comment names them.
fn models_reading(code: u16) -> String {
    models::models_of_code(code).collect::<Vec<_>>().join(", ")
}

impl FileProvider for Yealink {
    fn templates(&self) -> &'static [Template] {
        TEMPLATES
    }

    /// The file `name` names among Yealink's, if it is one of theirs.
    fn resolve<'d>(
        &self,
        deployment: &'d Deployment,
        name: AskedName<'_>,
    ) -> Option<Result<VendorFile<'d>, NotServed>> {
        if let (Some(mac), Some(rest)) = (name.mac, name.after_mac()) {
            let kind = match rest {
                ".boot" => BOOT_FILE,
                ".cfg" => PHONE_FILE,
                _ => return None,
            };
            return deployment
                .phone(&mac)
                .filter(|p| p.vendor == Vendor::Yealink)
                .and_then(|p| claimed(kind, About::Phone(p)));
        }
        let code = models::code_of_common_file(name.text)?;
        let model = models::models_of_code(code)
            .next()
            .and_then(|first| MODELS.iter().find(|m| m.name == first))?;
        claimed(COMMON_FILE, About::Model(model))
    }

    /// A phone's `<mac>.boot` is its master file (the first it asks for); its `<mac>.cfg` holds
    /// its passwords.
    fn role(&self, file: &VendorFile<'_>) -> FileRole {
        FileRole {
            master: file.kind == BOOT_FILE,
            carries_secret: file.kind == PHONE_FILE,
        }
    }

    /// The template and context of one of Yealink's files.
    fn prepare(
        &self,
        input: &FileInput<'_>,
        file: &VendorFile<'_>,
    ) -> Result<Prepared, PrepareError> {
        match (file.kind, file.about) {
            (BOOT_FILE, About::Phone(phone)) => Prepared::of(
                YEALINK_BOOT,
                yealink::BootContext {
                    file_name: yealink::boot_file_name(&phone.mac),
                    includes: included_files(phone),
                },
            ),
            (_, About::Phone(phone)) => Prepared::of(YEALINK_PHONE, phone_file(input, phone)),
            (_, About::Model(model)) => {
                let code = models::common_file_code(model.name).unwrap_or_default();
                Prepared::of(
                    YEALINK_COMMON,
                    yealink::CommonContext {
                        file_name: models::common_file_name(code),
                        models: models_reading(code),
                    },
                )
            }
            _ => Err(PrepareError {
                template: YEALINK_PHONE,
                message: format!("no Yealink file of kind {}", file.kind),
            }),
        }
    }

    /// A Yealink phone's files in the order it fetches them: its boot file, then what the boot
    /// file includes.
    fn files_of_phone(&self, _input: &FileInput<'_>, phone: &Phone) -> Vec<String> {
        let mut files = vec![yealink::boot_file_name(&phone.mac)];
        files.extend(included_files(phone));
        files
    }

    /// A sample context of one of Yealink's templates, with a backup server and daylight saving.
    fn sample_context(&self, template: &str) -> Option<Context> {
        let mac = Mac::parse("001565000001").ok()?;
        let settings = SiteSettings::maxcs_defaults();
        let clock = settings.clock(2026);
        let context = match template {
            YEALINK_BOOT => Context::from_serialize(&yealink::BootContext {
                file_name: yealink::boot_file_name(&mac),
                includes: vec![models::common_file_name(66), yealink::phone_file_name(&mac)],
            }),
            YEALINK_COMMON => Context::from_serialize(&yealink::CommonContext {
                file_name: models::common_file_name(95),
                models: models_reading(95),
            }),
            YEALINK_PHONE => Context::from_serialize(&yealink::phone(
                &mac,
                yealink::phone_site(&SiteName::default_site(), &settings, &clock, &mac),
                vec![yealink::account(
                    1,
                    &sample_extension()?,
                    yealink::AccountServers {
                        server: sample_server("192.0.2.10"),
                        backup: Some(sample_server("192.0.2.20")),
                        expires: 90,
                        voicemail_server: "192.0.2.10".into(),
                    },
                )],
                Some("http://192.0.2.1:8080/yealink/T46S-66.86.0.15.rom".into()),
                vec![sample_setting("lang.gui", "English")],
            )),
            _ => return None,
        };
        context.ok()
    }
}
