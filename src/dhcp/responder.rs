//! Decide-and-answer for one received packet: decode it (dropping anything malformed), find its
//! subnet, then answer in that subnet's mode. In inform mode (and where no subnet is
//! configured) only a phone's DHCPINFORM is answered, with an ACK carrying the provisioning
//! options and no lease; in allocate mode every client gets the lease conversation of
//! [`crate::dhcp::allocate`], phones with their provisioning options added.

use crate::domain::Vendor;
use std::net::{Ipv4Addr, SocketAddr};

use dhcproto::v4::{DhcpOption, Message, MessageType, Opcode, OptionCode};
use dhcproto::{Decodable, Decoder};

use crate::dhcp::allocate::{Outcome, Terms, answer};
use crate::dhcp::book::{Asker, LeaseBook};
use crate::dhcp::provisioning::ProvisioningOptions;
use crate::dhcp::reply::{Reply, destination, type_name};
use crate::dhcp::select::subnet_of;
use crate::dhcp::subnet::{Mode, Subnet};
use crate::dhcp::vendor_class::{mac_of, vendor_of};
use crate::dhcp::wire::is_decodable;
use crate::domain::{ClientKey, Lease, hardware_text};
use crate::handset::boot::DhcpChoice;

/// What to do with a received packet.
#[derive(Debug, PartialEq, Eq)]
pub struct Decision {
    /// The request's message type, for the metrics.
    pub request: &'static str,
    /// The encoded reply and its destination, if any.
    pub reply: Option<(Vec<u8>, SocketAddr)>,
    /// The reply's message type, for the metrics.
    pub answer: &'static str,
    /// A lease to store before the reply is sent.
    pub store: Option<Lease>,
    /// For an ACK: the NAK and its destination, sent instead when the store refuses the lease
    /// (another node gave the address to another client first).
    pub refusal: Option<(Vec<u8>, SocketAddr)>,
    /// Why there is no reply (logged at debug level).
    pub reason: &'static str,
}

impl Decision {
    fn silent(request: &'static str, reason: &'static str) -> Decision {
        Decision {
            request,
            reply: None,
            answer: "",
            store: None,
            refusal: None,
            reason,
        }
    }
}

/// The DHCP server's settings: global provisioning options and server id, and the subnets.
#[derive(Debug, Clone)]
pub struct DhcpSettings {
    /// Options sent where a subnet sets none of its own.
    pub options: ProvisioningOptions,
    /// Server identifier where a subnet sets none.
    pub server_id: Ipv4Addr,
    /// The configured subnets.
    pub subnets: Vec<Subnet>,
    /// phoneprov's own addresses, to find the subnet of clients on a local segment.
    pub local_addresses: Vec<Ipv4Addr>,
}

/// Answers DHCP requests; owns the lease book.
#[derive(Debug, Clone)]
pub struct Responder {
    settings: DhcpSettings,
    /// The provisioning options of each subnet (its own over the global ones).
    subnet_options: Vec<ProvisioningOptions>,
    book: LeaseBook,
}

impl Responder {
    /// A responder with `settings` and no leases yet.
    pub fn new(settings: DhcpSettings) -> Responder {
        let subnet_options = settings
            .subnets
            .iter()
            .map(|subnet| {
                let own = &subnet.config;
                let global = &settings.options;
                let mut options = global.clone();
                for (vendor, url) in own.urls() {
                    options.urls.insert(vendor, url.to_string());
                }
                let polycom = global.choice_of(Vendor::Polycom);
                options.choices.insert(
                    Vendor::Polycom,
                    DhcpChoice {
                        code: own.polycom_option.unwrap_or(polycom.code),
                        also_66: own.option_66.unwrap_or(polycom.also_66),
                    },
                );
                if let Some(code) = own.yealink_option {
                    options
                        .choices
                        .insert(Vendor::Yealink, DhcpChoice::beside_66(code));
                }
                options
            })
            .collect();
        Responder {
            settings,
            subnet_options,
            book: LeaseBook::default(),
        }
    }

    /// Loads stored leases; returns those skipped, each with why.
    pub fn load_leases(&mut self, leases: Vec<Lease>) -> Vec<(Lease, &'static str)> {
        self.book.load(leases, &self.settings.subnets)
    }

    /// Takes in leases stored by other nodes (`refused`: read just now, after the store refused
    /// one of ours for it; else read by the periodic look at other nodes' changes).
    pub fn learn(&mut self, leases: Vec<Lease>, refused: bool, now: i64) {
        for lease in leases {
            self.book.learn(lease, &self.settings.subnets, refused, now);
        }
    }

    /// Frees `address` on an admin's request; the lease to store.
    pub fn release(&mut self, address: Ipv4Addr, now: i64) -> Option<Lease> {
        self.book.release(address, now)
    }

    /// The decision for `packet`, received from `source` at `now` (ms).
    pub fn decide(&mut self, packet: &[u8], source: SocketAddr, now: i64) -> Decision {
        if !is_decodable(packet) {
            return Decision::silent("malformed", "a length field is out of range");
        }
        let Ok(request) = Message::decode(&mut Decoder::new(packet)) else {
            return Decision::silent("malformed", "not a DHCP message");
        };
        let kind = request.opts().msg_type();
        let name = type_name(kind);
        if request.opcode() != Opcode::BootRequest {
            return Decision::silent(name, "not a request");
        }
        let Some(kind) = kind else {
            return Decision::silent(name, "BOOTP is not served");
        };
        let settings = &self.settings;
        let subnet = subnet_of(&request, &settings.subnets, &settings.local_addresses);
        let allocating = subnet.filter(|i| settings.subnets[*i].config.mode == Mode::Allocate);
        let index = match (kind, allocating) {
            (MessageType::Inform, _) => return self.inform(&request, source, subnet, name),
            (_, None) => return Decision::silent(name, "inform mode answers DHCPINFORM only"),
            (_, Some(index)) => index,
        };
        let subnet = &settings.subnets[index];
        let asker = asker(&request, index, subnet);
        let terms = Terms {
            server_id: self.server_id(Some(index)),
            lease_time: subnet.config.lease_time,
            probation: subnet.config.probation,
            authoritative: subnet.config.authoritative,
        };
        let outcome = answer(&mut self.book, &request, kind, &asker, terms, now);
        self.allocated(&request, source, index, name, outcome, now)
    }

    /// The answer to a DHCPINFORM: an ACK with the options, to phones only.
    fn inform(
        &self,
        request: &Message,
        source: SocketAddr,
        subnet: Option<usize>,
        name: &'static str,
    ) -> Decision {
        let Some(vendor) = vendor_of(request) else {
            return Decision::silent(name, "not a phone phoneprov provisions");
        };
        let mut reply = Reply::new(
            MessageType::Ack,
            Ipv4Addr::UNSPECIFIED,
            self.server_id(subnet),
        );
        if let Some(index) = subnet {
            add_network_options(&self.settings.subnets[index], &mut reply);
        }
        self.options_of(subnet).add_to(vendor, &mut reply.options);
        self.finish(request, source, subnet, name, reply, None)
    }

    /// The reply for an allocate-mode outcome.
    fn allocated(
        &self,
        request: &Message,
        source: SocketAddr,
        index: usize,
        name: &'static str,
        outcome: Outcome,
        now: i64,
    ) -> Decision {
        let server_id = self.server_id(Some(index));
        let subnet = &self.settings.subnets[index];
        let (mut reply, store) = match outcome {
            Outcome::Silent(reason) => return Decision::silent(name, reason),
            Outcome::Record(lease) => {
                return Decision {
                    store: Some(lease),
                    ..Decision::silent(name, "a RELEASE or DECLINE gets no answer")
                };
            }
            Outcome::Nak(reason) => {
                tracing::debug!(subnet = %subnet.name, "DHCP: NAK: {reason}");
                return self.nak(request, source, index, name);
            }
            Outcome::Offer(address) => {
                let seconds = subnet.config.lease_time;
                (
                    lease_reply(MessageType::Offer, address, server_id, seconds),
                    None,
                )
            }
            Outcome::Ack(lease) => {
                let seconds = u32::try_from((lease.expires_at_ms - now).max(0) / 1000)
                    .unwrap_or(subnet.config.lease_time);
                let reply = lease_reply(MessageType::Ack, lease.address, server_id, seconds);
                (reply, Some(lease))
            }
        };
        add_network_options(subnet, &mut reply);
        if let Some(vendor) = vendor_of(request) {
            self.options_of(Some(index))
                .add_to(vendor, &mut reply.options);
        }
        let refusal = store
            .is_some()
            .then(|| self.nak(request, source, index, name).reply)
            .flatten();
        Decision {
            refusal,
            ..self.finish(request, source, Some(index), name, reply, store)
        }
    }

    fn nak(
        &self,
        request: &Message,
        source: SocketAddr,
        index: usize,
        name: &'static str,
    ) -> Decision {
        let reply = Reply::new(
            MessageType::Nak,
            Ipv4Addr::UNSPECIFIED,
            self.server_id(Some(index)),
        );
        self.finish(request, source, Some(index), name, reply, None)
    }

    fn finish(
        &self,
        request: &Message,
        source: SocketAddr,
        subnet: Option<usize>,
        name: &'static str,
        reply: Reply,
        store: Option<Lease>,
    ) -> Decision {
        let broadcast = subnet.map(|i| self.settings.subnets[i].config.network.broadcast());
        let kind = reply.kind;
        let Some(to) = destination(request, kind, source, broadcast) else {
            return Decision::silent(name, "no address to send the answer to");
        };
        match reply.encode(request) {
            Ok(packet) => Decision {
                request: name,
                reply: Some((packet, to)),
                answer: type_name(Some(kind)),
                store,
                refusal: None,
                reason: "",
            },
            Err(reason) => Decision::silent(name, reason),
        }
    }

    fn server_id(&self, subnet: Option<usize>) -> Ipv4Addr {
        subnet
            .and_then(|i| self.settings.subnets[i].config.server_id)
            .unwrap_or(self.settings.server_id)
    }

    fn options_of(&self, subnet: Option<usize>) -> &ProvisioningOptions {
        subnet
            .and_then(|i| self.subnet_options.get(i))
            .unwrap_or(&self.settings.options)
    }
}

/// Who sent `request`, in the subnet at `index`.
fn asker<'a>(request: &Message, index: usize, subnet: &'a Subnet) -> Asker<'a> {
    let client_id = match request.opts().get(OptionCode::ClientIdentifier) {
        Some(DhcpOption::ClientIdentifier(id)) => Some(id.as_slice()),
        _ => None,
    };
    let chaddr = request
        .chaddr()
        .get(..usize::from(request.hlen()).min(16))
        .unwrap_or(&[]);
    let hostname = match request.opts().get(OptionCode::Hostname) {
        Some(DhcpOption::Hostname(name)) => Some(name.chars().take(64).collect()),
        _ => None,
    };
    Asker {
        subnet: (index, subnet),
        client: ClientKey::new(client_id, request.htype().into(), chaddr),
        mac: mac_of(request),
        hardware: hardware_text(chaddr),
        hostname,
    }
}

/// An OFFER or ACK of `address` for `seconds`, with the renewal times at 1/2 and 7/8.
fn lease_reply(kind: MessageType, address: Ipv4Addr, server_id: Ipv4Addr, seconds: u32) -> Reply {
    let mut reply = Reply::new(kind, address, server_id);
    reply.options.insert(DhcpOption::AddressLeaseTime(seconds));
    reply.options.insert(DhcpOption::Renewal(seconds / 2));
    reply.options.insert(DhcpOption::Rebinding(seconds / 8 * 7));
    reply
}

/// The subnet's mask, router, DNS servers and domain.
fn add_network_options(subnet: &Subnet, reply: &mut Reply) {
    let config = &subnet.config;
    let options = &mut reply.options;
    options.insert(DhcpOption::SubnetMask(config.network.netmask()));
    if let Some(router) = config.router {
        options.insert(DhcpOption::Router(vec![router]));
    }
    if !config.dns.is_empty() {
        options.insert(DhcpOption::DomainNameServer(config.dns.clone()));
    }
    if let Some(domain) = &config.domain {
        options.insert(DhcpOption::DomainName(domain.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fuzz_responder;
    use dhcproto::Encodable;
    use dhcproto::v4::relay::{RelayAgentInformation, RelayInfo};

    fn relayed(kind: MessageType, mac: [u8; 6]) -> Message {
        let mut message = Message::new_with_id(
            7,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::LOCALHOST,
            &mac,
        );
        message.opts_mut().insert(DhcpOption::MessageType(kind));
        let mut relay = RelayAgentInformation::default();
        relay.insert(RelayInfo::AgentCircuitId(b"Gi1/0/7".to_vec()));
        message
            .opts_mut()
            .insert(DhcpOption::RelayAgentInformation(relay));
        message
    }

    /// A small deterministic generator (xorshift), so a failure can be replayed.
    struct Noise(u64);

    impl Noise {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    #[test]
    fn the_test_responder_allocates() {
        let mut responder = fuzz_responder();
        let discover = relayed(MessageType::Discover, [0x00, 0x04, 0xf2, 0, 0, 2]);
        let decision = responder.decide(
            &discover.to_vec().unwrap(),
            "127.0.0.1:67".parse().unwrap(),
            0,
        );
        assert_eq!(decision.answer, "offer", "{decision:?}");
    }

    /// Bounded mutation fuzzing on the stable toolchain (the cargo-fuzz target in `fuzz/` goes
    /// further): valid packets with bytes flipped, cut, repeated and extended must never panic
    /// and never produce an unpadded or oversized reply.
    #[test]
    fn mutated_packets_never_panic() {
        let seeds: Vec<Vec<u8>> = [
            MessageType::Discover,
            MessageType::Request,
            MessageType::Inform,
            MessageType::Decline,
            MessageType::Release,
        ]
        .iter()
        .map(|kind| {
            let mut message = relayed(*kind, [0x00, 0x04, 0xf2, 0, 0, 3]);
            message.set_ciaddr(Ipv4Addr::new(127, 0, 5, 1));
            message
                .opts_mut()
                .insert(DhcpOption::RequestedIpAddress(Ipv4Addr::new(127, 0, 5, 2)));
            message.to_vec().unwrap()
        })
        .collect();
        let mut responder = fuzz_responder();
        let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
        let source: SocketAddr = "127.0.0.1:67".parse().unwrap();
        let mut replies = 0;
        for round in 0..20_000i64 {
            let mut packet = seeds[noise.below(seeds.len())].clone();
            for _ in 0..=noise.below(8) {
                let at = noise.below(packet.len());
                match noise.below(4) {
                    0 => packet[at] = noise.next() as u8,
                    1 => packet.truncate(at),
                    2 => packet.extend_from_within(at..),
                    _ => packet.insert(at, noise.next() as u8),
                }
                if packet.is_empty() {
                    break;
                }
            }
            let decision = responder.decide(&packet, source, round * 10);
            if let Some((reply, _)) = &decision.reply {
                replies += 1;
                assert!(reply.len() >= 300, "padded");
                let request = Message::decode(&mut Decoder::new(&packet)).unwrap();
                let limit = match request.opts().get(OptionCode::MaxMessageSize) {
                    Some(DhcpOption::MaxMessageSize(size)) => usize::from(*size).max(576),
                    _ => 576,
                };
                assert!(reply.len() <= limit, "{} > {limit}", reply.len());
            }
        }
        assert!(
            replies > 100,
            "the mutations still reach the answers: {replies}"
        );
    }
}

#[cfg(test)]
mod long_options {
    use super::*;
    use crate::config_file;
    use crate::dhcp::subnet::check_subnets;
    use dhcproto::Encodable;

    /// A URL over 255 bytes is split into consecutive options of one code (RFC 3396), sent when
    /// the client's option 57 leaves room, and joined again by a decoder.
    #[test]
    fn long_urls_are_split_per_rfc_3396() {
        let url = format!("http://prov.example/{}/", "p".repeat(300));
        let text = format!(
            "[[subnet]]\nnetwork = \"127.0.0.0/8\"\npolycom_url = \"{url}\"\noption_66 = false\n"
        );
        let subnets = check_subnets(config_file::parse(&text).unwrap().subnets).unwrap();
        let mut responder = Responder::new(DhcpSettings {
            options: ProvisioningOptions::derived("192.0.2.10", 8080, None),
            server_id: Ipv4Addr::new(192, 0, 2, 10),
            subnets,
            local_addresses: vec![],
        });
        let mut inform = Message::new_with_id(
            3,
            Ipv4Addr::new(127, 0, 0, 9),
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            &[0x00, 0x04, 0xf2, 0, 0, 1],
        );
        inform
            .opts_mut()
            .insert(DhcpOption::MessageType(MessageType::Inform));
        let source: SocketAddr = "127.0.0.9:68".parse().unwrap();
        let small = responder.decide(&inform.to_vec().unwrap(), source, 0);
        assert!(small.reply.is_none(), "does not fit 576 bytes");
        inform.opts_mut().insert(DhcpOption::MaxMessageSize(1500));
        let decision = responder.decide(&inform.to_vec().unwrap(), source, 0);
        let (packet, _) = decision.reply.expect("fits the client's 1500 bytes");
        // On the wire: option 160 twice in a row, 255 bytes then the rest.
        let mut at = 240;
        let mut pieces = Vec::new();
        while packet[at] != 255 {
            if packet[at] == 0 {
                at += 1;
                continue;
            }
            if packet[at] == 160 {
                pieces.push(usize::from(packet[at + 1]));
            }
            at += 2 + usize::from(packet[at + 1]);
        }
        assert_eq!(pieces, [255, url.len() - 255]);
        let reply = Message::decode(&mut Decoder::new(&packet)).unwrap();
        match reply.opts().get(OptionCode::from(160)) {
            Some(DhcpOption::Unknown(option)) => assert_eq!(option.data(), url.as_bytes()),
            other => panic!("{other:?}"),
        }
    }
}
