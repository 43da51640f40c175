//! Two `phoneprov serve` nodes on one PostgreSQL database, as behind a load balancer: admin
//! writes through either node are served by the other within a second while both serve phones;
//! 2 x 2,000 DHCP clients, each node's own 2,000 relayed to it alone, all from one pool, never
//! get one address twice (the nodes offer the same addresses; the database decides); a ban set
//! on one node holds on the other, and so does a trust-on-first-use binding.
//!
//! PostgreSQL only (SQLite is one machine's file): skipped without `PHONEPROV_TEST_POSTGRES_URL`,
//! failed without it when `PHONEPROV_TEST_REQUIRE_POSTGRES` is set (as `scripts/test` sets it).

use crate::common;

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::dhcp::{relayed, with};
use common::relay::Relay;
use common::server::{
    Server, TOKEN, api, curl, fetch_all, fetch_from, send_json, start_on, trust_first_address,
};
use common::{TestDb, golden_deployment, postgres_admin_url, postgres_db};
use dhcproto::v4::{DhcpOption, MessageType, OptionCode};

/// DHCP clients per node.
const CLIENTS_PER_NODE: usize = 2_000;
/// Attempts (DISCOVER to ACK) a client makes before the test gives up on it.
const ATTEMPTS: u32 = 40;
/// The longest an admin change may take to be served by the other node.
const COHERENCE: Duration = Duration::from_secs(1);

/// A node's config file: one allocate-mode subnet, the same pool on both nodes, and the node's
/// own server identifier.
fn node_config(dir: &std::path::Path, node: u8) -> String {
    let text = format!(
        r#"
dhcp_listen = "127.0.0.1:0"
server_address = "192.0.2.1{node}"

[[subnet]]
network = "127.0.0.0/8"
mode = "allocate"
pools = ["127.1.0.0-127.1.31.255"]
router = "127.0.0.1"
lease_time = 3600
"#
    );
    let path = dir.join(format!("node{node}.toml"));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Two nodes on one new PostgreSQL database holding the golden deployment; they share the data
/// key, as the nodes of a deployment must.
async fn two_nodes(admin_url: &str, extra: &[&str]) -> (Server, Server, tempfile::TempDir) {
    let first = postgres_db(admin_url).await;
    let store = first.open().await;
    golden_deployment(&store).await;
    store.close().await;
    let second = TestDb {
        backend: first.backend,
        url: first.url.clone(),
        dir: tempfile::tempdir().unwrap(),
    };
    let key = phoneprov::store::secrets::KEY_FILE;
    std::fs::copy(first.dir.path().join(key), second.dir.path().join(key)).unwrap();
    let configs = tempfile::tempdir().unwrap();
    let node = |db: TestDb, n: u8| {
        let config = node_config(configs.path(), n);
        let mut args = vec!["--admin-token", TOKEN, "--config", config.as_str()];
        args.extend_from_slice(extra);
        start_on(db, &args)
    };
    let a = node(first, 1);
    let b = node(second, 2);
    (a, b, configs)
}

/// How long after a change through `writer` the `reader` serves `file` with `expected` in it.
fn served_after(reader: &Server, file: &str, expected: &str) -> Duration {
    let started = Instant::now();
    loop {
        let reply = curl(&format!("{}/{file}", reader.base), &[]);
        if reply.status == 200 && String::from_utf8_lossy(&reply.body).contains(expected) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{file} never showed {expected:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Fetches phone files from both nodes until `stop` is set, as phones booting meanwhile: one curl
/// process a round asks both nodes for four files each (keep-alive); the statuses other than 200.
fn fetch_until(nodes: [String; 2], stop: Arc<Mutex<bool>>) -> Vec<String> {
    let files = [
        "0004f214ab37.cfg",
        "201.cfg",
        "00085d1610de.cfg",
        "aastra.cfg",
    ];
    let urls: Vec<String> = nodes
        .iter()
        .flat_map(|base| files.map(|file| format!("{base}/{file}")))
        .collect();
    let mut failures = Vec::new();
    while !*stop.lock().unwrap() {
        let statuses = fetch_all("127.0.0.1", &urls, "%{response_code}\n", &[]);
        assert_eq!(statuses.len(), urls.len(), "{statuses:?}");
        failures.extend(statuses.into_iter().filter(|s| s != "200"));
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_share_one_database() {
    let Some(admin_url) = postgres_admin_url() else {
        return;
    };
    let (a, b, _configs) = two_nodes(&admin_url, &["--ban-after", "5"]).await;

    // Admin writes through either node, while phones fetch from both.
    let stop = Arc::new(Mutex::new(false));
    let fetcher = {
        let nodes = [a.base.clone(), b.base.clone()];
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || fetch_until(nodes, stop))
    };
    let mut slowest = Duration::ZERO;
    for round in 0..10 {
        let (writer, reader) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let name = format!("Node Round {round}");
        let body = format!(r#"{{"display_name": "{name}"}}"#);
        let written = send_json(writer, "PUT", "/extensions/201", &body);
        assert_eq!(
            written.status,
            200,
            "{}",
            String::from_utf8_lossy(&written.body)
        );
        let took = served_after(reader, "201.cfg", &name);
        assert!(took < COHERENCE, "round {round}: served after {took:?}");
        slowest = slowest.max(took);
    }
    *stop.lock().unwrap() = true;
    let failures = fetcher.join().unwrap();
    assert!(
        failures.is_empty(),
        "fetches failed meanwhile: {failures:?}"
    );
    eprintln!("slowest change served by the other node after {slowest:?}");

    // A ban set by node A holds on node B, and lifting it on B lifts it on A.
    let guesses: Vec<String> = (0..6)
        .map(|i| format!("{}/0004f2aa00{i:02x}.cfg", a.base))
        .collect();
    for url in &guesses {
        curl(url, &["--interface", "127.0.0.7"]);
    }
    let banned_on = |node: &Server| {
        let bans = api(node, "GET", "/bans", &[]);
        String::from_utf8_lossy(&bans.body).contains("127.0.0.7")
    };
    assert!(banned_on(&a));
    wait_until("the ban reaches node B", || banned_on(&b));
    let master = |node: &Server| fetch_from(node, "127.0.0.7", "0004f214ab37.cfg");
    assert_eq!(master(&b), 403, "node B enforces node A's ban");
    assert_eq!(api(&b, "DELETE", "/bans/127.0.0.7", &[]).status, 204);
    wait_until("the lift reaches node A", || !banned_on(&a));
    assert_eq!(master(&a), 200);

    // A phone bound (trust on first use) through node A is refused to other addresses on B.
    trust_first_address(&a);
    let fetch = fetch_from;
    assert_eq!(fetch(&a, "127.0.0.8", "0004f214ab37.cfg"), 200);
    assert_eq!(fetch(&a, "127.0.0.8", "201.cfg"), 200);
    // A change written after the setting shows when node B has both.
    let marked = send_json(
        &a,
        "PUT",
        "/extensions/201",
        r#"{"display_name": "After Binding"}"#,
    );
    assert_eq!(marked.status, 200);
    wait_until("node B serves the new site setting", || {
        fetch(&b, "127.0.0.8", "0004f214ab37.cfg") == 200
            && String::from_utf8_lossy(
                &curl(
                    &format!("{}/201.cfg", b.base),
                    &["--interface", "127.0.0.8"],
                )
                .body,
            )
            .contains("After Binding")
    });
    assert_eq!(fetch(&b, "127.0.0.9", "0004f214ab37.cfg"), 200);
    assert_eq!(
        fetch(&b, "127.0.0.9", "201.cfg"),
        404,
        "another address never gets the credentials from node B"
    );

    // 2 x 2,000 DHCP clients at once, each node's relayed to it alone, one pool.
    let nodes = [a.dhcp.expect("DHCP on A"), b.dhcp.expect("DHCP on B")];
    let outcome = dhcp_storm(nodes).await;
    assert_eq!(
        outcome.acked.len(),
        2 * CLIENTS_PER_NODE,
        "every client got a lease ({} did not)",
        2 * CLIENTS_PER_NODE - outcome.acked.len()
    );
    let addresses: HashSet<Ipv4Addr> = outcome.acked.values().copied().collect();
    assert_eq!(
        addresses.len(),
        outcome.acked.len(),
        "no address was acknowledged to two clients"
    );
    assert!(
        outcome.naks > 0,
        "the nodes offered the same addresses, so some requests were refused"
    );
    eprintln!(
        "{} clients acknowledged, {} NAKs, {} attempts",
        outcome.acked.len(),
        outcome.naks,
        outcome.attempts
    );

    // What the database holds agrees with what the clients were told.
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&a.db.url)
        .await
        .unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT address, hardware FROM dhcp_leases WHERE state = 'leased' AND expires_at_ms > $1",
    )
    .bind(phoneprov::clock::now_ms())
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let stored: HashMap<Ipv4Addr, String> = rows
        .into_iter()
        .map(|(address, hardware)| (address.parse().unwrap(), hardware))
        .collect();
    assert_eq!(stored.len(), 2 * CLIENTS_PER_NODE);
    for (mac, address) in &outcome.acked {
        assert_eq!(stored.get(address), Some(&hardware_text(mac)), "{address}");
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what}: not within 5 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn hardware_text(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// What the DHCP clients got.
struct StormOutcome {
    /// Each client's acknowledged address.
    acked: HashMap<[u8; 6], Ipv4Addr>,
    naks: usize,
    attempts: usize,
}

/// One client's DORA, tried again after a NAK or silence: its address, NAKs, attempts.
async fn client(relay: Arc<Relay>, mac: [u8; 6], id: u32) -> (Option<Ipv4Addr>, usize, usize) {
    let mut naks = 0;
    for attempt in 0..ATTEMPTS {
        let xid = (id << 8) | attempt;
        let discover = relayed(MessageType::Discover, mac, None, xid);
        let Some(offer) = relay.ask(&discover, Duration::from_secs(2)).await else {
            continue;
        };
        let Some(DhcpOption::ServerIdentifier(server)) =
            offer.opts().get(OptionCode::ServerIdentifier).cloned()
        else {
            continue;
        };
        let request = with(
            relayed(MessageType::Request, mac, None, xid),
            [
                DhcpOption::ServerIdentifier(server),
                DhcpOption::RequestedIpAddress(offer.yiaddr()),
            ],
        );
        match relay.ask(&request, Duration::from_secs(2)).await {
            Some(ack) if ack.opts().msg_type() == Some(MessageType::Ack) => {
                return (Some(ack.yiaddr()), naks, attempt as usize + 1);
            }
            Some(_) => naks += 1,
            None => {}
        }
    }
    (None, naks, ATTEMPTS as usize)
}

async fn dhcp_storm(nodes: [SocketAddr; 2]) -> StormOutcome {
    let mut clients = Vec::new();
    for (n, node) in nodes.into_iter().enumerate() {
        let relay = Relay::new(node).await.unwrap();
        for i in 0..CLIENTS_PER_NODE {
            let mac = [0x02, 0xaa + n as u8, 0, 0, (i >> 8) as u8, i as u8];
            let id = ((n as u32) << 16) | i as u32;
            let relay = Arc::clone(&relay);
            clients.push(tokio::spawn(
                async move { (mac, client(relay, mac, id).await) },
            ));
        }
    }
    let mut outcome = StormOutcome {
        acked: HashMap::new(),
        naks: 0,
        attempts: 0,
    };
    for handle in clients {
        let (mac, (address, naks, attempts)) = handle.await.unwrap();
        outcome.naks += naks;
        outcome.attempts += attempts;
        if let Some(address) = address {
            outcome.acked.insert(mac, address);
        }
    }
    outcome
}
