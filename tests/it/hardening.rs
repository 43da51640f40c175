//! Secrets at rest and one server per data folder and port (issue 18, items 8 to 10), through the
//! real binary on the embedded default (SQLite in a data folder): the data folder is the owner's
//! alone, and so are the database, the secret key, the token and exports; secret files others can
//! read are refused, and so are short admin tokens; a second `serve` on the same data folder or on
//! a port another server holds stops with a message saying so.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::server::TOKEN;
use common::{KillOnDrop, stderr};

/// `phoneprov --data-dir DIR ARGS...` on the embedded default database.
fn phoneprov(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_phoneprov"));
    command
        .env_remove("RUST_LOG")
        .env_remove("PHONEPROV_DATA_DIR")
        .env_remove("PHONEPROV_DATABASE_URL")
        .env_remove("PHONEPROV_ADMIN_TOKEN")
        .env_remove("PHONEPROV_SECRET_KEY")
        .env("PHONEPROV_PUSH_LISTEN", "127.0.0.1:0")
        .arg("--data-dir")
        .arg(data_dir)
        .args(args);
    command
}

fn run(data_dir: &Path, args: &[&str]) -> Output {
    phoneprov(data_dir, args).output().unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn fresh() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    (root, data)
}

#[test]
fn the_data_folder_and_its_secrets_are_the_owners_alone() {
    let (root, data) = fresh();
    let csv = root.path().join("extensions.csv");
    std::fs::write(&csv, "extension,display_name,password\n201,A,secret-201\n").unwrap();
    let imported = run(&data, &["import", csv.to_str().unwrap()]);
    common::assert_success(&imported, "import");
    assert_eq!(mode(&data), 0o700, "data folder");
    assert_eq!(mode(&data.join("phoneprov.db")), 0o600, "database");
    assert_eq!(mode(&data.join("secret-key")), 0o600, "secret key");
    let export = root.path().join("backup.csv");
    common::assert_success(
        &run(
            &data,
            &["export", "--with-passwords", "-o", export.to_str().unwrap()],
        ),
        "export",
    );
    assert!(
        std::fs::read_to_string(&export)
            .unwrap()
            .contains("secret-201")
    );
    assert_eq!(mode(&export), 0o600, "an export with passwords");

    // A data folder others may enter is closed at the next start.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    common::assert_success(&run(&data, &["export"]), "export to standard output");
    assert_eq!(mode(&data), 0o700);
}

#[test]
fn secret_files_others_can_read_and_short_tokens_are_refused() {
    let (_root, data) = fresh();
    common::create_database(&data);
    common::assert_success(&run(&data, &["export"]), "first start");
    let key = data.join("secret-key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = run(&data, &["export"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains(&format!(
            "{} can be read or written by other users (mode 0644); make it the owner's alone: chmod 600 {}",
            key.display(),
            key.display()
        )),
        "{}",
        stderr(&refused)
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();

    let token = data.join("admin-token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o666)).unwrap();
    let refused = serve_output(&data, &[]);
    assert!(
        stderr(&refused).contains("admin-token can be read or written by other users (mode 0666)"),
        "{}",
        stderr(&refused)
    );
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();

    let short = serve_output(&data, &["--admin-token", "short-token"]);
    assert!(
        stderr(&short).contains("the admin token must have at least 24 characters (it has 11)"),
        "{}",
        stderr(&short)
    );
}

/// Runs `serve` expected to stop at start, on loopback ports, and returns its output.
fn serve_output(data: &Path, extra: &[&str]) -> Output {
    let out = phoneprov(data, &["serve"])
        .args([
            "--http-listen",
            "127.0.0.1:0",
            "--ftp-listen",
            "off",
            "--tftp-listen",
            "127.0.0.1:0",
        ])
        .args(extra)
        .output()
        .unwrap();
    assert!(!out.status.success(), "serve should have stopped");
    out
}

/// Starts `serve` and waits until it runs; returns the process and its HTTP address.
fn serve_running(data: &Path, http: &str) -> (KillOnDrop, String) {
    use std::io::BufRead;
    let mut child = phoneprov(data, &["serve", "--admin-token", TOKEN])
        .args([
            "--http-listen",
            http,
            "--ftp-listen",
            "off",
            "--tftp-listen",
            "127.0.0.1:0",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    let read = common::read_log_until(&mut lines, "phoneprov is running");
    std::thread::spawn(move || for _ in lines {});
    let address = read
        .iter()
        .find_map(|line| {
            let url = line.split(" http=").nth(1)?.split_whitespace().next()?;
            Some(
                url.trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_string(),
            )
        })
        .expect("the HTTP address in the log");
    (KillOnDrop(child), address)
}

#[test]
fn one_server_per_data_folder_and_per_port() {
    let (_root, data) = fresh();
    let (_first, address) = serve_running(&data, "127.0.0.1:0");

    // The same data folder: refused before it opens the database.
    let second = serve_output(&data, &["--admin-token", TOKEN]);
    assert!(
        stderr(&second).contains(&format!(
            "another phoneprov serve is running on the data folder {}",
            data.display()
        )),
        "{}",
        stderr(&second)
    );

    // Another data folder, the port the first holds: refused, naming the port.
    let (_other_root, other) = fresh();
    let clash = phoneprov(&other, &["serve", "--admin-token", TOKEN])
        .args([
            "--http-listen",
            &address,
            "--ftp-listen",
            "off",
            "--tftp-listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert!(!clash.status.success());
    let said = stderr(&clash);
    assert!(
        said.contains(&format!(
            "the HTTP server cannot listen on {address}: another program (another phoneprov serve?) already listens there"
        )),
        "{said}"
    );
    // The address suggested is a free one, not the same port.
    let suggested = said
        .split("e.g. --http-listen ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|address| address.trim_end_matches(':'))
        .unwrap_or_else(|| panic!("no suggestion: {said}"));
    assert_ne!(suggested, address, "{said}");
    assert!(
        std::net::TcpListener::bind(suggested).is_ok(),
        "{suggested} is free: {said}"
    );
}

/// One address holds at most `--http-connections-per-address` connections (idle, half-open or
/// not); the next is closed at once, and a freed slot serves again. The open-file soft limit is
/// raised to the hard limit at start, so a flood cannot take the last descriptor.
#[tokio::test]
async fn one_address_cannot_hold_every_connection() {
    let server = common::server::start_with(&["--http-connections-per-address", "5"]).await;
    let address = server.base.trim_start_matches("http://").to_string();
    let idle: Vec<std::net::TcpStream> = (0..5)
        .map(|_| std::net::TcpStream::connect(&address).unwrap())
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let refused = common::server::curl(&format!("{}/altigen.cfg", server.base), &[]);
    assert_ne!(refused.status, 200, "the sixth connection is closed");
    drop(idle);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let served = common::server::curl(&format!("{}/altigen.cfg", server.base), &[]);
    assert_eq!(served.status, 200, "slots are freed when connections close");

    // The server started with this process's limits: its soft limit is raised to the hard one.
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let open_files: Vec<u64> = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap()
        .split_whitespace()
        .skip(3)
        .take(2)
        .map(|n| n.parse().unwrap())
        .collect();
    let (soft, hard) = (open_files[0], open_files[1]);
    let wanted = hard.min(1 << 20);
    if soft < wanted {
        let logged = server.log_lines("raised the open-file limit");
        assert!(
            logged
                .first()
                .is_some_and(|line| line.contains(&format!("to={wanted}"))),
            "{logged:?}"
        );
    }
}

/// Ten wrong logins at `url` at once from 127.0.0.9 (`guess` gives guess `i`'s curl arguments):
/// each is answered 401, after the failed-login delay.
fn guess_ten_times(url: &str, guess: impl Fn(usize) -> Vec<String>) {
    let started = std::time::Instant::now();
    let guesses: Vec<_> = (0..10)
        .map(|i| {
            let url = url.to_string();
            let mut args = vec!["--interface".to_string(), "127.0.0.9".to_string()];
            args.extend(guess(i));
            std::thread::spawn(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                common::server::curl(&url, &args).status
            })
        })
        .collect();
    for guess in guesses {
        assert_eq!(guess.join().unwrap(), 401);
    }
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "each wrong guess waits"
    );
}

/// A 429 that says when to come back (the fifteen-minute lockout).
fn assert_locked_out(reply: &common::server::Reply, what: &str) {
    assert_eq!(reply.status, 429, "{what}");
    assert!(
        reply
            .headers
            .to_ascii_lowercase()
            .contains("retry-after: 900"),
        "{}",
        reply.headers
    );
}

/// Guessing the admin token costs time: every wrong guess is answered after a second, and ten
/// from one address lock it out (429, right token or not) while other addresses go on.
#[tokio::test]
async fn admin_token_guesses_are_slowed_and_locked_out() {
    use common::server::{api, curl, start_with};
    let server = start_with(&["--admin-token", TOKEN]).await;
    let url = format!("{}/api/v1/sites", server.base);
    guess_ten_times(&url, |i| {
        vec!["-H".into(), format!("Authorization: Bearer guess-{i:020}")]
    });
    let locked = curl(
        &url,
        &[
            "--interface",
            "127.0.0.9",
            "-H",
            &format!("Authorization: Bearer {TOKEN}"),
        ],
    );
    assert_locked_out(&locked, "the address is locked, right token or not");
    assert_eq!(
        api(&server, "GET", "/sites", &[]).status,
        200,
        "other addresses go on"
    );
    assert_eq!(
        server
            .log_lines("admin logins from this address are locked out")
            .len(),
        1
    );
}

/// Guessing a phone's login (HTTP Digest) costs time the same way: each wrong answer waits a
/// second, and ten from one address lock that address's phone logins (429, right password or
/// not) while the phone itself, at another address, goes on.
#[tokio::test]
async fn phone_login_guesses_are_slowed_and_locked_out() {
    use common::server::{boot_from, curl, send_json, start_with};
    let server = start_with(&["--admin-token", TOKEN]).await;
    let set = send_json(
        &server,
        "PUT",
        "/phones/0004f214ab37/login",
        r#"{"username": "alice-phone", "passwords": ["right-password-1"]}"#,
    );
    assert_eq!(set.status, 204);
    boot_from(&server, "127.0.0.9", "0004f214ab37");
    boot_from(&server, "127.0.0.10", "0004f214ab37");
    let url = format!("{}/201.cfg", server.base);
    let login = |source: &str, password: &str| {
        curl(
            &url,
            &[
                "--interface",
                source,
                "--digest",
                "-u",
                &format!("alice-phone:{password}"),
            ],
        )
    };
    guess_ten_times(&url, |i| {
        vec![
            "--digest".into(),
            "-u".into(),
            format!("alice-phone:guess-{i}"),
        ]
    });
    let locked = login("127.0.0.9", "right-password-1");
    assert_locked_out(&locked, "locked, right password or not");
    assert_eq!(login("127.0.0.10", "right-password-1").status, 200);
    assert_eq!(
        server
            .log_lines("phone logins from this address are locked out")
            .len(),
        1
    );
}

/// FTP's log and audit lines carry what happened, not the FTP library's session state: a failed
/// login, a refused upload and a missing file each log a short line.
#[tokio::test]
async fn ftp_log_lines_hold_no_library_debug_text() {
    let server = common::server::start().await;
    let url = |user: &str, name: &str| format!("ftp://{user}@{}/{name}", server.ftp);
    let upload = tempfile::NamedTempFile::new().unwrap();
    for args in [
        vec!["-s".to_string(), url("PlcmSpIp:wrong", "x.cfg")],
        vec![
            "-s".to_string(),
            url("PlcmSpIp:PlcmSpIp", "0004f2999999.cfg"),
        ],
        vec![
            "-s".to_string(),
            "-T".to_string(),
            upload.path().display().to_string(),
            url("PlcmSpIp:PlcmSpIp", "0004f2999999-phone.cfg"),
        ],
    ] {
        let _ = Command::new("curl").args(&args).output().unwrap();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while server.log_lines("upload refused").is_empty() {
        assert!(std::time::Instant::now() < deadline, "no refusal logged");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(server.log_lines("FTP login refused").len(), 1);
    for line in server.log_lines("") {
        assert!(
            line.len() < 600 && !line.contains("PrimaryEventHandler"),
            "{} bytes: {}",
            line.len(),
            &line[..line.len().min(300)]
        );
    }
}

/// A dual-stack listener (`[::]`) sees an IPv4 client as `::ffff:a.b.c.d`: it is matched as its
/// IPv4 address, so an IPv4 provisioning network admits it.
#[tokio::test]
async fn an_ipv4_client_of_a_dual_stack_listener_is_its_ipv4_address() {
    let server = common::server::start_with(&[
        "--http-listen",
        "[::]:0",
        "--provisioning-network",
        "127.0.0.0/8",
    ])
    .await;
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let get = |host: &str, name: &str| {
        common::server::curl(&format!("http://{host}:{port}/{name}"), &[]).status
    };
    assert_eq!(get("127.0.0.1", "0004f214ab37.cfg"), 200);
    assert_eq!(get("127.0.0.1", "201.cfg"), 200);
    assert_eq!(get("[::1]", "0004f214ab37.cfg"), 200);
    assert_eq!(
        get("[::1]", "201.cfg"),
        404,
        "::1 is outside 127.0.0.0/8 (refused as not found)"
    );
}

/// An office behind one NAT address: thirty known phones boot and each asks for its optional
/// files (`-phone.cfg`, `-web.cfg`, `-directory.xml`, `-calls.xml`, `-license.cfg`), which it
/// never uploaded; none of that is a guess, so nothing is banned and every phone gets its files.
#[tokio::test]
async fn a_known_phones_optional_files_are_never_misses() {
    use common::server::{api, curl, json, start_on};
    let db = common::sqlite_db();
    let store = db.open().await;
    common::golden_deployment(&store).await;
    let mut csv = String::from("extension,display_name,mac,model\n");
    for i in 0..30 {
        csv.push_str(&format!("7{i:02},Desk {i},0004f2d100{i:02},VVX_400\n"));
    }
    common::import(&store, &csv).await;
    store.close().await;
    let server = start_on(db, &["--admin-token", TOKEN]);
    for i in 0..30 {
        let mac = format!("0004f2d100{i:02}");
        let master = curl(&format!("{}/{mac}.cfg", server.base), &[]);
        assert_eq!(master.status, 200, "{mac}");
        for optional in ["-phone.cfg", "-web.cfg", "-calls.xml", "-license.cfg"] {
            let reply = curl(&format!("{}/{mac}{optional}", server.base), &[]);
            assert_eq!(reply.status, 404, "{mac}{optional}");
        }
        // Its directory is the company's (docs/directory.md).
        let directory = curl(&format!("{}/{mac}-directory.xml", server.base), &[]);
        assert_eq!(directory.status, 200, "{mac}-directory.xml");
        assert_eq!(
            curl(&format!("{}/7{i:02}.cfg", server.base), &[]).status,
            200
        );
    }
    let bans = json(&api(&server, "GET", "/bans", &[]));
    assert_eq!(bans, serde_json::json!([]), "no ban");
    // Guesses of unknown phones still count (20 distinct names ban by default).
    for n in 0..20 {
        curl(&format!("{}/0004f2ee{n:04}.cfg", server.base), &[]);
    }
    assert_ne!(
        json(&api(&server, "GET", "/bans", &[])),
        serde_json::json!([])
    );
}
