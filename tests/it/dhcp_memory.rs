//! The DHCP server on the in-memory lease store: no database, the server in this process, real
//! relayed packets over UDP on loopback. A phone's DISCOVER/REQUEST is acknowledged and the
//! lease is stored before the ACK; a second client never gets that address; a server started
//! again on the same store acknowledges the phone's INIT-REBOOT for its address, and a pool
//! that runs out answers nothing.

use std::net::SocketAddr;
use std::sync::Arc;

use dhcproto::v4::{DhcpOption, MessageType};
use phoneprov::dhcp::server::DhcpServer;
use phoneprov::store::{LeaseStore, MemoryLeases};

use crate::common::dhcp::{Relay, relayed, with};

fn mac(n: u8) -> [u8; 6] {
    [0x00, 0x04, 0xf2, 0x00, 0x20, n]
}

async fn start(leases: &Arc<MemoryLeases>) -> DhcpServer {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let (server, _control) = DhcpServer::start(
        loopback,
        phoneprov::testing::fuzz_responder(),
        leases.clone(),
    )
    .await
    .expect("DHCP starts");
    server
}

#[tokio::test]
async fn leases_live_in_memory_across_a_restart_of_the_server() {
    let leases = Arc::new(MemoryLeases::default());
    let server = start(&leases).await;
    let relay = Relay::new(server.address()).await;

    let phone = relay.dora(mac(1), 10).await.expect("the phone's lease");
    let stored = leases.leases().await.unwrap();
    assert_eq!(stored.len(), 1, "stored before the ACK");
    assert_eq!(stored[0].as_ref().unwrap().address, phone);

    let other = relay.dora(mac(2), 20).await.expect("another lease");
    assert_ne!(other, phone, "one address, one client");
    server.stop();

    // Started again on the same store: the phone's INIT-REBOOT keeps its address.
    let server = start(&leases).await;
    let relay = Relay::new(server.address()).await;
    let reboot = with(
        relayed(MessageType::Request, mac(1), None, 30),
        [DhcpOption::RequestedIpAddress(phone)],
    );
    let ack = relay.ask(&reboot).await.expect("an answer to INIT-REBOOT");
    assert_eq!(ack.opts().msg_type(), Some(MessageType::Ack));
    assert_eq!(ack.yiaddr(), phone);

    // The pool holds 8 addresses (127.0.5.1-8): the ninth client gets no offer.
    let mut given = vec![phone, other];
    for n in 3..=8 {
        given.push(
            relay
                .dora(mac(n), 100 + u32::from(n) * 2)
                .await
                .expect("a lease"),
        );
    }
    given.sort();
    given.dedup();
    assert_eq!(given.len(), 8, "eight clients, eight addresses");
    assert!(
        relay
            .ask(&relayed(MessageType::Discover, mac(9), None, 999))
            .await
            .is_none(),
        "an exhausted pool offers nothing"
    );
    server.stop();
}
