//! Phone-facing HTTP through the real binary and a real client (curl): the Polycom and Aastra boot
//! sequences with real user agents, HEAD, firmware with Range, the path prefix, a traversal corpus,
//! and a change made by another process served within seconds. The render cache is tested on
//! [`Live`] directly: a file is rendered once per data revision, and a change is never stale.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;

use common::{KillOnDrop, TestDb, assert_success, fixture_path, golden_deployment, read_log_until};
use phoneprov::provision::Provisioner;
use phoneprov::render::Renderer;
use phoneprov::serve::live::{FetchAnswer, Live};
use phoneprov::store::Store;

const POLYCOM_UA: &str = "FileTransport PolycomVVX-VVX_400-UA/5.9.7.4477 Type/Application";
const AASTRA_UA: &str = "Aastra6757i MAC:00-08-5D-16-10-DE V:3.3.1.4322-SIP";

struct Server {
    base: String,
    firmware: PathBuf,
    outside: PathBuf,
    _child: KillOnDrop,
    db: TestDb,
}

/// `phoneprov serve` on a loopback port over the golden deployment, with a firmware folder.
async fn start() -> Server {
    start_with(&[]).await
}

/// [`start`] with more `serve` arguments.
async fn start_with(extra: &[&str]) -> Server {
    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    store.close().await;
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
    std::os::unix::fs::symlink(&outside, firmware.join("link-out.ld")).unwrap();
    let mut child = db
        .command()
        .args([
            "serve",
            "--http-listen",
            "127.0.0.1:0",
            "--http-prefix",
            "/prov",
        ])
        .arg("--firmware-dir")
        .arg(&firmware)
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let running = read_log_until(&mut lines, "phoneprov is running")
        .pop()
        .unwrap_or_default();
    let base = running.find("http=http://").map(|at| {
        let url = running[at + 5..]
            .split_whitespace()
            .next()
            .unwrap_or_default();
        url.trim_end_matches('/').to_string()
    });
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        base: base.expect("server started"),
        firmware,
        outside,
        _child: KillOnDrop(child),
        db,
    }
}

struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (key, value) = l.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    }
}

/// curl, sending the path exactly as given.
fn curl(url: &str, extra: &[&str]) -> Reply {
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

fn golden(path: &str) -> Vec<u8> {
    std::fs::read(fixture_path(&format!("golden/{path}"))).unwrap()
}

#[tokio::test]
async fn polycom_boot_sequence_over_http() {
    let server = start().await;
    for base in [server.base.clone(), format!("{}/prov", server.base)] {
        let get = |name: &str| curl(&format!("{base}/{name}"), &["-A", POLYCOM_UA]);
        // The Updater uploads its boot log first.
        let boot_log = server.db.dir.path().join("boot.log");
        std::fs::write(&boot_log, "bootrom 5.9.7 started\n").unwrap();
        let put = curl(
            &format!("{base}/0004f214ab38-boot.log"),
            &["-A", POLYCOM_UA, "-T", boot_log.to_str().unwrap()],
        );
        assert_eq!(put.status, 204);
        let master = get("0004f214ab38.cfg");
        assert_eq!(master.status, 200);
        assert_eq!(
            master.header("content-type").as_deref(),
            Some("text/xml; charset=utf-8")
        );
        assert_eq!(master.body, golden("polycom/0004f214ab38.cfg"));
        let text = String::from_utf8(master.body).unwrap();
        let files = text
            .split("CONFIG_FILES=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let files: Vec<&str> = files.split(", ").collect();
        assert_eq!(
            files,
            ["202.cfg", "203.cfg", "altigen.cfg", "phone1.cfg", "sip.cfg"]
        );
        for file in &files[..3] {
            let reply = get(file);
            assert_eq!(
                (reply.status, reply.body),
                (200, golden(&format!("polycom/{file}")))
            );
        }
        assert_eq!(
            get("phone1.cfg").body,
            b"<phone1/>\n",
            "vendor files from the firmware folder"
        );
        let image = get("sip.ld");
        assert_eq!(image.status, 200);
        assert_eq!(image.header("content-length").as_deref(), Some("3000000"));
        assert_eq!(image.body.len(), 3_000_000);
        let dictionary =
            get("SoundPointIPLocalization/English_United_States/SoundPointIP-dictionary.xml");
        assert_eq!(dictionary.status, 200);
        // Optional files a phone asks for and may not get.
        for optional in [
            "0004f214ab38-phone.cfg",
            "0004f214ab38-web.cfg",
            "000000000000-license.cfg",
            "0004f214ab38-directory.xml",
            "000000000000-directory.xml",
        ] {
            assert_eq!(get(optional).status, 404, "{optional}");
        }
        // An unknown phone gets 404, then the default master.
        assert_eq!(get("0004f2999999.cfg").status, 404);
        assert_eq!(
            get("000000000000.cfg").body,
            golden("polycom/000000000000.cfg")
        );
    }
}

#[tokio::test]
async fn aastra_sequence_head_and_range() {
    let server = start().await;
    let get = |name: &str, extra: &[&str]| {
        let mut args = vec!["-A", AASTRA_UA];
        args.extend_from_slice(extra);
        curl(&format!("{}/{name}", server.base), &args)
    };
    for (name, file) in [
        ("aastra.cfg", "aastra/aastra.cfg"),
        ("6757i.cfg", "aastra/6757i.cfg"),
        ("00085D1610DE.cfg", "aastra/00085D1610DE.cfg"),
    ] {
        let reply = get(name, &[]);
        assert_eq!(reply.status, 200, "{name}");
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(reply.body, golden(file), "{name}");
    }
    let head = get("00085D1610DE.cfg", &["-I"]);
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(golden("aastra/00085D1610DE.cfg").len().to_string())
    );
    // (curl -I writes the headers where the body would go; no file content may follow them.)
    assert!(!String::from_utf8_lossy(&head.body).contains("sip line1"));
    let range = get("sip.ld", &["-r", "1000-1099"]);
    assert_eq!(range.status, 206);
    assert_eq!(
        range.body,
        (1000..1100u32).map(|i| (i % 251) as u8).collect::<Vec<_>>()
    );
    assert!(get("sip.ld", &["-I"]).header("last-modified").is_some());
    let post = get("aastra.cfg", &["-X", "POST"]);
    assert_eq!(post.status, 405);
}

#[tokio::test]
async fn traversal_corpus_never_leaves_the_firmware_folder() {
    let server = start().await;
    let long = "a".repeat(5000);
    let corpus = [
        "/../outside-secret.txt",
        "/%2e%2e/outside-secret.txt",
        "/%2E%2E%2Foutside-secret.txt",
        "/..%2foutside-secret.txt",
        "/prov/../outside-secret.txt",
        "/SoundPointIPLocalization/../../outside-secret.txt",
        "/SoundPointIPLocalization/%2e%2e/%2e%2e/outside-secret.txt",
        "/..\\outside-secret.txt",
        "/%5c..%5coutside-secret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/etc/passwd",
        "/sip.ld%00.cfg",
        "/%00",
        "/link-out.ld",
        "/.%2e/outside-secret.txt",
        "/%252e%252e/outside-secret.txt",
        &format!("/{long}"),
        &format!("/{long}.cfg"),
    ];
    let secret = std::fs::read(&server.outside).unwrap();
    let passwd = std::fs::read("/etc/passwd").unwrap_or_default();
    for path in corpus {
        let reply = curl(&format!("{}{path}", server.base), &[]);
        assert!(
            matches!(reply.status, 400 | 404),
            "{path}: status {}",
            reply.status
        );
        assert!(
            !reply
                .body
                .windows(secret.len())
                .any(|w| w == secret.as_slice()),
            "{path}"
        );
        assert!(passwd.is_empty() || reply.body != passwd, "{path}");
    }
    assert!(server.firmware.join("link-out.ld").exists());
}

#[tokio::test]
async fn a_change_from_another_process_is_served_within_seconds() {
    let server = start().await;
    let url = format!("{}/201.cfg", server.base);
    assert!(
        String::from_utf8(curl(&url, &[]).body)
            .unwrap()
            .contains("Alice Johnson")
    );
    let csv = server.db.dir.path().join("rename.csv");
    std::fs::write(&csv, "extension,display_name\n201,Alice Renamed\n").unwrap();
    assert_success(&server.db.run(&["import", csv.to_str().unwrap()]), "import");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let body = String::from_utf8(curl(&url, &[]).body).unwrap();
        if body.contains("Alice Renamed") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still stale after 5 s:\n{body}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn found(answer: FetchAnswer) -> String {
    match answer {
        FetchAnswer::Found(file) => file.content.clone(),
        FetchAnswer::NotFound(reason) => panic!("not found: {reason}"),
    }
}

#[tokio::test]
async fn files_render_once_per_revision_and_never_stale() {
    for db in common::databases().await {
        let store = db.open().await;
        golden_deployment(&store).await;
        let store: Arc<dyn Store> = Arc::new(store);
        let live = Arc::new(
            Live::load(
                Arc::clone(&store),
                Provisioner::new(Renderer::builtin()),
                "192.0.2.1".into(),
            )
            .await
            .unwrap(),
        );
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let live = Arc::clone(&live);
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        found(live.fetch("201.cfg").unwrap());
                        found(live.fetch("0004f214ab37.cfg").unwrap());
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(
            live.renders(),
            2,
            "800 fetches of two files render each once"
        );
        assert!(!live.refresh().await.unwrap(), "nothing changed");
        let csv = "extension,display_name\n201,Alice Renamed\n";
        phoneprov::import::import_csv(
            store.as_ref(),
            csv.as_bytes(),
            &Default::default(),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert!(live.refresh().await.unwrap(), "the revision moved");
        assert!(found(live.fetch("201.cfg").unwrap()).contains("Alice Renamed"));
        assert_eq!(live.renders(), 3);
        assert!(matches!(
            live.fetch("0004f2999999.cfg").unwrap(),
            FetchAnswer::NotFound(_)
        ));
    }
}

#[tokio::test]
async fn fetches_are_recorded_on_the_phone_in_batches() {
    let server = start().await;
    for name in ["0004f214ab37.cfg", "201.cfg", "altigen.cfg", "sip.ld"] {
        let reply = curl(&format!("{}/{name}", server.base), &["-A", POLYCOM_UA]);
        assert_eq!(reply.status, 200, "{name}");
    }
    let aastra = curl(&format!("{}/aastra.cfg", server.base), &["-A", AASTRA_UA]);
    assert_eq!(aastra.status, 200);
    let store = server.db.open().await;
    let polycom = phoneprov::domain::Mac::parse("0004f214ab37").unwrap();
    let aastra = phoneprov::domain::Mac::parse("00085d1610de").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let (files, seen) = loop {
        let files: Vec<String> = store
            .fetches(&polycom)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.file)
            .collect();
        let seen = store.phone(&aastra).await.unwrap().unwrap().last_seen;
        if let (4, Some(seen)) = (files.len(), seen.clone()) {
            break (files, seen);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not recorded: {files:?} {seen:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    // The firmware image and the site file are the phone's too: it was seen at that address.
    assert_eq!(
        files,
        ["0004f214ab37.cfg", "201.cfg", "altigen.cfg", "sip.ld"]
    );
    let phone = store
        .phone(&polycom)
        .await
        .unwrap()
        .unwrap()
        .last_seen
        .unwrap();
    assert_eq!(phone.ip, "127.0.0.1");
    assert_eq!(phone.firmware.as_deref(), Some("5.9.7.4477"));
    assert_eq!(phone.user_agent.as_deref(), Some(POLYCOM_UA));
    assert_eq!(phone.transport, phoneprov::domain::Transport::Http);
    assert_eq!(
        (seen.file.as_str(), seen.firmware.as_deref()),
        ("aastra.cfg", Some("3.3.1.4322"))
    );
    store.close().await;
}

#[tokio::test]
async fn an_aastra_user_agent_must_name_the_mac_of_the_file() {
    let server = start().await;
    let url = format!("{}/00085D1610DE.cfg", server.base);
    let other = "Aastra6757i MAC:00-08-5D-00-00-01 V:3.3.1.4322-SIP";
    let refused = curl(&url, &["-A", other]);
    assert_eq!(refused.status, 403);
    assert!(!String::from_utf8_lossy(&refused.body).contains("password"));
    assert_eq!(curl(&url, &["-A", AASTRA_UA]).status, 200);
    assert_eq!(curl(&url.to_lowercase(), &["-A", AASTRA_UA]).status, 200);
}

#[tokio::test]
async fn phones_upload_their_own_logs_and_overrides() {
    let server = start_with(&["--upload-max-bytes", "4096", "--log-keep-bytes", "100"]).await;
    let dir = tempfile::tempdir().unwrap();
    let put = |path: &str, content: &[u8]| {
        let file = dir.path().join("upload");
        std::fs::write(&file, content).unwrap();
        curl(
            &format!("{}/{path}", server.base),
            &["-A", POLYCOM_UA, "-T", file.to_str().unwrap()],
        )
    };
    let get = |path: &str| curl(&format!("{}/{path}", server.base), &["-A", POLYCOM_UA]);

    assert_eq!(put("0004f214ab37-boot.log", b"first\n").status, 204);
    assert_eq!(put("0004f214ab37-boot.log", b"second\n").status, 204);
    let log = get("0004f214ab37-boot.log");
    assert_eq!(
        (log.status, log.body.as_slice()),
        (200, &b"first\nsecond\n"[..])
    );
    assert_eq!(
        log.header("content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    let long: Vec<u8> = (0..150u8).collect();
    assert_eq!(put("0004F214AB37-app.log", &long).status, 204);
    assert_eq!(
        get("0004f214ab37-app.log").body,
        &long[50..],
        "only the newest 100 bytes"
    );

    let overrides = b"<PHONE_CONFIG><OVERRIDES up.backlight.idleIntensity=\"1\"/></PHONE_CONFIG>";
    assert_eq!(put("0004f214ab37-phone.cfg", overrides).status, 204);
    assert_eq!(
        get("0004f214ab37-phone.cfg").body,
        overrides,
        "phones read back their overrides"
    );
    assert_eq!(put("overrides/0004f214ab37-web.cfg", b"<web/>").status, 204);
    assert_eq!(get("0004f214ab37-web.cfg").body, b"<web/>");

    // Too large: refused, and the earlier content stays.
    assert_eq!(put("0004f214ab37-phone.cfg", &[b'x'; 4097]).status, 413);
    assert_eq!(get("0004f214ab37-phone.cfg").body, overrides);
    for (path, status) in [
        ("evil.sh", 403),
        ("0004f214ab37.cfg", 403),
        ("0004f214ab37-evil.sh", 403),
        ("../0004f214ab37-app.log", 403),
        ("a/b/0004f214ab37-app.log", 403),
        ("0004f214ab38-directory.xml/../x", 403),
        ("0004f2999999-app.log", 404),
    ] {
        assert_eq!(put(path, b"payload").status, status, "{path}");
    }
    assert_eq!(get("0004f2999999-app.log").status, 404);
    let store = server.db.open().await;
    let mac = phoneprov::domain::Mac::parse("0004f214ab37").unwrap();
    for name in ["evil.sh", "0004f214ab37-evil.sh", "0004f214ab37.cfg"] {
        assert_eq!(store.upload(&mac, name).await.unwrap(), None, "{name}");
    }
    store.close().await;
}

const TOKEN: &str = "test-admin-token-0123456789";

fn api(server: &Server, method: &str, path: &str, extra: &[&str]) -> Reply {
    let auth = format!("Authorization: Bearer {TOKEN}");
    let mut args = vec!["-X", method, "-H", auth.as_str()];
    args.extend_from_slice(extra);
    curl(&format!("{}/api/v1{path}", server.base), &args)
}

/// An API request with a JSON body.
fn send_json(server: &Server, method: &str, path: &str, body: &str) -> Reply {
    let headers = [
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        body,
    ];
    api(server, method, path, &headers)
}

fn json(reply: &Reply) -> serde_json::Value {
    serde_json::from_slice(&reply.body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&reply.body)))
}

#[tokio::test]
async fn the_admin_api_needs_the_token() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    assert_eq!(curl(&format!("{}/healthz", server.base), &[]).status, 200);
    for auth in [None, Some("Bearer wrong"), Some("Bearer "), Some(TOKEN)] {
        let mut args = vec![];
        let header;
        if let Some(auth) = auth {
            header = format!("Authorization: {auth}");
            args = vec!["-H", header.as_str()];
        }
        let reply = curl(&format!("{}/api/v1/extensions", server.base), &args);
        assert_eq!(reply.status, 401, "{auth:?}");
        assert_eq!(reply.header("www-authenticate").as_deref(), Some("Bearer"));
        assert!(
            json(&reply)["error"]
                .as_str()
                .unwrap()
                .contains("bearer token")
        );
    }
    assert_eq!(api(&server, "GET", "/extensions", &[]).status, 200);
    let unknown = api(&server, "GET", "/no/such/route", &[]);
    assert_eq!(
        (unknown.status, json(&unknown)["error"].as_str()),
        (404, Some("no such API route"))
    );
}

#[tokio::test]
async fn the_admin_api_lists_previews_imports_and_exports() {
    let server = start_with(&["--admin-token", TOKEN, "--api-body-limit", "2000"]).await;
    let page = json(&api(&server, "GET", "/extensions?limit=2&offset=1", &[]));
    assert_eq!(page["total"], 6);
    let numbers: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["202", "203"]);
    assert!(
        page["items"][0].get("password").is_none(),
        "no passwords in listings"
    );
    let found = json(&api(&server, "GET", "/extensions?q=zo%C3%AB", &[]));
    assert_eq!(found["total"], 2);
    let desk = json(&api(&server, "GET", "/extensions/203", &[]));
    assert_eq!(
        desk["phone"],
        serde_json::json!({"mac": "0004f214ab38", "line": 2})
    );
    assert_eq!(api(&server, "GET", "/extensions/999", &[]).status, 404);

    let phone = json(&api(&server, "GET", "/phones/00:04:F2:14:AB:38", &[]));
    assert_eq!(
        phone["files"],
        serde_json::json!(["0004f214ab38.cfg", "202.cfg", "203.cfg", "altigen.cfg"])
    );
    assert_eq!(phone["model"], "VVX_400");
    let preview = api(&server, "GET", "/phones/0004f214ab38/files/203.cfg", &[]);
    assert_eq!(
        (preview.status, preview.body),
        (200, golden("polycom/203.cfg"))
    );
    assert_eq!(
        api(&server, "GET", "/phones/0004f214ab38/files/201.cfg", &[]).status,
        404
    );
    assert_eq!(api(&server, "GET", "/phones/0004f2zz1234", &[]).status, 400);
    assert_eq!(api(&server, "GET", "/phones/0004f2999999", &[]).status, 404);
    let sites = json(&api(&server, "GET", "/sites", &[]));
    assert_eq!(sites[0]["name"], "branch");
    assert_eq!(sites[1]["sip_port"], 10060);

    // Import: a bad file is refused with every error, and nothing is written.
    let export_before = api(&server, "GET", "/export", &[]).body;
    let cli_export = server.db.export();
    assert_eq!(
        String::from_utf8(export_before.clone()).unwrap(),
        cli_export
    );
    let bad = "extension,display_name,mac\n299,Bad,0004f2zz1234\n298,\"Two\nLines\",\n";
    let refused = api(
        &server,
        "POST",
        "/import",
        &["-H", "Content-Type: text/csv", "--data-binary", bad],
    );
    assert_eq!(refused.status, 422);
    let body = json(&refused);
    assert_eq!(
        body["details"][0],
        serde_json::json!({"line": 2, "column": "mac", "message": "\"0004f2zz1234\" is not a MAC address"})
    );
    assert_eq!(body["details"].as_array().unwrap().len(), 2);
    assert_eq!(
        api(
            &server,
            "POST",
            "/import?mode=merge",
            &["--data-binary", "x"]
        )
        .status,
        400
    );
    let too_big = "extension,display_name\n".to_string() + &"1,x\n".repeat(600);
    assert_eq!(
        api(
            &server,
            "POST",
            "/import",
            &["--data-binary", too_big.as_str()]
        )
        .status,
        413
    );
    assert_eq!(
        api(&server, "GET", "/export", &[]).body,
        export_before,
        "nothing written"
    );

    // A dry run reports, an import writes and is served at once.
    let good = "extension,display_name\n201,Alice From The API\n";
    let dry = json(&api(
        &server,
        "POST",
        "/import?dry_run=true",
        &["--data-binary", good],
    ));
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        dry["extensions"]["updated"][0]["fields"],
        serde_json::json!(["display_name"])
    );
    let done = json(&api(&server, "POST", "/import", &["--data-binary", good]));
    assert_eq!(done["dry_run"], false);
    assert!(done["revision"].is_number());
    let served = String::from_utf8(curl(&format!("{}/201.cfg", server.base), &[]).body).unwrap();
    assert!(
        served.contains("Alice From The API"),
        "served right after the import"
    );
}

#[tokio::test]
async fn the_admin_api_edits_extensions_and_line_keys() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let send = |method: &str, path: &str, body: &str| send_json(&server, method, path, body);
    let created = send(
        "POST",
        "/extensions",
        r#"{"number": "401", "display_name": "Lobby Phone", "site": "branch"}"#,
    );
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let view = json(&created);
    assert_eq!(
        (view["home_site"].as_str(), view["password_set"].as_bool()),
        (Some("branch"), Some(true))
    );
    assert_eq!(
        send(
            "POST",
            "/extensions",
            r#"{"number": "401", "display_name": "Again"}"#
        )
        .status,
        409
    );
    let invalid = send(
        "POST",
        "/extensions",
        r#"{"number": "402", "display_name": "", "auth_user": "a b", "site": "nowhere"}"#,
    );
    assert_eq!(invalid.status, 422);
    let fields: Vec<String> = json(&invalid)["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["display_name", "auth_user"]);
    let unknown_site = send(
        "POST",
        "/extensions",
        r#"{"number": "402", "display_name": "X", "site": "nowhere"}"#,
    );
    assert_eq!(
        (
            unknown_site.status,
            json(&unknown_site)["details"][0]["field"].as_str()
        ),
        (422, Some("site"))
    );
    assert_eq!(send("POST", "/extensions", "{not json").status, 400);
    assert_eq!(
        send(
            "POST",
            "/extensions",
            r#"{"number": "403", "display_name": "X", "colour": "red"}"#
        )
        .status,
        400
    );

    let updated = json(&send("PUT", "/extensions/401", r#"{"label": "Lobby"}"#));
    assert_eq!(
        (updated["label"].as_str(), updated["display_name"].as_str()),
        (Some("Lobby"), Some("Lobby Phone"))
    );
    assert_eq!(
        send("PUT", "/extensions/999", r#"{"label": "x"}"#).status,
        404
    );

    // Line keys: 401 joins 201 on the SoundPoint 331 (two keys); a third key does not exist.
    let lines = send(
        "PUT",
        "/phones/0004f214ab37/lines",
        r#"{"lines": {"1": "201", "2": "401"}}"#,
    );
    assert_eq!(
        lines.status,
        200,
        "{}",
        String::from_utf8_lossy(&lines.body)
    );
    assert_eq!(
        json(&lines)["files"],
        serde_json::json!(["0004f214ab37.cfg", "201.cfg", "401.cfg", "altigen.cfg"])
    );
    let file = String::from_utf8(curl(&format!("{}/401.cfg", server.base), &[]).body).unwrap();
    assert!(file.contains("reg.2.label=\"Lobby\""), "{file}");
    let beyond = send(
        "PUT",
        "/phones/0004f214ab37/lines",
        r#"{"lines": {"3": "401"}}"#,
    );
    assert_eq!(
        (beyond.status, json(&beyond)["details"][0]["field"].as_str()),
        (422, Some("line"))
    );
    let missing = send(
        "PUT",
        "/phones/0004f214ab37/lines",
        r#"{"lines": {"1": "999"}}"#,
    );
    assert_eq!(
        (
            missing.status,
            json(&missing)["details"][0]["field"].as_str()
        ),
        (422, Some("lines.1"))
    );

    assert_eq!(api(&server, "DELETE", "/extensions/401", &[]).status, 204);
    let phone = json(&api(&server, "GET", "/phones/0004f214ab37", &[]));
    assert_eq!(
        phone["lines"],
        serde_json::json!([{"line": 1, "extension": "201"}])
    );
    assert_eq!(curl(&format!("{}/401.cfg", server.base), &[]).status, 404);
    assert_eq!(api(&server, "DELETE", "/extensions/401", &[]).status, 404);
    assert_eq!(
        api(&server, "DELETE", "/phones/0004f2aa0001", &[]).status,
        204
    );
    assert_eq!(
        curl(&format!("{}/0004f2aa0001.cfg", server.base), &[]).status,
        404
    );
    assert_eq!(
        api(&server, "DELETE", "/phones/0004f2aa0001", &[]).status,
        404
    );
}

#[tokio::test]
async fn the_admin_api_creates_and_changes_sites() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let send = |method: &str, path: &str, body: &str| send_json(&server, method, path, body);
    let east = send(
        "POST",
        "/sites",
        r#"{"name": "East", "sip_server": "10.30.0.5", "alternate_site": "default", "extension_length": 4}"#,
    );
    assert_eq!(east.status, 201, "{}", String::from_utf8_lossy(&east.body));
    let view = json(&east);
    assert_eq!(view["name"], "east");
    assert_eq!(view["sip_port"], 5060);
    assert_eq!(view["alternate_site"], "default");
    assert_eq!(view["extension_length"], 4);
    assert_eq!(send("POST", "/sites", r#"{"name": "east"}"#).status, 409);
    let invalid = send(
        "POST",
        "/sites",
        r#"{"name": "west", "sip_port": 0, "extension_length": 5, "alternate_site": "nowhere", "sip_server": "a b"}"#,
    );
    assert_eq!(invalid.status, 422);
    let mut fields: Vec<String> = json(&invalid)["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "alternate_site",
            "extension_length",
            "sip_port",
            "sip_server"
        ]
    );
    assert_eq!(
        send("PUT", "/sites/nowhere", r#"{"mwi_beep": true}"#).status,
        404
    );

    // A change to the default site's call server is served at once.
    assert_eq!(
        send("PUT", "/sites/default", r#"{"sip_server": "10.10.0.9"}"#).status,
        200
    );
    let file = String::from_utf8(curl(&format!("{}/201.cfg", server.base), &[]).body).unwrap();
    assert!(
        file.contains("reg.1.server.1.address=\"10.10.0.9\""),
        "{file}"
    );
    // The new site's file, once it has a phone.
    let csv = "extension,display_name,mac,model,site\n5001,East Desk,0004f2ee0001,SPIP_331,east\n";
    assert_eq!(
        api(&server, "POST", "/import", &["--data-binary", csv]).status,
        200
    );
    let site =
        String::from_utf8(curl(&format!("{}/site-east.cfg", server.base), &[]).body).unwrap();
    assert!(site.contains("[1-7]xxx"), "{site}");
    let master =
        String::from_utf8(curl(&format!("{}/0004f2ee0001.cfg", server.base), &[]).body).unwrap();
    assert!(
        master.contains("5001.cfg, site-east.cfg, phone1.cfg, sip.cfg"),
        "{master}"
    );
    let desk = String::from_utf8(curl(&format!("{}/5001.cfg", server.base), &[]).body).unwrap();
    assert!(
        desk.contains("reg.1.server.2.address=\"10.10.0.9\""),
        "backup is the alternate: {desk}"
    );
}

#[tokio::test]
async fn the_admin_api_takes_a_csv_file_from_a_form() {
    let server = start_with(&["--admin-token", TOKEN, "--api-body-limit", "2000"]).await;
    let csv = server.db.dir.path().join("form.csv");
    std::fs::write(&csv, "extension,display_name\n601,Form Upload\n").unwrap();
    let form = format!("file=@{}", csv.display());
    let reply = api(
        &server,
        "POST",
        "/import?dry_run=true",
        &["-F", form.as_str()],
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(
        json(&reply)["extensions"]["created"],
        serde_json::json!(["601"])
    );
    std::fs::write(
        &csv,
        "extension,display_name\n".to_string() + &"1,x\n".repeat(600),
    )
    .unwrap();
    let too_big = api(&server, "POST", "/import", &["-F", form.as_str()]);
    assert_eq!(too_big.status, 413);
    assert!(
        json(&too_big)["error"]
            .as_str()
            .unwrap()
            .contains("--api-body-limit")
    );
    let raw_too_big = api(
        &server,
        "POST",
        "/import",
        &["--data-binary", &"1,x\n".repeat(600)],
    );
    assert_eq!(
        (
            raw_too_big.status,
            json(&raw_too_big)["details"].as_array().map(Vec::len)
        ),
        (413, Some(0))
    );
    assert_eq!(
        api(&server, "POST", "/import", &["-F", "note=hello"]).status,
        400
    );
}

#[tokio::test]
async fn metrics_count_requests_fetches_and_the_render_cache() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    for _ in 0..3 {
        assert_eq!(curl(&format!("{}/201.cfg", server.base), &[]).status, 200);
    }
    assert_eq!(
        curl(&format!("{}/aastra.cfg", server.base), &[]).status,
        200
    );
    assert_eq!(
        curl(&format!("{}/sip.ld", server.base), &["-r", "0-9"]).status,
        206
    );
    assert_eq!(
        curl(&format!("{}/nothing.cfg", server.base), &[]).status,
        404
    );
    assert_eq!(api(&server, "GET", "/sites", &[]).status, 200);
    let text = String::from_utf8(curl(&format!("{}/metrics", server.base), &[]).body).unwrap();
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| {
                l.strip_prefix(series)
                    .and_then(|rest| rest.trim().parse().ok())
            })
            .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
    };
    assert_eq!(
        value("phoneprov_http_requests_total{route=\"/{*path}\",status=\"200\"}"),
        4.0
    );
    assert_eq!(
        value("phoneprov_http_requests_total{route=\"/{*path}\",status=\"404\"}"),
        1.0
    );
    assert_eq!(
        value("phoneprov_http_requests_total{route=\"/api/v1/sites\",status=\"200\"}"),
        1.0
    );
    assert_eq!(value("phoneprov_fetches_total{kind=\"polycom\"}"), 3.0);
    assert_eq!(value("phoneprov_fetches_total{kind=\"aastra\"}"), 1.0);
    assert_eq!(value("phoneprov_fetches_total{kind=\"firmware\"}"), 1.0);
    assert_eq!(value("phoneprov_render_cache_misses_total"), 2.0);
    assert_eq!(value("phoneprov_render_cache_hits_total"), 2.0);
}
