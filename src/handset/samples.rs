//! What every vendor's sample contexts show (an extension, a call server, a setting): an override
//! of a template must render with its template's sample before it replaces the built-in one, so a
//! template that uses an unknown variable is refused when loaded, not when a phone asks.

use crate::domain::{Effective, Extension, ExtensionNumber, ServerView, SiteId};

/// The extension every vendor's samples show.
pub fn sample_extension() -> Option<Extension> {
    Some(Extension {
        number: ExtensionNumber::parse("201").ok()?,
        display_name: "Sample User".into(),
        label: Some("Sample".into()),
        auth_user: None,
        password: "sample-password".into(),
        home_site: SiteId(1),
        current_site: SiteId(1),
        switchover_enabled: true,
        in_directory: true,
        registration: None,
    })
}

/// A call server of the samples.
pub fn sample_server(address: &str) -> ServerView {
    ServerView {
        address: address.into(),
        port: 5060,
    }
}

/// A setting of the samples.
pub fn sample_setting(parameter: &str, value: &str) -> Effective {
    Effective {
        parameter: parameter.to_string(),
        value: value.to_string(),
        origin: "deployment".to_string(),
    }
}
