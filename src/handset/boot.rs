//! How a vendor's phones find phoneprov: the boot-server URL they are given by default
//! ([`BootServer`]: where phoneprov listens) and the DHCP options that carry it ([`DhcpChoice`]:
//! what the admin chose for vendors that read a configurable option).

/// Where phoneprov serves phones, to make their default boot-server URL from.
#[derive(Debug, Clone, Copy)]
pub struct BootServer<'a> {
    /// The web URL (`http://192.0.2.10:8080/`, or HTTPS when plain HTTP is off).
    pub web_url: &'a str,
    /// phoneprov's address as phones reach it.
    pub host: &'a str,
    /// The FTP port, when FTP runs.
    pub ftp_port: Option<u16>,
}

/// What the admin chose for the DHCP option the URL goes in, for vendors that read it from a
/// configurable option (Polycom: 160 unless the network uses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DhcpChoice {
    /// The option code.
    pub code: u8,
    /// Whether option 66 carries the URL too.
    pub also_66: bool,
}

impl DhcpChoice {
    /// The URL in option `code` and in option 66 (just 66 when `code` is 66): a vendor's custom
    /// option beside the standard one.
    pub fn beside_66(code: u8) -> DhcpChoice {
        DhcpChoice {
            code,
            also_66: true,
        }
    }

    /// The URL `url` in the chosen option and, when asked for, in option 66 too.
    pub fn options(self, url: &str) -> Vec<(u8, Vec<u8>)> {
        let url = url.as_bytes().to_vec();
        let mut options = Vec::with_capacity(2);
        if self.code == 66 || self.also_66 {
            options.push((66, url.clone()));
        }
        if self.code != 66 {
            options.push((self.code, url));
        }
        options
    }
}

/// The web URL phones reach phoneprov at: `http://<host>/` (or `:<port>`), `https://` when
/// plain HTTP is off.
pub fn web_url(host: &str, secure: bool, port: u16) -> String {
    match (secure, port) {
        (false, 80) => format!("http://{host}/"),
        (true, 443) => format!("https://{host}/"),
        (false, port) => format!("http://{host}:{port}/"),
        (true, port) => format!("https://{host}:{port}/"),
    }
}
