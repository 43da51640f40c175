//! How many heap allocations a cached phone fetch makes on the policy's own path: the find
//! (guard, cached file, access checks) and the commit (followers, the audit line of a credential
//! file, the sighting merged into the batch), without the HTTP server around it. A binary of its
//! own, so its counting allocator sees nothing else; it counts per thread, and the fetches run
//! on this test's one thread, logging and counting metrics as `phoneprov serve` does. The limits
//! are the figures measured: a change that allocates more on every fetch fails here, in CI,
//! before a benchmark shows it (`ALLOC_STEPS=1` prints each step's share).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use phoneprov::domain::{Mac, SiteName, SiteSettings, Transport};
use phoneprov::handset::parse_agent;
use phoneprov::import::{ImportOptions, import_csv};
use phoneprov::observe::activity::ProblemLayer;
use phoneprov::observe::log_writer::{PENDING_BYTES, line_writer};
use phoneprov::policy::access::{Access, ClientCertificate, HttpLogin, Requester};
use phoneprov::policy::bindings::Bindings;
use phoneprov::policy::digest::Challenger;
use phoneprov::policy::guard::{Guard, GuardSettings};
use phoneprov::policy::phone_files::PhoneFiles;
use phoneprov::policy::sightings::Recorder;
use phoneprov::provision::live::Live;
use phoneprov::provision::upload::UploadLimits;
use phoneprov::provision::{FileName, Provisioner};
use phoneprov::render::Renderer;
use phoneprov::store::prelude::*;
use phoneprov::store::secrets::SecretKey;
use phoneprov::store::{SqlStore, Store};
use tracing_subscriber::prelude::*;

/// Most allocations a cached fetch of a phone's master file may make: its body's handle, the
/// sighting's address and file name, one more in the commit (9 before the audit fields, the
/// model check and the metrics handles stopped allocating).
const MASTER_FETCH_LIMIT: u64 = 4;
/// Most allocations a cached fetch of a credential file (an extension's, with its audit line)
/// may make (16 before).
const CREDENTIAL_FETCH_LIMIT: u64 = 5;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: never fails the allocation while the thread is torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is passed on to the system allocator unchanged; counting touches only a
// thread-local integer.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: `ptr` came from `System` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// A data folder that is the owner's alone.
fn data_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    dir
}

/// The phone-file service over the golden deployment in SQLite, as the server builds it.
async fn phone_files(dir: &Path) -> PhoneFiles {
    let url = format!("sqlite://{}?mode=rwc", dir.join("phoneprov.db").display());
    let key = SecretKey::load_or_create(dir).expect("secret key");
    let sql = SqlStore::open(&url, key).await.expect("store");
    let branch = SiteName::parse("branch").expect("a site name");
    sql.create_site(&branch, &SiteSettings::new_site_defaults(), "test")
        .await
        .expect("the branch site");
    let csv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/golden/deployment.csv"
    ))
    .expect("the golden deployment");
    import_csv(&sql, &csv, &ImportOptions::by("test"), &|_, _| {})
        .await
        .expect("import");
    let store: Arc<dyn Store> = Arc::new(sql);
    let live = Arc::new(
        Live::load(
            Arc::clone(&store),
            Provisioner::new(Renderer::builtin()),
            "192.0.2.1".into(),
        )
        .await
        .expect("live data"),
    );
    let (recorder, _writer) = Recorder::start(store.clone());
    let guard = Arc::new(Guard::new(GuardSettings::default()));
    let (bindings, _bindings_writer) = Bindings::start(store.clone(), Arc::clone(&live))
        .await
        .expect("bindings");
    let access = Arc::new(Access::new(
        Arc::clone(&guard),
        bindings,
        Challenger::new().expect("challenger"),
    ));
    PhoneFiles::new(
        live,
        store,
        recorder,
        dir.join("firmware"),
        UploadLimits::default(),
        guard,
        access,
    )
}

/// The allocations of one fetch of `name` as an HTTP request from a Polycom phone would make
/// it (the transport's own parsing of the request done before), averaged over many.
async fn allocations_per_fetch(files: &PhoneFiles, name: &str) -> u64 {
    const FETCHES: u64 = 200;
    let client: IpAddr = "127.0.0.1".parse().expect("address");
    let user_agent = "FileTransport PolycomSoundPointIP-SPIP_331-UA/3.2.7.0198";
    let agent = parse_agent(user_agent);
    let parsed = FileName::parse(name).expect("a file name");
    let uri = format!("/{name}");
    let fetch = || async {
        let requester = Requester {
            client: Some(client),
            http: Some(HttpLogin {
                authorization: None,
                method: "GET",
                uri: &uri,
                secure: false,
                user_agent: Some(user_agent),
                agent: agent.as_ref(),
            }),
            certificate: ClientCertificate::NotAsked,
            transport: Transport::Http,
            probe: false,
        };
        // What the transport hands the commit, made before (its allocations are its own).
        let (said, understood) = (Some(user_agent.to_string()), agent.clone());
        let before = allocations();
        let delivery = files.find(&requester, &parsed).await.expect("served");
        let found = allocations();
        let body = delivery.found.into_bytes().expect("a rendered file");
        let bytes = allocations();
        delivery
            .receipt
            .commit(&parsed, said, understood)
            .expect("committed");
        let committed = allocations();
        drop(body);
        if std::env::var_os("ALLOC_STEPS").is_some() {
            println!(
                "{name}: find {}, body {}, commit {}",
                found - before,
                bytes - found,
                committed - bytes
            );
        }
        committed - before
    };
    // Warm up: the first fetch renders into the cache, and the maps of who acts for the phone
    // and of the sightings get their entries.
    for _ in 0..3 {
        fetch().await;
    }
    let mut total = 0;
    for _ in 0..FETCHES {
        total += fetch().await;
    }
    total / FETCHES
}

#[tokio::test(flavor = "current_thread")]
async fn a_cached_fetch_allocates_no_more_than_it_did() {
    // Log as `phoneprov serve` does (its filter, its layers, lines handed to a writer thread),
    // so the audit line of a credential file is written and counted.
    let (writer, _guard) = line_writer(std::io::sink(), PENDING_BYTES).expect("log writer");
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new(
            "info,sqlx=error,libunftp=warn",
        ))
        .with(ProblemLayer)
        .with(tracing_subscriber::fmt::layer().with_writer(writer));
    let _logging = tracing::subscriber::set_default(subscriber);
    // And count in the server's metrics recorder.
    let _metrics = phoneprov::observe::metrics::install().expect("metrics recorder");
    let dir = data_dir();
    let files = phone_files(dir.path()).await;
    let phone = Mac::parse("0004f214ab37").expect("the golden Polycom phone");
    let master = allocations_per_fetch(&files, &format!("{phone}.cfg")).await;
    let credential = allocations_per_fetch(&files, "201.cfg").await;
    println!("allocations per cached fetch: master file {master}, credential file {credential}");
    assert!(
        master <= MASTER_FETCH_LIMIT,
        "a cached master-file fetch makes {master} allocations (limit {MASTER_FETCH_LIMIT})"
    );
    assert!(
        credential <= CREDENTIAL_FETCH_LIMIT,
        "a cached credential-file fetch makes {credential} allocations (limit \
         {CREDENTIAL_FETCH_LIMIT})"
    );
}
