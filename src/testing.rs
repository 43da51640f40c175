//! A responder for fuzzing and robustness tests: one allocate-mode subnet (127.0.0.0/8, as the
//! relayed test packets use) and one inform-mode subnet, with a reservation and small pools so
//! that pools run out.

use std::net::Ipv4Addr;

use crate::config_file;
use crate::dhcp::provisioning::ProvisioningOptions;
use crate::dhcp::responder::{DhcpSettings, Responder};
use crate::dhcp::subnet::check_subnets;

const SUBNETS: &str = r#"
[[subnet]]
network = "127.0.0.0/8"
mode = "allocate"
pools = ["127.0.5.1-127.0.5.8"]
router = "127.0.0.1"
dns = ["127.0.0.53"]
domain = "voice.example"
reservations = [{ mac = "0004f2000001", address = "127.0.9.9" }]

[[subnet]]
network = "10.0.0.0/8"
polycom_option = 161
"#;

/// The responder fuzz targets and robustness tests drive.
pub fn fuzz_responder() -> Responder {
    let subnets = config_file::parse(SUBNETS)
        .and_then(|file| check_subnets(file.subnets).map_err(|e| e.to_string()))
        .unwrap_or_default();
    Responder::new(DhcpSettings {
        options: ProvisioningOptions::derived("192.0.2.10", 8080, Some(2121)),
        server_id: Ipv4Addr::new(192, 0, 2, 10),
        subnets,
        local_addresses: vec![Ipv4Addr::new(10, 0, 0, 1)],
    })
}
