//! The vendors: everything phoneprov knows of one vendor's phones is in its folder
//! ([`polycom`], [`aastra`], [`yealink`]) behind the [`Handset`] trait: its models, how its phones name
//! themselves in a user agent and a DHCP vendor class, the name of a phone's own file, the
//! content type and templates of its files, and the port a phone listens on for check-sync.
//! Each folder's `files.rs` holds its file names and the typed context every template gets
//! (documented in `docs/templates.md`). Pure functions over domain values; no I/O, no knowledge
//! of transports.

pub mod aastra;
pub mod agent;
pub mod boot;
pub mod clock;
pub mod dialing;
pub mod file;
pub mod file_provider;
pub mod interface;
pub mod polycom;
pub mod samples;
pub(crate) mod upload_screen;
pub(crate) mod xml_writing;
pub mod yealink;

pub use crate::domain::ServerView;
pub use file_provider::FileProvider;
pub use interface::Handset;

use crate::domain::{Neutral, ParameterName, ParameterSpec, ValueError, Vendor, check_value};
use agent::Agent;

/// Every vendor, in the order a DHCP vendor class is offered to them (the first that claims it
/// wins).
pub const HANDSETS: [&dyn Handset; 3] = [&aastra::Aastra, &polycom::Polycom, &yealink::Yealink];

/// Parses a provisioning user agent with each vendor's parser; `None` for anything else.
pub fn parse_agent(user_agent: &str) -> Option<Agent> {
    HANDSETS
        .iter()
        .find_map(|handset| handset.parse_agent(user_agent))
}

/// The catalogue entry of a parameter, if its vendor's catalogue knows it.
pub fn parameter_spec(parameter: &ParameterName) -> Option<&'static ParameterSpec> {
    handset(parameter.vendor()?)
        .catalogue()
        .iter()
        .find(|spec| spec.name == parameter.as_str())
}

/// Whether a value suits a parameter: a neutral setting's value must parse, a catalogued
/// parameter's must fit its type and range; `Ok(false)` when the parameter is not catalogued
/// (the value is taken as given, with a warning). Control characters are always refused.
pub fn check_setting(parameter: &ParameterName, value: &str) -> Result<bool, ValueError> {
    check_value(value)?;
    if parameter.is_neutral() {
        return Neutral::parse(parameter.as_str(), value)
            .map(|_| true)
            .map_err(|expected| ValueError::Invalid {
                parameter: parameter.to_string(),
                value: value.to_string(),
                expected,
            });
    }
    match parameter_spec(parameter) {
        Some(spec) => spec.check(value).map(|()| true),
        None => Ok(false),
    }
}

/// The handset of `vendor`, from the registry.
pub fn handset(vendor: Vendor) -> &'static dyn Handset {
    HANDSETS
        .iter()
        .copied()
        .find(|handset| handset.vendor() == vendor)
        // A vendor missing from the registry is a build mistake no input can cause; the unit
        // test below walks `Vendor::ALL`, so it never ships.
        .expect("every vendor is in the registry")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MODELS;

    #[test]
    fn every_template_and_model_belongs_to_one_handset() {
        for template in crate::render::templates() {
            let owners = HANDSETS
                .iter()
                .filter(|h| h.templates().iter().any(|t| t.name == template.name))
                .count();
            assert_eq!(owners, 1, "{}", template.name);
            assert!(
                crate::render::sample_context(template.name).is_some(),
                "{} has a sample",
                template.name
            );
        }
        let models: usize = HANDSETS.iter().map(|h| h.models().len()).sum();
        assert_eq!(models, MODELS.len());
        for vendor in Vendor::ALL {
            assert_eq!(
                handset(vendor).vendor(),
                vendor,
                "{vendor} is in the registry"
            );
        }
    }
}
