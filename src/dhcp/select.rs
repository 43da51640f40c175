//! Which configured subnet a request is for, in the order Kea and dora use (RFC 3527 puts link
//! selection first): option 82 sub-option 5 (link selection), option 118 (subnet selection),
//! giaddr, ciaddr, then the receiving interface (a local address inside a subnet).

use std::net::Ipv4Addr;

use dhcproto::v4::relay::{RelayCode, RelayInfo};
use dhcproto::v4::{DhcpOption, Message, OptionCode};

use crate::dhcp::subnet::Subnet;

/// The address that names the client's link, if the request carries one.
fn link_address(request: &Message) -> Option<Ipv4Addr> {
    if let Some(DhcpOption::RelayAgentInformation(info)) =
        request.opts().get(OptionCode::RelayAgentInformation)
        && let Some(RelayInfo::LinkSelection(link)) = info.get(RelayCode::LinkSelection)
    {
        return Some(*link);
    }
    if let Some(DhcpOption::SubnetSelection(link)) = request.opts().get(OptionCode::SubnetSelection)
    {
        return Some(*link);
    }
    [request.giaddr(), request.ciaddr()]
        .into_iter()
        .find(|address| !address.is_unspecified())
}

/// The index of the subnet `request` is for, if one is configured.
pub fn subnet_of(
    request: &Message,
    subnets: &[Subnet],
    local_addresses: &[Ipv4Addr],
) -> Option<usize> {
    match link_address(request) {
        Some(link) => subnets
            .iter()
            .position(|s| s.config.network.contains(&link)),
        // A local client without an address: the subnet of one of our own addresses.
        None => local_addresses.iter().find_map(|local| {
            subnets
                .iter()
                .position(|s| s.config.network.contains(local))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dhcp::subnet::{SubnetConfig, check_subnets};
    use dhcproto::v4::relay::RelayAgentInformation;

    fn subnets() -> Vec<Subnet> {
        let configs = ["10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24", "10.4.0.0/24"]
            .iter()
            .map(|n| toml::from_str::<SubnetConfig>(&format!("network = {n:?}")).unwrap())
            .collect();
        check_subnets(configs).unwrap()
    }

    #[test]
    fn link_selection_beats_option_118_beats_giaddr_beats_ciaddr() {
        let subnets = subnets();
        let local = [Ipv4Addr::new(10, 4, 0, 1)];
        let mut request = Message::new_with_id(
            1,
            Ipv4Addr::new(10, 3, 0, 9),
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            &[0, 1, 2, 3, 4, 5],
        );
        assert_eq!(subnet_of(&request, &subnets, &local), Some(2), "ciaddr");
        request.set_giaddr(Ipv4Addr::new(10, 2, 0, 1));
        assert_eq!(subnet_of(&request, &subnets, &local), Some(1), "giaddr");
        request
            .opts_mut()
            .insert(DhcpOption::SubnetSelection(Ipv4Addr::new(10, 9, 0, 0)));
        assert_eq!(subnet_of(&request, &subnets, &local), None, "118, unknown");
        let mut info = RelayAgentInformation::default();
        info.insert(RelayInfo::LinkSelection(Ipv4Addr::new(10, 1, 0, 0)));
        request
            .opts_mut()
            .insert(DhcpOption::RelayAgentInformation(info));
        assert_eq!(subnet_of(&request, &subnets, &local), Some(0), "82.5");
        let local_client = Message::new_with_id(
            1,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            &[0, 1, 2, 3, 4, 5],
        );
        assert_eq!(
            subnet_of(&local_client, &subnets, &local),
            Some(3),
            "interface"
        );
        assert_eq!(subnet_of(&local_client, &subnets, &[]), None);
    }
}
