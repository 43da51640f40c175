//! [`Live`]: what the phone-facing servers answer from. It holds the current [`Deployment`] and a
//! cache of the files rendered from it, and replaces both when the data revision changes: at
//! once when PostgreSQL announces a change (another node, or `phoneprov import`), and otherwise
//! checked once a second, so a change made by another process is served within about a second.
//! Rendered files are cached for the life of a revision: a boot storm renders each file once,
//! and a change never leaves a stale file behind. After each new
//! revision it can tell which phones' files changed (for the check-sync push).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use arc_swap::ArcSwap;

use crate::domain::Mac;
use crate::provision::file_name::FileName;
use crate::provision::{Deployment, NotServed, Provisioner, Rendered, resolve};
use crate::render::RenderError;
use crate::store::{Store, StoreError};

/// How often the data revision is checked when no change notice comes.
pub const REVISION_POLL: Duration = Duration::from_secs(1);
/// The least time between two reloads.
const RELOAD_SPACING: Duration = Duration::from_millis(20);

/// Why the live state could not be (re)loaded.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// Reading the database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The data cannot be served.
    #[error(transparent)]
    Deployment(#[from] crate::provision::DeploymentError),
}

/// One revision's deployment and the files rendered from it so far.
struct Generation {
    deployment: Arc<Deployment>,
    provisioner: Arc<Provisioner>,
    rendered: RwLock<HashMap<String, Arc<Rendered>>>,
}

/// The state phone-facing servers answer from.
pub struct Live {
    store: Arc<dyn Store>,
    server_address: String,
    /// The web URL phones reach phoneprov at, once the server knows it.
    web_url: std::sync::RwLock<Option<String>>,
    current: ArcSwap<Generation>,
    renders: AtomicU64,
    /// How many times the data or the templates were swapped in since start.
    swaps: AtomicU64,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("revision", &self.revision())
            .finish_non_exhaustive()
    }
}

impl Live {
    /// Loads the current data from `store`.
    pub async fn load(
        store: Arc<dyn Store>,
        provisioner: Provisioner,
        server_address: String,
    ) -> Result<Live, LiveError> {
        let deployment = Deployment::new(store.snapshot().await?, server_address.clone())?;
        Ok(Live {
            store,
            server_address,
            web_url: std::sync::RwLock::default(),
            current: ArcSwap::from_pointee(Generation {
                deployment: Arc::new(deployment),
                provisioner: Arc::new(provisioner),
                rendered: RwLock::default(),
            }),
            renders: AtomicU64::new(0),
            swaps: AtomicU64::new(0),
        })
    }

    /// The data revision being served.
    pub fn revision(&self) -> i64 {
        self.current.load().deployment.revision()
    }

    /// phoneprov's own address as phones reach it: the call server of sites that name none.
    pub fn server_address(&self) -> &str {
        &self.server_address
    }

    /// How many files have been rendered since start (cache misses).
    pub fn renders(&self) -> u64 {
        self.renders.load(Ordering::Relaxed)
    }

    /// One generation of the data, taken once: every answer a request gets comes from the same
    /// revision, however long it takes and whatever changes meanwhile.
    pub fn view(&self) -> View<'_> {
        View {
            live: self,
            generation: self.current.load_full(),
        }
    }

    /// The answer to a request for `name` (see [`View::fetch`]); a name that is not one
    /// ([`FileName::parse`]) is not found.
    pub fn fetch(&self, name: &str) -> Result<FetchAnswer, RenderError> {
        match FileName::parse(name) {
            Ok(parsed) => self.view().fetch(&parsed),
            Err(_) => Ok(FetchAnswer::NotFound(NotServed::NotRendered(
                name.to_string(),
            ))),
        }
    }

    /// The files a known phone will fetch, in order; `None` for an unknown phone.
    pub fn files_of_phone(&self, mac: &Mac) -> Option<Vec<String>> {
        let generation = self.current.load();
        let phone = generation.deployment.phone(mac)?;
        Some(
            generation
                .provisioner
                .files_of_phone(&generation.deployment, phone),
        )
    }

    /// What the phones of the current revision cannot keep
    /// ([`crate::provision::limits::limit_warnings`]).
    pub fn limit_warnings(&self) -> Vec<String> {
        let generation = self.current.load();
        crate::provision::limits::limit_warnings(&generation.deployment, &generation.provisioner)
    }

    /// A known phone's profile and effective settings, each with where it comes from; `None`
    /// for an unknown phone.
    pub fn settings_of_phone(
        &self,
        mac: &Mac,
    ) -> Option<(Option<String>, Vec<crate::domain::Effective>)> {
        let generation = self.current.load();
        let deployment = &generation.deployment;
        let phone = deployment.phone(mac)?;
        let profile = deployment.settings().profile_of(mac).map(|p| p.to_string());
        Some((
            profile,
            generation.provisioner.settings_of(deployment, phone),
        ))
    }

    /// Who to address a check-sync NOTIFY to on a phone: the number on its first line key (else
    /// its MAC), and the SIP port its files make it listen on (Polycom
    /// `voIpProt.SIP.local.port`, Aastra `sip local port`). `None` for an unknown phone.
    pub fn sip_target(&self, mac: &Mac) -> Option<(String, u16)> {
        let generation = self.current.load();
        let deployment = &generation.deployment;
        let phone = deployment.phone(mac)?;
        Some(crate::provision::sip_target(deployment, phone))
    }

    /// A fingerprint of every file of every phone in the current revision, and the phones whose
    /// fingerprint differs from `before` (phones new to `before` are not counted as changed).
    /// Files are rendered aside, not through the cache, so the cache's counts stay the phones'.
    pub fn fingerprints(&self, before: &HashMap<Mac, u64>) -> (HashMap<Mac, u64>, Vec<Mac>) {
        let generation = self.current.load_full();
        let mut now = HashMap::with_capacity(generation.deployment.phones().count());
        let mut changed = Vec::new();
        for phone in generation.deployment.phones() {
            let mut hasher = std::hash::DefaultHasher::new();
            for name in generation
                .provisioner
                .files_of_phone(&generation.deployment, phone)
            {
                std::hash::Hash::hash(&name, &mut hasher);
                let rendered = FileName::parse(&name)
                    .ok()
                    .and_then(|parsed| resolve(&generation.deployment, &parsed).ok())
                    .and_then(|target| {
                        generation
                            .provisioner
                            .render(&generation.deployment, target)
                            .ok()
                    });
                if let Some(file) = rendered {
                    std::hash::Hash::hash(&file.content, &mut hasher);
                }
            }
            let fingerprint = std::hash::Hasher::finish(&hasher);
            if before
                .get(&phone.mac)
                .is_some_and(|old| *old != fingerprint)
            {
                changed.push(phone.mac);
            }
            now.insert(phone.mac, fingerprint);
        }
        (now, changed)
    }

    /// Reloads the data if its revision changed; returns whether it did.
    pub async fn refresh(&self) -> Result<bool, LiveError> {
        if self.store.revision().await? == self.revision() {
            return Ok(false);
        }
        let snapshot = self.store.snapshot().await?;
        let deployment =
            Deployment::new(snapshot, self.server_address.clone())?.with_web_url(self.web_url());
        let provisioner = Arc::clone(&self.current.load().provisioner);
        self.swap(Arc::new(deployment), provisioner);
        Ok(true)
    }

    /// The web URL phones reach phoneprov at, once set.
    pub fn web_url(&self) -> Option<String> {
        self.web_url.read().map_or(None, |url| url.clone())
    }

    /// Phones reach phoneprov's web server at `web_url` (with its slash): the files that name
    /// an absolute URL are rendered with it from now on.
    pub fn set_web_url(&self, web_url: String) {
        if let Ok(mut url) = self.web_url.write() {
            *url = Some(web_url.clone());
        }
        let current = self.current.load();
        let deployment = (*current.deployment).clone().with_web_url(Some(web_url));
        self.swap(Arc::new(deployment), Arc::clone(&current.provisioner));
    }

    /// Serves with other templates from now on (reloaded on SIGHUP; the cache starts over) if
    /// `provisioner` renders every file of the current data (every phone's, each
    /// site file, the default master); otherwise keeps the one in use and returns each failure
    /// (phone, file, reason). A template reload goes through here, so an override that parses but
    /// fails on one extension's data never reaches that phone.
    pub fn try_provisioner(&self, provisioner: Provisioner) -> Result<(), Vec<String>> {
        let deployment = Arc::clone(&self.current.load().deployment);
        let failures = crate::provision::render_failures(&deployment, &provisioner);
        if !failures.is_empty() {
            return Err(failures);
        }
        self.swap(deployment, Arc::new(provisioner));
        Ok(())
    }

    fn swap(&self, deployment: Arc<Deployment>, provisioner: Arc<Provisioner>) {
        tracing::info!(revision = deployment.revision(), "serving new data");
        self.current.store(Arc::new(Generation {
            deployment,
            provisioner,
            rendered: RwLock::default(),
        }));
        self.swaps.fetch_add(1, Ordering::Relaxed);
    }

    /// Changes every time what phones get may have changed (new data, new templates).
    pub fn generation(&self) -> u64 {
        self.swaps.load(Ordering::Relaxed)
    }

    /// The deployment and provisioner being served now.
    pub fn current(&self) -> (Arc<Deployment>, Arc<Provisioner>) {
        let generation = self.current.load();
        (
            Arc::clone(&generation.deployment),
            Arc::clone(&generation.provisioner),
        )
    }

    /// Refreshes when the store says another writer changed the data (PostgreSQL's notices),
    /// and at least every [`REVISION_POLL`], until the process ends; failures are logged and
    /// retried. With `on_change`, each new revision's files are fingerprinted (on a blocking
    /// thread) and the phones whose files changed are handed to it.
    pub async fn follow_revisions(self: Arc<Live>, on_change: Option<ChangedPhones>) {
        let mut fingerprints = HashMap::new();
        let mut fingerprinted = None;
        loop {
            self.store.wait_for_change(REVISION_POLL).await;
            // A burst of changes is read as one reload, not one per change.
            tokio::time::sleep(RELOAD_SPACING).await;
            if let Err(e) = self.refresh().await {
                tracing::warn!(
                    "cannot reload the data, still serving revision {}: {e}",
                    self.revision()
                );
            }
            let Some(on_change) = &on_change else {
                continue;
            };
            let revision = self.revision();
            if fingerprinted == Some(revision) {
                continue;
            }
            let live = Arc::clone(&self);
            let before = std::mem::take(&mut fingerprints);
            match tokio::task::spawn_blocking(move || live.fingerprints(&before)).await {
                Ok((now, changed)) => {
                    fingerprints = now;
                    fingerprinted = Some(revision);
                    if !changed.is_empty() {
                        tracing::info!(phones = changed.len(), revision, "files changed");
                        on_change(changed);
                    }
                }
                Err(e) => tracing::warn!("cannot compare the phones' files: {e}"),
            }
        }
    }
}

/// One generation of the live data, as a request sees it ([`Live::view`]).
pub struct View<'a> {
    live: &'a Live,
    generation: Arc<Generation>,
}

impl View<'_> {
    /// The data revision this view shows.
    pub fn revision(&self) -> i64 {
        self.generation.deployment.revision()
    }

    /// The answer to a request for `name`: from the cache, or rendered once and cached.
    pub fn fetch(&self, name: &FileName) -> Result<FetchAnswer, RenderError> {
        let generation = &self.generation;
        if let Some(hit) = read(&generation.rendered).get(name.as_str()) {
            crate::observe::metrics::render_cache_hit();
            return Ok(FetchAnswer::Found(Arc::clone(hit)));
        }
        // Names the core does not render (firmware, optional files) are told apart without a
        // lock; only a real render waits for the write lock.
        let target = match resolve(&generation.deployment, name) {
            Ok(target) => target,
            // Not cached: a scan of random names must not grow memory.
            Err(reason) => return Ok(FetchAnswer::NotFound(reason)),
        };
        // A file many phones share (a company directory) is kept once, under its shared key.
        let shared = target.shared_key(&generation.deployment);
        let key = shared.as_deref().unwrap_or(name.as_str());
        if shared.is_some()
            && let Some(hit) = read(&generation.rendered).get(key)
        {
            crate::observe::metrics::render_cache_hit();
            return Ok(FetchAnswer::Found(Arc::clone(hit)));
        }
        // Rendering under the write lock: concurrent first requests for one file wait for the
        // one render instead of repeating it (a render takes about 10 us).
        let mut rendered = write(&generation.rendered);
        if let Some(hit) = rendered.get(key) {
            crate::observe::metrics::render_cache_hit();
            return Ok(FetchAnswer::Found(Arc::clone(hit)));
        }
        let file = Arc::new(
            generation
                .provisioner
                .render(&generation.deployment, target)?,
        );
        self.live.renders.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("phoneprov_render_cache_misses_total").increment(1);
        rendered.insert(key.to_string(), Arc::clone(&file));
        Ok(FetchAnswer::Found(file))
    }

    /// The directory file the phone `mac` reads: `company` with its speed dials and the
    /// contacts it uploaded ([`crate::provision::directory::for_phone`]).
    pub fn directory_for_phone(
        &self,
        mac: &Mac,
        company: &str,
        uploaded: Option<&[u8]>,
    ) -> Option<Result<Vec<u8>, String>> {
        let deployment = &self.generation.deployment;
        let phone = deployment.phone(mac)?;
        crate::provision::directory::for_phone(deployment, phone, company, uploaded)
    }

    /// The vendor of a known phone.
    pub fn vendor_of(&self, mac: &Mac) -> Option<crate::domain::Vendor> {
        self.generation.deployment.phone(mac).map(|p| p.vendor)
    }

    /// The stored model of a known phone, if it has one.
    pub fn model_of(&self, mac: &Mac) -> Option<&str> {
        self.generation.deployment.phone(mac)?.model.as_deref()
    }

    /// True when `mac` is a known phone.
    pub fn knows(&self, mac: &Mac) -> bool {
        self.generation.deployment.phone(mac).is_some()
    }

    /// Whether a known phone's home site trusts only the first address (trust on first use).
    pub fn trusts_first_address(&self, mac: &Mac) -> bool {
        let deployment = &self.generation.deployment;
        deployment.phone(mac).is_some_and(|phone| {
            deployment
                .home_site_of_phone(phone)
                .settings
                .trust_first_address
        })
    }

    /// The HTTP login a phone needs for its credential files, if one is set.
    pub fn login_of(&self, mac: &Mac) -> Option<crate::domain::PhoneLogin> {
        self.generation.deployment.login_of(mac).cloned()
    }

    /// The known phone a file name belongs to: the phone its MAC names, or the phone an
    /// extension's file's extension sits on.
    pub fn owner_of(&self, name: &FileName) -> Option<Mac> {
        let deployment = &self.generation.deployment;
        if let Some(mac) = name.mac() {
            return deployment.phone(&mac).map(|p| p.mac);
        }
        deployment.placement(name.extension()?).map(|(mac, _)| mac)
    }
}

/// Told which phones' files a new revision changed.
pub type ChangedPhones = Box<dyn Fn(Vec<Mac>) + Send + Sync>;

/// A cached answer.
#[derive(Debug, Clone)]
pub enum FetchAnswer {
    /// The rendered file.
    Found(Arc<Rendered>),
    /// Not a file phoneprov renders, and why.
    NotFound(NotServed),
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Live data over a real SQLite store in a temporary folder, for the unit tests of the policy
/// that reads it.
#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use super::Live;
    use crate::provision::Provisioner;
    use crate::render::Renderer;
    use crate::store::secrets::SecretKey;
    use crate::store::{SqlStore, Store};

    /// Two Polycom phones: `0004f214ab37` with extension 201, `0004f214ab38` with 202; 299 on
    /// no phone; and an Aastra phone `00085d1610de` with 204.
    pub(crate) const CSV: &str = "extension,display_name,password,mac,model,line\n\
        201,Alice,alice-secret-201,0004f214ab37,VVX_400,1\n\
        202,Bob,bob-secret-202,0004f214ab38,VVX_400,1\n\
        204,Carol,carol-secret-204,00085d1610de,6757i,1\n\
        299,Nobody,nobody-secret-299,,,\n";

    /// The live data of `csv`; the folder must outlive it.
    pub(crate) async fn live_with(csv: &str) -> (tempfile::TempDir, Arc<Live>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("db").display());
        let store = SqlStore::open(&url, SecretKey::from_bytes([9; 32]))
            .await
            .expect("open store");
        crate::import::import_csv(&store, csv.as_bytes(), &Default::default(), &|_, _| {})
            .await
            .expect("import");
        let (renderer, _) = Renderer::load(std::path::Path::new("/nonexistent-templates"));
        let store: Arc<dyn Store> = Arc::new(store);
        let live = Live::load(store, Provisioner::new(renderer), "192.0.2.1".into())
            .await
            .expect("live data");
        (dir, Arc::new(live))
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{CSV, live_with};
    use super::*;

    fn name(text: &str) -> FileName {
        FileName::parse(text).unwrap()
    }

    fn mac(text: &str) -> Mac {
        Mac::parse(text).unwrap()
    }

    #[tokio::test]
    async fn a_file_is_rendered_once_per_revision_and_unknown_names_are_not_cached() {
        let (_dir, live) = live_with(CSV).await;
        let view = live.view();
        for _ in 0..3 {
            assert!(matches!(
                view.fetch(&name("201.cfg")).unwrap(),
                FetchAnswer::Found(_)
            ));
        }
        assert_eq!(live.renders(), 1);
        for unknown in ["999.cfg", "0004f2999999.cfg", "sip.ld"] {
            assert!(matches!(
                view.fetch(&name(unknown)).unwrap(),
                FetchAnswer::NotFound(_)
            ));
        }
        assert_eq!(
            read(&view.generation.rendered).len(),
            1,
            "misses are not kept"
        );
    }

    #[tokio::test]
    async fn phones_with_the_same_directory_share_one_rendering() {
        let (_dir, live) = live_with(CSV).await;
        let view = live.view();
        let first = view.fetch(&name("0004f214ab37-directory.xml")).unwrap();
        let second = view.fetch(&name("0004f214ab38-directory.xml")).unwrap();
        let (FetchAnswer::Found(first), FetchAnswer::Found(second)) = (first, second) else {
            panic!("both phones get a directory");
        };
        assert!(Arc::ptr_eq(&first, &second), "one rendering, shared");
        assert_eq!(live.renders(), 1);
        assert!(first.directory && first.access.owner.is_none());
    }

    #[tokio::test]
    async fn a_name_belongs_to_the_phone_its_mac_or_extension_is_on() {
        let (_dir, live) = live_with(CSV).await;
        let view = live.view();
        let alice = mac("0004f214ab37");
        assert_eq!(view.owner_of(&name("0004F214AB37.cfg")), Some(alice));
        assert_eq!(view.owner_of(&name("0004f214ab37-boot.log")), Some(alice));
        assert_eq!(view.owner_of(&name("201.cfg")), Some(alice));
        assert_eq!(view.owner_of(&name("202.cfg")), Some(mac("0004f214ab38")));
        for nobody in ["299.cfg", "0004f2999999.cfg", "altigen.cfg", "sip.ld"] {
            assert_eq!(view.owner_of(&name(nobody)), None, "{nobody}");
        }
        assert!(view.knows(&alice) && !view.knows(&mac("0004f2999999")));
    }

    #[tokio::test]
    async fn a_view_keeps_its_revision_while_the_data_changes() {
        let (_dir, live) = live_with(CSV).await;
        let before = live.view();
        crate::import::import_csv(
            live.store.as_ref(),
            b"extension,display_name\n201,Alice Renamed\n",
            &Default::default(),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert!(live.refresh().await.unwrap());
        let after = live.view();
        assert!(after.revision() > before.revision());
        let text = |view: &View<'_>| match view.fetch(&name("201.cfg")).unwrap() {
            FetchAnswer::Found(file) => file.content.clone(),
            FetchAnswer::NotFound(reason) => panic!("{reason}"),
        };
        assert!(
            !text(&before).contains("Alice Renamed"),
            "the old view's data"
        );
        assert!(text(&after).contains("Alice Renamed"));
    }
}
