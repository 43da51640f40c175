//! Allocate mode: the lease conversation of RFC 2131 §4.3 for one request on one of our
//! subnets. DISCOVER gets an offer; REQUEST in its three forms (SELECTING with our server id,
//! INIT-REBOOT with only a requested address, RENEWING/REBINDING with ciaddr) gets an ACK, a
//! NAK or silence; DECLINE puts the address on probation; RELEASE frees it.
//!
//! NAKs are sent only for our own subnets and only when the address asked for is wrong for a
//! client we know, or, on an `authoritative` subnet, for any client. A client we have no record
//! of in INIT-REBOOT gets silence (another server may know it).

use std::net::Ipv4Addr;

use dhcproto::v4::{DhcpOption, Message, MessageType, OptionCode};

use crate::dhcp::book::{Asker, LeaseBook};
use crate::domain::{Lease, LeaseState};

/// What to do for one request.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Offer this address.
    Offer(Ipv4Addr),
    /// Acknowledge this lease, once it is stored.
    Ack(Lease),
    /// Refuse the request, and why (logged).
    Nak(&'static str),
    /// Store this lease change and say nothing (RELEASE, DECLINE).
    Record(Lease),
    /// Say nothing, and why (logged).
    Silent(&'static str),
}

/// The settings of the request's subnet the conversation needs.
#[derive(Debug, Clone, Copy)]
pub struct Terms {
    /// Our server identifier on the subnet.
    pub server_id: Ipv4Addr,
    /// Lease time, seconds.
    pub lease_time: u32,
    /// Probation of a declined address, seconds.
    pub probation: u32,
    /// NAK clients we do not know.
    pub authoritative: bool,
}

/// The outcome of `request` (of type `kind`) from `asker` at `now` (ms).
pub fn answer(
    book: &mut LeaseBook,
    request: &Message,
    kind: MessageType,
    asker: &Asker<'_>,
    terms: Terms,
    now: i64,
) -> Outcome {
    let requested = match request.opts().get(OptionCode::RequestedIpAddress) {
        Some(DhcpOption::RequestedIpAddress(address)) => Some(*address),
        _ => None,
    };
    let server_id = match request.opts().get(OptionCode::ServerIdentifier) {
        Some(DhcpOption::ServerIdentifier(address)) => Some(*address),
        _ => None,
    };
    match kind {
        MessageType::Discover => match book.choose(asker, requested, now) {
            Some(address) => {
                book.offer(asker, address, now);
                Outcome::Offer(address)
            }
            None => Outcome::Silent("no free address in the subnet's pools"),
        },
        MessageType::Request => {
            request_outcome(book, request, asker, terms, now, requested, server_id)
        }
        MessageType::Decline => match (server_id, requested) {
            (Some(id), Some(address)) if id == terms.server_id => {
                let until = now + i64::from(terms.probation) * 1000;
                match book.end(asker, address, LeaseState::Declined, until) {
                    Some(lease) => Outcome::Record(lease),
                    None => Outcome::Silent("a DECLINE of an address the client does not hold"),
                }
            }
            _ => Outcome::Silent("a DECLINE for another server"),
        },
        MessageType::Release => {
            if server_id.is_some_and(|id| id != terms.server_id) {
                return Outcome::Silent("a RELEASE for another server");
            }
            match book.end(asker, request.ciaddr(), LeaseState::Released, now) {
                Some(lease) => Outcome::Record(lease),
                None => Outcome::Silent("a RELEASE of an address the client does not hold"),
            }
        }
        _ => Outcome::Silent("not a message a server answers"),
    }
}

fn request_outcome(
    book: &mut LeaseBook,
    request: &Message,
    asker: &Asker<'_>,
    terms: Terms,
    now: i64,
    requested: Option<Ipv4Addr>,
    server_id: Option<Ipv4Addr>,
) -> Outcome {
    let grant = |book: &mut LeaseBook, address| {
        Outcome::Ack(book.commit(asker, address, terms.lease_time, now))
    };
    let in_subnet = |address: Ipv4Addr| asker.subnet.1.config.network.contains(&address);
    match (server_id, requested) {
        // SELECTING: the client answers an offer.
        (Some(id), _) if id != terms.server_id => {
            book.withdraw_offer(asker);
            Outcome::Silent("the client chose another server's offer")
        }
        (Some(_), Some(address)) => {
            if book.available(asker, address, now) {
                grant(book, address)
            } else {
                Outcome::Nak("the address offered is no longer available")
            }
        }
        (Some(_), None) => Outcome::Silent("a REQUEST with a server id but no address"),
        // INIT-REBOOT: the client checks the address it remembers.
        (None, Some(address)) => {
            let known = book.knows(asker);
            if !known && !terms.authoritative {
                return Outcome::Silent("INIT-REBOOT of a client with no record here");
            }
            if !in_subnet(address) {
                return Outcome::Nak("the client is on another network");
            }
            let held = book.lease_of(asker, now).map(|lease| lease.address);
            match held {
                Some(held) if held == address => grant(book, address),
                Some(_) => Outcome::Nak("the client holds another address"),
                None if known && book.available(asker, address, now) => grant(book, address),
                None if known || terms.authoritative => {
                    Outcome::Nak("the address is not the client's")
                }
                None => Outcome::Silent("INIT-REBOOT of a client with no record here"),
            }
        }
        // RENEWING (unicast) or REBINDING (broadcast): the client extends its lease.
        (None, None) => {
            let address = request.ciaddr();
            if address.is_unspecified() {
                return Outcome::Silent("a REQUEST without an address");
            }
            let holds = book
                .lease_of(asker, now)
                .is_some_and(|lease| lease.address == address);
            if holds || (book.knows(asker) && book.available(asker, address, now)) {
                grant(book, address)
            } else if terms.authoritative && in_subnet(address) {
                Outcome::Nak("the client renews an address it does not hold")
            } else {
                Outcome::Silent("a renewal of a lease this server does not hold")
            }
        }
    }
}
