//! What `phoneprov serve` tells the admin once it runs, in plain words in its log: where
//! the admin page is, which call server the default site's phones will register to and where
//! that address came from, and that the defaults follow AltiGen MAXCS, with the command that
//! sets a generic SIP server instead.

use phoneprov::domain::{Site, SiteName, url_host};
use phoneprov::server::Addresses;

/// Where the admin page answers: the HTTP (else HTTPS) listener, with phoneprov's own address
/// when it listens on every address.
pub fn admin_url(addresses: &Addresses, own_address: &str) -> Option<String> {
    let (scheme, address) = match (addresses.http, addresses.https) {
        (Some(address), _) => ("http", address),
        (None, Some(address)) => ("https", address),
        (None, None) => return None,
    };
    let host = if address.ip().is_unspecified() {
        url_host(own_address).into_owned()
    } else {
        url_host(&address.ip().to_string()).into_owned()
    };
    Some(format!("{scheme}://{host}:{}/admin", address.port()))
}

/// Where phoneprov's own address came from, for the admin.
pub struct OwnAddress<'a> {
    /// The address.
    pub address: &'a str,
    /// Found on this interface (`None`: given by the admin, or nothing found).
    pub interface: Option<&'a str>,
    /// Found rather than given.
    pub detected: bool,
}

/// The lines told at start.
pub fn lines(
    admin: Option<String>,
    default_site: Option<&Site>,
    own: &OwnAddress<'_>,
) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(url) = admin {
        lines.push(format!("Admin page: {url} (log in with the admin token)"));
    }
    let Some(site) = default_site else {
        return lines;
    };
    let name = SiteName::default_site();
    let settings = &site.settings;
    let port = settings.effective_sip_port();
    let servers: Vec<String> = settings
        .call_servers
        .iter()
        .map(ToString::to_string)
        .collect();
    if servers.is_empty() {
        let origin = match (own.detected, own.interface) {
            (true, Some(interface)) => format!("found on {interface}"),
            (true, None) => "no network address found".to_string(),
            (false, _) => "given with --server-address".to_string(),
        };
        lines.push(format!(
            "Phones of site {name} will register to {}:{port}: phoneprov's own address ({origin}), \
             as the site names no call server. Set it with: phoneprov site set {name} --server ADDRESS",
            url_host(own.address)
        ));
        if is_documentation_address(own.address) {
            lines.push(format!(
                "{} is a documentation address (RFC 5737): phones cannot reach it. Give phoneprov's \
                 real address with --server-address, or the site's call server as above.",
                own.address
            ));
        }
    } else {
        lines.push(format!(
            "Phones of site {name} will register to {} (port {port} where none is given).",
            servers.join(", ")
        ));
    }
    if settings.sip_port == Some(phoneprov::domain::MAXCS_SIP_PORT) {
        lines.push(format!(
            "Site {name} follows the AltiGen MAXCS defaults: SIP port {port}, Polycom site file \
             altigen.cfg, registration expiry 90 s (600 s above 100 Polycom phones), 3-digit \
             extensions and 7-digit local numbers, Pacific time. For another SIP server: \
             phoneprov site set {name} --server ADDRESS --sip-port 5060"
        ));
    }
    lines
}

/// Whether `address` is in an IPv4 range reserved for documentation (RFC 5737).
fn is_documentation_address(address: &str) -> bool {
    address.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| {
        matches!(
            ip.octets(),
            [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _]
        )
    })
}

/// Logs the lines (as log lines, so JSON logs stay JSON).
pub fn tell_all(lines: &[String]) {
    for line in lines {
        tracing::info!(target: "phoneprov::start", "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phoneprov::domain::{SiteId, SiteSettings};

    fn site(settings: SiteSettings) -> Site {
        Site {
            id: SiteId(1),
            name: SiteName::default_site(),
            settings,
            switched_over: false,
        }
    }

    #[test]
    fn a_new_install_says_where_phones_register_and_that_it_follows_maxcs() {
        let own = OwnAddress {
            address: "192.0.2.2",
            interface: Some("eth0"),
            detected: true,
        };
        let addresses = Addresses {
            http: Some("0.0.0.0:8080".parse().unwrap()),
            ..Addresses::default()
        };
        let said = lines(
            admin_url(&addresses, own.address),
            Some(&site(SiteSettings::maxcs_defaults())),
            &own,
        )
        .join("\n");
        assert!(
            said.contains("Admin page: http://192.0.2.2:8080/admin"),
            "{said}"
        );
        assert!(said.contains("register to 192.0.2.2:10060"), "{said}");
        assert!(said.contains("found on eth0"), "{said}");
        assert!(said.contains("documentation address"), "{said}");
        assert!(said.contains("AltiGen MAXCS defaults"), "{said}");
        assert!(said.contains("--sip-port 5060"), "{said}");
        // A site set up for a generic SIP server: no MAXCS notice, its own server.
        let mut generic = SiteSettings::new_site_defaults();
        generic.call_servers = vec![phoneprov::domain::CallServer::parse("10.1.1.1").unwrap()];
        let said = lines(None, Some(&site(generic)), &own).join("\n");
        assert!(said.contains("register to 10.1.1.1"), "{said}");
        assert!(!said.contains("MAXCS"), "{said}");
    }
}
