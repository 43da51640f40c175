//! The provisioning options phoneprov hands phones, per vendor, forced whether or not the phone
//! asked for them (phones often do not): each vendor's boot-server URL, in the options its
//! vendor's folder says carry it (Polycom: option 160, the code configurable since some networks
//! already use 160, and option 66; Aastra/Mitel: option 66 and option 43 sub-option 2). Values
//! carry no trailing NUL.

use std::collections::BTreeMap;

use dhcproto::v4::{DhcpOption, DhcpOptions, OptionCode, UnknownOption};

use crate::domain::Vendor;
use crate::handset::boot::{BootServer, DhcpChoice};
use crate::handset::{HANDSETS, handset};

/// What phoneprov tells phones of each vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisioningOptions {
    /// The boot-server URL of each vendor's phones (Polycom's, e.g.
    /// `ftp://PlcmSpIp:PlcmSpIp@192.0.2.10/`; Aastra/Mitel's, e.g. `http://192.0.2.10:8080/`).
    pub urls: BTreeMap<Vendor, String>,
    /// The option the admin chose for each vendor whose phones read a configurable one, and
    /// whether option 66 carries the URL too (Polycom: 160 and 66 unless set; Yealink: its
    /// custom option, when the admin names one). A vendor not listed gets option 66.
    pub choices: BTreeMap<Vendor, DhcpChoice>,
}

impl ProvisioningOptions {
    /// The defaults for phoneprov at `server`: each vendor's default URL (Polycom over FTP, the
    /// factory login, when FTP runs, else HTTP; Aastra/Mitel over HTTP).
    pub fn derived(server: &str, http_port: u16, ftp_port: Option<u16>) -> ProvisioningOptions {
        ProvisioningOptions::derived_for(server, false, http_port, ftp_port)
    }

    /// As [`ProvisioningOptions::derived`], with the web server on HTTPS when `secure` (plain
    /// HTTP turned off).
    pub fn derived_for(
        server: &str,
        secure: bool,
        web_port: u16,
        ftp_port: Option<u16>,
    ) -> ProvisioningOptions {
        let web_url = crate::handset::boot::web_url(server, secure, web_port);
        let boot = BootServer {
            web_url: &web_url,
            host: server,
            ftp_port,
        };
        ProvisioningOptions {
            urls: HANDSETS
                .iter()
                .map(|handset| (handset.vendor(), handset.boot_url(&boot)))
                .collect(),
            choices: BTreeMap::from([(Vendor::Polycom, DhcpChoice::beside_66(160))]),
        }
    }

    /// The URL phones of `vendor` are given.
    pub fn url_of(&self, vendor: Vendor) -> &str {
        self.urls.get(&vendor).map_or("", String::as_str)
    }

    /// The option the admin chose for `vendor`'s phones: option 66 unless set.
    pub fn choice_of(&self, vendor: Vendor) -> DhcpChoice {
        self.choices
            .get(&vendor)
            .copied()
            .unwrap_or(DhcpChoice::beside_66(66))
    }

    /// Adds the options for a phone of `vendor` to `options`.
    pub fn add_to(&self, vendor: Vendor, options: &mut DhcpOptions) {
        let url = self.url_of(vendor);
        for (code, value) in handset(vendor).dhcp_options(url, self.choice_of(vendor)) {
            options.insert(match code {
                66 => DhcpOption::TFTPServerName(value),
                43 => DhcpOption::VendorExtensions(value),
                other => DhcpOption::Unknown(UnknownOption::new(OptionCode::from(other), value)),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_listeners() {
        let options = ProvisioningOptions::derived("192.0.2.10", 8080, Some(2121));
        assert_eq!(
            options.url_of(Vendor::Polycom),
            "ftp://PlcmSpIp:PlcmSpIp@192.0.2.10:2121/"
        );
        assert_eq!(options.url_of(Vendor::Aastra), "http://192.0.2.10:8080/");
        let standard = ProvisioningOptions::derived("pbx.example", 80, Some(21));
        assert_eq!(
            standard.url_of(Vendor::Polycom),
            "ftp://PlcmSpIp:PlcmSpIp@pbx.example/"
        );
        assert_eq!(standard.url_of(Vendor::Aastra), "http://pbx.example/");
        let no_ftp = ProvisioningOptions::derived("192.0.2.10", 8080, None);
        assert_eq!(no_ftp.url_of(Vendor::Polycom), "http://192.0.2.10:8080/");
    }

    #[test]
    fn each_vendor_gets_its_options() {
        let options = ProvisioningOptions::derived("192.0.2.10", 8080, Some(2121));
        let mut polycom = DhcpOptions::new();
        options.add_to(Vendor::Polycom, &mut polycom);
        let url = options.url_of(Vendor::Polycom).as_bytes().to_vec();
        assert_eq!(
            polycom.get(OptionCode::from(160)),
            Some(&DhcpOption::Unknown(UnknownOption::new(
                160.into(),
                url.clone()
            )))
        );
        assert_eq!(
            polycom.get(OptionCode::TFTPServerName),
            Some(&DhcpOption::TFTPServerName(url))
        );
        let mut aastra = DhcpOptions::new();
        options.add_to(Vendor::Aastra, &mut aastra);
        let url = b"http://192.0.2.10:8080/".to_vec();
        let mut sub = vec![2, url.len() as u8];
        sub.extend_from_slice(&url);
        assert_eq!(
            aastra.get(OptionCode::VendorExtensions),
            Some(&DhcpOption::VendorExtensions(sub))
        );
        assert_eq!(
            aastra.get(OptionCode::TFTPServerName),
            Some(&DhcpOption::TFTPServerName(url))
        );
        assert!(aastra.get(OptionCode::from(160)).is_none());
    }
}
