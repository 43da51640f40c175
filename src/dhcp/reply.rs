//! Building and addressing replies (RFC 2131 §4.1, RFC 3046, RFC 8357), the same for every
//! message type and mode: xid, flags, giaddr and chaddr copied from the request; option 82
//! echoed last; padded to the BOOTP minimum of 300 bytes and kept within 576 bytes or the
//! client's option 57.
//!
//! Where a reply goes: through the relay when one forwarded the request (to giaddr port 67, or
//! to the relay's own source port when option 82 carries sub-option 19); else to ciaddr port 68;
//! else (a client without an address yet, or any NAK) broadcast on the client's subnet.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use dhcproto::Encodable;
use dhcproto::v4::relay::RelayCode;
use dhcproto::v4::{DhcpOption, DhcpOptions, Message, MessageType, Opcode, OptionCode};

/// RFC 8357 relay source port sub-option of option 82.
const RELAY_SOURCE_PORT: u8 = 19;
/// The smallest BOOTP message (RFC 1542).
const MIN_REPLY: usize = 300;
/// The largest reply without the client's leave (RFC 2131).
const DEFAULT_MAX_REPLY: usize = 576;
/// The client port.
const CLIENT_PORT: u16 = 68;
/// The server (and relay) port.
const SERVER_PORT: u16 = 67;

/// A reply in the making: its type, address and options (82 is added when encoding).
pub struct Reply {
    /// OFFER, ACK or NAK.
    pub kind: MessageType,
    /// The address given (0 for INFORM answers and NAKs).
    pub yiaddr: Ipv4Addr,
    /// Options after the message type.
    pub options: DhcpOptions,
}

impl Reply {
    /// A reply of `kind` from `server_id`.
    pub fn new(kind: MessageType, yiaddr: Ipv4Addr, server_id: Ipv4Addr) -> Reply {
        let mut options = DhcpOptions::new();
        options.insert(DhcpOption::MessageType(kind));
        options.insert(DhcpOption::ServerIdentifier(server_id));
        Reply {
            kind,
            yiaddr,
            options,
        }
    }

    /// The encoded reply to `request`, or why there is none.
    pub fn encode(mut self, request: &Message) -> Result<Vec<u8>, &'static str> {
        let nak = self.kind == MessageType::Nak;
        // A NAK names no client address (RFC 2131 table 3); every other reply echoes ciaddr.
        let ciaddr = if nak {
            Ipv4Addr::UNSPECIFIED
        } else {
            request.ciaddr()
        };
        let mut reply = Message::new_with_id(
            request.xid(),
            ciaddr,
            self.yiaddr,
            Ipv4Addr::UNSPECIFIED,
            request.giaddr(),
            request
                .chaddr()
                .get(..usize::from(request.hlen()).min(16))
                .unwrap_or(&[]),
        );
        let mut flags = request.flags();
        if nak && !request.giaddr().is_unspecified() {
            // A NAK through a relay must be broadcast on the client's segment (§4.3.2).
            flags = flags.set_broadcast();
        }
        reply
            .set_opcode(Opcode::BootReply)
            .set_htype(request.htype())
            .set_flags(flags);
        if let Some(relay) = request.opts().get(OptionCode::RelayAgentInformation) {
            // dhcproto writes option 82 last.
            self.options.insert(relay.clone());
        }
        reply.set_opts(self.options);
        let mut encoded = reply.to_vec().map_err(|_| "the reply cannot be encoded")?;
        if encoded.len() < MIN_REPLY {
            encoded.resize(MIN_REPLY, 0);
        }
        if encoded.len() > max_reply(request) {
            return Err("the reply would exceed the client's largest message");
        }
        Ok(encoded)
    }
}

/// Where a reply of `kind` to `request` (received from `source`) goes; `local_broadcast` is the
/// broadcast address of the client's subnet, for clients on a segment of phoneprov's own.
pub fn destination(
    request: &Message,
    kind: MessageType,
    source: SocketAddr,
    local_broadcast: Option<Ipv4Addr>,
) -> Option<SocketAddr> {
    let giaddr = request.giaddr();
    if !giaddr.is_unspecified() {
        let port = if relay_wants_source_port(request) {
            source.port()
        } else {
            SERVER_PORT
        };
        return Some(SocketAddr::V4(SocketAddrV4::new(giaddr, port)));
    }
    let ciaddr = request.ciaddr();
    if !ciaddr.is_unspecified() && kind != MessageType::Nak {
        return Some(SocketAddr::V4(SocketAddrV4::new(ciaddr, CLIENT_PORT)));
    }
    // The client has no address to unicast to (an unicast to yiaddr would need an ARP entry
    // for an address the client does not answer yet): broadcast on its subnet.
    local_broadcast.map(|address| SocketAddr::V4(SocketAddrV4::new(address, CLIENT_PORT)))
}

fn relay_wants_source_port(request: &Message) -> bool {
    matches!(
        request.opts().get(OptionCode::RelayAgentInformation),
        Some(DhcpOption::RelayAgentInformation(info)) if info.get(RelayCode::Unknown(RELAY_SOURCE_PORT)).is_some()
    )
}

fn max_reply(request: &Message) -> usize {
    match request.opts().get(OptionCode::MaxMessageSize) {
        Some(DhcpOption::MaxMessageSize(size)) if usize::from(*size) >= DEFAULT_MAX_REPLY => {
            usize::from(*size)
        }
        _ => DEFAULT_MAX_REPLY,
    }
}

/// A message type's name for logs and metrics.
pub fn type_name(kind: Option<MessageType>) -> &'static str {
    match kind {
        Some(MessageType::Discover) => "discover",
        Some(MessageType::Offer) => "offer",
        Some(MessageType::Request) => "request",
        Some(MessageType::Decline) => "decline",
        Some(MessageType::Ack) => "ack",
        Some(MessageType::Nak) => "nak",
        Some(MessageType::Release) => "release",
        Some(MessageType::Inform) => "inform",
        Some(_) => "other",
        None => "bootp",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dhcproto::{Decodable, Decoder};

    fn request(giaddr: Ipv4Addr, ciaddr: Ipv4Addr) -> Message {
        let mut message = Message::new_with_id(
            9,
            ciaddr,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            giaddr,
            &[0x00, 0x04, 0xf2, 0x00, 0x00, 0x01],
        );
        message
            .opts_mut()
            .insert(DhcpOption::MessageType(MessageType::Request));
        message
    }

    #[test]
    fn replies_go_to_the_relay_the_client_or_its_segment() {
        let source: SocketAddr = "192.0.2.1:4000".parse().unwrap();
        let client = Ipv4Addr::new(10, 1, 2, 3);
        let relay = Ipv4Addr::new(10, 1, 0, 1);
        let segment = Some(Ipv4Addr::new(10, 1, 2, 255));
        let to = |message: &Message, kind| destination(message, kind, source, segment);
        assert_eq!(
            to(&request(relay, client), MessageType::Ack),
            Some("10.1.0.1:67".parse().unwrap())
        );
        assert_eq!(
            to(&request(Ipv4Addr::UNSPECIFIED, client), MessageType::Ack),
            Some("10.1.2.3:68".parse().unwrap())
        );
        assert_eq!(
            to(&request(Ipv4Addr::UNSPECIFIED, client), MessageType::Nak),
            Some("10.1.2.255:68".parse().unwrap()),
            "a NAK is broadcast"
        );
        let unaddressed = request(Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED);
        assert_eq!(
            to(&unaddressed, MessageType::Offer),
            Some("10.1.2.255:68".parse().unwrap())
        );
        assert_eq!(
            destination(&unaddressed, MessageType::Offer, source, None),
            None
        );
    }

    #[test]
    fn replies_fit_the_client_and_naks_through_relays_are_broadcast() {
        let mut message = request(Ipv4Addr::new(10, 1, 0, 1), Ipv4Addr::new(10, 1, 2, 3));
        assert_eq!(max_reply(&message), 576);
        message.opts_mut().insert(DhcpOption::MaxMessageSize(1200));
        assert_eq!(max_reply(&message), 1200);
        message.opts_mut().insert(DhcpOption::MaxMessageSize(300));
        assert_eq!(max_reply(&message), 576, "below 576 is not valid");
        let server = Ipv4Addr::new(192, 0, 2, 10);
        let nak = Reply::new(MessageType::Nak, Ipv4Addr::UNSPECIFIED, server)
            .encode(&message)
            .unwrap();
        assert_eq!(nak.len(), 300, "padded");
        let nak = Message::decode(&mut Decoder::new(&nak)).unwrap();
        assert!(nak.flags().broadcast());
        assert_eq!(nak.ciaddr(), Ipv4Addr::UNSPECIFIED);
        let mut big = Reply::new(MessageType::Ack, Ipv4Addr::UNSPECIFIED, server);
        big.options.insert(DhcpOption::DomainName("x".repeat(400)));
        assert!(big.encode(&message).is_err(), "over 576 bytes");
    }
}
