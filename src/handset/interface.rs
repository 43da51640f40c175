//! [`Handset`]: what phoneprov asks of one vendor's phones. Each vendor's folder implements it
//! ([`crate::handset::polycom::Polycom`], [`crate::handset::aastra::Aastra`]).

use crate::domain::{MODELS, Mac, Model, Neutral, ParameterSpec, Site, Vendor};
use crate::handset::agent::Agent;

/// One vendor's phones, as the rest of phoneprov asks about them.
pub trait Handset: Sync {
    /// Which vendor.
    fn vendor(&self) -> Vendor;

    /// The content type its files are served with.
    fn content_type(&self) -> &'static str;

    /// The names of the templates its files are rendered from (see `render::TEMPLATES`).
    fn templates(&self) -> &'static [&'static str];

    /// What a user agent of one of its phones says (model, firmware, and the MAC where the
    /// vendor sends it); `None` for another vendor's.
    fn parse_agent(&self, user_agent: &str) -> Option<Agent>;

    /// Whether a DHCP vendor class (option 60) is one of its phones'.
    fn claims_vendor_class(&self, class: &[u8]) -> bool;

    /// The name of a phone's own file, as the phone asks for it.
    fn phone_file_name(&self, mac: &Mac) -> String;

    /// The port a phone listens on for SIP (a check-sync NOTIFY goes there), as its files set it
    /// from its site.
    fn sip_port(&self, site: &Site) -> u16 {
        site.settings.effective_sip_port()
    }

    /// The parameters it knows by name, type and range (its `catalogue.rs`).
    fn catalogue(&self) -> &'static [ParameterSpec];

    /// A vendor-neutral setting (`@language`) as its parameters, for a phone of firmware family
    /// `family` (short name; `""` where the vendor has one file grammar).
    fn neutral_parameters(&self, neutral: &Neutral, family: &str) -> Vec<(String, String)>;

    /// Its models, from the model table.
    fn models(&self) -> Vec<&'static Model> {
        MODELS
            .iter()
            .filter(|m| m.vendor == self.vendor())
            .collect()
    }
}
