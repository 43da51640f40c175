//! Phones find phoneprov through DHCP: the router's relay (`ip helper-address`) forwards the voice
//! VLAN's DHCP traffic here. phoneprov answers only when `--dhcp-listen` is given, and by default
//! only a phone's DHCPINFORM, with its boot-server options (inform mode): safe next to the site's
//! own DHCP server. Subnets set to `allocate` in the config file are served leases as well.
//!
//! - [`subnet`]: the subnets of the config file, checked.
//! - [`select`]: which subnet a request is for.
//! - [`vendor_class`], [`provisioning`]: which phone it is, and the options it gets.
//! - [`book`], [`allocate`]: who holds which address, and the lease conversation.
//! - [`wire`]: refusing packets dhcproto would choke on, before it decodes them.
//! - [`reply`]: building and addressing replies.
//! - [`responder`]: one packet in, one decision out.
//! - [`server`]: the socket, the deciding task and the admin's lease control; `commit`, the
//!   group commit of leases before their ACKs.
//! - [`admin`]: listing and releasing leases (API and CLI).

pub mod admin;
pub mod allocate;
pub mod book;
mod commit;
pub mod provisioning;
pub mod reply;
pub mod responder;
pub mod select;
pub mod server;
pub mod subnet;
pub mod vendor_class;
pub mod wire;
