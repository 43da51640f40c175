//! (Part of the `phoneprov` binary, not the library.) The DHCP side of the command line: the
//! Polycom option flag, and `phoneprov leases`.

use std::net::Ipv4Addr;
use std::process::ExitCode;

use clap::Subcommand;

use phoneprov::dhcp::admin::LeaseReport;
use phoneprov::store::SqlStore;

use crate::say;

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

/// A Polycom boot-server option code: 66, 160, or another site-specific code (128-254).
pub fn polycom_option(text: &str) -> Result<u8, String> {
    match text.parse::<u8>() {
        Ok(code) if code == 66 || (128..=254).contains(&code) => Ok(code),
        _ => Err(format!(
            "{text:?} is not 66 or an option code from 128 to 254"
        )),
    }
}

/// A custom option code another vendor's phones read (128-254).
pub fn custom_option(text: &str) -> Result<u8, String> {
    match text.parse::<u8>() {
        Ok(code) if (128..=254).contains(&code) => Ok(code),
        _ => Err(format!("{text:?} is not an option code from 128 to 254")),
    }
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
            let leases = phoneprov::dhcp::admin::list(store).await?;
            if leases.is_empty() {
                say(
                    "no DHCP leases: phoneprov has leased no address (allocate mode gives leases; inform mode answers without them)\n",
                )?;
            }
            for lease in leases {
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
