//! The enumeration defense through the real binary: 2,000 requests for random `<MAC>.cfg` names
//! from one address over HTTP, FTP (SIZE on one control connection) and TFTP (curl; one source
//! address per transport) get no config; HTTP and FTP are banned after fewer than the limit,
//! TFTP (whose source proves nothing) only braked for TFTP; during the attack a known phone from
//! an allowed network, and a phone that booted from the attacking address before, still boot;
//! the ban is listed and lifted in the API.

use crate::common;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpSocket;

use common::server::{Server, TOKEN, api, fetch_all, json, start_with};

const LIMIT: usize = 20;
const GUESSES: usize = 2000;

/// `GUESSES` random Polycom `<MAC>.cfg` names (none of them a known phone).
fn guesses(seed: u64) -> Vec<String> {
    let mut state = seed;
    (0..GUESSES)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            format!("0004f2{:06x}.cfg", (state >> 40) & 0xff_ff00 | 0x99)
        })
        .collect()
}

/// Logs in over FTP from `source` and sends `SIZE name` for each name on one control
/// connection; the reply code of each.
async fn ftp_sizes(server: SocketAddr, source: &str, names: &[String]) -> Vec<String> {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let stream = socket.connect(server).await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut replies = BufReader::new(read).lines();
    let greeting = replies.next_line().await.unwrap().unwrap_or_default();
    assert!(greeting.starts_with("220"), "{greeting}");
    let mut codes = Vec::with_capacity(names.len());
    let login = ["USER PlcmSpIp".to_string(), "PASS PlcmSpIp".to_string()];
    let sizes = names.iter().map(|name| format!("SIZE {name}"));
    for command in login.into_iter().chain(sizes) {
        write
            .write_all(format!("{command}\r\n").as_bytes())
            .await
            .unwrap();
        let line = replies.next_line().await.unwrap().unwrap_or_default();
        if command.starts_with("SIZE") {
            codes.push(line.get(..3).unwrap_or_default().to_string());
        }
    }
    codes
}

fn tally(outcomes: &[String]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for outcome in outcomes {
        *counts.entry(outcome.clone()).or_insert(0) += 1;
    }
    counts
}

fn http_status(server: &Server, source: &str, name: &str) -> String {
    let url = format!("{}/{name}", server.base);
    fetch_all(source, &[url], "%{response_code}\n", &[]).join("")
}

#[tokio::test]
async fn guessing_mac_files_gets_nothing_and_a_ban_on_every_transport() {
    let limit = LIMIT.to_string();
    let server = start_with(&[
        "--admin-token",
        TOKEN,
        "--ban-after",
        &limit,
        "--allow-network",
        "127.0.0.2/32",
    ])
    .await;
    // A phone boots from the address that will attack (a NAT shared with a scanner).
    assert_eq!(http_status(&server, "127.0.0.1", "0004f214ab38.cfg"), "200");

    // HTTP from 127.0.0.1.
    let urls: Vec<String> = guesses(1)
        .iter()
        .map(|name| format!("{}/{name}", server.base))
        .collect();
    let http = tally(&fetch_all("127.0.0.1", &urls, "%{response_code}\n", &[]));
    assert_eq!(http.get("200"), None, "{http:?}");
    assert!(http.get("404").copied().unwrap_or(0) < LIMIT, "{http:?}");
    assert_eq!(http.values().sum::<usize>(), GUESSES, "{http:?}");
    assert!(
        http.get("403").copied().unwrap_or(0) > GUESSES - LIMIT,
        "{http:?}"
    );

    // During the ban: an allowed network's phone boots; the phone that booted here before
    // still gets its files; another known phone's file is refused to the banned address.
    assert_eq!(http_status(&server, "127.0.0.2", "0004f214ab37.cfg"), "200");
    assert_eq!(http_status(&server, "127.0.0.2", "201.cfg"), "200");
    assert_eq!(http_status(&server, "127.0.0.1", "0004f214ab38.cfg"), "200");
    assert_eq!(
        http_status(&server, "127.0.0.1", "202.cfg"),
        "200",
        "its own extension"
    );
    assert_eq!(http_status(&server, "127.0.0.1", "0004f214ab37.cfg"), "403");
    assert_eq!(http_status(&server, "127.0.0.1", "201.cfg"), "403");
    assert_eq!(
        http_status(&server, "127.0.0.1", "sip.ld"),
        "200",
        "firmware carries no secret"
    );

    // FTP from 127.0.0.3, on one control connection: SIZE (which would reveal a file) is 550
    // until the ban, then 553; a RETR of a guessed name afterwards is refused too.
    let ftp = tally(&ftp_sizes(server.ftp, "127.0.0.3", &guesses(2)).await);
    assert_eq!(ftp.get("213"), None, "{ftp:?}");
    assert!(ftp.get("550").copied().unwrap_or(0) < LIMIT, "{ftp:?}");
    assert!(
        ftp.get("553").copied().unwrap_or(0) > GUESSES - LIMIT,
        "{ftp:?}"
    );
    let retr = format!("ftp://PlcmSpIp:PlcmSpIp@{}/{}", server.ftp, guesses(2)[0]);
    assert_eq!(
        fetch_all("127.0.0.3", &[retr], "%{response_code}\n", &[]),
        ["553"]
    );
    // TFTP from 127.0.0.4: curl's exit code 68 is "file not found", 69 "access violation".
    // TFTP cannot prove its source, so its misses never ban: they brake TFTP for the address.
    let tftp_urls: Vec<String> = guesses(3)
        .iter()
        .map(|name| format!("tftp://{}/{name}", server.tftp))
        .collect();
    let tftp = tally(&fetch_all("127.0.0.4", &tftp_urls, "%{exitcode}\n", &[]));
    assert_eq!(tftp.get("0"), None, "{tftp:?}");
    assert!(tftp.get("68").copied().unwrap_or(0) < LIMIT, "{tftp:?}");
    assert!(
        tftp.get("69").copied().unwrap_or(0) > GUESSES - LIMIT,
        "{tftp:?}"
    );

    // The bans are listed, and lifting one lets the address fetch again.
    let bans = json(&api(&server, "GET", "/bans", &[]));
    let mut banned: Vec<&str> = bans
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["address"].as_str().unwrap())
        .collect();
    banned.sort_unstable();
    assert_eq!(banned, ["127.0.0.1", "127.0.0.3"], "no ban for TFTP");
    // Whoever forged 127.0.0.4's TFTP requests did not shut it out: HTTP and FTP serve it.
    assert_eq!(http_status(&server, "127.0.0.4", "0004f214ab37.cfg"), "200");
    let ftp_master = format!("ftp://PlcmSpIp:PlcmSpIp@{}/0004f214ab37.cfg", server.ftp);
    assert_eq!(
        fetch_all("127.0.0.4", &[ftp_master], "%{response_code}\n", &[]),
        ["226"]
    );
    assert_eq!(bans[0]["misses"], LIMIT);
    assert_eq!(api(&server, "DELETE", "/bans/127.0.0.1", &[]).status, 204);
    assert_eq!(api(&server, "DELETE", "/bans/127.0.0.1", &[]).status, 404);
    assert_eq!(http_status(&server, "127.0.0.1", "0004f214ab37.cfg"), "200");

    // One audit line per ban, per lift and per credential file served.
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(server.log_lines("provisioning ban:").len(), 2);
    assert_eq!(server.log_lines("TFTP braked").len(), 1);
    assert_eq!(server.log_lines("provisioning ban lifted").len(), 1);
    let served = server.log_lines("credential file served");
    assert!(
        served
            .iter()
            .any(|l| l.contains("file=201.cfg") && l.contains("client=127.0.0.2")),
        "{served:?}"
    );
}

#[tokio::test]
async fn credential_files_go_only_to_the_provisioning_networks() {
    let server = start_with(&["--provisioning-network", "127.0.0.2/32,10.0.0.0/8"]).await;
    // The extension file holds the SIP password; the Polycom master file does not. A refusal is
    // "not found", like a file that does not exist.
    assert_eq!(http_status(&server, "127.0.0.1", "0004f214ab37.cfg"), "200");
    assert_eq!(http_status(&server, "127.0.0.1", "201.cfg"), "404");
    assert_eq!(http_status(&server, "127.0.0.2", "0004f214ab37.cfg"), "200");
    assert_eq!(http_status(&server, "127.0.0.2", "201.cfg"), "200");
    // The Aastra phone file holds its lines' passwords: over TFTP too.
    let tftp = |source: &str| {
        let url = format!("tftp://{}/00085D1610DE.cfg", server.tftp);
        fetch_all(source, &[url], "%{exitcode}\n", &[]).join("")
    };
    assert_eq!(tftp("127.0.0.1"), "68");
    assert_eq!(tftp("127.0.0.2"), "0");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let refused = server.log_lines("credential file refused");
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].contains("client=127.0.0.1"), "{refused:?}");
}

/// A ban holds over a restart, and so does its exception: the phones that booted from the
/// banned address before (an office behind the scanner's NAT) keep booting after phoneprov
/// restarts, while other phones' files stay refused there.
#[tokio::test]
async fn the_phones_spared_by_a_ban_are_spared_after_a_restart_too() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let office = "127.0.0.51";
    assert_eq!(http_status(&server, office, "0004f214ab37.cfg"), "200");
    assert_eq!(http_status(&server, office, "201.cfg"), "200");
    let urls: Vec<String> = guesses(5)[..LIMIT]
        .iter()
        .map(|name| format!("{}/{name}", server.base))
        .collect();
    fetch_all(office, &urls, "%{response_code}\n", &[]);
    assert_eq!(http_status(&server, office, "0004f214ab38.cfg"), "403");
    // Bans are stored within a second, last-seen data too.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let server = server.restart();
    assert_eq!(http_status(&server, office, "0004f214ab37.cfg"), "200");
    assert_eq!(http_status(&server, office, "201.cfg"), "200");
    assert_eq!(http_status(&server, office, "0004f214ab38.cfg"), "403");
    let bans = json(&api(&server, "GET", "/bans", &[]));
    assert_eq!(bans[0]["address"], office);
    assert_eq!(bans[0]["phones"], serde_json::json!(["0004f214ab37"]));
}
