//! A sample context for every template, built with the same functions as real files. An override
//! must render with its template's sample before it replaces the built-in one, so a template that
//! uses an unknown variable is refused when loaded, not when a phone asks.

use tera::Context;

use crate::domain::{Extension, ExtensionNumber, Mac, SiteId, SiteName, SiteSettings};
use crate::handset::polycom::firmware::{FirmwarePins, Spelling};
use crate::handset::{ServerView, aastra, polycom};
use crate::render::templates;

fn sample_extension() -> Option<Extension> {
    Some(Extension {
        number: ExtensionNumber::parse("201").ok()?,
        display_name: "Sample User".into(),
        label: Some("Sample".into()),
        auth_user: None,
        password: "sample-password".into(),
        home_site: SiteId(1),
        current_site: SiteId(1),
        switchover_enabled: false,
        in_directory: true,
        registration: None,
    })
}

fn server(address: &str) -> ServerView {
    ServerView {
        address: address.into(),
        port: 5060,
    }
}

/// The sample context of a template, or `None` if phoneprov has no such template. Samples take
/// the branches with the most variables (a backup server, a re-check, daylight saving rules, the
/// per-model sections of a master) so an override using any documented variable renders.
pub fn context_for(template: &str) -> Option<Context> {
    let settings = SiteSettings::maxcs_defaults();
    let clock = settings.clock(2026);
    let extension = sample_extension()?;
    let backup = Some(server("192.0.2.20"));
    let mac = Mac::parse("0004f2000001").ok()?;
    let pins = FirmwarePins::default();
    let site = SiteName::default_site();
    let registration = polycom::Registration {
        server: server("192.0.2.10"),
        backup: backup.clone(),
        expires: 90,
        voicemail_server: "192.0.2.10".into(),
    };
    let recheck = polycom::RecheckView {
        enabled: 1,
        time: settings.recheck.time_of(&mac),
    };
    let context = match template {
        templates::POLYCOM_MASTER | templates::POLYCOM_DEFAULT_MASTER => {
            let files = polycom::MasterFiles {
                settings: Some(polycom::settings_file_name(&mac)),
                extension_files: &["201.cfg".to_string()],
                site: Some(&site),
            };
            Context::from_serialize(&polycom::master(None, files, &pins))
        }
        templates::POLYCOM_EXTENSION => Context::from_serialize(&polycom::extension(
            1,
            &extension,
            registration,
            Some(recheck),
        )),
        templates::POLYCOM_SETTINGS => Context::from_serialize(&polycom::SettingsContext {
            settings: vec![sample_setting("up.backlight.idleIntensity", "1")],
        }),
        templates::POLYCOM_SITE => {
            Context::from_serialize(&polycom::site(&site, &settings, Spelling::Uc, &clock))
        }
        templates::AASTRA_GLOBAL => {
            Context::from_serialize(&aastra::global(server("192.0.2.10"), backup, 90))
        }
        templates::AASTRA_MODEL => Context::from_serialize(&aastra::ModelContext {
            model: "6757i".into(),
        }),
        templates::AASTRA_PHONE => Context::from_serialize(&aastra::phone(
            &mac,
            aastra::phone_site(&site, &settings, &clock, 5060, &mac),
            vec![aastra::line(
                1,
                &extension,
                server("192.0.2.10"),
                backup,
                90,
            )],
            vec![sample_setting("language", "1")],
        )),
        _ => return None,
    };
    context.ok()
}

fn sample_setting(parameter: &str, value: &str) -> crate::domain::Effective {
    crate::domain::Effective {
        parameter: parameter.to_string(),
        value: value.to_string(),
        origin: "deployment".to_string(),
    }
}
