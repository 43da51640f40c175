//! Starting the DHCP server as the rest of the server is configured: the provisioning options
//! derived from the listeners unless the admin set them, the config file's subnets checked, the
//! stored leases loaded.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use crate::dhcp::provisioning::ProvisioningOptions;
use crate::dhcp::responder::{DhcpSettings, Responder};
use crate::dhcp::server::{DhcpServer, LeaseControl, StartError};
use crate::dhcp::subnet::{Mode, SubnetConfig, check_subnets};
use crate::domain::Vendor;
use crate::handset::boot::DhcpChoice;
use crate::server::error::ServerError;
use crate::store::Store;

/// What the admin chose for the DHCP provisioning options (the rest is derived).
#[derive(Debug, Clone, Default)]
pub struct DhcpConfig {
    /// The Polycom boot-server URL, if not derived from the listeners.
    pub polycom_url: Option<String>,
    /// The option code the Polycom URL goes in (160, 66, or 128-254).
    pub polycom_option: u8,
    /// Whether option 66 is sent too.
    pub option_66: bool,
    /// The Aastra/Mitel configuration URL, if not derived.
    pub aastra_url: Option<String>,
    /// The Yealink provisioning URL, if not derived.
    pub yealink_url: Option<String>,
    /// The custom option (128-254) Yealink phones are set to read, besides option 66.
    pub yealink_option: Option<u8>,
    /// The config file's subnets.
    pub subnets: Vec<SubnetConfig>,
}

/// The web server phones are pointed at: plain HTTP, or HTTPS when HTTP is off.
#[derive(Debug, Clone, Copy)]
pub(super) struct WebPort {
    /// HTTPS.
    pub(super) secure: bool,
    /// Its port.
    pub(super) port: u16,
}

/// The DHCP server identifier: phoneprov's own address when it is an IPv4 address, else the
/// specific address DHCP listens on.
fn dhcp_server_id(server_address: &str, listen: SocketAddr) -> Result<Ipv4Addr, ServerError> {
    if let Ok(address) = server_address.parse() {
        return Ok(address);
    }
    match listen.ip() {
        IpAddr::V4(address) if !address.is_unspecified() => Ok(address),
        _ => Err(ServerError::Config(format!(
            "DHCP needs an IPv4 server identifier: set --server-address to phoneprov's IPv4 \
             address (it is {server_address:?}) or --dhcp-listen to a specific address"
        ))),
    }
}

/// Starts the DHCP server on `address`.
pub(super) async fn start_dhcp(
    address: SocketAddr,
    dhcp: DhcpConfig,
    server_address: &str,
    web: WebPort,
    ftp_port: Option<u16>,
    store: &Arc<dyn Store>,
) -> Result<(DhcpServer, LeaseControl), ServerError> {
    let server_id = dhcp_server_id(server_address, address)?;
    let mut options =
        ProvisioningOptions::derived_for(server_address, web.secure, web.port, ftp_port);
    for (vendor, url) in [
        (Vendor::Polycom, dhcp.polycom_url),
        (Vendor::Aastra, dhcp.aastra_url),
        (Vendor::Yealink, dhcp.yealink_url),
    ] {
        if let Some(url) = url {
            options.urls.insert(vendor, url);
        }
    }
    options.choices.insert(
        Vendor::Polycom,
        DhcpChoice {
            code: dhcp.polycom_option,
            also_66: dhcp.option_66,
        },
    );
    if let Some(code) = dhcp.yealink_option {
        options
            .choices
            .insert(Vendor::Yealink, DhcpChoice::beside_66(code));
    }
    let subnets = check_subnets(dhcp.subnets)?;
    let allocating = subnets
        .iter()
        .filter(|s| s.config.mode == Mode::Allocate)
        .count();
    tracing::info!(
        urls = ?options.urls,
        subnets = subnets.len(),
        allocating,
        "DHCP: answering phones' DHCPINFORM{}",
        if allocating > 0 { " and leasing on allocate-mode subnets" } else { "" }
    );
    let local_addresses = match address.ip() {
        IpAddr::V4(ip) if !ip.is_unspecified() => vec![ip],
        _ => if_addrs::get_if_addrs()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|interface| match interface.ip() {
                IpAddr::V4(ip) if !ip.is_loopback() => Some(ip),
                _ => None,
            })
            .collect(),
    };
    let responder = Responder::new(DhcpSettings {
        options,
        server_id,
        subnets,
        local_addresses,
    });
    DhcpServer::start(address, responder, store.clone())
        .await
        .map_err(|e| match e {
            StartError::Bind(source) => ServerError::Bind {
                server: "DHCP",
                address,
                source,
                example: "--dhcp-listen 0.0.0.0:6767".to_string(),
            },
            StartError::Store(e) => ServerError::Store(e),
        })
}
