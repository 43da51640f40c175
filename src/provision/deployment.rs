//! [`Deployment`]: one snapshot of the database, indexed for rendering (phones by MAC, extensions
//! by number, where each extension sits), with the facts files are derived from: each site's
//! call server, backup and voice mail server, and the registration expiry.

use std::collections::HashMap;

use crate::domain::{
    Extension, ExtensionNumber, LineNumber, Mac, Phone, Site, SiteId, SiteName, Vendor, is_switched,
};
use crate::store::Snapshot;
use crate::vendor::ServerView;

/// Registration expiry for a deployment of up to [`LARGE_DEPLOYMENT`] Polycom phones.
pub const EXPIRY_SECONDS: u32 = 90;
/// Registration expiry above [`LARGE_DEPLOYMENT`] Polycom phones, to lighten the call server.
pub const LARGE_DEPLOYMENT_EXPIRY_SECONDS: u32 = 600;
/// More Polycom phones than this make a large deployment.
pub const LARGE_DEPLOYMENT: usize = 100;

/// Why a snapshot cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum DeploymentError {
    /// The `default` site is missing (it is created by the first migration).
    #[error("the default site is missing from the database")]
    NoDefaultSite,
}

/// The data every rendered file is derived from.
#[derive(Debug, Clone)]
pub struct Deployment {
    revision: i64,
    server_address: String,
    sites: HashMap<SiteId, Site>,
    site_ids: HashMap<SiteName, SiteId>,
    default_site: Site,
    extensions: HashMap<ExtensionNumber, Extension>,
    phones: HashMap<Mac, Phone>,
    placement: HashMap<ExtensionNumber, (Mac, LineNumber)>,
    polycom_phones: usize,
}

impl Deployment {
    /// Indexes a snapshot. `server_address` is phoneprov's own address, given to phones of sites
    /// whose call server is not set.
    pub fn new(snapshot: Snapshot, server_address: String) -> Result<Deployment, DeploymentError> {
        let site_ids: HashMap<SiteName, SiteId> = snapshot
            .sites
            .iter()
            .map(|s| (s.name.clone(), s.id))
            .collect();
        let default_site = snapshot
            .sites
            .iter()
            .find(|s| s.name == SiteName::default_site())
            .cloned()
            .ok_or(DeploymentError::NoDefaultSite)?;
        let mut placement = HashMap::new();
        for phone in &snapshot.phones {
            for (line, number) in &phone.lines {
                placement.insert(number.clone(), (phone.mac, *line));
            }
        }
        Ok(Deployment {
            revision: snapshot.revision,
            server_address,
            polycom_phones: snapshot
                .phones
                .iter()
                .filter(|p| p.vendor == Vendor::Polycom)
                .count(),
            sites: snapshot.sites.into_iter().map(|s| (s.id, s)).collect(),
            site_ids,
            default_site,
            extensions: snapshot
                .extensions
                .into_iter()
                .map(|e| (e.number.clone(), e))
                .collect(),
            phones: snapshot.phones.into_iter().map(|p| (p.mac, p)).collect(),
            placement,
        })
    }

    /// The data revision this deployment was read at.
    pub fn revision(&self) -> i64 {
        self.revision
    }

    /// A phone by MAC.
    pub fn phone(&self, mac: &Mac) -> Option<&Phone> {
        self.phones.get(mac)
    }

    /// Every phone.
    pub fn phones(&self) -> impl Iterator<Item = &Phone> {
        self.phones.values()
    }

    /// An extension by number.
    pub fn extension(&self, number: &ExtensionNumber) -> Option<&Extension> {
        self.extensions.get(number)
    }

    /// The phone and line key an extension sits on.
    pub fn placement(&self, number: &ExtensionNumber) -> Option<(Mac, LineNumber)> {
        self.placement.get(number).copied()
    }

    /// A site by id; unknown ids fall back to the default site.
    pub fn site(&self, id: SiteId) -> &Site {
        self.sites.get(&id).unwrap_or(&self.default_site)
    }

    /// A site by name.
    pub fn site_named(&self, name: &SiteName) -> Option<&Site> {
        self.site_ids.get(name).and_then(|id| self.sites.get(id))
    }

    /// The `default` site.
    pub fn default_site(&self) -> &Site {
        &self.default_site
    }

    /// Every site.
    pub fn sites(&self) -> impl Iterator<Item = &Site> {
        self.sites.values()
    }

    /// A site's call server: its address, or phoneprov's own while none is set.
    pub fn server_of(&self, site: &Site) -> ServerView {
        ServerView {
            address: site
                .settings
                .sip_server
                .clone()
                .unwrap_or_else(|| self.server_address.clone()),
            port: site.settings.effective_sip_port(),
        }
    }

    /// A site's backup call server: the call server of its alternate site, if it has one.
    pub fn backup_of(&self, site: &Site) -> Option<ServerView> {
        let alternate = self.sites.get(&site.settings.alternate_site?)?;
        (alternate.id != site.id).then(|| self.server_of(alternate))
    }

    /// The call servers an extension registers to now, primary and backup: its current site's
    /// (backup: the alternate's); while its home site is switched over and it follows, the
    /// alternate's, with the home server as backup.
    pub fn servers_of(&self, extension: &Extension) -> (ServerView, Option<ServerView>) {
        let site = self.site_of(extension);
        if is_switched(extension, site)
            && let Some(alternate) = site
                .settings
                .alternate_site
                .and_then(|id| self.sites.get(&id))
        {
            return (self.server_of(alternate), Some(self.server_of(site)));
        }
        (self.server_of(site), self.backup_of(site))
    }

    /// Where a site's message-waiting subscriptions and voice mail call-back go.
    pub fn voicemail_of(&self, site: &Site) -> String {
        site.settings
            .voicemail_server
            .clone()
            .unwrap_or_else(|| self.server_of(site).address)
    }

    /// A site's registration expiry: the one set, else 90 s, or 600 s when the deployment has
    /// more than 100 Polycom phones.
    pub fn expires_of(&self, site: &Site) -> u32 {
        site.settings.registration_expiry.unwrap_or({
            if self.polycom_phones > LARGE_DEPLOYMENT {
                LARGE_DEPLOYMENT_EXPIRY_SECONDS
            } else {
                EXPIRY_SECONDS
            }
        })
    }

    /// The site serving an extension now (its current site).
    pub fn site_of(&self, extension: &Extension) -> &Site {
        self.site(extension.current_site)
    }
}
