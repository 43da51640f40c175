//! DHCP allocate mode through the real binary, configured by a config file, with real relayed
//! packets over UDP on loopback: DISCOVER/OFFER/REQUEST/ACK, renew, a client choosing another
//! server, INIT-REBOOT after a restart (SIGKILL: the lease was stored before the ACK; invalid
//! stored rows are skipped), NAKs, DECLINE, RELEASE, an exhausted pool, many clients at once
//! never sharing an address, and leases listed and released by the admin API and the CLI.

use crate::common;

use std::collections::HashSet;
use std::net::Ipv4Addr;

use common::dhcp::{
    AASTRA_MAC, POLYCOM_MAC, Relay, SERVER, address_option, lease_time, polycom_class, relayed,
    server_id, text_option, with,
};
use common::server::{Server, TOKEN, api, json, start_with};
use dhcproto::v4::{DhcpOption, MessageType, OptionCode};

const CONFIG: &str = r#"
dhcp_listen = "127.0.0.1:0"
server_address = "192.0.2.10"

[[subnet]]
network = "127.0.0.0/8"
mode = "allocate"
pools = ["127.0.5.10-127.0.5.13"]
router = "127.0.0.1"
dns = ["127.0.0.53"]
domain = "voice.example"
lease_time = 600
reservations = [{ mac = "00085d1610de", address = "127.0.9.9" }]
"#;

/// The server on `config`, and the folder holding the file (kept for restarts).
async fn start_allocating(config: &str) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phoneprov.toml");
    std::fs::write(&path, config).unwrap();
    (start_with(&["--config", path.to_str().unwrap()]).await, dir)
}

fn address(text: &str) -> Ipv4Addr {
    text.parse().unwrap()
}

fn mac(n: u8) -> [u8; 6] {
    [0x00, 0x04, 0xf2, 0x00, 0x10, n]
}

#[tokio::test]
async fn leases_are_offered_acknowledged_renewed_and_kept_across_a_restart() {
    let (server, _config) = start_allocating(CONFIG).await;
    let relay = Relay::new(server.dhcp.expect("DHCP started")).await;

    // A Polycom phone: the offer carries the lease, the network options and the boot server.
    let discover = relayed(MessageType::Discover, POLYCOM_MAC, Some(polycom_class()), 1);
    let offer = relay.ask(&discover).await.expect("an offer");
    assert_eq!(offer.opts().msg_type(), Some(MessageType::Offer));
    assert_eq!(offer.yiaddr(), address("127.0.5.10"));
    assert_eq!(offer.xid(), 1);
    assert_eq!(lease_time(&offer), Some(600));
    assert_eq!(
        address_option(&offer, OptionCode::ServerIdentifier),
        Some(address(SERVER))
    );
    assert_eq!(
        address_option(&offer, OptionCode::SubnetMask),
        Some(address("255.0.0.0"))
    );
    assert_eq!(
        address_option(&offer, OptionCode::Router),
        Some(address("127.0.0.1"))
    );
    assert_eq!(
        address_option(&offer, OptionCode::DomainNameServer),
        Some(address("127.0.0.53"))
    );
    let ftp = format!("ftp://PlcmSpIp:PlcmSpIp@{SERVER}:{}/", server.ftp.port());
    assert_eq!(text_option(&offer, 160).as_deref(), Some(ftp.as_str()));
    assert_eq!(text_option(&offer, 66).as_deref(), Some(ftp.as_str()));

    let request = with(
        relayed(MessageType::Request, POLYCOM_MAC, Some(polycom_class()), 2),
        [server_id(), DhcpOption::RequestedIpAddress(offer.yiaddr())],
    );
    let ack = relay.ask(&request).await.expect("an ACK");
    assert_eq!(ack.opts().msg_type(), Some(MessageType::Ack));
    assert_eq!(ack.yiaddr(), address("127.0.5.10"));
    assert_eq!(lease_time(&ack), Some(600));
    assert_eq!(text_option(&ack, 160).as_deref(), Some(ftp.as_str()));

    // A second client gets another address; when it takes another server's offer, ours is
    // withdrawn at once and the next client gets it.
    let second = relay
        .ask(&relayed(MessageType::Discover, mac(2), None, 3))
        .await
        .expect("an offer");
    assert_eq!(second.yiaddr(), address("127.0.5.11"));
    let elsewhere = with(
        relayed(MessageType::Request, mac(2), None, 4),
        [
            DhcpOption::ServerIdentifier(address("192.0.2.99")),
            DhcpOption::RequestedIpAddress(address("10.9.9.9")),
        ],
    );
    assert!(relay.ask(&elsewhere).await.is_none(), "not ours to answer");
    assert_eq!(relay.dora(mac(3), 5).await, Some(address("127.0.5.12")));

    // Renewing: ciaddr set, no requested address or server id.
    let mut renew = relayed(MessageType::Request, POLYCOM_MAC, None, 6);
    renew.set_ciaddr(address("127.0.5.10"));
    let renewed = relay.ask(&renew).await.expect("a renewal ACK");
    assert_eq!(renewed.opts().msg_type(), Some(MessageType::Ack));
    assert_eq!(renewed.yiaddr(), address("127.0.5.10"));
    assert_eq!(renewed.ciaddr(), address("127.0.5.10"));

    // The Aastra phone gets its reservation, outside the pool.
    assert_eq!(relay.dora(AASTRA_MAC, 7).await, Some(address("127.0.9.9")));

    // A row that holds no valid lease, and one of a subnet no longer configured: the server
    // logs and skips them, and starts.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&server.db.url).await.unwrap();
    for (address, subnet) in [
        ("not-an-address", "127.0.0.0/8"),
        ("10.1.1.1", "10.1.0.0/16"),
    ] {
        sqlx::query(
            "INSERT INTO dhcp_leases (address, client, hardware, subnet, state, expires_at_ms, \
             updated_at_ms) VALUES ($1, '01aa', 'aa', $2, 'leased', 9999999999999, 0)",
        )
        .bind(address)
        .bind(subnet)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;

    // Killed and started again: the leases were stored before their ACKs.
    let server = server.restart();
    let relay = Relay::new(server.dhcp.expect("DHCP started")).await;
    let init_reboot = |requested: &str, xid| {
        with(
            relayed(MessageType::Request, POLYCOM_MAC, None, xid),
            [DhcpOption::RequestedIpAddress(address(requested))],
        )
    };
    let ack = relay
        .ask(&init_reboot("127.0.5.10", 8))
        .await
        .expect("INIT-REBOOT of a stored lease is acknowledged");
    assert_eq!(ack.opts().msg_type(), Some(MessageType::Ack));
    assert_eq!(ack.yiaddr(), address("127.0.5.10"));
    // The same client asking for an address that is not its own is refused, broadcast by the
    // relay.
    let nak = relay
        .ask(&init_reboot("127.0.5.13", 9))
        .await
        .expect("a NAK");
    assert_eq!(nak.opts().msg_type(), Some(MessageType::Nak));
    assert!(nak.flags().broadcast());
    assert_eq!(nak.yiaddr(), Ipv4Addr::UNSPECIFIED);
    // A client we have no record of gets silence (another server may know it).
    let stranger = with(
        relayed(MessageType::Request, mac(9), None, 10),
        [DhcpOption::RequestedIpAddress(address("127.0.5.13"))],
    );
    assert!(relay.ask(&stranger).await.is_none());
    // A new client still never gets a held address.
    assert_eq!(relay.dora(mac(4), 11).await, Some(address("127.0.5.11")));
}

#[tokio::test]
async fn declined_addresses_rest_released_ones_return_and_full_pools_are_silent() {
    let (server, _config) = start_allocating(CONFIG).await;
    let relay = Relay::new(server.dhcp.expect("DHCP started")).await;
    let mut held = Vec::new();
    for n in 1..=4 {
        held.push(relay.dora(mac(n), u32::from(n)).await.expect("a lease"));
    }
    assert_eq!(
        held.iter().collect::<HashSet<_>>().len(),
        4,
        "four addresses"
    );
    let full = relayed(MessageType::Discover, mac(5), None, 20);
    assert!(relay.ask(&full).await.is_none(), "the pool is full");

    // Client 1 finds its address in use and declines it: nobody gets it.
    let decline = with(
        relayed(MessageType::Decline, mac(1), None, 21),
        [server_id(), DhcpOption::RequestedIpAddress(held[0])],
    );
    assert!(
        relay.ask(&decline).await.is_none(),
        "a DECLINE gets no answer"
    );
    assert!(relay.ask(&full).await.is_none(), "declined is not free");

    // Client 2 releases: its address goes to the next client.
    let mut release = with(
        relayed(MessageType::Release, mac(2), None, 22),
        [server_id()],
    );
    release.set_ciaddr(held[1]);
    assert!(
        relay.ask(&release).await.is_none(),
        "a RELEASE gets no answer"
    );
    assert_eq!(relay.dora(mac(5), 23).await, Some(held[1]));
    // A RELEASE of someone else's address changes nothing.
    let mut foreign = with(
        relayed(MessageType::Release, mac(9), None, 24),
        [server_id()],
    );
    foreign.set_ciaddr(held[2]);
    assert!(relay.ask(&foreign).await.is_none());
    let mut renew = relayed(MessageType::Request, mac(3), None, 25);
    renew.set_ciaddr(held[2]);
    let renewed = relay.ask(&renew).await.expect("still client 3's");
    assert_eq!(renewed.opts().msg_type(), Some(MessageType::Ack));
}

#[tokio::test]
async fn many_clients_at_once_never_share_an_address() {
    let config = CONFIG.replace("127.0.5.10-127.0.5.13", "127.0.6.1-127.0.6.250");
    let (server, _config) = start_allocating(&config).await;
    let dhcp = server.dhcp.expect("DHCP started");
    let clients = (1..=200u32).map(|n| {
        tokio::spawn(async move {
            let relay = Relay::new(dhcp).await;
            let mac = [0x02, 0x00, 0x00, 0x00, (n >> 8) as u8, n as u8];
            // Retried like a real client: a busy server may miss a packet.
            for attempt in 0..3 {
                if let Some(address) = relay.dora(mac, n * 10 + attempt).await {
                    return Some(address);
                }
            }
            None
        })
    });
    let mut addresses = Vec::new();
    for client in clients.collect::<Vec<_>>() {
        addresses.push(client.await.unwrap().expect("every client gets a lease"));
    }
    let distinct: HashSet<_> = addresses.iter().collect();
    assert_eq!(distinct.len(), addresses.len(), "no address given twice");
}

#[tokio::test]
async fn admins_list_and_release_leases_through_the_api_and_the_cli() {
    let config = format!("admin_token = {TOKEN:?}\n{CONFIG}");
    let (server, _config) = start_allocating(&config).await;
    let relay = Relay::new(server.dhcp.expect("DHCP started")).await;
    let first = relay.dora(mac(1), 1).await.expect("a lease");
    let second = relay.dora(mac(2), 2).await.expect("a lease");
    let listed = json(&api(&server, "GET", "/dhcp/leases", &[]));
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{listed}");
    assert_eq!(rows[0]["address"], first.to_string());
    assert_eq!(rows[0]["hardware"], "00:04:f2:00:10:01");
    assert_eq!(rows[0]["subnet"], "127.0.0.0/8");
    assert_eq!(rows[0]["state"], "leased");
    assert_eq!(rows[0]["active"], true);

    let path = format!("/dhcp/leases/{first}");
    let released = api(&server, "DELETE", &path, &[]);
    assert_eq!(released.status, 200);
    assert_eq!(json(&released)["state"], "released");
    assert_eq!(api(&server, "DELETE", &path, &[]).status, 404, "once");
    assert_eq!(
        api(&server, "DELETE", "/dhcp/leases/no-address", &[]).status,
        400
    );
    // The running server took the release: once the rest of the pool is gone, the released
    // address goes to a new client.
    for n in 3..=4 {
        relay.dora(mac(n), u32::from(n)).await.expect("a lease");
    }
    assert_eq!(relay.dora(mac(5), 5).await, Some(first));

    let metrics = common::server::curl(&format!("{}/metrics", server.base), &[]);
    let text = String::from_utf8(metrics.body).unwrap();
    for counter in [
        r#"phoneprov_dhcp_requests_total{type="discover"}"#,
        r#"phoneprov_dhcp_requests_total{type="request"}"#,
        r#"phoneprov_dhcp_replies_total{type="offer"}"#,
        r#"phoneprov_dhcp_replies_total{type="ack"}"#,
    ] {
        assert!(text.contains(counter), "{counter}: {text}");
    }

    // With the server stopped, the CLI lists and releases.
    let db = server.stop();
    let out = db.run(&["leases"]);
    common::assert_success(&out, "leases");
    let text = common::stdout(&out);
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains(&second.to_string()), "{text}");
    let out = db.run(&["leases", "release", &second.to_string()]);
    common::assert_success(&out, "leases release");
    let out = db.run(&["leases", "release", &second.to_string()]);
    assert!(!out.status.success(), "nothing left to release");
    assert!(common::stderr(&out).contains("no active lease"));
    let out = db.run(&["leases", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["address"] == second.to_string())
        .unwrap();
    assert_eq!(row["state"], "released");
    assert_eq!(row["active"], false);
}
