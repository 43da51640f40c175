//! Issue 18's attacker against the default settings, through the real binary: someone on the
//! phones' network who knows no MAC address. Over HTTP, FTP and TFTP, from an IPv4 address, an
//! IPv4-mapped one (an IPv4 client of a dual-stack `[::]` listener) and an IPv6 one, walking the
//! extension numbers 1-99999 and guessing 2,000 MACs (the real ones among them, after the first
//! hundred guesses) yield no phone's file at all (HTTP 200, FTP 213, TFTP DATA); forged uploads
//! are refused and nothing is stored; PUT and SIZE answer alike for phones that exist and phones
//! that do not; forged-source TFTP cannot ban anyone. The clients are Python's http.client,
//! ftplib and a UDP socket (tests/it/attack/probe.py).

use crate::common;
use phoneprov::store::prelude::*;

use std::collections::BTreeMap;
use std::process::Command;

use common::server::{Server, TOKEN, api, curl, fetch_from, json, start_with};

/// The golden deployment's phones.
const PHONES: [&str; 5] = [
    "0004f214ab37",
    "0004f214ab38",
    "00085d1610de",
    "0004f2aa0001",
    "0004f2ac0206",
];
/// Distinct guesses that ban an address (the default).
const LIMIT: usize = 20;

struct Probe {
    tally: BTreeMap<String, usize>,
    served: Vec<String>,
}

/// Runs the script `tests/it/attack/{script}` with `args`; the JSON it prints.
pub(crate) fn python(script: &str, args: &[String]) -> serde_json::Value {
    let path = common::fixture_path(&format!("../tests/it/attack/{script}"));
    let out = Command::new("python3")
        .arg(&path)
        .args(args)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{script} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs tests/it/attack/probe.py: `names` over `transport` to `host:port` from `source`.
fn probe(transport: &str, host: &str, port: u16, source: &str, names: &[String]) -> Probe {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("names");
    std::fs::write(&list, names.join("\n")).unwrap();
    let args = [
        transport,
        host,
        &port.to_string(),
        source,
        &list.display().to_string(),
    ];
    let answer = python("probe.py", &args.map(str::to_string));
    Probe {
        tally: serde_json::from_value(answer["tally"].clone()).unwrap(),
        served: serde_json::from_value(answer["served"].clone()).unwrap(),
    }
}

/// Every extension file name from 1 to 99999.
fn extension_walk() -> Vec<String> {
    (1..=99_999).map(|n| format!("{n}.cfg")).collect()
}

/// 2,000 guessed MAC file names in Polycom's and Aastra's spaces; from the 100th on, every real
/// phone's master file, override and upload names are among them.
fn mac_guesses(seed: u64) -> Vec<String> {
    let mut state = seed;
    let mut names: Vec<String> = (0..2_000)
        .map(|i| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let oui = if i % 2 == 0 { "0004f2" } else { "00085d" };
            format!("{oui}{:06x}.cfg", (state >> 40) & 0xff_ff00 | 0x77)
        })
        .collect();
    for (n, mac) in PHONES.iter().enumerate() {
        let at = 100 + n * 300;
        names[at] = format!("{mac}.cfg");
        names[at + 1] = format!("{}.cfg", mac.to_uppercase());
        names[at + 2] = format!("{mac}-phone.cfg");
        names[at + 3] = format!("{mac}-directory.xml");
    }
    names
}

/// Not-found answers of each transport: at most LIMIT of them before the ban (or, over TFTP,
/// the brake) answers everything else.
fn not_found(transport: &str, tally: &BTreeMap<String, usize>) -> usize {
    let key = match transport {
        "http" => "404",
        "ftp" => "550",
        _ => "error-1",
    };
    tally.get(key).copied().unwrap_or(0)
}

/// A server listening on `[::]` for every transport (IPv6 and IPv4-mapped clients).
async fn dual_stack() -> Server {
    start_with(&[
        "--admin-token",
        TOKEN,
        "--http-listen",
        "[::]:0",
        "--ftp-listen",
        "[::]:0",
        "--tftp-listen",
        "[::]:0",
    ])
    .await
}

pub(crate) fn http_port(server: &Server) -> u16 {
    server
        .base
        .trim_end_matches("/prov")
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .expect("an HTTP port")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_attacker_who_knows_no_mac_gets_no_phone_file_on_any_transport_or_address_family() {
    let ipv4 = start_with(&["--admin-token", TOKEN]).await;
    let dual = dual_stack().await;
    // (what, server, the host to connect to, source addresses: one per transport)
    let families: [(&str, &Server, &str, [&str; 3]); 3] = [
        (
            "IPv4",
            &ipv4,
            "127.0.0.1",
            ["127.0.0.21", "127.0.0.22", "127.0.0.23"],
        ),
        (
            "IPv4-mapped",
            &dual,
            "127.0.0.1",
            ["127.0.0.24", "127.0.0.25", "127.0.0.26"],
        ),
        ("IPv6", &dual, "::1", ["::1", "::1", "::1"]),
    ];
    let walks = [
        ("extension walk", extension_walk()),
        ("MAC guesses", mac_guesses(7)),
    ];
    std::thread::scope(|scope| {
        let mut running = Vec::new();
        for (family, server, host, sources) in &families {
            let ports = [http_port(server), server.ftp.port(), server.tftp.port()];
            let walks = &walks;
            running.push(scope.spawn(move || {
                for ((transport, port), source) in
                    ["http", "ftp", "tftp"].into_iter().zip(ports).zip(sources)
                {
                    for (walk, names) in walks {
                        let got = probe(transport, host, port, source, names);
                        let what = format!("{walk} over {transport} from {family} {source}");
                        assert_eq!(got.served, Vec::<String>::new(), "{what}: {:?}", got.tally);
                        assert_eq!(got.tally.values().sum::<usize>(), names.len(), "{what}");
                        assert!(
                            not_found(transport, &got.tally) < LIMIT,
                            "{what}: the ban or brake never came: {:?}",
                            got.tally
                        );
                    }
                }
            }));
        }
        for walk in running {
            walk.join().expect("an attack run");
        }
    });
    for server in [&ipv4, &dual] {
        assert!(server.log_lines("credential file served").is_empty());
    }

    // Forged uploads from an address that never fetched a master file: refused, as for a phone
    // that does not exist; nothing is stored.
    let dir = tempfile::tempdir().unwrap();
    let payload = dir.path().join("payload");
    std::fs::write(
        &payload,
        b"<PHONE_CONFIG><ALL reg.1.server.1.address=\"evil.example\"/></PHONE_CONFIG>",
    )
    .unwrap();
    let payload = payload.to_str().unwrap();
    let put = |source: &str, name: &str| {
        curl(
            &format!("{}/{name}", ipv4.base),
            &["--interface", source, "-T", payload],
        )
        .status
    };
    for mac in PHONES {
        for suffix in [
            "-phone.cfg",
            "-web.cfg",
            "-directory.xml",
            "-calls.xml",
            "-app.log",
        ] {
            assert_eq!(
                put("127.0.0.31", &format!("{mac}{suffix}")),
                404,
                "{mac}{suffix}"
            );
        }
        assert_eq!(
            put("127.0.0.31", &format!("overrides/{mac}-phone.cfg")),
            404
        );
        let stor = Command::new("curl")
            .args(["-s", "--interface", "127.0.0.31", "-T", payload])
            .arg(format!(
                "ftp://PlcmSpIp:PlcmSpIp@{}/{mac}-phone.cfg",
                ipv4.ftp
            ))
            .status()
            .unwrap();
        assert!(!stor.success(), "FTP STOR of {mac}-phone.cfg");
    }
    // PUT tells nothing: a real phone's and an unknown phone's names get the same answer (a
    // boot log is taken and held, see tests/it/http.rs, but never stored without the phone).
    for (real, unknown) in [
        ("0004f214ab37", "0004f2dead01"),
        ("00085d1610de", "00085ddead02"),
    ] {
        for suffix in ["-app.log", "-phone.cfg", "-boot.log"] {
            assert_eq!(
                put("127.0.0.32", &format!("{real}{suffix}")),
                put("127.0.0.32", &format!("{unknown}{suffix}")),
                "{suffix}"
            );
        }
    }
    // SIZE tells nothing either: an extension that exists and one that does not.
    let sizes = probe(
        "ftp",
        "127.0.0.1",
        ipv4.ftp.port(),
        "127.0.0.33",
        &[
            "201.cfg".into(),
            "299.cfg".into(),
            "3001.cfg".into(),
            "3999.cfg".into(),
        ],
    );
    assert_eq!(sizes.tally, BTreeMap::from([("550".to_string(), 4)]));
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let store = ipv4.db.open().await;
    for mac in PHONES {
        let mac = phoneprov::domain::Mac::parse(mac).unwrap();

        assert_eq!(store.uploads(&mac).await.unwrap(), [], "{mac}");
    }
    store.close().await;

    // Forged-source TFTP: 100 guesses "from" 127.0.0.66 (any UDP source can be forged) do not
    // shut that address out: a phone there still boots over HTTP and FTP, and it is not banned.
    let forged: Vec<String> = mac_guesses(99)[..100].to_vec();
    let got = probe("tftp", "127.0.0.1", ipv4.tftp.port(), "127.0.0.66", &forged);
    assert!(got.served.is_empty());
    assert_eq!(fetch_from(&ipv4, "127.0.0.66", "0004f214ab37.cfg"), 200);
    assert_eq!(fetch_from(&ipv4, "127.0.0.66", "201.cfg"), 200);
    let master_over_ftp = probe(
        "ftp",
        "127.0.0.1",
        ipv4.ftp.port(),
        "127.0.0.66",
        &["0004f214ab38.cfg".into()],
    );
    assert_eq!(master_over_ftp.served, ["0004f214ab38.cfg"]);
    let bans = json(&api(&ipv4, "GET", "/bans", &[]));
    assert!(!bans.to_string().contains("127.0.0.66"), "{bans}");
    for source in ["127.0.0.21", "127.0.0.22"] {
        assert!(bans.to_string().contains(source), "{source} banned: {bans}");
    }
}

/// The office: `count` phones behind one NAT address (127.0.0.1): Polycom SoundPoint IP 331
/// (SIP 3.x) and VVX 400 (UC Software) phones over HTTP and FTP, Aastra 6757i phones over HTTP
/// and TFTP; every fifth has a setting changed on the handset (an override upload).
pub(crate) fn office_phones(count: u32) -> (String, serde_json::Value) {
    let mut csv = String::from("extension,display_name,password,mac,model,site,line\n");
    let mut phones = Vec::new();
    for i in 0..count {
        let (vendor, mac, model, transport) = match i % 10 {
            0..=6 => (
                "polycom",
                format!("0004f2{:06x}", 0x0c_0000 + i),
                if i % 3 == 0 { "SPIP_331" } else { "VVX_400" },
                if i % 4 == 0 { "ftp" } else { "http" },
            ),
            _ => (
                "aastra",
                format!("00085d{:06x}", 0x0c_0000 + i),
                "6757i",
                if i % 2 == 0 { "tftp" } else { "http" },
            ),
        };
        let number = 5000 + i;
        csv.push_str(&format!(
            "{number},Office {number},office-secret-{number},{mac},{model},default,1\n"
        ));
        phones.push(serde_json::json!({
            "mac": mac,
            "vendor": vendor,
            "model": model,
            "transport": transport,
            "overrides": i % 5 == 0,
        }));
    }
    (csv, serde_json::Value::Array(phones))
}

/// Boots the whole office once (`boot`: 1 or 2), one phone after the other; the answers no real
/// phone would expect.
fn boot_office(server: &Server, phones: &std::path::Path, boot: u8) -> Vec<String> {
    boot_office_at_once(server, phones, boot, 1)
}

/// Boots the whole office once (`boot`: 1 or 2), `parallel` phones at a time; the answers no
/// real phone would expect.
pub(crate) fn boot_office_at_once(
    server: &Server,
    phones: &std::path::Path,
    boot: u8,
    parallel: usize,
) -> Vec<String> {
    let answer = python(
        "office.py",
        &[
            "127.0.0.1".to_string(),
            http_port(server).to_string(),
            server.ftp.port().to_string(),
            server.tftp.port().to_string(),
            phones.display().to_string(),
            boot.to_string(),
            parallel.to_string(),
        ],
    );
    assert!(answer["requests"].as_u64().unwrap() > 10, "{answer}");
    serde_json::from_value(answer["problems"].clone()).unwrap()
}

/// No ban, no brake and no refusal of any kind in the server's log, and none listed.
fn nothing_refused(server: &Server) {
    for needle in ["refused", "ban", "braked", "locked out"] {
        let lines = server.log_lines(needle);
        assert!(lines.is_empty(), "{needle}: {lines:#?}");
    }
    assert_eq!(
        json(&api(server, "GET", "/bans", &[])),
        serde_json::json!([])
    );
}

/// A server (with the admin token and `extra` arguments) on a fresh database holding an office
/// of `count` phones, and the list of its phones for office.py.
pub(crate) async fn office_server(count: u32, extra: &[&str]) -> (Server, std::path::PathBuf) {
    let (csv, phones) = office_phones(count);
    let db = common::sqlite_db();
    let store = db.open().await;
    common::import(&store, &csv).await;
    store.close().await;
    let list = db.dir.path().join("office.json");
    std::fs::write(&list, phones.to_string()).unwrap();
    let mut args = vec!["--admin-token", TOKEN];
    args.extend_from_slice(extra);
    (common::server::start_on(db, &args), list)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_office_of_200_phones_behind_one_address_boots_twice_across_a_restart_unrefused() {
    let (server, list) = office_server(200, &[]).await;

    assert_eq!(boot_office(&server, &list, 1), Vec::<String>::new());
    nothing_refused(&server);
    // Last-seen data and uploads are written in batches: let them land, then restart.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let server = server.restart();
    assert_eq!(boot_office(&server, &list, 2), Vec::<String>::new());
    nothing_refused(&server);
}
