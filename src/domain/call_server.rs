//! Call servers of a site: address, SIP port and optional capacity, and their text form
//! `ADDRESS[:PORT][/CAPACITY]` (`10.0.0.5:5060/500`, `pbx2.example.com`, `[2001:db8::5]:5060`)
//! used by the CLI and the database. A server is known by its key `address:port`, which is what
//! an extension's registration assignment names.

use std::fmt;

use crate::domain::text::quoted;

/// Most call servers one site may have.
pub const MAX_CALL_SERVERS: usize = 32;

/// One call server of a site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallServer {
    /// Host name or IP address.
    pub address: String,
    /// SIP port; unset uses the site's SIP port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Relative share of the site's extensions (e.g. licensed seats); unset counts as equal
    /// shares. Either every server of a site has one or none has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
}

/// Why a call server or a list of them is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallServerError {
    /// Not `ADDRESS[:PORT][/CAPACITY]`.
    #[error(
        "{} is not a call server (ADDRESS[:PORT][/CAPACITY], e.g. 10.0.0.5:5060/500; port 1 to 65535, capacity 1 or more)",
        quoted(.0)
    )]
    Syntax(String),
    /// The address is not a host name or IP address.
    #[error(
        "{} is not a host name or address: give a name such as pbx.example.com (letters, digits and '-' between dots) or an IPv4 or IPv6 address",
        quoted(.0)
    )]
    Address(String),
    /// The same address and port twice.
    #[error("call server {0} is listed twice")]
    Duplicate(String),
    /// Some servers have a capacity, others not.
    #[error("either every call server of a site has a capacity or none has")]
    MixedCapacity,
    /// More than [`MAX_CALL_SERVERS`].
    #[error("a site has at most {MAX_CALL_SERVERS} call servers")]
    TooMany,
}

/// `HOST[:PORT]` or `[IPV6][:PORT]` split into the host (without brackets) and the port text;
/// a bare IPv6 address (several colons) has no port. `None` when the host is empty or a
/// bracket is not closed right.
pub fn split_host_port(text: &str) -> Option<(&str, Option<&str>)> {
    if let Some(bracketed) = text.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return None,
        };
        return (!host.is_empty()).then_some((host, port));
    }
    let (host, port) = match text.rsplit_once(':') {
        // One colon: host:port. More: a bare IPv6 address.
        Some((host, port)) if !host.contains(':') => (host, Some(port)),
        _ => (text, None),
    };
    (!host.is_empty()).then_some((host, port))
}

/// A host as written in a URL or before `:PORT`: an IPv6 address in brackets.
pub fn url_host(host: &str) -> std::borrow::Cow<'_, str> {
    if host.contains(':') && !host.starts_with('[') {
        std::borrow::Cow::Owned(format!("[{host}]"))
    } else {
        std::borrow::Cow::Borrowed(host)
    }
}

/// Whether `text` is a host: an IPv4 or IPv6 address (an IPv6 one also in brackets), or a host
/// name as RFC 1123 has it: dot-separated labels of 1 to 63 letters, digits and `-`, neither
/// starting nor ending with `-`, 253 characters at most (a final dot allowed).
pub fn is_host(text: &str) -> bool {
    let unbracketed = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    if unbracketed.parse::<std::net::IpAddr>().is_ok() {
        return unbracketed == text || unbracketed.contains(':');
    }
    let name = text.strip_suffix('.').unwrap_or(text);
    (1..=253).contains(&name.len())
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        // A name of digits and dots only is an IPv4 address or nothing.
        && !name.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// `text` as a host name or address, or why it is not one (see [`is_host`]).
pub fn host(text: &str) -> Result<String, CallServerError> {
    if is_host(text) {
        Ok(text.to_string())
    } else {
        Err(CallServerError::Address(text.to_string()))
    }
}

impl CallServer {
    /// A server on `address` with no port or capacity of its own.
    pub fn at(address: &str) -> CallServer {
        CallServer {
            address: address.to_string(),
            port: None,
            capacity: None,
        }
    }

    /// Parses `ADDRESS[:PORT][/CAPACITY]` and checks the address is a host (see [`is_host`]);
    /// an IPv6 address with a port is written in brackets.
    pub fn parse(text: &str) -> Result<CallServer, CallServerError> {
        let server = CallServer::parse_syntax(text)?;
        server.check()?;
        Ok(server)
    }

    /// Parses `ADDRESS[:PORT][/CAPACITY]` without checking the address: for what the store
    /// holds, written under earlier rules (`phoneprov check` names an address that is no host).
    pub fn parse_syntax(text: &str) -> Result<CallServer, CallServerError> {
        let syntax = || CallServerError::Syntax(text.to_string());
        let trimmed = text.trim();
        let (rest, capacity) = match trimmed.rsplit_once('/') {
            Some((rest, capacity)) => (
                rest,
                Some(
                    capacity
                        .parse::<u32>()
                        .ok()
                        .filter(|c| *c > 0)
                        .ok_or_else(syntax)?,
                ),
            ),
            None => (trimmed, None),
        };
        let (address, port) = split_host_port(rest).ok_or_else(syntax)?;
        let port = match port {
            Some(port) => Some(
                port.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(syntax)?,
            ),
            None => None,
        };
        Ok(CallServer {
            address: address.to_string(),
            port,
            capacity,
        })
    }

    /// Checks the address, port and capacity (for values that did not come through `parse`).
    pub fn check(&self) -> Result<(), CallServerError> {
        host(&self.address)?;
        if self.port == Some(0) || self.capacity == Some(0) {
            return Err(CallServerError::Syntax(self.to_string()));
        }
        Ok(())
    }

    /// The port phones use: its own, else the site's.
    pub fn port_or(&self, site_port: u16) -> u16 {
        self.port.unwrap_or(site_port)
    }

    /// The key an assignment names it by: `address:port`.
    pub fn key(&self, site_port: u16) -> String {
        format!("{}:{}", self.address, self.port_or(site_port))
    }

    /// Its share weight: the capacity, or 1.
    pub fn weight(&self) -> u64 {
        u64::from(self.capacity.unwrap_or(1))
    }
}

impl fmt::Display for CallServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", url_host(&self.address))?,
            None => f.write_str(&self.address)?,
        }
        if let Some(capacity) = self.capacity {
            write!(f, "/{capacity}")?;
        }
        Ok(())
    }
}

/// Checks a site's list: each server valid, no address and port twice, capacity on all or none.
pub fn check_call_servers(servers: &[CallServer], site_port: u16) -> Result<(), CallServerError> {
    if servers.len() > MAX_CALL_SERVERS {
        return Err(CallServerError::TooMany);
    }
    let mut keys = std::collections::HashSet::new();
    for server in servers {
        server.check()?;
        let key = server.key(site_port);
        if !keys.insert(key.clone()) {
            return Err(CallServerError::Duplicate(key));
        }
    }
    let with_capacity = servers.iter().filter(|s| s.capacity.is_some()).count();
    if with_capacity != 0 && with_capacity != servers.len() {
        return Err(CallServerError::MixedCapacity);
    }
    Ok(())
}

/// Parses a comma-separated list (the database column); empty is no server.
pub fn parse_call_servers(text: &str) -> Result<Vec<CallServer>, CallServerError> {
    parse_list(text, CallServer::parse)
}

/// Each non-empty comma-separated part of `text`, parsed with `parse`.
fn parse_list(
    text: &str,
    parse: fn(&str) -> Result<CallServer, CallServerError>,
) -> Result<Vec<CallServer>, CallServerError> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(parse)
        .collect()
}

/// Parses the stored form of a site's call servers (syntax only, see
/// [`CallServer::parse_syntax`]).
pub fn parse_stored_call_servers(text: &str) -> Result<Vec<CallServer>, CallServerError> {
    parse_list(text, CallServer::parse_syntax)
}

/// The comma-separated list form of `servers`.
pub fn call_servers_text(servers: &[CallServer]) -> String {
    servers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_names_or_addresses_as_rfc_1123_and_ip_have_them() {
        for good in [
            "10.10.0.5",
            "pbx.example.com",
            "pbx.example.com.",
            "2001:db8::1",
            "[2001:db8::1]",
            "a-b.c1",
            "localhost",
        ] {
            assert!(is_host(good), "{good}");
        }
        for bad in [
            "...",
            "-bad",
            "a..b",
            "x_y",
            "bad-",
            "",
            "10.0.0.999",
            "[10.0.0.1]",
            "a b",
            "a/b",
            "1.2.3",
        ] {
            assert!(!is_host(bad), "{bad:?}");
        }
        assert!(!is_host(&format!("{}.com", "a".repeat(64))));
    }

    #[test]
    fn text_form_round_trips() {
        for text in [
            "10.0.0.5",
            "10.0.0.5:5060",
            "10.0.0.5:5060/500",
            "pbx2.example.com/3",
            "[2001:db8::5]:5061",
            "2001:db8::5",
        ] {
            let server = CallServer::parse(text).expect(text);
            assert_eq!(server.to_string(), text);
        }
        let v6 = CallServer::parse("2001:db8::5/2").unwrap();
        assert_eq!(
            (v6.address.as_str(), v6.port, v6.capacity),
            ("2001:db8::5", None, Some(2))
        );
        assert_eq!(v6.key(5060), "2001:db8::5:5060");
    }

    #[test]
    fn bad_servers_are_named() {
        for bad in [
            "", "a b", "x:0", "x:70000", "x/0", "x/-1", "[::1", "[::1]x", "a/b:1",
        ] {
            let err = CallServer::parse(bad).expect_err(bad);
            assert!(
                err.to_string().contains(&format!("{:?}", bad.trim())),
                "{err}"
            );
        }
    }

    #[test]
    fn lists_are_checked() {
        let list = parse_call_servers("a, b:5061").unwrap();
        assert!(check_call_servers(&list, 5060).is_ok());
        let twice = parse_call_servers("a:5060,a").unwrap();
        assert_eq!(
            check_call_servers(&twice, 5060),
            Err(CallServerError::Duplicate("a:5060".into()))
        );
        let mixed = parse_call_servers("a/2,b").unwrap();
        assert_eq!(
            check_call_servers(&mixed, 5060),
            Err(CallServerError::MixedCapacity)
        );
        assert_eq!(call_servers_text(&list), "a,b:5061");
    }
}
