//! `phoneprov check`: renders every file of every phone and looks over the deployment for
//! problems to fix before phones boot. Warnings do not fail the check; errors do (a template or
//! XML error, a refused template override, a file a phone will ask for that cannot be served).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crate::config::Serving;
use crate::domain::{ExtensionNumber, MODELS, Model, Vendor, is_host};
use crate::handset::{handset, parameter_spec};
use crate::policy::firmware;
use crate::provision::{Deployment, Provisioner, render_failures};
use crate::render::TemplateProblem;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Works, but probably not as intended.
    Warning,
    /// Phones would get broken files, or none.
    Error,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// What and where.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{label}: {}", self.message)
    }
}

fn warning(message: String) -> Finding {
    Finding {
        severity: Severity::Warning,
        message,
    }
}

fn error(message: String) -> Finding {
    Finding {
        severity: Severity::Error,
        message,
    }
}

/// Checks the deployment and returns every finding, in a stable order.
pub fn check(
    deployment: &Deployment,
    provisioner: &Provisioner,
    serving: &Serving,
    template_problems: &[TemplateProblem],
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = template_problems
        .iter()
        .map(|p| error(p.to_string()))
        .collect();
    let mut sites: Vec<_> = deployment.sites().collect();
    sites.sort_by(|a, b| a.name.cmp(&b.name));
    for site in &sites {
        if site.settings.call_servers.is_empty() {
            let how = if serving.server_address_detected {
                "found on this host; set --server-address if phones reach phoneprov elsewhere"
            } else {
                "from --server-address"
            };
            findings.push(warning(format!(
                "site {:?} has no call server set; its phones are sent phoneprov's own address {} ({how})",
                site.name.as_str(),
                serving.server_address
            )));
        }
        for server in &site.settings.call_servers {
            if !is_host(&server.address) {
                findings.push(warning(format!(
                    "site {:?} has the call server {:?}, which is not a host name or address: \
                     phones may not reach it; set it again with `phoneprov site set {} --server <address>`",
                    site.name.as_str(),
                    server.address,
                    site.name
                )));
            }
        }
        if let Some(zone) = site.settings.north_american_plan_abroad() {
            findings.push(warning(north_american_plan_warning(&site.name, zone)));
        }
        if site.settings.time_unset() {
            findings.push(warning(format!(
                "site {:?} has no time zone set; its phones are told UTC (set one with \
                 `phoneprov site set {} --time-zone Europe/Berlin` or the like)",
                site.name.as_str(),
                site.name
            )));
        }
    }
    let without_lines = deployment.phones().filter(|p| p.lines.is_empty()).count();
    findings.extend(
        render_failures(deployment, provisioner)
            .into_iter()
            .map(error),
    );
    if without_lines > 0 {
        findings.push(warning(format!(
            "{without_lines} phone(s) have no extension on any line key"
        )));
    }
    findings.extend(hidden_model_files(deployment));
    findings.extend(key_findings(deployment, provisioner));
    findings.extend(
        crate::provision::limits::limit_warnings(deployment, provisioner)
            .into_iter()
            .map(warning),
    );
    findings.extend(setting_findings(deployment, provisioner));
    findings.extend(missing_firmware(
        deployment,
        provisioner,
        &serving.firmware_dir,
    ));
    findings
}

/// The firmware files the phones' files name (each vendor says which: for Polycom the
/// application image and the vendor files of the phone's family) that the firmware folder lacks,
/// one warning per file with the models that need it.
fn missing_firmware(
    deployment: &Deployment,
    provisioner: &Provisioner,
    firmware_dir: &Path,
) -> Vec<Finding> {
    // Per file: its family, whether it is the application image, and the models that name it.
    let mut needed: BTreeMap<String, (&'static str, bool, Vec<String>)> = BTreeMap::new();
    let mut need = |file: String, family: &'static str, image: bool, who: String| {
        let entry = needed.entry(file).or_insert((family, image, Vec::new()));
        if !entry.2.contains(&who) {
            entry.2.push(who);
        }
    };
    for phone in deployment.phones() {
        let who = match phone.model.as_deref().and_then(Model::find) {
            Some(model) => model.name.to_string(),
            None => "phones of unknown model".to_string(),
        };
        for firmware in provisioner.firmware_needed(phone) {
            need(firmware.file, firmware.family, firmware.image, who.clone());
        }
    }
    needed
        .into_iter()
        .filter(|(file, _)| firmware::resolve(firmware_dir, file).is_none())
        .map(|(file, (family, image, mut models))| {
            models.sort();
            let what = if image {
                "they keep the software they have"
            } else {
                "put that file of the software package there"
            };
            warning(format!(
                "firmware folder {} lacks {file}, which the master files of {} phones ({}) name; \
                 {what}",
                firmware_dir.display(),
                family,
                models.join(", ")
            ))
        })
        .collect()
}

/// Settings to look at: a parameter no catalogue knows (set as given: a misspelt name does
/// nothing on the phone), and a catalogued one set for phones whose firmware family does not
/// read it.
fn setting_findings(deployment: &Deployment, provisioner: &Provisioner) -> Vec<Finding> {
    let mut findings = Vec::new();
    let book = deployment.settings();
    for setting in book.settings() {
        let parameter = &setting.parameter;
        if parameter.is_neutral() {
            continue;
        }
        let Some(spec) = parameter_spec(parameter) else {
            findings.push(warning(format!(
                "setting {parameter} ({}) is not in the {} catalogue: it is sent as given; check its spelling in the vendor's guide",
                setting.scope,
                parameter.vendor().map_or("", Vendor::as_str)
            )));
            continue;
        };
        let mut unread: Vec<&str> = deployment
            .phones()
            .filter(|phone| Some(phone.vendor) == parameter.vendor())
            .filter(|phone| book.reaches(&setting.scope, &deployment.facts_of(phone)))
            .map(|phone| provisioner.family_of(phone))
            .filter(|family| !family.is_empty() && !spec.read_by(family))
            .collect();
        unread.sort_unstable();
        unread.dedup();
        if !unread.is_empty() {
            findings.push(warning(format!(
                "setting {parameter} ({}) is not read by phones on {}: use the spelling of their firmware",
                setting.scope,
                unread.join(", ")
            )));
        }
    }
    findings
}

/// What `check` and the server's start say of a site outside North America dialling by the
/// North American plan.
pub fn north_american_plan_warning(
    site: &crate::domain::SiteName,
    zone: &crate::domain::ZoneName,
) -> String {
    format!(
        "site {:?} is in {zone} but dials by the North American plan (7- or 10-digit local \
         numbers after 9): its phones may send numbers before they are complete; give it its \
         own with `phoneprov site set {site} --dial-plan \"...\"` (docs/sites-and-failover.md)",
        site.as_str()
    )
}

/// Programmed keys a phone cannot do, as its vendor checks them for its model and the firmware
/// family it is served (keys stored before a rule, or given through a profile): each is left out
/// of the phone's files, so it is a dead key.
fn key_findings(deployment: &Deployment, provisioner: &Provisioner) -> Vec<Finding> {
    let mut phones: Vec<_> = deployment.phones().collect();
    phones.sort_by_key(|phone| phone.mac);
    let mut findings = Vec::new();
    for phone in phones {
        let model = phone.model.as_deref().and_then(Model::find);
        let family = provisioner.family_of(phone);
        for key in deployment.settings().keys_of_phone(&phone.mac) {
            if let Err(refusal) = handset(phone.vendor).check_key(model, family, &key) {
                findings.push(warning(format!(
                    "phone {} key {} ({}): {}",
                    phone.mac, key.key, key.kind, refusal.message
                )));
            }
        }
    }
    findings
}

/// Extensions whose `<number>.cfg` hides the model file of Mitel phones in use (`6930.cfg`).
fn hidden_model_files(deployment: &Deployment) -> Vec<Finding> {
    let mut findings = Vec::new();
    for model in MODELS.iter().filter(|m| m.vendor == Vendor::Aastra) {
        let Ok(number) = ExtensionNumber::parse(model.name) else {
            continue;
        };
        let in_use = deployment
            .phones()
            .any(|p| p.model.as_deref() == Some(model.name));
        if in_use && deployment.extension(&number).is_some() {
            findings.push(warning(format!(
                "extension {number}'s file {number}.cfg hides the model file of the {} phones",
                model.name
            )));
        }
    }
    findings
}
