//! Check-sync push through the real binary: a test SIP peer (a UDP socket that parses each
//! NOTIFY and answers 200 OK when told to) stands in for the phones, which were seen at
//! 127.0.0.1 and whose sites' SIP port is set to the peer's port. An admin change pushes exactly
//! the phones whose files it changed, paced at the configured rate; unanswered NOTIFYs are
//! retransmitted (RFC 3261 timer E) and given up (timer F); each outcome shows in the phone's API
//! record; `POST /phones/{mac}/resync` pushes on demand.

use crate::common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::server::{Server, TOKEN, api, curl, json, send_json, start_with};
use tokio::net::UdpSocket;

const POLYCOM_UA: &str = "FileTransport PolycomVVX-VVX_400-UA/5.9.7.4477 Type/Application";
const AASTRA_UA: &str = "Aastra6757i MAC:00-08-5D-16-10-DE V:3.2.1.1013-SIP";

/// A NOTIFY as the peer received it.
#[derive(Debug)]
struct Received {
    at: Instant,
    request_line: String,
    headers: HashMap<String, String>,
    from: SocketAddr,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map_or("", String::as_str)
    }

    fn branch(&self) -> String {
        let via = self.header("via");
        via.split(';')
            .find_map(|p| p.strip_prefix("branch="))
            .unwrap_or("")
            .to_string()
    }
}

struct Peer {
    socket: UdpSocket,
}

impl Peer {
    async fn new() -> Peer {
        Peer {
            socket: UdpSocket::bind("127.0.0.1:0").await.unwrap(),
        }
    }

    fn port(&self) -> u16 {
        self.socket.local_addr().unwrap().port()
    }

    /// The next NOTIFY within `wait`.
    async fn receive(&self, wait: Duration) -> Option<Received> {
        let mut buffer = vec![0u8; 4096];
        let (length, from) = tokio::time::timeout(wait, self.socket.recv_from(&mut buffer))
            .await
            .ok()?
            .ok()?;
        let text = String::from_utf8(buffer[..length].to_vec()).expect("UTF-8 SIP");
        let mut lines = text.split("\r\n");
        let request_line = lines.next().unwrap().to_string();
        let headers = lines
            .take_while(|l| !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Some(Received {
            at: Instant::now(),
            request_line,
            headers,
            from,
        })
    }

    /// Answers `request` with `status`, as a phone would.
    async fn answer(&self, request: &Received, status: &str) {
        let response = format!(
            "SIP/2.0 {status}\r\nVia: {}\r\nFrom: {}\r\nTo: {};tag=peer\r\nCall-ID: {}\r\nCSeq: {}\r\nContent-Length: 0\r\n\r\n",
            request.header("via"),
            request.header("from"),
            request.header("to"),
            request.header("call-id"),
            request.header("cseq"),
        );
        self.socket
            .send_to(response.as_bytes(), request.from)
            .await
            .unwrap();
    }
}

/// Points both sites' SIP port at the peer, before any phone is seen, and waits until the
/// server has compared the phones' files of that revision (one revision poll, 1 s), so the
/// change pushes nothing.
fn sites_at(server: &Server, port: u16) {
    for site in ["default", "branch"] {
        let reply = send_json(
            server,
            "PUT",
            &format!("/sites/{site}"),
            &format!(r#"{{"sip_port": {port}}}"#),
        );
        assert_eq!(reply.status, 200, "{site}");
    }
    std::thread::sleep(Duration::from_millis(2500));
}

/// Fetches each phone's master file and waits until its last-seen data is stored.
fn see(server: &Server, macs: &[&str]) {
    for mac in macs {
        let reply = curl(&format!("{}/{mac}.cfg", server.base), &["-A", POLYCOM_UA]);
        assert_eq!(reply.status, 200, "{mac}");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    for mac in macs {
        while json(&api(server, "GET", &format!("/phones/{mac}"), &[]))["last_seen"].is_null() {
            assert!(Instant::now() < deadline, "{mac} never recorded as seen");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Renames extension `number` (a change to its phone's files) and returns the NOTIFY it causes.
async fn rename_and_receive(server: &Server, peer: &Peer, number: &str, name: &str) -> Received {
    let reply = send_json(
        server,
        "PUT",
        &format!("/extensions/{number}"),
        &format!(r#"{{"display_name": "{name}"}}"#),
    );
    assert_eq!(reply.status, 200);
    peer.receive(Duration::from_secs(5))
        .await
        .unwrap_or_else(|| panic!("a NOTIFY for {number}"))
}

fn push_of(server: &Server, mac: &str) -> serde_json::Value {
    json(&api(server, "GET", &format!("/phones/{mac}"), &[]))["push"].clone()
}

/// Polls the phone's push record until `outcome` (at most `wait`).
fn wait_for_outcome(
    server: &Server,
    mac: &str,
    outcome: &str,
    wait: Duration,
) -> serde_json::Value {
    let deadline = Instant::now() + wait;
    loop {
        let push = push_of(server, mac);
        if push["outcome"] == outcome {
            return push;
        }
        assert!(Instant::now() < deadline, "{mac}: {push}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn a_change_pushes_check_sync_to_the_phones_it_touches() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let peer = Peer::new().await;
    sites_at(&server, peer.port());
    see(&server, &["0004f214ab37", "0004f214ab38"]);
    assert!(
        peer.receive(Duration::from_millis(1500)).await.is_none(),
        "being seen pushes nothing"
    );

    // Alice's display name is in her phone's files only.
    let notify = rename_and_receive(&server, &peer, "201", "Alice Smith").await;
    assert_eq!(
        notify.request_line,
        format!("NOTIFY sip:201@127.0.0.1:{} SIP/2.0", peer.port())
    );
    assert_eq!(notify.header("event"), "check-sync");
    assert_eq!(notify.header("cseq"), "1 NOTIFY");
    assert_eq!(notify.header("content-length"), "0");
    assert!(notify.branch().starts_with("z9hG4bK"), "{notify:?}");
    assert!(!notify.header("call-id").is_empty());
    peer.answer(&notify, "200 OK").await;
    assert!(
        peer.receive(Duration::from_millis(1500)).await.is_none(),
        "only the phone whose files changed, and no retransmission once answered"
    );
    let push = wait_for_outcome(
        &server,
        "0004f214ab37",
        "acknowledged",
        Duration::from_secs(3),
    );
    assert_eq!(push["status"], 200);
    assert_eq!(push["attempts"], 1);
    assert_eq!(push["reason"], "change");
    assert_eq!(push["target"], format!("127.0.0.1:{}", peer.port()));
    assert_eq!(push["refetched"], false);
    assert!(push_of(&server, "0004f214ab38").is_null(), "not pushed");

    // The phone fetches its files again: the record says so.
    see(&server, &["0004f214ab37"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while push_of(&server, "0004f214ab37")["refetched"] != true {
        assert!(Instant::now() < deadline, "never marked re-fetched");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn pushes_are_paced_and_retransmitted_until_answered() {
    let server = start_with(&["--admin-token", TOKEN, "--push-rate", "4"]).await;
    let peer = Peer::new().await;
    sites_at(&server, peer.port());
    let phones = ["0004f214ab37", "0004f214ab38", "0004f2aa0001"];
    see(&server, &phones);
    // The default site's call server is every phone's primary or (branch) backup server.
    let reply = send_json(
        &server,
        "PUT",
        "/sites/default",
        r#"{"sip_server": "10.10.0.99"}"#,
    );
    assert_eq!(reply.status, 200);

    let mut first: HashMap<String, Received> = HashMap::new();
    let mut answered = 0;
    let deadline = Instant::now() + Duration::from_secs(10);
    while answered < phones.len() {
        assert!(Instant::now() < deadline, "{} of 3 answered", answered);
        let Some(notify) = peer.receive(Duration::from_secs(3)).await else {
            continue;
        };
        match first.get(&notify.branch()) {
            // The first time: no answer, so it must come again.
            None => {
                first.insert(notify.branch(), notify);
            }
            Some(original) => {
                let gap = notify.at - original.at;
                assert!(
                    gap >= Duration::from_millis(400),
                    "retransmitted after T1 (500 ms), not {gap:?}"
                );
                assert_eq!(notify.request_line, original.request_line);
                peer.answer(&notify, "200 OK").await;
                answered += 1;
            }
        }
    }
    let mut users: Vec<&str> = first
        .values()
        .map(|n| n.request_line.split(['@', ':']).nth(1).unwrap_or(""))
        .collect();
    users.sort();
    assert_eq!(users, ["201", "202", "3001"], "one NOTIFY per phone");
    let mut times: Vec<Instant> = first.values().map(|n| n.at).collect();
    times.sort();
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::from_millis(180),
            "paced at 4 per second, not {gap:?} apart"
        );
    }
    for mac in phones {
        let push = wait_for_outcome(&server, mac, "acknowledged", Duration::from_secs(3));
        assert_eq!(push["attempts"], 2, "{mac}");
    }
}

#[tokio::test]
async fn resync_on_demand_and_an_unanswered_push_is_recorded() {
    let server = start_with(&["--admin-token", TOKEN, "--push-timeout", "2"]).await;
    let peer = Peer::new().await;
    sites_at(&server, peer.port());
    see(&server, &["0004f214ab37"]);
    let reply = api(&server, "POST", "/phones/0004f214ab37/resync", &[]);
    assert_eq!(reply.status, 202);
    let mut arrivals = Vec::new();
    while let Some(notify) = peer.receive(Duration::from_millis(2500)).await {
        assert_eq!(notify.header("event"), "check-sync");
        arrivals.push(notify.at);
    }
    assert!(
        arrivals.len() >= 3,
        "sent at 0, 0.5 and 1.5 s before timer F at 2 s: {}",
        arrivals.len()
    );
    let push = wait_for_outcome(&server, "0004f214ab37", "no answer", Duration::from_secs(3));
    assert_eq!(push["reason"], "resync");
    assert!(push["status"].is_null());
    assert_eq!(push["attempts"], arrivals.len());

    assert_eq!(
        api(&server, "POST", "/phones/0004f2999999/resync", &[]).status,
        404
    );
    let unseen = api(&server, "POST", "/phones/0004f2aa0001/resync", &[]);
    assert_eq!(unseen.status, 409);
    assert!(String::from_utf8_lossy(&unseen.body).contains("never seen"));
}

/// An Aastra phone listens where its `<MAC>.cfg` says (`sip local port`; factory 5060, Mitel 6800
/// admin guide 4.2.0, 4-81): the push goes to that port, read here from the file the phone got.
#[tokio::test]
async fn an_aastra_phone_gets_the_push_on_the_port_its_files_set() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let peer = Peer::new().await;
    sites_at(&server, peer.port());
    let file = curl(
        &format!("{}/00085D1610DE.cfg", server.base),
        &["-A", AASTRA_UA],
    );
    assert_eq!(file.status, 200);
    let text = String::from_utf8(file.body).unwrap();
    let listens: u16 = text
        .lines()
        .find_map(|l| l.strip_prefix("sip local port: "))
        .expect("sip local port in <MAC>.cfg")
        .parse()
        .unwrap();
    assert_eq!(listens, peer.port(), "the phone listens on the site's port");
    let deadline = Instant::now() + Duration::from_secs(10);
    while json(&api(&server, "GET", "/phones/00085d1610de", &[]))["last_seen"].is_null() {
        assert!(Instant::now() < deadline, "never recorded as seen");
        std::thread::sleep(Duration::from_millis(100));
    }
    let notify = rename_and_receive(&server, &peer, "204", "Zoe Angstrom").await;
    assert_eq!(
        notify.request_line,
        format!("NOTIFY sip:204@127.0.0.1:{listens} SIP/2.0")
    );
    assert_eq!(notify.header("event"), "check-sync");
    peer.answer(&notify, "200 OK").await;
    wait_for_outcome(
        &server,
        "00085d1610de",
        "acknowledged",
        Duration::from_secs(3),
    );
}
