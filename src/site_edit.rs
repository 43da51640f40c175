//! Editing a site's settings from named fields, the same for the admin API (JSON), the CLI
//! (`phoneprov site add|set`) and the config file (`[[site]]`): fields left out keep their
//! value, every invalid field is named, and the result is checked as a whole (call servers,
//! alternate site).

use crate::domain::{
    CallServer, DialPlan, EmergencyNumbers, ExtensionLength, LocalDialing, NumberRanges, Recheck,
    Site, SiteName, SiteSettings, ZoneName, check_call_servers, host, is_host, quoted,
};
use crate::store::{Store, StoreError};

/// Why a site edit is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteEditError {
    /// Creating a site that exists.
    #[error("site {0} already exists")]
    Exists(String),
    /// Changing a site that does not exist.
    #[error("no site {0}")]
    Missing(String),
    /// Invalid fields, as `(field, message)`.
    #[error("invalid site settings: {}", .0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(String, String)>),
}

struct Fields(Vec<(String, String)>);

/// Body of `POST /sites` and `PUT /sites/{name}`: fields left out keep their value (a new site
/// starts from the MAXCS defaults, with SIP port 5060 and no time set: UTC until a time zone is
/// given); `""` clears `sip_server`, `alternate_site`, `voicemail_server` and `time_zone`. `sip_server` is the shorthand for one call server:
/// it replaces `call_servers` (give one or the other).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    /// The site's name (creating; must match when changing).
    pub name: Option<String>,
    /// One call server's address (shorthand for `call_servers` with one entry); `""` clears.
    pub sip_server: Option<String>,
    /// Every call server, in order: address, optional port and capacity.
    pub call_servers: Option<Vec<CallServer>>,
    /// SIP port of servers without their own and of the phones (`voIpProt.SIP.local.port`).
    pub sip_port: Option<u16>,
    /// The site's time zone, an IANA name such as `Europe/Berlin` (it decides the offset and
    /// the daylight saving rules); `""` clears.
    pub time_zone: Option<String>,
    /// Without a time zone: offset of local standard time from UTC in seconds (-28800: Pacific).
    pub utc_offset_seconds: Option<i32>,
    /// Without a time zone: whether daylight saving time applies (on the US rules).
    pub daylight_saving: Option<bool>,
    /// SNTP server.
    pub sntp_server: Option<String>,
    /// Digits in an extension number: 3 or 4.
    pub extension_length: Option<i64>,
    /// Digits of a local number: 7 or 10.
    pub local_dialing: Option<i64>,
    /// Whether phones beep while a message waits.
    pub mwi_beep: Option<bool>,
    /// Registration expiry in seconds.
    pub registration_expiry: Option<u32>,
    /// The site to switch over to; `""` clears.
    pub alternate_site: Option<String>,
    /// The site's own voice mail server (default: its first call server); `""` clears.
    pub voicemail_server: Option<String>,
    /// Numbers the call server uses itself, e.g. `200-299,500`.
    pub reserved_numbers: Option<String>,
    /// Trust on first use for the site's phones' credential files.
    pub trust_first_address: Option<bool>,
    /// Emergency numbers, dialled at once, e.g. `911,9911` or `112`.
    pub emergency_numbers: Option<String>,
    /// The site's own dial plan, digit-map rules separated by `|` (e.g.
    /// `0[1-9]xxxxxxx|00x.T|[1-7]xx`); `""` goes back to the North American plan.
    pub dial_plan: Option<String>,
    /// Local time the phones' daily re-check window opens (`HH:MM`, spread over two hours), or
    /// `off`.
    pub recheck: Option<String>,
}

/// A host name or address; a bad one is recorded under `field`.
fn host_field(field: &str, text: &str, fields: &mut Fields) -> Option<String> {
    host(text)
        .map_err(|e| fields.0.push((field.into(), e.to_string())))
        .ok()
}

fn optional_host(
    field: &str,
    value: Option<String>,
    current: Option<String>,
    fields: &mut Fields,
) -> Option<String> {
    match value.as_deref() {
        None => current,
        Some("") => None,
        Some(text) => host_field(field, text, fields),
    }
}

/// The settings of site `name` after `input`: a new one (`create`) starts from
/// [`SiteSettings::new_site_defaults`], an existing one from its own.
pub fn edited_settings(
    sites: &[Site],
    name: &SiteName,
    input: SiteInput,
    create: bool,
) -> Result<SiteSettings, SiteEditError> {
    let existing = sites.iter().find(|s| s.name == *name);
    match (existing, create) {
        (Some(_), true) => return Err(SiteEditError::Exists(name.to_string())),
        (None, false) => return Err(SiteEditError::Missing(name.to_string())),
        _ => {}
    }
    let mut settings = match existing {
        Some(site) => site.settings.clone(),
        None => SiteSettings::new_site_defaults(),
    };
    let mut fields = Fields(Vec::new());
    match (input.sip_server, input.call_servers) {
        (Some(_), Some(_)) => fields.0.push((
            "sip_server".into(),
            "give sip_server (one call server) or call_servers, not both".into(),
        )),
        (Some(address), None) => {
            settings.call_servers = optional_host("sip_server", Some(address), None, &mut fields)
                .map(|address| vec![CallServer::at(&address)])
                .unwrap_or_default();
        }
        (None, Some(servers)) => settings.call_servers = servers,
        (None, None) => {}
    }
    settings.voicemail_server = optional_host(
        "voicemail_server",
        input.voicemail_server,
        settings.voicemail_server,
        &mut fields,
    );
    if let Some(text) = input.reserved_numbers {
        match NumberRanges::parse(&text) {
            Ok(ranges) => settings.reserved_numbers = ranges,
            Err(e) => fields.0.push(("reserved_numbers".into(), e.to_string())),
        }
    }
    if let Some(sntp) = input.sntp_server {
        settings.sntp_server = host_field("sntp_server", &sntp, &mut fields).unwrap_or_default();
    }
    match input.sip_port {
        Some(0) => fields
            .0
            .push(("sip_port".into(), "must be 1 to 65535".into())),
        Some(port) => settings.sip_port = Some(port),
        None => {}
    }
    if let Err(e) = check_call_servers(&settings.call_servers, settings.effective_sip_port()) {
        fields.0.push(("call_servers".into(), e.to_string()));
    }
    if let Some(offset) = input.utc_offset_seconds {
        if offset.unsigned_abs() > 14 * 3600 {
            fields.0.push((
                "utc_offset_seconds".into(),
                "must be within 14 hours of UTC".into(),
            ));
        }
        settings.utc_offset_seconds = Some(offset);
    }
    match input.time_zone.as_deref() {
        None => {}
        Some("") => settings.time_zone = None,
        Some(name) => match ZoneName::parse(name) {
            Ok(zone) => settings.time_zone = Some(zone),
            Err(e) => fields.0.push(("time_zone".into(), e.to_string())),
        },
    }
    if let Some(text) = input.emergency_numbers {
        match EmergencyNumbers::parse(&text) {
            Ok(numbers) => settings.emergency_numbers = numbers,
            Err(e) => fields.0.push(("emergency_numbers".into(), e.to_string())),
        }
    }
    match input.dial_plan.as_deref() {
        None => {}
        Some("") => settings.dial_plan = None,
        Some(text) => match DialPlan::parse(text) {
            Ok(plan) => settings.dial_plan = Some(plan),
            Err(e) => fields.0.push(("dial_plan".into(), e.to_string())),
        },
    }
    if let Some(text) = input.recheck {
        match Recheck::parse(&text) {
            Ok(recheck) => settings.recheck = recheck,
            Err(e) => fields.0.push(("recheck".into(), e.to_string())),
        }
    }
    if let Some(digits) = input.extension_length {
        match ExtensionLength::from_digits(digits) {
            Some(length) => settings.extension_length = length,
            None => fields
                .0
                .push(("extension_length".into(), "must be 3 or 4".into())),
        }
    }
    if let Some(digits) = input.local_dialing {
        match LocalDialing::from_digits(digits) {
            Some(local) => settings.local_dialing = local,
            None => fields
                .0
                .push(("local_dialing".into(), "must be 7 or 10".into())),
        }
    }
    if let Some(dst) = input.daylight_saving {
        settings.daylight_saving = dst;
    }
    if let Some(beep) = input.mwi_beep {
        settings.mwi_beep = beep;
    }
    if let Some(trust) = input.trust_first_address {
        settings.trust_first_address = trust;
    }
    match input.registration_expiry {
        Some(0) => fields.0.push((
            "registration_expiry".into(),
            "must be 1 or more seconds".into(),
        )),
        Some(seconds) => settings.registration_expiry = Some(seconds),
        None => {}
    }
    match input.alternate_site.as_deref() {
        None => {}
        Some("") => settings.alternate_site = None,
        Some(other) => match sites
            .iter()
            .find(|s| s.name.as_str().eq_ignore_ascii_case(other))
        {
            Some(site) if site.name != *name => settings.alternate_site = Some(site.id),
            Some(_) => fields.0.push((
                "alternate_site".into(),
                "a site cannot be its own alternate".into(),
            )),
            None => fields.0.push((
                "alternate_site".into(),
                format!("no site {}", quoted(other)),
            )),
        },
    }
    if !fields.0.is_empty() {
        return Err(SiteEditError::Invalid(fields.0));
    }
    Ok(settings)
}

/// Why the config file's sites or voice mail cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum DeclaredError {
    /// A `[[site]]` table without a valid name.
    #[error("config file [[site]] number {index}: {message}")]
    Name {
        /// 1-based position in the file.
        index: usize,
        /// Why.
        message: String,
    },
    /// A site's settings are refused.
    #[error("config file site {site}: {error}")]
    Site {
        /// The site.
        site: String,
        /// Why.
        error: SiteEditError,
    },
    /// A voice mail server is not a host name or address.
    #[error("config file [voicemail]: {0:?} is not a host name or address")]
    Voicemail(String),
    /// The database refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Applies the config file's `[[site]]` tables and `[voicemail]` to the database, as `actor`:
/// missing sites are created (first without their alternate, so sites may name each other),
/// sites whose settings differ from the file's are changed, the rest are left alone; each write
/// is audited. Returns the names of the sites written.
pub async fn apply_declared(
    store: &dyn Store,
    declared: &[SiteInput],
    voicemail: Option<(Option<String>, Option<String>)>,
    actor: &str,
) -> Result<Vec<String>, DeclaredError> {
    let mut named = Vec::with_capacity(declared.len());
    for (i, input) in declared.iter().enumerate() {
        let name = SiteName::parse(input.name.as_deref().unwrap_or("")).map_err(|e| {
            DeclaredError::Name {
                index: i + 1,
                message: e.to_string(),
            }
        })?;
        named.push((name, input));
    }
    let refused = |site: &SiteName, error| DeclaredError::Site {
        site: site.to_string(),
        error,
    };
    let mut written = Vec::new();
    for (name, input) in &named {
        let sites = store.sites().await?;
        if sites.iter().all(|s| s.name != *name) {
            let first = SiteInput {
                alternate_site: None,
                ..(*input).clone()
            };
            let settings =
                edited_settings(&sites, name, first, true).map_err(|e| refused(name, e))?;
            store.create_site(name, &settings, actor).await?;
            written.push(name.to_string());
        }
    }
    for (name, input) in &named {
        let sites = store.sites().await?;
        let settings =
            edited_settings(&sites, name, (*input).clone(), false).map_err(|e| refused(name, e))?;
        let current = sites.iter().find(|s| s.name == *name).map(|s| &s.settings);
        if current != Some(&settings) {
            store.update_site(name, &settings, actor).await?;
            if !written.contains(&name.to_string()) {
                written.push(name.to_string());
            }
        }
    }
    if let Some((central, backup)) = voicemail {
        for server in [&central, &backup].into_iter().flatten() {
            if !is_host(server) {
                return Err(DeclaredError::Voicemail(server.clone()));
            }
        }
        let now = store.voicemail().await?;
        if now.central != central || now.backup != backup {
            store.set_voicemail(central, backup, actor).await?;
            written.push("voicemail".to_string());
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SiteId;

    #[test]
    fn extreme_offsets_are_refused_not_panicked_on() {
        // Found by Schemathesis: i32::MIN has no absolute value in i32.
        let site = Site {
            id: SiteId(1),
            name: SiteName::default_site(),
            settings: SiteSettings::maxcs_defaults(),
            switched_over: false,
        };
        for offset in [i32::MIN, i32::MAX, 14 * 3600 + 1] {
            let input = SiteInput {
                utc_offset_seconds: Some(offset),
                ..SiteInput::default()
            };
            let refused = edited_settings(
                std::slice::from_ref(&site),
                &SiteName::default_site(),
                input,
                false,
            );
            assert!(
                matches!(&refused, Err(SiteEditError::Invalid(fields)) if fields[0].0 == "utc_offset_seconds"),
                "{offset}: {refused:?}"
            );
        }
    }
}
