//! The company directory each phone gets: which one (`@directory`: the deployment's listed
//! extensions, its site's, or none), its contacts in order, the file a phone asks for it by
//! (Polycom `<mac>-directory.xml`, Aastra `<MAC>-directory.csv`), and the key one rendering of
//! it is shared under by every phone that gets the same list.

use crate::domain::{DIRECTORY, DirectoryScope, Extension, Neutral, Phone, PhoneFacts, Vendor};
use crate::provision::Deployment;

/// The ending of a Polycom phone's directory file after its MAC (also an upload name).
pub const POLYCOM_SUFFIX: &str = "-directory.xml";
/// The ending of an Aastra phone's directory file after its MAC.
pub const AASTRA_SUFFIX: &str = "-directory.csv";

/// The directory `phone` gets, by its `@directory` setting (every listed extension unless set).
pub fn scope_of(deployment: &Deployment, phone: &Phone) -> DirectoryScope {
    let site = deployment.site_of_phone(phone);
    let facts = PhoneFacts {
        mac: &phone.mac,
        vendor: phone.vendor,
        model: phone.model.as_deref(),
        site: &site.name,
    };
    match deployment.settings().neutral_of(&facts, DIRECTORY) {
        Some(Neutral::Directory(scope)) => scope,
        _ => DirectoryScope::default(),
    }
}

/// Whether `phone` gets a directory file: a company list, or (Polycom) its speed dials.
pub fn serves(deployment: &Deployment, phone: &Phone) -> bool {
    scope_of(deployment, phone) != DirectoryScope::Off
        || (phone.vendor == Vendor::Polycom
            && deployment
                .settings()
                .keys_of_phone(&phone.mac)
                .iter()
                .any(|k| k.kind == crate::domain::KeyKind::SpeedDial))
}

/// Whether `extension` is in the directory `phone` gets under `scope`.
fn lists(
    deployment: &Deployment,
    phone: &Phone,
    scope: DirectoryScope,
    extension: &Extension,
) -> bool {
    extension.in_directory
        && match scope {
            DirectoryScope::Deployment => true,
            DirectoryScope::Site => {
                deployment.site_of(extension).id == deployment.site_of_phone(phone).id
            }
            DirectoryScope::Off => false,
        }
}

/// The extensions in the directory `phone` gets, by name then number.
pub fn contacts<'d>(deployment: &'d Deployment, phone: &Phone) -> Vec<&'d Extension> {
    let scope = scope_of(deployment, phone);
    let mut listed: Vec<&Extension> = deployment
        .extensions()
        .filter(|e| lists(deployment, phone, scope, e))
        .collect();
    listed.sort_by_cached_key(|e| (e.display_name.to_lowercase(), e.number.sort_key()));
    listed
}

/// Whether the number `contact` is one of the company's in the directory `phone` gets (a
/// contact of the phone's own upload with such a number is replaced by the company's).
pub fn is_company_contact(deployment: &Deployment, phone: &Phone, contact: &str) -> bool {
    let Ok(number) = crate::domain::ExtensionNumber::parse(contact) else {
        return false;
    };
    let scope = scope_of(deployment, phone);
    deployment
        .extension(&number)
        .is_some_and(|e| lists(deployment, phone, scope, e))
}

/// The key every phone with the same directory shares its rendering under: the vendor's format,
/// the list (all, or one site's), and for Aastra whether names are shown whole (6867i).
pub fn shared_key(deployment: &Deployment, phone: &Phone) -> String {
    let list = match scope_of(deployment, phone) {
        DirectoryScope::Site => format!("site {}", deployment.site_of_phone(phone).name),
        other => other.as_str().to_string(),
    };
    let whole_names = whole_names(phone);
    format!("\0directory {} {list} {whole_names}", phone.vendor)
}

/// Whether the phone shows names of any length: an Aastra 6867i cuts long names itself
/// (Aastra guide 41-001343-02, "Directory List Limitations"); Polycom names are cut anyway.
pub fn whole_names(phone: &Phone) -> bool {
    phone.vendor == Vendor::Aastra && phone.model.as_deref() == Some("6867i")
}
