//! Phone-facing HTTP through the real binary and a real client (curl): the Polycom and Aastra boot
//! sequences with real user agents, HEAD, firmware with Range, the path prefix, a traversal corpus,
//! uploads, metrics, and a change made by another process served within seconds. The render cache is tested on
//! [`Live`] directly: a file is rendered once per data revision, and a change is never stale.

use crate::common;
use phoneprov::store::prelude::*;

use std::sync::Arc;

use common::server::{TOKEN, api, boot_from, curl, golden, start, start_with};
use common::{assert_success, golden_deployment};
use phoneprov::provision::Provisioner;
use phoneprov::provision::live::{FetchAnswer, Live};
use phoneprov::render::Renderer;
use phoneprov::store::Store;

const POLYCOM_UA: &str = "FileTransport PolycomVVX-VVX_400-UA/5.9.7.4477 Type/Application";
const AASTRA_UA: &str = "Aastra6757i MAC:00-08-5D-16-10-DE V:3.3.1.4322-SIP";

#[tokio::test]
async fn polycom_boot_sequence_over_http() {
    let server = start().await;
    for base in [server.base.clone(), format!("{}/prov", server.base)] {
        let get = |name: &str| curl(&format!("{base}/{name}"), &["-A", POLYCOM_UA]);
        // The Updater uploads its boot log first: at the very first boot the address has not
        // fetched the phone's master file yet, so it does not act for the phone; the log is
        // held (answered as stored) and written when the master file goes to this address.
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
        // A VVX 400 runs UC Software 5.x: its site file in that spelling and no vendor files
        // (UC Software keeps its defaults in the application).
        assert_eq!(
            files,
            [
                "0004f214ab38-settings.cfg",
                "202.cfg",
                "203.cfg",
                "altigen.uc.cfg"
            ]
        );
        for file in &files[..4] {
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
        // Optional files a phone asks for and may not get; no shared directory either (it
        // would give the company's names to anyone), but the phone's own has them.
        for optional in [
            "0004f214ab38-phone.cfg",
            "0004f214ab38-web.cfg",
            "000000000000-license.cfg",
            "000000000000-directory.xml",
        ] {
            assert_eq!(get(optional).status, 404, "{optional}");
        }
        let directory = get("0004f214ab38-directory.xml");
        assert_eq!(directory.status, 200);
        assert!(String::from_utf8_lossy(&directory.body).contains("<ct>201</ct>"));
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
    boot_from(&server, "127.0.0.1", "0004f214ab37");
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

/// The names of the files recorded as `mac`'s fetches.
async fn fetched_files(store: &impl SightingStore, mac: &phoneprov::domain::Mac) -> Vec<String> {
    store
        .fetches(mac)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.file)
        .collect()
}

#[tokio::test]
async fn fetches_are_recorded_on_the_phone_in_batches() {
    let server = start().await;
    for name in ["0004f214ab37.cfg", "201.cfg", "altigen.cfg", "sip.ld"] {
        let reply = curl(&format!("{}/{name}", server.base), &["-A", POLYCOM_UA]);
        assert_eq!(reply.status, 200, "{name}");
    }
    // A HEAD is a probe, not a fetch: it is not recorded (a GET of this file would be, as the
    // phone's: it was seen at this address).
    let head = curl(
        &format!("{}/000000000000.cfg", server.base),
        &["-A", POLYCOM_UA, "-I"],
    );
    assert_eq!(head.status, 200);
    let aastra = curl(&format!("{}/aastra.cfg", server.base), &["-A", AASTRA_UA]);
    assert_eq!(aastra.status, 200);
    let store = server.db.open().await;
    let polycom = phoneprov::domain::Mac::parse("0004f214ab37").unwrap();
    let aastra = phoneprov::domain::Mac::parse("00085d1610de").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let (files, seen) = loop {
        let files = fetched_files(&store, &polycom).await;
        let seen = store.phone(&aastra).await.unwrap().unwrap().last_seen;
        if let (4.., Some(seen)) = (files.len(), seen.clone()) {
            break (files, seen);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not recorded: {files:?} {seen:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    // Past the next batch (written once a second), nothing more is recorded.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let later = fetched_files(&store, &polycom).await;
    assert_eq!(later, files, "the HEAD is not recorded");
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
    // The Aastra phone's lines (204, 205) are in its own <MAC>.cfg, behind the user-agent
    // check: there is no Polycom extension file of them, even for the address the phone's
    // master file went to.
    for number in ["204", "205"] {
        let polycom_copy = curl(&format!("{}/{number}.cfg", server.base), &[]);
        assert_eq!(polycom_copy.status, 404, "{number}.cfg");
    }
}

#[tokio::test]
async fn phones_upload_their_own_logs_and_overrides() {
    let server = start_with(&["--upload-max-bytes", "4096", "--log-keep-bytes", "100"]).await;
    let dir = tempfile::tempdir().unwrap();
    let put = |path: &str, content: &[u8]| put_as_phone(&server, dir.path(), path, content);
    let get = |path: &str| curl(&format!("{}/{path}", server.base), &["-A", POLYCOM_UA]);

    // Only an address the phone's master file went to may upload for it; a boot log sent
    // before (the Updater's, at a first boot) is held until the master file goes there, and
    // from any other address it is never stored.
    assert_eq!(put("0004f214ab37-app.log", b"early\n").status, 404);
    assert_eq!(put("0004f214ab37-boot.log", b"before\n").status, 204);
    let elsewhere = dir.path().join("elsewhere");
    std::fs::write(&elsewhere, b"forged\n").unwrap();
    let forged = curl(
        &format!("{}/0004f214ab37-boot.log", server.base),
        &[
            "--interface",
            "127.0.0.9",
            "-T",
            elsewhere.to_str().unwrap(),
        ],
    );
    assert_eq!(forged.status, 204, "the same answer for anyone");
    boot_from(&server, "127.0.0.1", "0004f214ab37");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(put("0004f214ab37-boot.log", b"first\n").status, 204);
    assert_eq!(put("0004f214ab37-boot.log", b"second\n").status, 204);
    let log = get("0004f214ab37-boot.log");
    assert_eq!(
        (log.status, log.body.as_slice()),
        (200, &b"before\nfirst\nsecond\n"[..])
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

#[tokio::test]
async fn metrics_count_requests_fetches_and_the_render_cache() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    boot_from(&server, "127.0.0.1", "0004f214ab37");
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
        5.0
    );
    assert_eq!(
        value("phoneprov_http_requests_total{route=\"/{*path}\",status=\"404\"}"),
        1.0
    );
    assert_eq!(
        value("phoneprov_http_requests_total{route=\"/api/v1/sites\",status=\"200\"}"),
        1.0
    );
    // The master file, then three times the extension file.
    assert_eq!(value("phoneprov_fetches_total{kind=\"polycom\"}"), 4.0);
    assert_eq!(value("phoneprov_fetches_total{kind=\"aastra\"}"), 1.0);
    assert_eq!(value("phoneprov_fetches_total{kind=\"firmware\"}"), 1.0);
    assert_eq!(value("phoneprov_render_cache_misses_total"), 3.0);
    assert_eq!(value("phoneprov_render_cache_hits_total"), 2.0);
}

/// Sends `request` on a fresh connection and reads until the server closes it (at most 10 s);
/// what came back, and how long the server took to close.
async fn until_closed(base: &str, request: &[u8]) -> (String, std::time::Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let started = std::time::Instant::now();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the server closed the connection within 10 s");
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn slow_and_greedy_clients_cannot_pin_connections() {
    let server = start_with(&["--http-header-timeout", "1"]).await;
    // A client that never finishes its headers, and one that sends nothing at all, are cut off
    // after the header timeout.
    let (_, took) = until_closed(&server.base, b"GET /altigen.cfg HTTP/1.1\r\nHost: x\r\n").await;
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    let (_, took) = until_closed(&server.base, b"").await;
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    // A kept-alive connection is served, then closed once idle past the timeout.
    let (answer, took) = until_closed(
        &server.base,
        b"GET /altigen.cfg HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    // Headers too large, or too many, are refused without reading on.
    let big = format!(
        "GET /altigen.cfg HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(40_000)
    );
    let (answer, _) = until_closed(&server.base, big.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    let many: String = (0..100).map(|i| format!("X-H{i}: v\r\n")).collect();
    let many = format!("GET /altigen.cfg HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    let (answer, _) = until_closed(&server.base, many.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    // Everyone else is served as before.
    assert_eq!(
        curl(&format!("{}/altigen.cfg", server.base), &[]).status,
        200
    );
}

/// A phone's page shows only what that phone fetched (issue 21, item 3): a file another phone
/// asks for from the same address is not credited to the phone seen there when the request
/// shows it is another's (its user agent names another MAC, or it is another vendor's file).
#[tokio::test]
async fn fetches_of_another_phone_are_not_credited_to_the_phone_at_the_address() {
    let server = start().await;
    let get = |name: &str, agent: &str| {
        let mut args = vec![];
        if !agent.is_empty() {
            args = vec!["-A", agent];
        }
        curl(&format!("{}/{name}", server.base), &args).status
    };
    assert_eq!(get("0004f214ab37.cfg", POLYCOM_UA), 200);
    // An unknown Aastra phone behind the same address, and a TFTP-like fetch of an Aastra file.
    assert_eq!(
        get(
            "aastra.cfg",
            "Aastra6757i MAC:00-08-5D-99-99-99 V:3.3.1.4322-SIP"
        ),
        200
    );
    assert_eq!(get("6757i.cfg", ""), 200);
    // The phone's own vendor's shared file is its fetch.
    assert_eq!(get("altigen.cfg", ""), 200);
    let store = server.db.open().await;
    let polycom = phoneprov::domain::Mac::parse("0004f214ab37").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let files = fetched_files(&store, &polycom).await;
        if files.iter().any(|f| f == "altigen.cfg") {
            assert_eq!(files, ["0004f214ab37.cfg", "altigen.cfg"]);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not recorded: {files:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Issue 28, finding 2b: once a master file was fetched (the attacker knows the MAC), a forged
/// override could redirect the phone's provisioning and SIP server. Now those parameters (and
/// credentials) are dropped and reported, the rest kept, and the upload shows as untrusted until
/// an admin accepts it; a newer upload is untrusted again.
#[tokio::test]
async fn a_forged_override_cannot_redirect_the_phone_and_stays_untrusted_until_accepted() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let dir = tempfile::tempdir().unwrap();
    let put = |path: &str, content: &[u8]| put_as_phone(&server, dir.path(), path, content).status;
    boot_from(&server, "127.0.0.1", "0004f214ab37");
    let forged = br#"<PHONE_CONFIG><OVERRIDES device.prov.serverName="evil.example" device.set="1" device.prov.serverName.set="1" voIpProt.server.1.address="evil.example" reg.1.auth.password="x" up.backlight.idleIntensity="1"/></PHONE_CONFIG>"#;
    assert_eq!(put("0004f214ab37-phone.cfg", forged), 204);
    let back = curl(
        &format!("{}/0004f214ab37-phone.cfg", server.base),
        &["-A", POLYCOM_UA],
    );
    let back = String::from_utf8_lossy(&back.body).to_string();
    for gone in [
        "evil.example",
        "device.prov",
        "voIpProt.server",
        "reg.1.auth",
    ] {
        assert!(!back.contains(gone), "{gone} read back: {back}");
    }
    assert!(back.contains(r#"up.backlight.idleIntensity="1""#), "{back}");
    let reported = server
        .await_log_lines("parameters an upload may not set were dropped")
        .await;
    assert!(
        reported.iter().any(
            |l| l.contains("device.prov.serverName") && l.contains("voIpProt.server.1.address")
        ),
        "{reported:?}"
    );
    // Not XML at all: refused, nothing stored.
    assert_eq!(put("0004f214ab37-web.cfg", b"<PHONE_CONFIG><a x='1'>"), 403);

    let trust = || {
        let phone = common::server::json(&api(&server, "GET", "/phones/0004f214ab37", &[]));
        phone["uploads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == "0004f214ab37-phone.cfg")
            .map(|u| u["accepted"].clone())
            .unwrap()
    };
    assert_eq!(trust(), false, "untrusted until an admin accepts it");
    let accept = api(
        &server,
        "POST",
        "/phones/0004f214ab37/uploads/0004f214ab37-phone.cfg/accept",
        &[],
    );
    assert_eq!(
        accept.status,
        200,
        "{}",
        String::from_utf8_lossy(&accept.body)
    );
    assert_eq!(trust(), true);
    std::thread::sleep(std::time::Duration::from_millis(10));
    assert_eq!(put("0004f214ab37-phone.cfg", forged), 204);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(trust(), false, "a newer upload is untrusted again");
}

/// PUTs `content` as `path` with a Polycom phone's user agent (the file written in `dir` first).
fn put_as_phone(
    server: &common::server::Server,
    dir: &std::path::Path,
    path: &str,
    content: &[u8],
) -> common::server::Reply {
    let file = dir.join("upload");
    std::fs::write(&file, content).unwrap();
    curl(
        &format!("{}/{path}", server.base),
        &["-A", POLYCOM_UA, "-T", file.to_str().unwrap()],
    )
}
