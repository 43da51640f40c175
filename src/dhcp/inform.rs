//! Inform mode, the safe way to run next to the site's real DHCP server: phoneprov answers a
//! phone's DHCPINFORM with an ACK carrying the provisioning options (no address, no lease time)
//! and stays silent to everything else: DISCOVER, REQUEST, non-phones, malformed packets. It
//! never offers an address and never sends a NAK.
//!
//! Where the answer goes: through the relay when one forwarded the request (to giaddr port 67,
//! or to the relay's own source port when option 82 carries sub-option 19, RFC 8357), else to
//! the client's ciaddr port 68. Option 82 is echoed last. Replies are padded to the BOOTP minimum
//! of 300 bytes and kept within 576 bytes or the client's option 57.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use dhcproto::v4::relay::RelayCode;
use dhcproto::v4::{DhcpOption, DhcpOptions, Message, MessageType, Opcode, OptionCode};
use dhcproto::{Decodable, Decoder, Encodable};

use crate::dhcp::provisioning::ProvisioningOptions;
use crate::dhcp::vendor::vendor_of;

/// RFC 8357 relay source port sub-option of option 82.
const RELAY_SOURCE_PORT: u8 = 19;
/// The smallest BOOTP message (RFC 1542).
const MIN_REPLY: usize = 300;
/// The largest reply without the client's leave (RFC 2131).
const DEFAULT_MAX_REPLY: usize = 576;

/// What to do with a received packet.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Send `packet` to `to`.
    Reply {
        /// The encoded reply.
        packet: Vec<u8>,
        /// Its destination.
        to: SocketAddr,
        /// The request's message type, for the metrics.
        request: &'static str,
    },
    /// Say nothing, and why (logged at debug level).
    Ignore {
        /// Why.
        reason: &'static str,
        /// The request's message type, if it could be read.
        request: &'static str,
    },
}

/// Answers DHCPINFORM from phones.
#[derive(Debug, Clone)]
pub struct InformResponder {
    options: ProvisioningOptions,
    server_id: Ipv4Addr,
}

impl InformResponder {
    /// A responder identifying itself as `server_id` (an address phones can reach).
    pub fn new(options: ProvisioningOptions, server_id: Ipv4Addr) -> InformResponder {
        InformResponder { options, server_id }
    }

    /// The decision for `packet`, received from `source`.
    pub fn decide(&self, packet: &[u8], source: SocketAddr) -> Decision {
        let ignore = |reason, request| Decision::Ignore { reason, request };
        let Ok(request) = Message::decode(&mut Decoder::new(packet)) else {
            return ignore("not a DHCP message", "malformed");
        };
        let kind = type_name(request.opts().msg_type());
        if request.opcode() != Opcode::BootRequest {
            return ignore("not a request", kind);
        }
        if request.opts().msg_type() != Some(MessageType::Inform) {
            return ignore("inform mode answers DHCPINFORM only", kind);
        }
        let Some(vendor) = vendor_of(&request) else {
            return ignore("not a phone phoneprov provisions", kind);
        };
        let Some(to) = destination(&request, source) else {
            return ignore("a DHCPINFORM without ciaddr or relay", kind);
        };
        let mut reply = Message::new_with_id(
            request.xid(),
            request.ciaddr(),
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            request.giaddr(),
            request
                .chaddr()
                .get(..usize::from(request.hlen()).min(16))
                .unwrap_or(&[]),
        );
        reply
            .set_opcode(Opcode::BootReply)
            .set_htype(request.htype())
            .set_flags(request.flags());
        let mut options = DhcpOptions::new();
        options.insert(DhcpOption::MessageType(MessageType::Ack));
        options.insert(DhcpOption::ServerIdentifier(self.server_id));
        self.options.add_to(vendor, &mut options);
        if let Some(relay) = request.opts().get(OptionCode::RelayAgentInformation) {
            // dhcproto writes option 82 last.
            options.insert(relay.clone());
        }
        reply.set_opts(options);
        let Ok(mut encoded) = reply.to_vec() else {
            return ignore("the reply cannot be encoded", kind);
        };
        if encoded.len() < MIN_REPLY {
            encoded.resize(MIN_REPLY, 0);
        }
        if encoded.len() > max_reply(&request) {
            return ignore("the reply would exceed the client's largest message", kind);
        }
        Decision::Reply {
            packet: encoded,
            to,
            request: kind,
        }
    }
}

/// Where a reply to `request` goes.
fn destination(request: &Message, source: SocketAddr) -> Option<SocketAddr> {
    let giaddr = request.giaddr();
    if !giaddr.is_unspecified() {
        let port = if relay_wants_source_port(request) {
            source.port()
        } else {
            67
        };
        return Some(SocketAddr::V4(SocketAddrV4::new(giaddr, port)));
    }
    let ciaddr = request.ciaddr();
    (!ciaddr.is_unspecified()).then_some(SocketAddr::V4(SocketAddrV4::new(ciaddr, 68)))
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

    fn inform(giaddr: Ipv4Addr, ciaddr: Ipv4Addr) -> Message {
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
            .insert(DhcpOption::MessageType(MessageType::Inform));
        message
    }

    fn responder() -> InformResponder {
        InformResponder::new(
            ProvisioningOptions::derived("192.0.2.10", 8080, Some(2121)),
            Ipv4Addr::new(192, 0, 2, 10),
        )
    }

    fn destination_of(message: &Message) -> Option<SocketAddr> {
        match responder().decide(
            &message.to_vec().unwrap(),
            "192.0.2.1:4000".parse().unwrap(),
        ) {
            Decision::Reply { to, .. } => Some(to),
            Decision::Ignore { .. } => None,
        }
    }

    #[test]
    fn answers_go_to_the_relay_or_the_client() {
        let client = Ipv4Addr::new(10, 1, 2, 3);
        let relay = Ipv4Addr::new(10, 1, 0, 1);
        assert_eq!(
            destination_of(&inform(relay, client)),
            Some("10.1.0.1:67".parse().unwrap()),
            "relayed: giaddr port 67"
        );
        assert_eq!(
            destination_of(&inform(Ipv4Addr::UNSPECIFIED, client)),
            Some("10.1.2.3:68".parse().unwrap()),
            "local: ciaddr port 68"
        );
        assert_eq!(
            destination_of(&inform(Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED)),
            None,
            "nowhere to send it"
        );
    }

    #[test]
    fn replies_fit_the_client() {
        let mut message = inform(Ipv4Addr::UNSPECIFIED, Ipv4Addr::new(10, 1, 2, 3));
        assert_eq!(max_reply(&message), 576);
        message.opts_mut().insert(DhcpOption::MaxMessageSize(1200));
        assert_eq!(max_reply(&message), 1200);
        message.opts_mut().insert(DhcpOption::MaxMessageSize(300));
        assert_eq!(max_reply(&message), 576, "below 576 is not valid");
        // A Polycom URL too long for 576 bytes is not sent in a truncated reply.
        let long = InformResponder::new(
            ProvisioningOptions {
                polycom_url: format!("http://192.0.2.10/{}", "x".repeat(250)),
                polycom_code: 160,
                polycom_option_66: true,
                aastra_url: String::new(),
            },
            Ipv4Addr::new(192, 0, 2, 10),
        );
        let plain = inform(Ipv4Addr::UNSPECIFIED, Ipv4Addr::new(10, 1, 2, 3));
        let decision = long.decide(&plain.to_vec().unwrap(), "10.1.2.3:68".parse().unwrap());
        assert!(matches!(decision, Decision::Ignore { .. }), "{decision:?}");
    }
}
