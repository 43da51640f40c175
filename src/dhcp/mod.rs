//! Phones find phoneprov through DHCP: the router's relay (`ip helper-address`) forwards the voice
//! VLAN's DHCP traffic here, and phoneprov answers a phone's DHCPINFORM with its boot-server
//! options (inform mode, [`inform`]). It never answers unless `--dhcp-listen` is given, and never
//! offers addresses or sends NAKs, so it is safe next to the site's own DHCP server.

pub mod inform;
pub mod provisioning;
pub mod server;
pub mod vendor;
