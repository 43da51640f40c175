//! DHCP test client pieces: requests as a router's relay forwards them (giaddr 127.0.0.1,
//! option 82 with the RFC 8357 relay source port sub-option, so answers come back to the test's
//! own socket), and reading the options of the answers.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use dhcproto::v4::{DhcpOption, Message, MessageType, OptionCode};
use tokio::net::UdpSocket;

use super::relay::relayed_request;

pub const SERVER: &str = "192.0.2.10";
pub const POLYCOM_MAC: [u8; 6] = [0x00, 0x04, 0xf2, 0x14, 0xab, 0x37];
pub const AASTRA_MAC: [u8; 6] = [0x00, 0x08, 0x5d, 0x16, 0x10, 0xde];
pub const OTHER_MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

/// The binary vendor class of a Polycom phone (RFC 3925 layout, enterprise 13885).
pub fn polycom_class() -> Vec<u8> {
    let mut class = vec![0x00, 0x00, 0x36, 0x3d, 0x2a];
    for sub in [&b"Polycom"[..], b"SoundPointIP-SPIP_331", b"SIP/3.2.7.0198"] {
        class.push(2);
        class.push(sub.len() as u8);
        class.extend_from_slice(sub);
    }
    class
}

/// A relayed request as the router forwards it.
pub fn relayed(kind: MessageType, mac: [u8; 6], class: Option<Vec<u8>>, xid: u32) -> Message {
    let ciaddr = if kind == MessageType::Inform {
        Ipv4Addr::new(10, 1, 2, 3)
    } else {
        Ipv4Addr::UNSPECIFIED
    };
    let asked = vec![OptionCode::SubnetMask, OptionCode::Router];
    relayed_request(kind, &mac, ciaddr, xid, asked, class)
}

/// Sends `packet` from a fresh relay socket and returns the answer, if one comes within 1 s.
pub async fn exchange(to: SocketAddr, packet: &[u8]) -> Option<Vec<u8>> {
    let relay = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    relay.send_to(packet, to).await.unwrap();
    let mut buffer = vec![0u8; 2048];
    match tokio::time::timeout(Duration::from_secs(1), relay.recv_from(&mut buffer)).await {
        Ok(Ok((length, from))) => {
            assert_eq!(from, to, "answers come from the server's socket");
            Some(buffer[..length].to_vec())
        }
        _ => None,
    }
}

/// The option codes of an encoded message, in wire order (after the 236-byte header and the
/// magic cookie, up to the end marker).
pub fn wire_option_codes(packet: &[u8]) -> Vec<u8> {
    let mut codes = Vec::new();
    let mut at = 240;
    while let Some(&code) = packet.get(at) {
        match code {
            0 => at += 1,
            255 => break,
            _ => {
                codes.push(code);
                at += 2 + usize::from(packet[at + 1]);
            }
        }
    }
    codes
}

pub fn text_option(reply: &Message, code: u8) -> Option<String> {
    let bytes = match reply.opts().get(OptionCode::from(code))? {
        DhcpOption::TFTPServerName(bytes) | DhcpOption::VendorExtensions(bytes) => bytes.clone(),
        DhcpOption::Unknown(unknown) => unknown.data().to_vec(),
        other => panic!("option {code} is {other:?}"),
    };
    Some(String::from_utf8(bytes).unwrap())
}

/// A relay socket kept for a conversation: requests go out from it, answers come back to it.
pub struct Relay {
    socket: UdpSocket,
    server: SocketAddr,
}

impl Relay {
    /// A relay in front of the DHCP server at `server`.
    pub async fn new(server: SocketAddr) -> Relay {
        Relay {
            socket: UdpSocket::bind("127.0.0.1:0").await.unwrap(),
            server,
        }
    }

    /// Sends `request`; the answer, if one comes within `wait`.
    pub async fn ask_within(&self, request: &Message, wait: Duration) -> Option<Message> {
        use dhcproto::{Decodable, Decoder, Encodable};
        self.socket
            .send_to(&request.to_vec().unwrap(), self.server)
            .await
            .unwrap();
        let mut buffer = vec![0u8; 2048];
        let (length, _) = tokio::time::timeout(wait, self.socket.recv_from(&mut buffer))
            .await
            .ok()?
            .ok()?;
        Some(Message::decode(&mut Decoder::new(&buffer[..length])).expect("a DHCP answer"))
    }

    /// Sends `request`; the answer, if one comes within 3 s (the server shares the machine with
    /// the other tests of the binary, some of them heavy).
    pub async fn ask(&self, request: &Message) -> Option<Message> {
        self.ask_within(request, Duration::from_secs(3)).await
    }

    /// DISCOVER then REQUEST (one transaction id, as a client keeps) for `mac`; the address
    /// acknowledged, which must be the one offered, or `None` when an answer did not come.
    pub async fn dora(&self, mac: [u8; 6], xid: u32) -> Option<Ipv4Addr> {
        let offer = self
            .ask(&relayed(MessageType::Discover, mac, None, xid))
            .await?;
        assert_eq!(offer.opts().msg_type(), Some(MessageType::Offer));
        let request = with(
            relayed(MessageType::Request, mac, None, xid),
            [server_id(), DhcpOption::RequestedIpAddress(offer.yiaddr())],
        );
        let ack = self.ask(&request).await?;
        assert_eq!(ack.opts().msg_type(), Some(MessageType::Ack));
        assert_eq!(ack.yiaddr(), offer.yiaddr());
        Some(ack.yiaddr())
    }
}

/// The server identifier the test servers announce ([`SERVER`]).
pub fn server_id() -> DhcpOption {
    DhcpOption::ServerIdentifier(SERVER.parse().expect("an IPv4 address"))
}

/// `message` with `options` added.
pub fn with(mut message: Message, options: impl IntoIterator<Item = DhcpOption>) -> Message {
    for option in options {
        message.opts_mut().insert(option);
    }
    message
}

/// The address option `code` of `reply` carries.
pub fn address_option(reply: &Message, code: OptionCode) -> Option<Ipv4Addr> {
    match reply.opts().get(code)? {
        DhcpOption::ServerIdentifier(address)
        | DhcpOption::SubnetMask(address)
        | DhcpOption::RequestedIpAddress(address) => Some(*address),
        DhcpOption::Router(addresses) | DhcpOption::DomainNameServer(addresses) => {
            addresses.first().copied()
        }
        other => panic!("option {code:?} is {other:?}"),
    }
}

/// The lease time of `reply`.
pub fn lease_time(reply: &Message) -> Option<u32> {
    match reply.opts().get(OptionCode::AddressLeaseTime)? {
        DhcpOption::AddressLeaseTime(seconds) => Some(*seconds),
        other => panic!("option 51 is {other:?}"),
    }
}
