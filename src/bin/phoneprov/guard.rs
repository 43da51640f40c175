//! (Part of the `phoneprov` binary, not the library.) The `serve` flags of the enumeration
//! defense ([`phoneprov::policy::guard`]).

use std::time::Duration;

use clap::Args;
use ipnet::IpNet;

use phoneprov::policy::guard::GuardSettings;

/// How addresses that guess phone file names are banned.
#[derive(Debug, Clone, Args)]
pub struct GuardFlags {
    /// Distinct unknown phone files (`<MAC>.cfg`, `<extension>.cfg`, ...) one address may ask for
    /// within --ban-window before it is banned from provisioning; 0 turns the defense off.
    #[arg(long, env = "PHONEPROV_BAN_AFTER", default_value_t = 20)]
    ban_after: u32,
    /// Seconds those requests are counted over.
    #[arg(long, env = "PHONEPROV_BAN_WINDOW", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    ban_window: u64,
    /// Seconds a ban lasts.
    #[arg(long, env = "PHONEPROV_BAN_SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    ban_seconds: u64,
    /// A network spared the per-address connection limits (e.g. the phones' VLAN), as CIDR;
    /// repeatable. Guessing is still counted and banned there.
    #[arg(
        long = "allow-network",
        env = "PHONEPROV_ALLOW_NETWORK",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    allow_networks: Vec<IpNet>,
    /// A network phones are provisioned from, as CIDR; repeatable. When any is set, files with
    /// SIP passwords are served only to clients inside them.
    #[arg(
        long = "provisioning-network",
        env = "PHONEPROV_PROVISIONING_NETWORK",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    provisioning_networks: Vec<IpNet>,
    /// Serve a known phone's credential files on any network; by default they go only to the
    /// networks (IPv4 /24, IPv6 /64) the phone was seen on, so a guessed MAC yields nothing
    /// elsewhere.
    #[arg(long, env = "PHONEPROV_ROAMING_PHONES")]
    roaming_phones: bool,
}

impl GuardFlags {
    /// The defense's settings.
    pub fn settings(self) -> GuardSettings {
        GuardSettings {
            limit: self.ban_after,
            window: Duration::from_secs(self.ban_window),
            ban: Duration::from_secs(self.ban_seconds),
            allowed: self.allow_networks,
            provisioning: self.provisioning_networks,
            roaming: self.roaming_phones,
        }
    }
}
