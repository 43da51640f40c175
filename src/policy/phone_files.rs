//! What every transport (HTTP, FTP, TFTP) serves phones, in one place, so no transport has a copy
//! of the routing: a name is a rendered file (from [`Live`]'s cache), else an upload the phone
//! reads back, else a file of the firmware folder, else not found. A phone's files other than
//! its master file go only to an address its master file went to ([`Access`]); a phone file that
//! is missing or refused gets one answer, "not found", so no request tells which phones or
//! extensions exist. Uploads are accepted only for a known phone's own upload names, from an
//! address acting for it, within the size limit (a boot log sent before the phone's master-file
//! fetch is held until it: [`HeldUploads`]). Every file served is recorded on its phone in
//! batches ([`Recorder`]).
//!
//! The phone a fetch belongs to is the one the user agent names (Aastra/Mitel), else the one the
//! file names (`<mac>.cfg`, `<mac>-...`, an extension's file), else the phone last seen at the
//! client's address (firmware images). A user agent naming another MAC than the file is refused.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use bytes::Bytes;

use crate::clock::now_ms;
use crate::domain::{Mac, Model, Sighting, Transport, Upload, UploadWrite, Vendor};
use crate::handset::agent::Agent;
use crate::handset::handset;
use crate::observe::metrics;
use crate::observe::shown::OrEmpty;
use crate::policy::access::{Access, Requester};
use crate::policy::firmware;
use crate::policy::guard::{Guard, Guess, Verdict};
use crate::policy::held_uploads::HeldUploads;
use crate::policy::inbox::{BootRequest, Inbox};
use crate::policy::refused::Refused;
use crate::policy::sightings::Recorder;
use crate::policy::upload_writer::UploadWriter;
use crate::provision::Rendered;
use crate::provision::file_name::{FileKind, FileName};
use crate::provision::live::{FetchAnswer, Live, View};
use crate::provision::upload::{Keep, UploadLimits, UploadName, content_type_of_upload, screened};
use crate::store::{StoreError, UploadStore};

/// A file found for a phone.
#[derive(Debug)]
pub enum Found {
    /// Rendered from the data (shared with the cache).
    Rendered(Arc<Rendered>),
    /// What the phone uploaded earlier under this name.
    Upload {
        /// As stored.
        content: Vec<u8>,
        /// Its content type.
        content_type: &'static str,
    },
    /// A regular file inside the firmware folder.
    Firmware(PathBuf),
}

impl Found {
    /// The content of a rendered file (shared with the cache) or an upload; a firmware file's
    /// path instead, to be streamed from disk.
    pub fn into_bytes(self) -> Result<Bytes, PathBuf> {
        match self {
            Found::Rendered(file) => Ok(Bytes::from_owner(CachedBody(file))),
            Found::Upload { content, .. } => Ok(Bytes::from(content)),
            Found::Firmware(path) => Err(path),
        }
    }

    /// The content type phones expect (firmware: whatever the HTTP file server says).
    pub fn content_type(&self) -> &'static str {
        match self {
            Found::Rendered(file) => file.content_type,
            Found::Upload { content_type, .. } => content_type,
            Found::Firmware(_) => "application/octet-stream",
        }
    }

    /// Whether it holds a SIP password.
    pub fn carries_secret(&self) -> bool {
        matches!(self, Found::Rendered(file) if file.carries_secret)
    }

    /// The vendor whose format a rendered file is in.
    pub fn vendor(&self) -> Option<Vendor> {
        match self {
            Found::Rendered(file) => Some(file.vendor),
            Found::Upload { .. } | Found::Firmware(_) => None,
        }
    }

    /// What kind of file it is, as counted in the metrics: the vendor of a rendered file,
    /// `upload` or `firmware`.
    pub fn kind(&self) -> &'static str {
        match self {
            Found::Rendered(file) => file.vendor.as_str(),
            Found::Upload { .. } => "upload",
            Found::Firmware(_) => "firmware",
        }
    }
}

/// An upload name [`PhoneFiles::accepts_upload`] accepted: a known phone's own upload name.
#[derive(Debug)]
pub struct AcceptedUpload {
    upload: UploadName,
    client: Option<IpAddr>,
    /// A boot log from an address that does not act for its phone (yet): held, not stored
    /// ([`HeldUploads`]).
    hold: bool,
}

/// A cached rendered file as bytes, shared with the cache instead of copied.
struct CachedBody(Arc<Rendered>);

impl AsRef<[u8]> for CachedBody {
    fn as_ref(&self) -> &[u8] {
        self.0.content.as_bytes()
    }
}

/// A file found for a request, and the receipt that commits it when it is sent.
#[derive(Debug)]
pub struct Delivery<'a> {
    /// The file.
    pub found: Found,
    /// Commits the delivery ([`Receipt::commit`]); dropped unused by a probe (HTTP `HEAD`, FTP
    /// `SIZE`), which so changes nothing.
    pub receipt: Receipt<'a>,
}

/// What committing a sent file needs: the request's view of the data (so the phone it is
/// recorded on is told from the same revision it was found in), the file, who asked and how.
pub struct Receipt<'a> {
    files: &'a PhoneFiles,
    view: View<'a>,
    client: Option<IpAddr>,
    transport: Transport,
    kind: &'static str,
    /// The vendor whose format a rendered file is in.
    vendor: Option<Vendor>,
    /// A rendered file (what it changes is [`Access::commit`]'s).
    rendered: Option<Arc<Rendered>>,
    /// The phone the name belongs to, once looked up (by the checks or the commit, never
    /// twice for one request).
    owner: OnceLock<Option<Mac>>,
}

impl std::fmt::Debug for Receipt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receipt")
            .field("client", &self.client)
            .field("transport", &self.transport)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// The phone-facing file service shared by the transports.
pub struct PhoneFiles {
    live: Arc<Live>,
    store: Arc<dyn UploadStore>,
    uploads: UploadLimits,
    /// Writes uploads in batches.
    upload_writer: UploadWriter,
    recorder: Arc<Recorder>,
    firmware_dir: PathBuf,
    /// The phone last attributed at each client address.
    phone_at: RwLock<HashMap<IpAddr, Mac>>,
    /// The enumeration defense.
    guard: Arc<Guard>,
    /// Who may receive which files.
    access: Arc<Access>,
    /// Boot logs waiting for their phone's master-file fetch.
    held: HeldUploads,
    /// Phones asking for files that are not in the database.
    inbox: Arc<Inbox>,
    /// Phones already warned about for a user agent naming another model (once per phone and
    /// model while the server runs).
    model_warnings: Mutex<std::collections::HashSet<(Mac, String)>>,
}

impl PhoneFiles {
    /// The service over the live data, the store (uploads), the recorder and the firmware folder.
    pub fn new(
        live: Arc<Live>,
        store: Arc<dyn UploadStore>,
        recorder: Arc<Recorder>,
        firmware_dir: PathBuf,
        uploads: UploadLimits,
        guard: Arc<Guard>,
        access: Arc<Access>,
    ) -> PhoneFiles {
        PhoneFiles {
            live,
            upload_writer: UploadWriter::start(Arc::clone(&store)),
            store,
            uploads,
            recorder,
            firmware_dir,
            phone_at: RwLock::default(),
            guard,
            access,
            held: HeldUploads::default(),
            inbox: Arc::default(),
            model_warnings: Mutex::default(),
        }
    }

    /// Warns (once per phone and model) when a phone's user agent names another model than the
    /// stored one: its files are made for the stored model (line keys, firmware family).
    fn warn_model_mismatch(&self, view: &View<'_>, mac: Mac, agent: &Agent) {
        // The usual case, spelt alike, needs no look-up in the model table.
        if view.model_of(&mac) == Some(agent.model.as_str()) {
            return;
        }
        let (Some(stored), Some(said)) = (view.model_of(&mac), Model::find(&agent.model)) else {
            return;
        };
        if Model::find(stored).is_some_and(|m| m.name == said.name) {
            return;
        }
        let fresh = self
            .model_warnings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert((mac, said.name.to_string()));
        if fresh {
            tracing::warn!(
                mac = %mac,
                stored = stored,
                user_agent_model = said.name,
                "phone {mac} says it is a {} but is stored as a {stored}: its files are made for a \
                 {stored} (line keys, firmware); correct the model in the extension CSV's model \
                 column (mac and model) or with the API (PUT /api/v1/phones/{mac}/lines with \
                 \"model\")",
                said.name
            );
        }
    }

    /// The inbox of phones asking for files that are not in the database.
    pub fn inbox(&self) -> Arc<Inbox> {
        Arc::clone(&self.inbox)
    }

    /// The enumeration defense.
    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    /// Who may receive which files.
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// The live data.
    pub fn live(&self) -> &Live {
        &self.live
    }

    /// The folder of firmware and vendor files.
    pub fn firmware_dir(&self) -> &std::path::Path {
        &self.firmware_dir
    }

    /// The known phone last served at `client`, if any.
    pub fn phone_at(&self, client: IpAddr) -> Option<Mac> {
        self.phones_at().get(&client).copied()
    }

    /// The phones last served at each address, read.
    fn phones_at(&self) -> std::sync::RwLockReadGuard<'_, HashMap<IpAddr, Mac>> {
        self.phone_at
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Size limits of uploads.
    pub fn upload_limits(&self) -> UploadLimits {
        self.uploads
    }

    /// Refuses a request whose user agent names another phone than the file does, or a phone on
    /// a firmware family phoneprov does not serve ([`Agent::unsupported`]): the log says which,
    /// and the phone waits in the inbox with the reason.
    pub fn check_agent(
        &self,
        name: &FileName,
        agent: Option<&Agent>,
        client: Option<IpAddr>,
        transport: Transport,
        user_agent: Option<&str>,
    ) -> Result<(), Refused> {
        let Some(agent) = agent else {
            return Ok(());
        };
        if let Some(why) = agent.unsupported {
            tracing::warn!(
                file = %name,
                model = %agent.model,
                firmware = %agent.firmware,
                "refused {why}"
            );
            if let (Some(mac), Some(client)) = (name.mac().or(agent.mac), client) {
                self.inbox.note(&BootRequest {
                    mac,
                    file: name.as_str(),
                    client,
                    transport,
                    user_agent,
                    agent: Some(agent),
                });
            }
            return Err(Refused::Forbidden(why));
        }
        match (agent.mac, name.mac()) {
            (Some(said), Some(named)) if said != named => {
                tracing::warn!(file = %name, said = %said, "user-agent MAC differs from the file's MAC");
                Err(Refused::Forbidden("the user agent names another phone"))
            }
            _ => Ok(()),
        }
    }

    /// The file `name` (a decoded path without leading `/`) for `requester`: refused while the
    /// client is banned (except its own phones' files and files of no phone); a rendered file
    /// or upload goes only to whom [`Access`] allows. A phone file that is missing or refused
    /// gets the same "not found" (existence is not revealed) and, unless asked from an address
    /// acting for its phone, counts toward a ban (a known phone's optional files, such as
    /// `<mac>-phone.cfg` before it ever uploaded one, are asked for at every boot and are never
    /// misses).
    pub async fn find<'a>(
        &'a self,
        requester: &Requester<'_>,
        name: &FileName,
    ) -> Result<Delivery<'a>, Refused> {
        let client = requester.client;
        let view = self.live.view();
        // Which phone the name belongs to is looked up only where it matters (a ban in force, a
        // certificate, a refusal, the commit), and once.
        let owner_cell = OnceLock::new();
        let owner = || *owner_cell.get_or_init(|| view.owner_of(name));
        if let Some(ip) = client
            && self.guard.any_bans()
            && self
                .guard
                .admit(ip, owner(), name.is_phone_file(), requester.transport)
                == Verdict::Banned
        {
            return Err(Refused::Banned);
        }
        let found = match self.find_file(&view, name, requester).await {
            Ok(Found::Rendered(file)) => self
                .access
                .check(&view, &file, name.as_str(), requester)
                .map(|()| Found::Rendered(file)),
            Ok(other) => self
                .access
                .check_certificate(requester, owner, name.as_str())
                .map(|()| other),
            Err(refused) => Err(refused),
        };
        match found {
            Ok(found) => Ok(Delivery {
                receipt: Receipt {
                    files: self,
                    client,
                    transport: requester.transport,
                    kind: found.kind(),
                    vendor: found.vendor(),
                    rendered: match &found {
                        Found::Rendered(file) => Some(Arc::clone(file)),
                        Found::Upload { .. } | Found::Firmware(_) => None,
                    },
                    view,
                    owner: owner_cell,
                },
                found,
            }),
            Err(Refused::NotFound | Refused::Forbidden(_)) if name.is_phone_file() => {
                let owner = owner();
                if owner.is_none() && !requester.probe {
                    self.note_unassigned(requester, name);
                }
                Err(self.unknown_phone_file(requester, owner, name))
            }
            Err(other) => Err(other),
        }
    }

    /// The size of the rendered file `name`, if `requester` may receive it (FTP `LIST`): the
    /// checks of a fetch, nothing committed, and no miss counted (the names listed are the
    /// server's own, not a client's guesses).
    pub fn listed_size(&self, requester: &Requester<'_>, name: &FileName) -> Option<usize> {
        let view = self.live.view();
        if let Some(ip) = requester.client
            && self.guard.any_bans()
            && self
                .guard
                .admit(ip, view.owner_of(name), true, requester.transport)
                == Verdict::Banned
        {
            return None;
        }
        let Ok(FetchAnswer::Found(file)) = view.fetch(name) else {
            return None;
        };
        self.access
            .check(&view, &file, name.as_str(), requester)
            .ok()
            .map(|()| file.content.len())
    }

    /// Stores the boot log held for the phone whose master file `file` is, sent from `client`.
    fn release_held(&self, file: &Rendered, client: Option<IpAddr>) {
        let (Some(phone), Some(ip), true) = (file.access.owner, client, file.access.master) else {
            return;
        };
        let Some(write) = self.held.release(ip, phone) else {
            return;
        };
        let writer = self.upload_writer.clone();
        tokio::spawn(async move {
            // Failures are logged inside; nobody waits for the answer.
            let _ = write_upload(&writer, write, Some(ip)).await;
        });
    }

    /// Logs a firmware image a known phone asked for and the firmware folder lacks (the
    /// dashboard lists it with the phone); a guess from an address of no phone logs nothing.
    fn note_missing_firmware(&self, view: &View<'_>, name: &FileName, requester: &Requester<'_>) {
        if !firmware::is_image(name.as_str()) {
            return;
        }
        let by_agent = requester
            .http
            .and_then(|h| h.agent)
            .and_then(|agent| agent.mac)
            .filter(|mac| view.knows(mac));
        let Some(phone) = by_agent.or_else(|| requester.client.and_then(|ip| self.phone_at(ip)))
        else {
            return;
        };
        tracing::warn!(
            phone = %phone.polycom_name(),
            client = %requester.client.map(|ip| ip.to_string()).unwrap_or_default(),
            transport = %requester.transport,
            "{} {name}: the phone asked for it and the firmware folder {} has no such file; put the \
             vendor's image there (phoneprov check lists what each model needs)",
            crate::observe::activity::FIRMWARE_MISSING,
            self.firmware_dir.display()
        );
    }

    /// Puts a phone of no account asking for its master file in the inbox.
    fn note_unassigned(&self, requester: &Requester<'_>, name: &FileName) {
        let (FileKind::PhoneMaster(mac), Some(client)) = (name.kind(), requester.client) else {
            return;
        };
        self.inbox.note(&BootRequest {
            mac: *mac,
            file: name.as_str(),
            client,
            transport: requester.transport,
            user_agent: requester.http.and_then(|h| h.user_agent),
            agent: requester.http.and_then(|h| h.agent),
        });
    }

    /// The answer to a phone file that is missing or refused: "not found", and a miss toward a
    /// ban unless `requester` acts for its phone `owner` (then a phone's optional file).
    fn unknown_phone_file(
        &self,
        requester: &Requester<'_>,
        owner: Option<Mac>,
        name: &FileName,
    ) -> Refused {
        let acting = owner.is_some_and(|phone| self.access.acts_for(phone, requester));
        let guess = Guess {
            name,
            transport: requester.transport,
        };
        match requester.client {
            Some(ip) if !acting && self.guard.miss(ip, guess) => Refused::Banned,
            _ => Refused::NotFound,
        }
    }

    async fn find_file(
        &self,
        view: &View<'_>,
        name: &FileName,
        requester: &Requester<'_>,
    ) -> Result<Found, Refused> {
        if name.is_flat() && name.as_str().len() <= firmware::MAX_SEGMENT {
            match view.fetch(name) {
                Ok(FetchAnswer::Found(file)) if file.directory => {
                    return self.directory(view, file, name, requester).await;
                }
                Ok(FetchAnswer::Found(file)) => return Ok(Found::Rendered(file)),
                Ok(FetchAnswer::NotFound(reason)) => tracing::debug!(file = %name, "{reason}"),
                Err(e) => {
                    tracing::error!(file = %name, "cannot render: {e}");
                    return Err(Refused::Failed("cannot render this file"));
                }
            }
        }
        if let Some(upload) = name.upload() {
            // Phones read back what they uploaded (overrides, directories); nothing else by that
            // name, and only to whom may act for the phone (checked before the store is read).
            if !view.knows(&upload.mac) {
                return Err(Refused::NotFound);
            }
            self.access
                .check_upload(view, upload.mac, name.as_str(), requester)?;
            return match self.store.upload(&upload.mac, &upload.name).await {
                Ok(Some(stored)) => Ok(Found::Upload {
                    content: read_back(view, upload, stored.content),
                    content_type: content_type_of_upload(&upload.name),
                }),
                Ok(None) => Err(Refused::NotFound),
                Err(e) => Err(store_failed(&upload.name, &e)),
            };
        }
        match firmware::resolve(&self.firmware_dir, name.as_str()) {
            Some(path) => Ok(Found::Firmware(path)),
            None => {
                self.note_missing_firmware(view, name, requester);
                Err(Refused::NotFound)
            }
        }
    }

    /// A phone's company directory (shared by the phones with the same list, so its access is
    /// checked here, as for the phone's uploads), with the contacts the phone uploaded under
    /// that name kept after the company's. An upload that cannot be read leaves the company
    /// directory alone (and stays stored as it came).
    async fn directory(
        &self,
        view: &View<'_>,
        file: Arc<Rendered>,
        name: &FileName,
        requester: &Requester<'_>,
    ) -> Result<Found, Refused> {
        let mac = name.mac().ok_or(Refused::NotFound)?;
        self.access
            .check_upload(view, mac, name.as_str(), requester)?;
        let stored = match name.upload() {
            Some(upload) => match self.store.upload(&upload.mac, &upload.name).await {
                Ok(stored) => stored,
                Err(e) => return Err(store_failed(&upload.name, &e)),
            },
            None => None,
        };
        let uploaded = stored.as_ref().map(|s| s.content.as_slice());
        match view.directory_for_phone(&mac, &file.content, uploaded) {
            None => Ok(Found::Rendered(file)),
            Some(Ok(content)) => Ok(Found::Upload {
                content,
                content_type: file.content_type,
            }),
            Some(Err(e)) => {
                tracing::warn!(file = %name, "the phone's own contacts are left out: {e}");
                Ok(Found::Rendered(file))
            }
        }
    }

    /// Whether an upload by this name may be stored at all: one of a known phone's own upload
    /// names, from a client [`Access::check_upload`] lets act for that phone. Transports ask
    /// before reading the content, and store what was accepted. An unknown phone's upload and a
    /// refused one get the same "not found", and neither counts toward a ban: a phone's Updater
    /// uploads its boot log before it fetches its master file, so a real phone's first upload
    /// from a new address is refused too, and a refusal must tell nothing either way.
    pub fn accepts_upload(
        &self,
        requester: &Requester<'_>,
        name: &FileName,
    ) -> Result<AcceptedUpload, Refused> {
        let client = requester.client;
        let refused = |why: &str| {
            tracing::warn!(
                target: "audit",
                client = %client.map(|ip| ip.to_string()).unwrap_or_default(),
                file = %name,
                "upload refused: {why}"
            );
        };
        let Some(upload) = name.upload().cloned() else {
            refused("not a name phones may upload");
            return Err(Refused::Forbidden(
                "phones may upload only their own logs and overrides",
            ));
        };
        let boot_log = upload.name.ends_with("-boot.log");
        let held = |upload| {
            Ok(AcceptedUpload {
                upload,
                client,
                hold: true,
            })
        };
        if boot_log && !self.access.acts_for(upload.mac, requester) {
            return held(upload);
        }
        let view = self.live.view();
        if !view.knows(&upload.mac) {
            refused("no such phone");
            return Err(Refused::NotFound);
        }
        match self
            .access
            .check_upload(&view, upload.mac, name.as_str(), requester)
        {
            Ok(()) => Ok(AcceptedUpload {
                upload,
                client,
                hold: false,
            }),
            Err(Refused::Forbidden(_)) => Err(Refused::NotFound),
            Err(other) => Err(other),
        }
    }

    /// The refusal of an upload larger than the limit, with its audit line.
    pub fn oversized(&self, accepted: &AcceptedUpload) -> Refused {
        tracing::warn!(
            target: "audit",
            client = %accepted.client.map(|ip| ip.to_string()).unwrap_or_default(),
            mac = %accepted.upload.mac,
            file = %accepted.upload.name,
            limit = self.uploads.max_bytes,
            "upload refused: larger than the limit"
        );
        Refused::TooLarge(self.uploads.max_bytes)
    }

    /// Stores `content` as an accepted upload, within the size limit; a log is appended to
    /// (keeping its newest bytes), anything else replaced. Refused uploads write nothing.
    pub async fn store_upload(
        &self,
        accepted: AcceptedUpload,
        content: &[u8],
    ) -> Result<(), Refused> {
        if content.len() > self.uploads.max_bytes {
            return Err(self.oversized(&accepted));
        }
        let AcceptedUpload {
            upload,
            client,
            hold,
        } = accepted;
        let received = content.len();
        let client_text = client.map_or_else(|| "-".to_string(), |ip| ip.to_string());
        let content = match screened(&upload, content) {
            Ok((content, dropped)) => {
                if !dropped.is_empty() {
                    tracing::warn!(
                        target: "audit",
                        client = %client_text,
                        mac = %upload.mac,
                        file = %upload.name,
                        dropped = %dropped.join(" "),
                        "upload: parameters an upload may not set were dropped"
                    );
                }
                content
            }
            Err(refused) => {
                tracing::warn!(
                    target: "audit",
                    client = %client_text,
                    mac = %upload.mac,
                    file = %upload.name,
                    "upload refused: {refused}"
                );
                return Err(Refused::Forbidden(
                    "an override must be the file a phone writes (well-formed XML, or name = value lines)",
                ));
            }
        };
        let write = UploadWrite {
            upload: Upload {
                mac: upload.mac,
                name: upload.name.clone(),
                content: content.into_owned(),
                updated_at_ms: now_ms(),
            },
            log_keep: (upload.keep == Keep::Log).then_some(self.uploads.log_keep_bytes),
        };
        if hold {
            if let Some(ip) = client {
                tracing::info!(
                    target: "audit",
                    client = %ip,
                    file = %upload.name,
                    bytes = received,
                    "boot log held until its phone fetches its master file from this address"
                );
                self.held.hold(ip, write);
            }
            return Ok(());
        }
        write_upload(&self.upload_writer, write, client).await
    }
}

impl Receipt<'_> {
    /// Commits the file `name`, just before it is sent (a firmware image: once it opened):
    /// what a rendered file changes ([`Access::commit`]: the phone's binding, followers and
    /// networks; `Err` when another address bound the phone meanwhile, and then the file must
    /// not be sent), the boot log held for its phone, and the fetch in the metrics and on the
    /// phone it belongs to, if that can be told: the one the user agent names (Aastra/Mitel),
    /// else the one the name does, else the phone last seen at the client's address (firmware
    /// images). A credential file's delivery is an audit line.
    pub fn commit(
        self,
        name: &FileName,
        user_agent: Option<String>,
        agent: Option<Agent>,
    ) -> Result<(), Refused> {
        let Receipt {
            files,
            view,
            client,
            transport,
            kind,
            vendor: file_vendor,
            rendered,
            owner,
        } = self;
        let secret = rendered.as_ref().is_some_and(|file| file.carries_secret);
        if let Some(file) = &rendered {
            files
                .access
                .commit(file, name.as_str(), client, transport)?;
            files.release_held(file, client);
        }
        metrics::fetched(kind);
        let agent_mac = agent.as_ref().and_then(|a| a.mac);
        let named = agent_mac
            .filter(|mac| view.knows(mac))
            .or_else(|| *owner.get_or_init(|| view.owner_of(name)));
        if secret {
            tracing::info!(
                target: "audit",
                client = %OrEmpty(client),
                mac = %OrEmpty(named),
                file = %name,
                transport = %transport,
                "credential file served"
            );
        }
        // The address a phone's own file went to is that phone's; the usual case (the phone
        // seen there before) takes the shared lock only.
        if let (Some(mac), Some(ip)) = (named, client) {
            if files.phones_at().get(&ip) != Some(&mac) {
                files
                    .phone_at
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(ip, mac);
            }
            files.guard.seen(ip, mac);
        }
        let mac = match (named, client) {
            (Some(mac), _) => Some(mac),
            // A file of no phone (a site file, a model file, firmware) from an address a phone
            // was seen at is that phone's fetch, unless the request shows it is another phone's:
            // its user agent names a MAC (an unknown one), or another vendor's phones' file or
            // user agent.
            (None, Some(ip)) if agent_mac.is_none() => {
                files.phones_at().get(&ip).copied().filter(|mac| {
                    let vendor = view.vendor_of(mac);
                    let agent_vendor = agent.as_ref().map(|a| a.vendor);
                    file_vendor.is_none_or(|v| vendor == Some(v))
                        && agent_vendor.is_none_or(|v| vendor == Some(v))
                })
            }
            (None, _) => None,
        };
        if let (None, Some(ip)) = (mac, client)
            && named.is_none()
            && !files.inbox.is_empty()
        {
            files.inbox.also_asked(ip, name.as_str());
        }
        let Some(mac) = mac else { return Ok(()) };
        // Once per boot (the master file), not on every file of it.
        if let (Some(agent), FileKind::PhoneMaster(_)) = (&agent, name.kind()) {
            files.warn_model_mismatch(&view, mac, agent);
        }
        files.recorder.record(
            Sighting {
                mac,
                at_ms: now_ms(),
                ip: client.map(|ip| ip.to_string()).unwrap_or_default(),
                firmware: agent.map(|a| a.firmware),
                user_agent,
                file: name.as_str().to_string(),
                transport,
            },
            secret,
        );
        Ok(())
    }
}

/// What the phone reads back of what it uploaded under `upload`: as its vendor reads it back
/// against the phone's provisioned files (Yealink leaves out what the phone's own file sets).
fn read_back(view: &View<'_>, upload: &UploadName, stored: Vec<u8>) -> Vec<u8> {
    let Some(vendor) = view.vendor_of(&upload.mac) else {
        return stored;
    };
    let rendered = |name: &str| {
        let name = FileName::parse(name).ok()?;
        match view.fetch(&name) {
            Ok(FetchAnswer::Found(file)) => Some(file.content.clone()),
            _ => None,
        }
    };
    handset(vendor).read_back(&upload.mac, &upload.name, stored, &rendered)
}

/// Writes an upload (in the writer's next batch) and logs its audit line; a phone removed
/// meanwhile is "not found".
async fn write_upload(
    writer: &UploadWriter,
    write: UploadWrite,
    client: Option<IpAddr>,
) -> Result<(), Refused> {
    let (mac, name, bytes) = (
        write.upload.mac,
        write.upload.name.clone(),
        write.upload.content.len(),
    );
    let failure = name
        .ends_with(".log")
        .then(|| crate::policy::phone_logs::registration_failure(&write.upload.content))
        .flatten();
    match writer.store(write).await {
        Ok(true) => {
            if let Some(line) = failure {
                tracing::warn!(
                    phone = %mac.polycom_name(),
                    file = %name,
                    "{} in its log {name}: {line}",
                    crate::observe::activity::REGISTRATION_FAILED
                );
            }
            tracing::info!(
                target: "audit",
                client = %client.map(|ip| ip.to_string()).unwrap_or_default(),
                mac = %mac,
                file = %name,
                bytes,
                "upload stored"
            );
            Ok(())
        }
        Ok(false) => Err(Refused::NotFound),
        Err(e) => Err(store_failed(&name, &e)),
    }
}

fn store_failed(name: &str, error: &StoreError) -> Refused {
    tracing::error!(file = %name, "upload storage failed: {error}");
    Refused::Failed("cannot store the upload")
}
