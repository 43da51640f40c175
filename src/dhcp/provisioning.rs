//! The provisioning options phoneprov hands phones, per vendor, forced whether or not the phone
//! asked for them (phones often do not): for Polycom option 160 (the code is configurable, since
//! some networks already use 160) and option 66 with the boot-server URL; for Aastra/Mitel option
//! 66 and option 43 with sub-option 2 (the configuration server URL). Values carry no trailing NUL.

use dhcproto::v4::{DhcpOption, DhcpOptions, OptionCode, UnknownOption};

use crate::domain::Vendor;

/// What phoneprov tells phones of each vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisioningOptions {
    /// Boot-server URL for Polycom phones, e.g. `ftp://PlcmSpIp:PlcmSpIp@192.0.2.10/`.
    pub polycom_url: String,
    /// The option code Polycom phones read the URL from (160 unless the network uses it).
    pub polycom_code: u8,
    /// Also send the Polycom URL as option 66.
    pub polycom_option_66: bool,
    /// Configuration-server URL for Aastra/Mitel phones, e.g. `http://192.0.2.10:8080/`.
    pub aastra_url: String,
}

impl ProvisioningOptions {
    /// The defaults for phoneprov at `server`: Polycom over FTP (the factory login) when FTP
    /// runs, else HTTP; Aastra/Mitel over HTTP.
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
        let http = match (secure, web_port) {
            (false, 80) => format!("http://{server}/"),
            (true, 443) => format!("https://{server}/"),
            (false, port) => format!("http://{server}:{port}/"),
            (true, port) => format!("https://{server}:{port}/"),
        };
        let polycom_url = match ftp_port {
            Some(21) => format!("ftp://PlcmSpIp:PlcmSpIp@{server}/"),
            Some(port) => format!("ftp://PlcmSpIp:PlcmSpIp@{server}:{port}/"),
            None => http.clone(),
        };
        ProvisioningOptions {
            polycom_url,
            polycom_code: 160,
            polycom_option_66: true,
            aastra_url: http,
        }
    }

    /// Adds the options for a phone of `vendor` to `options`.
    pub fn add_to(&self, vendor: Vendor, options: &mut DhcpOptions) {
        match vendor {
            Vendor::Polycom => {
                let url = self.polycom_url.as_bytes().to_vec();
                if self.polycom_code == 66 || self.polycom_option_66 {
                    options.insert(DhcpOption::TFTPServerName(url.clone()));
                }
                if self.polycom_code != 66 {
                    options.insert(DhcpOption::Unknown(UnknownOption::new(
                        OptionCode::from(self.polycom_code),
                        url,
                    )));
                }
            }
            Vendor::Aastra => {
                let url = self.aastra_url.as_bytes();
                options.insert(DhcpOption::TFTPServerName(url.to_vec()));
                // Vendor-specific sub-option 2: the configuration server. Longer URLs than one
                // sub-option holds are not sent there (option 66 still carries them).
                if let Ok(length) = u8::try_from(url.len()) {
                    let mut sub_options = vec![2, length];
                    sub_options.extend_from_slice(url);
                    options.insert(DhcpOption::VendorExtensions(sub_options));
                }
            }
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
            options.polycom_url,
            "ftp://PlcmSpIp:PlcmSpIp@192.0.2.10:2121/"
        );
        assert_eq!(options.aastra_url, "http://192.0.2.10:8080/");
        let standard = ProvisioningOptions::derived("pbx.example", 80, Some(21));
        assert_eq!(standard.polycom_url, "ftp://PlcmSpIp:PlcmSpIp@pbx.example/");
        assert_eq!(standard.aastra_url, "http://pbx.example/");
        let no_ftp = ProvisioningOptions::derived("192.0.2.10", 8080, None);
        assert_eq!(no_ftp.polycom_url, "http://192.0.2.10:8080/");
    }

    #[test]
    fn each_vendor_gets_its_options() {
        let options = ProvisioningOptions::derived("192.0.2.10", 8080, Some(2121));
        let mut polycom = DhcpOptions::new();
        options.add_to(Vendor::Polycom, &mut polycom);
        let url = options.polycom_url.as_bytes().to_vec();
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
