//! The company directory each phone gets: which one (`@directory`: the deployment's listed
//! extensions, its site's, or none), its contacts in order, which numbers are the company's, and
//! the key one rendering of it is shared under by every phone that gets the same list. The file
//! names and formats are each vendor's (`handset/<vendor>/directory.rs`).

use crate::domain::{DIRECTORY, DirectoryScope, Extension, Neutral, Phone, SiteId};
use crate::handset::handset;
use crate::provision::Deployment;

/// The directory `phone` gets, by its `@directory` setting (every listed extension unless set).
pub fn scope_of(deployment: &Deployment, phone: &Phone) -> DirectoryScope {
    let facts = deployment.facts_of(phone);
    match deployment.settings().neutral_of(&facts, DIRECTORY) {
        Some(Neutral::Directory(scope)) => scope,
        _ => DirectoryScope::default(),
    }
}

/// Which extensions the directory of one phone lists, worked out once for the phone.
struct Listing<'d> {
    deployment: &'d Deployment,
    scope: DirectoryScope,
    site: SiteId,
}

impl<'d> Listing<'d> {
    fn of(deployment: &'d Deployment, phone: &Phone) -> Listing<'d> {
        Listing {
            deployment,
            scope: scope_of(deployment, phone),
            site: deployment.site_of_phone(phone).id,
        }
    }

    /// Whether `extension` is in the directory.
    fn lists(&self, extension: &Extension) -> bool {
        extension.in_directory
            && match self.scope {
                DirectoryScope::Deployment => true,
                DirectoryScope::Site => self.deployment.site_of(extension).id == self.site,
                DirectoryScope::Off => false,
            }
    }
}

/// The extensions in the directory `phone` gets, by name then number.
pub fn contacts<'d>(deployment: &'d Deployment, phone: &Phone) -> Vec<&'d Extension> {
    let listing = Listing::of(deployment, phone);
    let mut listed: Vec<&Extension> = deployment
        .extensions()
        .filter(|e| listing.lists(e))
        .collect();
    listed.sort_by_cached_key(|e| (e.display_name.to_lowercase(), e.number.sort_key()));
    listed
}

/// Whether a number is one of the company's in the directory `phone` gets (a contact of the
/// phone's own upload with such a number is replaced by the company's).
pub fn company_contacts<'d>(
    deployment: &'d Deployment,
    phone: &Phone,
) -> impl Fn(&str) -> bool + 'd {
    let listing = Listing::of(deployment, phone);
    move |contact| {
        crate::domain::ExtensionNumber::parse(contact)
            .ok()
            .and_then(|number| listing.deployment.extension(&number))
            .is_some_and(|e| listing.lists(e))
    }
}

/// The key every phone with the same directory shares its rendering under: the vendor's format,
/// the list (all, or one site's), and what else sets the vendor's file apart (an Aastra 6867i's
/// whole names).
pub fn shared_key(deployment: &Deployment, phone: &Phone) -> String {
    let list = match scope_of(deployment, phone) {
        DirectoryScope::Site => format!("site {}", deployment.site_of_phone(phone).name),
        other => other.as_str().to_string(),
    };
    let variant = handset(phone.vendor).directory_variant(phone);
    format!("\0directory {} {list} {variant}", phone.vendor)
}

/// The directory file `phone` reads: `company` (its shared company list, as rendered) with the
/// phone's own speed dials where its vendor keeps them there and the contacts it uploaded under
/// that name (`uploaded`) that are not the company's; `None` when there is nothing to add or its
/// vendor keeps the phone's contacts apart (the company list is served as it is), `Some(Err)`
/// when the upload cannot be read. The running server, `phoneprov render` and publishing all
/// go through here; only the server has uploads.
pub fn for_phone(
    deployment: &Deployment,
    phone: &Phone,
    company: &str,
    uploaded: Option<&[u8]>,
) -> Option<Result<Vec<u8>, String>> {
    let vendor = handset(phone.vendor);
    let dials = vendor.directory_speed_dials(&deployment.settings().keys_of_phone(&phone.mac));
    if dials.is_empty() && uploaded.is_none() {
        return None;
    }
    let is_company = company_contacts(deployment, phone);
    let is_ours = |contact: &str| is_company(contact) || dials.iter().any(|d| d.1 == contact);
    vendor.merge_directory(company, &dials, uploaded, &is_ours)
}
