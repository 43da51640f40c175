//! A running `phoneprov serve` (the real binary, loopback port, golden deployment, a firmware
//! folder with a symlink out of it) and a real HTTP client (curl) to talk to it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::{KillOnDrop, TestDb, fixture_path, golden_deployment, read_log_until};

pub struct Server {
    pub base: String,
    /// The HTTPS base URL, when started with `--https-listen`.
    pub https: Option<String>,
    /// The FTP control address.
    pub ftp: std::net::SocketAddr,
    /// The TFTP address.
    pub tftp: std::net::SocketAddr,
    /// The DHCP address, when started with `--dhcp-listen`.
    pub dhcp: Option<std::net::SocketAddr>,
    pub firmware: PathBuf,
    pub outside: PathBuf,
    _child: KillOnDrop,
    pub db: TestDb,
    /// The extra `serve` arguments it was started with.
    extra: Vec<String>,
    /// Its log lines since the start, as written so far.
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    /// The log lines written since the start that contain `needle`.
    pub fn log_lines(&self, needle: &str) -> Vec<String> {
        self.log
            .lock()
            .map(|lines| {
                lines
                    .iter()
                    .filter(|l| l.contains(needle))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The log lines that contain `needle`, once there is one (waiting up to 5 s; the log is
    /// written in batches).
    pub async fn await_log_lines(&self, needle: &str) -> Vec<String> {
        for _ in 0..50 {
            let lines = self.log_lines(needle);
            if !lines.is_empty() {
                return lines;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Vec::new()
    }

    /// The port of its HTTP listener (from [`Server::base`]).
    pub fn http_port(&self) -> u16 {
        self.base
            .rsplit(':')
            .next()
            .and_then(|rest| rest.split('/').next())
            .and_then(|port| port.parse().ok())
            .expect("an HTTP port in the base URL")
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self._child.0.id()
    }

    /// Sends the server SIGHUP (reload the templates).
    pub fn hangup(&self) {
        let status = Command::new("kill")
            .args(["-HUP", &self._child.0.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -HUP");
    }

    /// Kills the server and hands back its database.
    pub fn stop(self) -> TestDb {
        drop(self._child);
        self.db
    }

    /// Kills the server (SIGKILL: nothing is flushed on the way out) and starts it again on the
    /// same data.
    pub fn restart(self) -> Server {
        let Server {
            firmware,
            outside,
            _child,
            db,
            extra,
            ..
        } = self;
        drop(_child);
        launch(db, firmware, outside, extra)
    }
}

/// `phoneprov serve` on a loopback port over the golden deployment, with a firmware folder.
pub async fn start() -> Server {
    start_with(&[]).await
}

/// [`start`] with more `serve` arguments.
pub async fn start_with(extra: &[&str]) -> Server {
    let db = super::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    store.close().await;
    start_on(db, extra)
}

/// [`start_with`] on a database the test has set up itself.
pub fn start_on(db: TestDb, extra: &[&str]) -> Server {
    let firmware = db.dir.path().join("firmware");
    std::fs::create_dir_all(firmware.join("SoundPointIPLocalization/English_United_States"))
        .unwrap();
    let image: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(firmware.join("sip.ld"), &image).unwrap();
    std::fs::write(firmware.join("sip.cfg"), "<sip/>\n").unwrap();
    std::fs::write(firmware.join("phone1.cfg"), "<phone1/>\n").unwrap();
    std::fs::write(
        firmware.join("SoundPointIPLocalization/English_United_States/SoundPointIP-dictionary.xml"),
        "<dictionary/>\n",
    )
    .unwrap();
    let outside = db.dir.path().join("outside-secret.txt");
    std::fs::write(&outside, "TOP-SECRET-OUTSIDE").unwrap();
    // Started again on the same folder: the link is made anew.
    let _ = std::fs::remove_file(firmware.join("link-out.ld"));
    std::os::unix::fs::symlink(&outside, firmware.join("link-out.ld")).unwrap();
    launch(
        db,
        firmware,
        outside,
        extra.iter().map(|a| a.to_string()).collect(),
    )
}

fn launch(db: TestDb, firmware: PathBuf, outside: PathBuf, extra: Vec<String>) -> Server {
    // Loopback listeners unless the test names its own.
    let defaults = [
        ("--http-listen", "127.0.0.1:0"),
        ("--http-prefix", "/prov"),
        ("--ftp-listen", "127.0.0.1:0"),
        ("--tftp-listen", "127.0.0.1:0"),
    ];
    let mut child = db
        .command()
        .arg("serve")
        .args(
            defaults
                .iter()
                .filter(|(flag, _)| !extra.iter().any(|given| given == flag))
                .flat_map(|(flag, value)| [*flag, *value]),
        )
        .arg("--firmware-dir")
        .arg(&firmware)
        .args(&extra)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let before = read_log_until(&mut lines, "phoneprov is running");
    let running = before.last().cloned().unwrap_or_default();
    // Text logs write ` key=value`, JSON logs `"key":"value"`.
    let url_of = |key: &str| {
        let text = running.find(&format!(" {key}=")).map(|at| {
            running[at + key.len() + 2..]
                .split_whitespace()
                .next()
                .unwrap_or_default()
        });
        let json = || {
            running.find(&format!("\"{key}\":\"")).map(|at| {
                running[at + key.len() + 4..]
                    .split('"')
                    .next()
                    .unwrap_or_default()
            })
        };
        text.or_else(json)
            .map(|url| url.trim_end_matches('/').to_string())
    };
    let base = url_of("http");
    let https = url_of("https").filter(|url| url.starts_with("https://"));
    let address_of = |key: &str| {
        url_of(key)
            .and_then(|url| url.rsplit('/').next().map(str::to_string))
            .and_then(|address| address.parse().ok())
    };
    let (ftp, tftp, dhcp) = (address_of("ftp"), address_of("tftp"), address_of("dhcp"));
    // Keep draining the log so the server never blocks on a full pipe; keep it for tests (with
    // what was written up to "running": plain lines may come before the buffered log's).
    let log = std::sync::Arc::new(std::sync::Mutex::new(before));
    let kept = std::sync::Arc::clone(&log);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if let Ok(mut kept) = kept.lock() {
                kept.push(line);
            }
        }
    });
    Server {
        base: base.expect("server started"),
        https,
        ftp: ftp.expect("FTP server started"),
        tftp: tftp.expect("TFTP server started"),
        dhcp,
        firmware,
        outside,
        _child: KillOnDrop(child),
        db,
        extra,
        log,
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (key, value) = l.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    }
}

/// curl, sending the path exactly as given.
pub fn curl(url: &str, extra: &[&str]) -> Reply {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body");
    let headers = dir.path().join("headers");
    let out = Command::new("curl")
        .args(["-s", "--path-as-is", "-o"])
        .arg(&body)
        .arg("-D")
        .arg(&headers)
        .args(["-w", "%{http_code}"])
        .args(extra)
        .arg(url)
        .output()
        .expect("curl");
    Reply {
        status: String::from_utf8_lossy(&out.stdout).parse().unwrap_or(0),
        headers: std::fs::read_to_string(&headers).unwrap_or_default(),
        body: std::fs::read(&body).unwrap_or_default(),
    }
}

pub fn golden(path: &str) -> Vec<u8> {
    std::fs::read(fixture_path(&format!("golden/{path}"))).unwrap()
}

/// The admin token the API tests start the server with.
pub const TOKEN: &str = "test-admin-token-0123456789";

pub fn api(server: &Server, method: &str, path: &str, extra: &[&str]) -> Reply {
    let auth = format!("Authorization: Bearer {TOKEN}");
    let mut args = vec!["-X", method, "-H", auth.as_str()];
    args.extend_from_slice(extra);
    curl(&format!("{}/api/v1{path}", server.base), &args)
}

/// An API request with a JSON body.
pub fn send_json(server: &Server, method: &str, path: &str, body: &str) -> Reply {
    let headers = [
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        body,
    ];
    api(server, method, path, &headers)
}

pub fn json(reply: &Reply) -> serde_json::Value {
    serde_json::from_slice(&reply.body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&reply.body)))
}

/// Turns trust on first use on for the default site (every golden phone's home site).
pub fn trust_first_address(server: &Server) -> Reply {
    let set = send_json(
        server,
        "PUT",
        "/sites/default",
        r#"{"trust_first_address": true}"#,
    );
    assert_eq!(set.status, 200, "{}", String::from_utf8_lossy(&set.body));
    set
}

/// The status of a phone file fetched from the loopback address `source`.
pub fn fetch_from(server: &Server, source: &str, name: &str) -> u16 {
    curl(&format!("{}/{name}", server.base), &["--interface", source]).status
}

/// Boots as the phone `mac` would from the loopback address `source`: fetches its master file
/// (200), after which the phone's other files go to that address.
pub fn boot_from(server: &Server, source: &str, mac: &str) {
    boot_vendor_from(server, source, mac, "polycom");
}

/// [`boot_from`] for a phone of `vendor`: a Yealink phone's master file is its `<mac>.boot`,
/// every other vendor's its `<mac>.cfg`.
pub fn boot_vendor_from(server: &Server, source: &str, mac: &str, vendor: &str) {
    let master = if vendor == "yealink" {
        format!("{mac}.boot")
    } else {
        format!("{mac}.cfg")
    };
    assert_eq!(
        fetch_from(server, source, &master),
        200,
        "{mac}'s master file {master} from {source}"
    );
}

/// Boots every phone of the data (as listed by the admin API) from 127.0.0.1: each one's master
/// file (a Yealink's `<mac>.boot`) is fetched, so their other files go to 127.0.0.1.
pub fn boot_every_phone(server: &Server) {
    let phones = json(&api(server, "GET", "/phones?limit=1000", &[]));
    for phone in phones["items"].as_array().expect("a page of phones") {
        let mac = phone["mac"].as_str().expect("a MAC");
        let vendor = phone["vendor"].as_str().expect("a vendor");
        boot_vendor_from(
            server,
            "127.0.0.1",
            &mac.replace(':', "").to_lowercase(),
            vendor,
        );
    }
}

/// Fetches every URL in one curl process from `source`; the `-w` value of each transfer.
pub fn fetch_all(source: &str, urls: &[String], write_out: &str, extra: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("urls");
    let mut text = String::new();
    for url in urls {
        text.push_str(&format!("url = \"{url}\"\noutput = \"/dev/null\"\n"));
    }
    std::fs::write(&config, text).unwrap();
    let out = Command::new("curl")
        .args(["-s", "--interface", source, "-w", write_out, "-K"])
        .arg(&config)
        .args(extra)
        .output()
        .expect("curl");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Adds (or updates) the rows of `csv` (a header and rows) through the admin API's import,
/// leaving every other extension as it is.
pub fn merge_csv(server: &Server, csv: &str) {
    let reply = api(
        server,
        "POST",
        "/import?mode=upsert",
        &["-H", "Content-Type: text/csv", "--data-binary", csv],
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
}

/// The value of `key` in a Yealink file as served (`key = value` lines), empty if absent.
pub fn yealink_value(server: &Server, file: &str, key: &str) -> String {
    let reply = curl(&format!("{}/{file}", server.base), &[]);
    assert_eq!(reply.status, 200, "{file}");
    let text = String::from_utf8(reply.body).expect("a Yealink file is UTF-8");
    text.lines()
        .find_map(|line| {
            let (name, value) = line.split_once('=')?;
            (name.trim() == key).then(|| value.trim().to_string())
        })
        .unwrap_or_default()
}
