//! Shared test harness: a fresh database per test on every backend (a temporary SQLite file, and a
//! new database in the PostgreSQL cluster named by `PHONEPROV_TEST_POSTGRES_URL`), and running the
//! real `phoneprov` binary against it.

pub mod applies;
pub mod dhcp;
pub mod pki;
#[path = "../../../bench/boot-storm/relay.rs"]
pub mod relay;
pub mod server;
pub mod visitor;
pub mod vsftpd;

use phoneprov::store::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use phoneprov::domain::{
    CallServer, EmergencyNumbers, ExtensionLength, LocalDialing, Recheck, SiteName, SiteSettings,
    ZoneName,
};
use phoneprov::import::{ImportOptions, import_csv, import_settings};
use phoneprov::store::{Backend, SqlStore};
use sqlx::{Connection, Executor};
use tempfile::TempDir;

/// A fresh, empty (migrated on first open) database.
pub struct TestDb {
    /// Which backend.
    pub backend: Backend,
    /// URL to pass as `--database-url`.
    pub url: String,
    /// A data folder for the binary (and the SQLite file).
    pub dir: TempDir,
}

static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

/// One fresh database per backend under test. SQLite always; PostgreSQL when
/// `PHONEPROV_TEST_POSTGRES_URL` is set, and required when `PHONEPROV_TEST_REQUIRE_POSTGRES` is
/// (as `scripts/test` and CI set it), so a missing server fails instead of skipping.
pub async fn databases() -> Vec<TestDb> {
    let mut dbs = vec![sqlite_db()];
    if let Some(admin_url) = postgres_admin_url() {
        dbs.push(postgres_db(&admin_url).await);
    }
    dbs
}

/// The test PostgreSQL cluster's URL (`PHONEPROV_TEST_POSTGRES_URL`); none, with a note, when
/// it is not configured, and a failure then when `PHONEPROV_TEST_REQUIRE_POSTGRES` is set.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("PHONEPROV_TEST_POSTGRES_URL") {
        Ok(admin_url) => Some(admin_url),
        Err(_) if std::env::var_os("PHONEPROV_TEST_REQUIRE_POSTGRES").is_some() => {
            panic!("PHONEPROV_TEST_REQUIRE_POSTGRES is set but PHONEPROV_TEST_POSTGRES_URL is not")
        }
        Err(_) => {
            eprintln!("note: PostgreSQL not configured; run scripts/test to cover it");
            None
        }
    }
}

/// A temporary data folder, the owner's alone as phoneprov keeps its data folder (it would
/// otherwise close it at the first start, with a warning on standard error).
pub fn data_dir() -> TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
        .expect("chmod 700");
    dir
}

/// Creates the database of the data folder `data` as an admin does: by importing one extension
/// (commands that only read refuse to create one).
pub fn create_database(data: &Path) {
    let csv = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(csv.path(), "extension,display_name\n299,First\n").expect("write csv");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_phoneprov"))
        .env_remove("PHONEPROV_DATA_DIR")
        .env_remove("PHONEPROV_DATABASE_URL")
        .arg("--data-dir")
        .arg(data)
        .arg("import")
        .arg(csv.path())
        .output()
        .expect("phoneprov");
    assert_success(&out, "import creating the database");
}

pub fn sqlite_db() -> TestDb {
    let dir = data_dir();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("phoneprov.db").display()
    );
    TestDb {
        backend: Backend::Sqlite,
        url,
        dir,
    }
}

pub async fn postgres_db(admin_url: &str) -> TestDb {
    sqlx::any::install_default_drivers();
    let name = format!(
        "pptest_{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = sqlx::AnyConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL server");
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let base = admin_url.rsplit_once('/').expect("URL with a database").0;
    TestDb {
        backend: Backend::Postgres,
        url: format!("{base}/{name}"),
        dir: data_dir(),
    }
}

impl TestDb {
    /// Opens the store in-process (runs migrations).
    pub async fn open(&self) -> SqlStore {
        let key = phoneprov::store::secrets::SecretKey::load_or_create(self.dir.path())
            .expect("secret key");
        SqlStore::open(&self.url, key).await.expect("open store")
    }

    /// A `phoneprov` command with this database and data folder.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_phoneprov"));
        command
            .env_remove("RUST_LOG")
            // Test servers listen on loopback only, check-sync pushes included.
            .env("PHONEPROV_PUSH_LISTEN", "127.0.0.1:0")
            .env_remove("PHONEPROV_DATA_DIR")
            .env_remove("PHONEPROV_DATABASE_URL")
            .arg("--data-dir")
            .arg(self.dir.path())
            .arg("--database-url")
            .arg(&self.url);
        command
    }

    /// Runs `phoneprov ARGS...`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run phoneprov")
    }

    /// Runs `phoneprov import FILE EXTRA...` on a fixture.
    pub fn import(&self, fixture: &str, extra: &[&str]) -> Output {
        let path = fixture_path(fixture);
        let mut args = vec!["import", path.to_str().expect("UTF-8 path")];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `phoneprov export` output.
    pub fn export(&self) -> String {
        let out = self.run(&["export"]);
        assert_success(&out, "export");
        String::from_utf8(out.stdout).expect("UTF-8 export")
    }

    /// `phoneprov export --with-passwords`.
    pub fn export_with_passwords(&self) -> String {
        let out = self.run(&["export", "--with-passwords"]);
        assert_success(&out, "export");
        String::from_utf8(out.stdout).expect("UTF-8 export")
    }
}

pub fn fixture_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
}

/// Writes `text` to `dir/name`; its path, as a command-line argument.
pub fn write_file(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path.to_str().expect("UTF-8 path").to_string()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

/// Kills a child process when dropped, so a failing test leaves no server behind.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A new SQLite database holding the golden deployment, closed again (for the CLI and servers).
pub async fn golden_sqlite_db() -> TestDb {
    let db = sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    store.close().await;
    db
}

/// Sets up the golden deployment in `store` (see `fixtures/golden/README.md`).
pub async fn golden_deployment(store: &SqlStore) {
    let default = SiteName::default_site();
    let mut settings = store.site(&default).await.unwrap().unwrap().settings;
    settings.call_servers = vec![CallServer::at("10.10.0.5")];
    store
        .update_site(&default, &settings, "test")
        .await
        .unwrap();
    let default_id = store.site(&default).await.unwrap().unwrap().id;
    let branch = SiteSettings {
        call_servers: vec![CallServer::at("10.20.0.5")],
        sip_port: Some(5060),
        time_zone: Some(ZoneName::parse("Europe/Berlin").unwrap()),
        utc_offset_seconds: None,
        daylight_saving: false,
        sntp_server: "pool.ntp.org".into(),
        extension_length: ExtensionLength::Four,
        local_dialing: LocalDialing::Ten,
        mwi_beep: true,
        registration_expiry: None,
        alternate_site: Some(default_id),
        voicemail_server: Some("10.20.0.6".into()),
        reserved_numbers: Default::default(),
        trust_first_address: false,
        emergency_numbers: EmergencyNumbers::parse("112").unwrap(),
        recheck: Recheck::parse("03:00").unwrap(),
        dial_plan: None,
    };
    store
        .create_site(&SiteName::parse("branch").unwrap(), &branch, "test")
        .await
        .unwrap();
    let csv = std::fs::read(fixture_path("golden/deployment.csv")).unwrap();
    import_csv(store, &csv, &ImportOptions::by("test"), &|_, _| {})
        .await
        .unwrap();
    // One admin password for every phone: the generated ones come from each test's own key.
    let settings = std::fs::read(fixture_path("golden/settings.csv")).unwrap();
    import_settings(store, &settings, &ImportOptions::by("test"))
        .await
        .unwrap();
}

/// The golden deployment with a Poly phone of each line sold today: a VVX 450 (UC Software 6.x),
/// an Edge E450 and a CCX 600 (`fixtures/golden/poly-today.csv`).
pub async fn golden_with_poly_today(store: &SqlStore) {
    golden_deployment(store).await;
    let csv = std::fs::read(fixture_path("golden/poly-today.csv")).unwrap();
    import_csv(store, &csv, &ImportOptions::by("test"), &|_, _| {})
        .await
        .unwrap();
}

/// Imports `csv` (the settings CSV format) into `store`, as actor `test`; panics on a refusal.
pub async fn import_settings_csv(store: &SqlStore, csv: &str) {
    import_settings(store, csv.as_bytes(), &ImportOptions::by("test"))
        .await
        .unwrap();
}

/// Imports `csv` (the extension CSV format) into `store`, as actor `test`; panics on a refusal.
pub async fn import(store: &SqlStore, csv: &str) {
    import_csv(
        store,
        csv.as_bytes(),
        &ImportOptions::by("test"),
        &|_, _| {},
    )
    .await
    .unwrap();
}

/// Reads a child's log lines until one contains `needle`; returns the lines read, that one last.
/// Panics if the log ends first.
pub fn read_log_until(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    needle: &str,
) -> Vec<String> {
    let mut read = Vec::new();
    for line in lines {
        let line = line.expect("log line");
        let found = line.contains(needle);
        read.push(line);
        if found {
            return read;
        }
    }
    panic!("the log ended without {needle:?}: {read:?}");
}
