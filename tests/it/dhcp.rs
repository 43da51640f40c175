//! DHCP inform mode through the real binary, with real packets over UDP on loopback: a test
//! socket plays the router's relay (giaddr set, option 82 with the RFC 8357 relay source port
//! sub-option, so answers come back to it). A Polycom's DHCPINFORM gets options 160 and 66, an
//! Aastra's gets 66 and 43, a Yealink's 66 (and the custom option the admin names); DISCOVER and
//! REQUEST, non-phones and malformed packets get nothing.

use crate::common;

use std::net::Ipv4Addr;

use common::dhcp::{
    AASTRA_MAC, OTHER_MAC, POLYCOM_MAC, SERVER, exchange, polycom_class, relayed, text_option,
    wire_option_codes,
};
use common::server::{Server, start_with};
use dhcproto::v4::{DhcpOption, Message, MessageType, Opcode, OptionCode};
use dhcproto::{Decodable, Decoder, Encodable};

async fn start() -> Server {
    start_with(&["--dhcp-listen", "127.0.0.1:0", "--server-address", SERVER]).await
}

#[tokio::test]
async fn phones_get_their_boot_server_from_an_inform() {
    let server = start().await;
    let dhcp = server.dhcp.expect("DHCP started");
    let request = relayed(
        MessageType::Inform,
        POLYCOM_MAC,
        Some(polycom_class()),
        0x1234,
    );
    let answer = exchange(dhcp, &request.to_vec().unwrap())
        .await
        .expect("an answer to a Polycom's INFORM");
    assert!(answer.len() >= 300, "padded to the BOOTP minimum");
    assert!(answer.len() <= 576);
    let reply = Message::decode(&mut Decoder::new(&answer)).unwrap();
    assert_eq!(reply.opcode(), Opcode::BootReply);
    assert_eq!(reply.xid(), 0x1234);
    assert_eq!(reply.chaddr(), POLYCOM_MAC);
    assert_eq!(reply.giaddr(), Ipv4Addr::LOCALHOST);
    assert_eq!(reply.ciaddr(), Ipv4Addr::new(10, 1, 2, 3));
    assert_eq!(
        reply.yiaddr(),
        Ipv4Addr::UNSPECIFIED,
        "no address in inform mode"
    );
    assert_eq!(reply.opts().msg_type(), Some(MessageType::Ack));
    assert_eq!(
        reply.opts().get(OptionCode::ServerIdentifier),
        Some(&DhcpOption::ServerIdentifier(SERVER.parse().unwrap()))
    );
    assert!(
        reply.opts().get(OptionCode::AddressLeaseTime).is_none(),
        "no lease time"
    );
    let url = format!("ftp://PlcmSpIp:PlcmSpIp@{SERVER}:{}/", server.ftp.port());
    assert_eq!(
        text_option(&reply, 160).as_deref(),
        Some(url.as_str()),
        "forced, not requested"
    );
    assert_eq!(text_option(&reply, 66).as_deref(), Some(url.as_str()));
    assert!(!url.ends_with('\0'));
    assert!(
        reply
            .opts()
            .get(OptionCode::RelayAgentInformation)
            .is_some(),
        "82 echoed"
    );
    // On the wire, option 82 is the last option before the end marker.
    let codes = wire_option_codes(&answer);
    assert_eq!(codes.last(), Some(&82), "{codes:?}");
    assert!(codes.contains(&160) && codes.contains(&66), "{codes:?}");

    // An Aastra phone by its vendor class, and a Polycom by its MAC alone.
    let aastra = relayed(
        MessageType::Inform,
        AASTRA_MAC,
        Some(b"AastraIPPhone6757i".to_vec()),
        7,
    );
    let answer = exchange(dhcp, &aastra.to_vec().unwrap())
        .await
        .expect("an answer");
    let reply = Message::decode(&mut Decoder::new(&answer)).unwrap();
    let http = format!(
        "http://{SERVER}:{}/",
        server.base.rsplit(':').next().unwrap()
    );
    assert_eq!(text_option(&reply, 66).as_deref(), Some(http.as_str()));
    let mut sub_option = vec![2u8, http.len() as u8];
    sub_option.extend_from_slice(http.as_bytes());
    assert_eq!(
        reply.opts().get(OptionCode::VendorExtensions),
        Some(&DhcpOption::VendorExtensions(sub_option))
    );
    assert!(reply.opts().get(OptionCode::from(160)).is_none());
    let by_mac = relayed(MessageType::Inform, POLYCOM_MAC, None, 8);
    let answer = exchange(dhcp, &by_mac.to_vec().unwrap())
        .await
        .expect("an answer");
    let reply = Message::decode(&mut Decoder::new(&answer)).unwrap();
    assert_eq!(text_option(&reply, 160).as_deref(), Some(url.as_str()));
}

#[tokio::test]
async fn inform_mode_is_silent_to_everything_else() {
    let server = start().await;
    let dhcp = server.dhcp.expect("DHCP started");
    for kind in [
        MessageType::Discover,
        MessageType::Request,
        MessageType::Release,
    ] {
        let request = relayed(kind, POLYCOM_MAC, Some(polycom_class()), 1);
        assert_eq!(
            exchange(dhcp, &request.to_vec().unwrap()).await,
            None,
            "{kind:?}"
        );
    }
    let laptop = relayed(
        MessageType::Inform,
        OTHER_MAC,
        Some(b"MSFT 5.0".to_vec()),
        2,
    );
    assert_eq!(
        exchange(dhcp, &laptop.to_vec().unwrap()).await,
        None,
        "not a phone"
    );
    let good = relayed(MessageType::Inform, POLYCOM_MAC, Some(polycom_class()), 3)
        .to_vec()
        .unwrap();
    let mut oversized = good.clone();
    oversized.resize(4000, 0xff);
    // A hardware address length over 16 made dhcproto panic, which ended the DHCP task.
    let mut long_hardware = good.clone();
    long_hardware[2] = 17;
    for bad in [
        Vec::new(),
        vec![0xff; 10],
        good[..100].to_vec(),
        good[..good.len() - 20].to_vec(),
        oversized,
        long_hardware,
    ] {
        assert_eq!(exchange(dhcp, &bad).await, None, "{} bytes", bad.len());
    }
    assert!(exchange(dhcp, &good).await.is_some(), "still answering");
    let metrics = common::server::curl(&format!("{}/metrics", server.base), &[]);
    let text = String::from_utf8(metrics.body).unwrap();
    assert!(
        text.contains("phoneprov_dhcp_requests_total{type=\"inform\"}"),
        "{text}"
    );
    assert!(
        text.contains("phoneprov_dhcp_requests_total{type=\"discover\"}"),
        "{text}"
    );
}

#[tokio::test]
async fn the_option_code_and_urls_are_configurable() {
    let server = start_with(&[
        "--dhcp-listen",
        "127.0.0.1:0",
        "--server-address",
        SERVER,
        "--dhcp-polycom-option",
        "161",
        "--dhcp-no-option-66",
        "--dhcp-polycom-url",
        "https://prov.example/polycom/",
        "--dhcp-aastra-url",
        "https://prov.example/aastra/",
    ])
    .await;
    let dhcp = server.dhcp.expect("DHCP started");
    let request = relayed(MessageType::Inform, POLYCOM_MAC, Some(polycom_class()), 11);
    let answer = exchange(dhcp, &request.to_vec().unwrap())
        .await
        .expect("an answer");
    let reply = Message::decode(&mut Decoder::new(&answer)).unwrap();
    assert_eq!(
        text_option(&reply, 161).as_deref(),
        Some("https://prov.example/polycom/")
    );
    assert_eq!(text_option(&reply, 160), None);
    assert_eq!(text_option(&reply, 66), None);
    let aastra = relayed(MessageType::Inform, AASTRA_MAC, None, 12);
    let answer = exchange(dhcp, &aastra.to_vec().unwrap())
        .await
        .expect("an answer");
    let reply = Message::decode(&mut Decoder::new(&answer)).unwrap();
    assert_eq!(
        text_option(&reply, 66).as_deref(),
        Some("https://prov.example/aastra/")
    );
}

/// A Yealink phone tries a custom DHCP option first, then option 66, then 43 (Yealink T5 guide,
/// "Obtaining the Provisioning Server Address"; the custom code is whatever the phone is set to
/// read, 128 to 254): by its vendor class or its MAC prefix alone it gets option 66, and the
/// admin's custom option too when one is named; never Polycom's 160.
#[tokio::test]
async fn yealink_phones_get_option_66_and_the_custom_option_the_admin_names() {
    const YEALINK_MAC: [u8; 6] = [0x00, 0x15, 0x65, 0xaa, 0x00, 0x01];
    let ask = |server: &Server, class: Option<Vec<u8>>, xid: u32| {
        let dhcp = server.dhcp.expect("DHCP started");
        let request = relayed(MessageType::Inform, YEALINK_MAC, class, xid);
        async move {
            let answer = exchange(dhcp, &request.to_vec().unwrap())
                .await
                .expect("an answer to a Yealink's INFORM");
            Message::decode(&mut Decoder::new(&answer)).unwrap()
        }
    };
    let server = start().await;
    let http = format!("http://{SERVER}:{}/", server.http_port());
    for (class, xid) in [(Some(b"yealink".to_vec()), 21), (None, 22)] {
        let reply = ask(&server, class, xid).await;
        assert_eq!(text_option(&reply, 66).as_deref(), Some(http.as_str()));
        assert_eq!(text_option(&reply, 160), None, "Polycom's option");
        assert_eq!(text_option(&reply, 200), None, "no custom option named");
    }
    drop(server);

    let server = start_with(&[
        "--dhcp-listen",
        "127.0.0.1:0",
        "--server-address",
        SERVER,
        "--dhcp-yealink-option",
        "200",
        "--dhcp-yealink-url",
        "https://prov.example/yealink/",
    ])
    .await;
    let reply = ask(&server, Some(b"yealink".to_vec()), 23).await;
    for code in [200, 66] {
        assert_eq!(
            text_option(&reply, code).as_deref(),
            Some("https://prov.example/yealink/"),
            "option {code}"
        );
    }
    assert_eq!(text_option(&reply, 160), None);
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_phoneprov"))
        .args(["serve", "--dhcp-yealink-option", "66"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("not an option code from 128 to 254"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
