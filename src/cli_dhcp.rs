//! (Part of the `phoneprov` binary, not the library.) The DHCP side of the command line:
//! starting the DHCP server from the flags and the config file's subnets, and `phoneprov leases`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;

use phoneprov::dhcp::admin::LeaseReport;
use phoneprov::dhcp::provisioning::ProvisioningOptions;
use phoneprov::dhcp::responder::{DhcpSettings, Responder};
use phoneprov::dhcp::server::{DhcpServer, LeaseControl, StartError};
use phoneprov::dhcp::subnet::{Mode, SubnetConfig, check_subnets};
use phoneprov::store::{SqlStore, Store};

use crate::{bind_failed, say};

#[derive(Debug, Subcommand)]
pub enum LeaseAction {
    /// Every stored lease (the default).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Free an address. With the server running, use the admin API instead
    /// (DELETE /api/v1/dhcp/leases/ADDRESS): the server keeps its leases in memory and would
    /// write this lease back at the client's next renewal.
    Release {
        /// The leased address.
        address: Ipv4Addr,
    },
}

/// What the admin chose for the DHCP provisioning options (the rest is derived).
pub struct DhcpChoices {
    pub polycom_url: Option<String>,
    pub polycom_option: u8,
    pub option_66: bool,
    pub aastra_url: Option<String>,
    /// The config file's subnets.
    pub subnets: Vec<SubnetConfig>,
}

/// A Polycom boot-server option code: 66, 160, or another site-specific code (128-254).
pub fn polycom_option(text: &str) -> Result<u8, String> {
    match text.parse::<u8>() {
        Ok(code) if code == 66 || (128..=254).contains(&code) => Ok(code),
        _ => Err(format!(
            "{text:?} is not 66 or an option code from 128 to 254"
        )),
    }
}

/// The DHCP server identifier: phoneprov's own address when it is an IPv4 address, else the
/// specific address DHCP listens on.
fn dhcp_server_id(server_address: &str, listen: SocketAddr) -> anyhow::Result<Ipv4Addr> {
    if let Ok(address) = server_address.parse() {
        return Ok(address);
    }
    match listen.ip() {
        IpAddr::V4(address) if !address.is_unspecified() => Ok(address),
        _ => anyhow::bail!(
            "DHCP needs an IPv4 server identifier: set --server-address to phoneprov's IPv4 \
             address (it is {server_address:?}) or --dhcp-listen to a specific address"
        ),
    }
}

/// The web server phones are pointed at: plain HTTP, or HTTPS when HTTP is off.
#[derive(Debug, Clone, Copy)]
pub struct WebPort {
    /// HTTPS.
    pub secure: bool,
    /// Its port.
    pub port: u16,
}

/// Starts the DHCP server: the global options derived from the listeners unless set, the
/// config file's subnets checked, the stored leases loaded.
pub async fn start_dhcp(
    address: SocketAddr,
    dhcp: DhcpChoices,
    server_address: &str,
    web: WebPort,
    ftp_port: Option<u16>,
    store: &Arc<dyn Store>,
) -> anyhow::Result<(DhcpServer, LeaseControl)> {
    let server_id = dhcp_server_id(server_address, address)?;
    let mut options =
        ProvisioningOptions::derived_for(server_address, web.secure, web.port, ftp_port);
    options.polycom_url = dhcp.polycom_url.unwrap_or(options.polycom_url);
    options.aastra_url = dhcp.aastra_url.unwrap_or(options.aastra_url);
    options.polycom_code = dhcp.polycom_option;
    options.polycom_option_66 = dhcp.option_66;
    let subnets = check_subnets(dhcp.subnets)?;
    let allocating = subnets
        .iter()
        .filter(|s| s.config.mode == Mode::Allocate)
        .count();
    tracing::info!(
        polycom = %options.polycom_url,
        aastra = %options.aastra_url,
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
    DhcpServer::start(address, responder, Arc::clone(store))
        .await
        .map_err(|e| match e {
            StartError::Bind(e) => bind_failed("DHCP", address, &e, "--dhcp-listen 0.0.0.0:6767"),
            other => other.into(),
        })
}

pub async fn leases(store: &SqlStore, action: Option<LeaseAction>) -> anyhow::Result<ExitCode> {
    let now = phoneprov::clock::now_ms();
    match action.unwrap_or(LeaseAction::List { json: false }) {
        LeaseAction::List { json: true } => {
            let leases = phoneprov::dhcp::admin::list(store).await?;
            let rows: Vec<LeaseReport> = leases
                .iter()
                .map(|lease| LeaseReport::of(lease, now))
                .collect();
            say(format_args!("{}\n", serde_json::to_string_pretty(&rows)?))?;
        }
        LeaseAction::List { json: false } => {
            for lease in phoneprov::dhcp::admin::list(store).await? {
                let remaining = (lease.expires_at_ms - now).max(0) / 1000;
                say(format_args!(
                    "{:<15}  {}  {:<18}  {:<8}  {:>7}s  {}\n",
                    lease.address,
                    lease.hardware,
                    lease.subnet,
                    lease.state.as_str(),
                    remaining,
                    lease.hostname.as_deref().unwrap_or("-"),
                ))?;
            }
        }
        LeaseAction::Release { address } => {
            match phoneprov::dhcp::admin::release(store, None, address).await? {
                Some(_) => say(format_args!("released {address}\n"))?,
                None => anyhow::bail!("no active lease of {address}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
