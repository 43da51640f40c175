//! The DHCP subnets of the config file (`[[subnet]]` tables): what each one is (`inform` or
//! `allocate`), its pools, reservations and options, and the checks that refuse a config which
//! could hand one address to two clients (overlapping subnets or pools, pools outside their
//! subnet, duplicate reservations) before the server starts.

use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Deserialize;

use crate::domain::Mac;

/// What phoneprov does on a subnet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Options only: answers DHCPINFORM, silent to everything else (the default).
    #[default]
    Inform,
    /// Serves leases from the subnet's pools.
    Allocate,
}

/// A subnet as written in the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetConfig {
    /// The subnet, e.g. `10.20.0.0/24`.
    pub network: Ipv4Net,
    /// `inform` (default) or `allocate`.
    #[serde(default)]
    pub mode: Mode,
    /// Address ranges leased in allocate mode, e.g. `["10.20.0.100-10.20.0.199"]`.
    #[serde(default)]
    pub pools: Vec<String>,
    /// Default gateway (option 3).
    pub router: Option<Ipv4Addr>,
    /// DNS servers (option 6).
    #[serde(default)]
    pub dns: Vec<Ipv4Addr>,
    /// Domain name (option 15).
    pub domain: Option<String>,
    /// Lease time in seconds.
    #[serde(default = "default_lease_time")]
    pub lease_time: u32,
    /// How long a declined address is kept from every client, in seconds.
    #[serde(default = "default_probation")]
    pub probation: u32,
    /// NAK requests for addresses this server does not know (default: stay silent, so another
    /// server on the segment can answer).
    #[serde(default)]
    pub authoritative: bool,
    /// Server identifier for this subnet (default: the global one).
    pub server_id: Option<Ipv4Addr>,
    /// Polycom boot-server URL on this subnet.
    pub polycom_url: Option<String>,
    /// Aastra/Mitel configuration-server URL on this subnet.
    pub aastra_url: Option<String>,
    /// Yealink provisioning URL on this subnet.
    pub yealink_url: Option<String>,
    /// The option code Polycom phones on this subnet read.
    pub polycom_option: Option<u8>,
    /// The custom option code (128-254) Yealink phones on this subnet read, besides 66.
    pub yealink_option: Option<u8>,
    /// Whether Polycom phones here also get option 66.
    pub option_66: Option<bool>,
    /// Fixed addresses by MAC.
    #[serde(default)]
    pub reservations: Vec<ReservationConfig>,
}

impl SubnetConfig {
    /// The boot-server URLs this subnet sets, by vendor (the config file names them per
    /// vendor: `polycom_url`, `aastra_url`, `yealink_url`).
    pub fn urls(&self) -> impl Iterator<Item = (crate::domain::Vendor, &str)> {
        [
            (crate::domain::Vendor::Polycom, self.polycom_url.as_deref()),
            (crate::domain::Vendor::Aastra, self.aastra_url.as_deref()),
            (crate::domain::Vendor::Yealink, self.yealink_url.as_deref()),
        ]
        .into_iter()
        .filter_map(|(vendor, url)| Some((vendor, url?)))
    }
}

fn default_lease_time() -> u32 {
    3600
}

fn default_probation() -> u32 {
    86_400
}

/// A fixed address for one phone.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservationConfig {
    /// The phone's MAC address.
    pub mac: String,
    /// Its address.
    pub address: Ipv4Addr,
}

/// An inclusive range of addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool {
    /// First address.
    pub first: Ipv4Addr,
    /// Last address.
    pub last: Ipv4Addr,
}

impl Pool {
    /// Parses `FIRST-LAST` (or a single address).
    pub fn parse(text: &str) -> Option<Pool> {
        let (first, last) = text.split_once('-').unwrap_or((text, text));
        let pool = Pool {
            first: first.trim().parse().ok()?,
            last: last.trim().parse().ok()?,
        };
        (pool.first <= pool.last).then_some(pool)
    }

    /// How many addresses it holds.
    pub fn len(&self) -> u64 {
        u64::from(u32::from(self.last)) - u64::from(u32::from(self.first)) + 1
    }

    /// Never empty (a pool's first address is at most its last).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether `address` is in it.
    pub fn contains(&self, address: Ipv4Addr) -> bool {
        self.first <= address && address <= self.last
    }

    fn overlaps(&self, other: &Pool) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

/// A checked subnet.
#[derive(Debug, Clone)]
pub struct Subnet {
    /// As written in the config file.
    pub config: SubnetConfig,
    /// Its pools, parsed.
    pub pools: Vec<Pool>,
    /// Its reservations by MAC.
    pub reserved_for: HashMap<Mac, Ipv4Addr>,
    /// The reserved addresses.
    pub reserved: HashSet<Ipv4Addr>,
    /// `network` as text, as leases store it.
    pub name: String,
}

impl Subnet {
    /// The address reserved for `mac`, if any.
    pub fn reservation_of(&self, mac: Option<Mac>) -> Option<Ipv4Addr> {
        self.reserved_for.get(&mac?).copied()
    }

    /// Whether `address` is reserved for some phone.
    pub fn is_reserved(&self, address: Ipv4Addr) -> bool {
        self.reserved.contains(&address)
    }

    /// Whether `address` may be leased here (in a pool or reserved).
    pub fn leases(&self, address: Ipv4Addr) -> bool {
        self.pools.iter().any(|pool| pool.contains(address)) || self.is_reserved(address)
    }
}

/// A config the DHCP server refuses, naming the subnet and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("DHCP subnet {subnet}: {problem}")]
pub struct SubnetError {
    /// The subnet, as written.
    pub subnet: String,
    /// What is wrong.
    pub problem: String,
}

/// Checks every subnet and their relations; the subnets in the given order.
pub fn check_subnets(configs: Vec<SubnetConfig>) -> Result<Vec<Subnet>, SubnetError> {
    let mut subnets: Vec<Subnet> = Vec::with_capacity(configs.len());
    for config in configs {
        let subnet = check_subnet(config)?;
        let fail = |problem: String| SubnetError {
            subnet: subnet.name.clone(),
            problem,
        };
        for other in &subnets {
            let (a, b) = (subnet.config.network, other.config.network);
            if a.contains(&b.network()) || b.contains(&a.network()) {
                return Err(fail(format!("overlaps subnet {}", other.name)));
            }
        }
        subnets.push(subnet);
    }
    Ok(subnets)
}

fn check_subnet(config: SubnetConfig) -> Result<Subnet, SubnetError> {
    let network = config.network.trunc();
    let name = network.to_string();
    let fail = |problem: String| SubnetError {
        subnet: name.clone(),
        problem,
    };
    if config.network != network {
        return Err(fail(format!(
            "{} has host bits set; write {name}",
            config.network
        )));
    }
    if network.prefix_len() > 30 {
        return Err(fail("a subnet needs a prefix of /30 or shorter".into()));
    }
    let mut pools: Vec<Pool> = Vec::new();
    for text in &config.pools {
        let pool = Pool::parse(text).ok_or_else(|| {
            fail(format!(
                "pool {text:?} is not FIRST-LAST with FIRST <= LAST"
            ))
        })?;
        if !network.contains(&pool.first) || !network.contains(&pool.last) {
            return Err(fail(format!("pool {text:?} is not inside {name}")));
        }
        if pool.contains(network.network()) || pool.contains(network.broadcast()) {
            return Err(fail(format!(
                "pool {text:?} holds the network or broadcast address"
            )));
        }
        if let Some(other) = pools.iter().find(|p| p.overlaps(&pool)) {
            return Err(fail(format!(
                "pools {text:?} and {}-{} overlap",
                other.first, other.last
            )));
        }
        pools.push(pool);
    }
    let (mut reserved_for, mut reserved) = (HashMap::new(), HashSet::new());
    for reservation in &config.reservations {
        let mac = Mac::parse(&reservation.mac).map_err(|e| fail(format!("reservation: {e}")))?;
        let address = reservation.address;
        if !network.contains(&address)
            || address == network.network()
            || address == network.broadcast()
        {
            return Err(fail(format!(
                "reserved address {address} is not a host address of {name}"
            )));
        }
        if reserved_for.insert(mac, address).is_some() {
            return Err(fail(format!("{mac} has two reservations")));
        }
        if !reserved.insert(address) {
            return Err(fail(format!("{address} is reserved twice")));
        }
    }
    if config.mode == Mode::Allocate && pools.is_empty() && reserved.is_empty() {
        return Err(fail(
            "allocate mode needs a pool or a reservation to lease from".into(),
        ));
    }
    if config.lease_time < 60 {
        return Err(fail("lease_time is below 60 seconds".into()));
    }
    if let Some(code) = config.polycom_option
        && code != 66
        && !(128..=254).contains(&code)
    {
        return Err(fail(format!(
            "polycom_option {code} is not 66 or from 128 to 254"
        )));
    }
    if let Some(code) = config.yealink_option
        && !(128..=254).contains(&code)
    {
        return Err(fail(format!(
            "yealink_option {code} is not from 128 to 254"
        )));
    }
    Ok(Subnet {
        config,
        pools,
        reserved_for,
        reserved,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Subnet>, String> {
        #[derive(Deserialize)]
        struct File {
            subnet: Vec<SubnetConfig>,
        }
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        check_subnets(file.subnet).map_err(|e| e.to_string())
    }

    #[test]
    fn a_good_subnet_is_taken() {
        let subnets = parse(
            r#"
            [[subnet]]
            network = "10.20.0.0/24"
            mode = "allocate"
            pools = ["10.20.0.100-10.20.0.199", "10.20.0.210"]
            router = "10.20.0.1"
            reservations = [{ mac = "0004f2000001", address = "10.20.0.50" }]
            "#,
        )
        .unwrap();
        let subnet = &subnets[0];
        assert_eq!(subnet.pools[0].len(), 100);
        assert_eq!(subnet.pools[1].len(), 1);
        assert!(subnet.leases("10.20.0.50".parse().unwrap()));
        assert!(!subnet.leases("10.20.0.200".parse().unwrap()));
        assert_eq!(subnet.config.lease_time, 3600);
        assert!(!subnet.config.authoritative);
    }

    #[test]
    fn configs_that_could_double_lease_are_refused() {
        let cases = [
            ("network = \"10.20.0.1/24\"", "host bits"),
            (
                "network = \"10.20.0.0/24\"\npools = [\"10.20.1.1-10.20.1.9\"]",
                "not inside",
            ),
            (
                "network = \"10.20.0.0/24\"\npools = [\"10.20.0.9-10.20.0.1\"]",
                "FIRST <= LAST",
            ),
            (
                "network = \"10.20.0.0/24\"\npools = [\"10.20.0.1-10.20.0.9\", \"10.20.0.5-10.20.0.20\"]",
                "overlap",
            ),
            (
                "network = \"10.20.0.0/24\"\npools = [\"10.20.0.0-10.20.0.9\"]",
                "network or broadcast",
            ),
            (
                "network = \"10.20.0.0/24\"\nmode = \"allocate\"",
                "needs a pool",
            ),
            (
                "network = \"10.20.0.0/24\"\nmode = \"lease\"",
                "unknown variant",
            ),
            (
                "network = \"10.20.0.0/24\"\nrouter = \"10.20.0.300\"",
                "router",
            ),
            (
                "network = \"10.20.0.0/24\"\nrouters = [\"10.20.0.1\"]",
                "unknown field",
            ),
            (
                "network = \"10.20.0.0/24\"\nreservations = [{ mac = \"0004f2000001\", address = \"10.20.0.5\" }, { mac = \"0004f2000001\", address = \"10.20.0.6\" }]",
                "two reservations",
            ),
            (
                "network = \"10.20.0.0/24\"\nreservations = [{ mac = \"nope\", address = \"10.20.0.5\" }]",
                "reservation",
            ),
            (
                "network = \"10.20.0.0/24\"\npolycom_option = 100",
                "polycom_option",
            ),
        ];
        for (body, expected) in cases {
            let error = parse(&format!("[[subnet]]\n{body}\n")).unwrap_err();
            assert!(error.contains(expected), "{body}: {error}");
        }
        let overlapping = parse(
            "[[subnet]]\nnetwork = \"10.20.0.0/16\"\n[[subnet]]\nnetwork = \"10.20.5.0/24\"\n",
        )
        .unwrap_err();
        assert!(
            overlapping.contains("overlaps subnet 10.20.0.0/16"),
            "{overlapping}"
        );
    }
}
