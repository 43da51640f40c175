//! [`Deployment`]: one snapshot of the database, indexed for rendering (phones by MAC, extensions
//! by number, where each extension sits), with the facts files are derived from: each
//! extension's call server and backup, where voice mail goes, and the registration expiry.

use std::collections::HashMap;

use crate::domain::{
    Assignment, CallServer, ClockRules, Extension, ExtensionNumber, LineNumber, Mac, Mode, Phone,
    PhoneFacts, PhoneLogin, SettingsBook, Site, SiteId, SiteName, Vendor, Voicemail, distribute,
    is_switched,
};
use crate::domain::{ServerView, Snapshot};

/// One line of a phone as it registers: the line, its extension, where it registers (primary and
/// backup) and for how long.
#[derive(Debug, Clone)]
pub struct LineRegistration<'d> {
    /// The line (key) number.
    pub line: LineNumber,
    /// The extension on it.
    pub extension: &'d Extension,
    /// Its call server now.
    pub server: ServerView,
    /// Its backup server, if it has one.
    pub backup: Option<ServerView>,
    /// Its registration expiry in seconds.
    pub expires: u32,
}

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
    web_url: Option<String>,
    sites: HashMap<SiteId, Site>,
    site_ids: HashMap<SiteName, SiteId>,
    default_site: Site,
    extensions: HashMap<ExtensionNumber, Extension>,
    phones: HashMap<Mac, Phone>,
    placement: HashMap<ExtensionNumber, (Mac, LineNumber)>,
    polycom_phones: usize,
    switched_primary: HashMap<ExtensionNumber, ServerView>,
    voicemail: Voicemail,
    logins: HashMap<Mac, PhoneLogin>,
    clocks: HashMap<SiteId, ClockRules>,
    settings: SettingsBook,
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
        // Maps sized up front: growing one copies it, and a large store's peak memory is made
        // of such copies.
        let mut placement = HashMap::with_capacity(snapshot.extensions.len());
        for phone in &snapshot.phones {
            for (line, number) in &phone.lines {
                placement.insert(number.clone(), (phone.mac, *line));
            }
        }
        let sites: HashMap<SiteId, Site> = snapshot.sites.into_iter().map(|s| (s.id, s)).collect();
        let mut extensions = HashMap::with_capacity(snapshot.extensions.len());
        extensions.extend(
            snapshot
                .extensions
                .into_iter()
                .map(|e| (e.number.clone(), e)),
        );
        let mut phones = HashMap::with_capacity(snapshot.phones.len());
        let polycom_phones = snapshot
            .phones
            .iter()
            .filter(|p| p.vendor == Vendor::Polycom)
            .count();
        phones.extend(snapshot.phones.into_iter().map(|p| (p.mac, p)));
        Ok(Deployment {
            switched_primary: switched_primaries(&sites, &extensions),
            voicemail: snapshot.voicemail,
            logins: snapshot.logins,
            settings: snapshot.settings,
            clocks: clocks_of(&sites),
            revision: snapshot.revision,
            server_address,
            web_url: None,
            polycom_phones,
            sites,
            site_ids,
            default_site,
            extensions,
            phones,
            placement,
        })
    }

    /// A site's clock as phones are told it: its rules as they stand in the year the deployment
    /// was read (rules change seldom, and a new revision reads them again), worked out once per
    /// site here, not per rendered file.
    pub fn clock_of(&self, site: &Site) -> &ClockRules {
        static UTC: std::sync::LazyLock<ClockRules> = std::sync::LazyLock::new(ClockRules::utc);
        self.clocks.get(&site.id).unwrap_or(&UTC)
    }

    /// Settings without templates and phones' profiles.
    pub fn settings(&self) -> &SettingsBook {
        &self.settings
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

    /// Every extension.
    pub fn extensions(&self) -> impl Iterator<Item = &Extension> {
        self.extensions.values()
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

    /// The same deployment, phones reaching phoneprov's web server at `web_url`
    /// (`http://192.0.2.10:8080/`, with its slash): files that must name an absolute URL (a
    /// Yealink phone book, its firmware) name it there.
    pub fn with_web_url(mut self, web_url: Option<String>) -> Deployment {
        self.web_url = web_url;
        self
    }

    /// phoneprov's web URL as phones reach it, when the server knows it (not in a CLI run).
    pub fn web_url(&self) -> Option<&str> {
        self.web_url.as_deref()
    }

    /// A site's first call server, or phoneprov's own address while none is set.
    pub fn server_of(&self, site: &Site) -> ServerView {
        match site.settings.call_servers.first() {
            Some(server) => server_view(site, server),
            None => ServerView {
                address: self.server_address.clone(),
                port: site.settings.effective_sip_port(),
            },
        }
    }

    /// A site's backup call server for files not tied to one extension: its second call server,
    /// else the first of its alternate site.
    pub fn backup_of(&self, site: &Site) -> Option<ServerView> {
        if let Some(second) = site.settings.call_servers.get(1) {
            return Some(server_view(site, second));
        }
        let alternate = self.sites.get(&site.settings.alternate_site?)?;
        (alternate.id != site.id).then(|| self.server_of(alternate))
    }

    /// The call servers an extension registers to now, primary and backup: its assigned ones at
    /// its current site (registration distribution; a one-server site's backup is the
    /// alternate's); while its home site is switched over and it follows, one of the
    /// alternate's servers (spread evenly), with its home primary as backup.
    pub fn servers_of(&self, extension: &Extension) -> (ServerView, Option<ServerView>) {
        let site = self.site_of(extension);
        let assigned = |key: Option<&str>| key.and_then(|k| assigned_server(site, k));
        let registration = extension.registration.as_ref();
        let primary = assigned(registration.map(|r| r.primary.as_str()))
            .unwrap_or_else(|| self.server_of(site));
        let alternate = site
            .settings
            .alternate_site
            .and_then(|id| self.sites.get(&id));
        if let Some(alternate) = alternate
            && is_switched(extension, site, Some(alternate))
        {
            let over = self
                .switched_primary
                .get(&extension.number)
                .cloned()
                .unwrap_or_else(|| self.server_of(alternate));
            return (over, Some(primary));
        }
        let backup = match registration.and_then(|r| r.backup.as_deref()) {
            Some(key) => assigned(Some(key)),
            None if site.settings.call_servers.len() > 1 => None,
            None => self.backup_of(site),
        };
        (primary, backup)
    }

    /// Where a site's message-waiting subscriptions and voice mail call-back go: the central
    /// voice mail server (its backup while marked down), else the site's own voice mail server,
    /// else its call server.
    pub fn voicemail_of(&self, site: &Site) -> String {
        let own = site
            .settings
            .voicemail_server
            .clone()
            .unwrap_or_else(|| self.server_of(site).address);
        self.voicemail.target(&own).to_string()
    }

    /// A phone's lines in order, each with where and for how long it registers (a line whose
    /// extension is gone is left out): what a vendor that writes every line into the phone's own
    /// file needs.
    pub fn registrations_of<'d>(
        &'d self,
        phone: &'d Phone,
    ) -> impl Iterator<Item = LineRegistration<'d>> + 'd {
        phone.lines.iter().filter_map(move |(line, number)| {
            let extension = self.extension(number)?;
            let (server, backup) = self.servers_of(extension);
            Some(LineRegistration {
                line: *line,
                extension,
                server,
                backup,
                expires: self.expires_of(self.site_of(extension)),
            })
        })
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

    /// The site whose settings a phone's files carry: the current site of the extension on its
    /// lowest key, or the default site.
    pub fn site_of_phone(&self, phone: &Phone) -> &Site {
        self.first_extension(phone)
            .map_or_else(|| self.default_site(), |e| self.site_of(e))
    }

    /// What a phone is, for picking its settings: its MAC, vendor, model and site.
    pub fn facts_of<'p>(&'p self, phone: &'p Phone) -> PhoneFacts<'p> {
        PhoneFacts {
            mac: &phone.mac,
            vendor: phone.vendor,
            model: phone.model.as_deref(),
            site: &self.site_of_phone(phone).name,
        }
    }

    /// The extension on a phone's lowest key that exists: the one its site, its re-check and
    /// its check-sync user come from.
    pub fn first_extension(&self, phone: &Phone) -> Option<&Extension> {
        phone
            .lines
            .values()
            .find_map(|number| self.extension(number))
    }

    /// The home site of a phone: that of its first line's extension, else the default site.
    pub fn home_site_of_phone(&self, phone: &Phone) -> &Site {
        self.first_extension(phone)
            .map_or(self.default_site(), |extension| {
                self.site(extension.home_site)
            })
    }

    /// The HTTP login a phone needs for its credential files, if one is set.
    pub fn login_of(&self, mac: &Mac) -> Option<&PhoneLogin> {
        self.logins.get(mac)
    }
}

/// Every site's clock rules in the current year.
fn clocks_of(sites: &HashMap<SiteId, Site>) -> HashMap<SiteId, ClockRules> {
    let year = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .year();
    sites
        .values()
        .map(|site| (site.id, site.settings.clock(year)))
        .collect()
}

fn server_view(site: &Site, server: &CallServer) -> ServerView {
    ServerView {
        address: server.address.clone(),
        port: server.port_or(site.settings.effective_sip_port()),
    }
}

/// The server of `site` whose key is `key`, if it is still one of its servers.
fn assigned_server(site: &Site, key: &str) -> Option<ServerView> {
    let port = site.settings.effective_sip_port();
    site.settings
        .call_servers
        .iter()
        .find(|s| s.key(port) == key)
        .map(|s| server_view(site, s))
}

/// The alternate's server of each extension that follows its home site's switchover, spread
/// over the alternate's servers as registration distribution spreads new extensions.
fn switched_primaries(
    sites: &HashMap<SiteId, Site>,
    extensions: &HashMap<ExtensionNumber, Extension>,
) -> HashMap<ExtensionNumber, ServerView> {
    let mut following: HashMap<SiteId, Vec<(ExtensionNumber, Option<Assignment>)>> = HashMap::new();
    for extension in extensions.values() {
        if let Some(home) = sites.get(&extension.home_site)
            && let Some(alternate) = home.settings.alternate_site
            && is_switched(extension, home, sites.get(&alternate))
        {
            following
                .entry(alternate)
                .or_default()
                .push((extension.number.clone(), None));
        }
    }
    let mut primaries = HashMap::new();
    for (alternate, mut members) in following {
        let Some(site) = sites.get(&alternate) else {
            continue;
        };
        members.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
        for (number, assignment) in distribute(&site.settings.bins(), &members, Mode::Place) {
            if let Some(server) = assignment.and_then(|a| assigned_server(site, &a.primary)) {
                primaries.insert(number, server);
            }
        }
    }
    primaries
}
