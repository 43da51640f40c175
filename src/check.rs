//! `phoneprov check`: renders every file of every phone and looks over the deployment for
//! problems to fix before phones boot. Warnings do not fail the check; errors do (a template or
//! XML error, a refused template override, a file a phone will ask for that cannot be served).

use std::fmt;

use crate::config::Serving;
use crate::domain::{ExtensionNumber, MODELS, Vendor};
use crate::provision::{Deployment, Fetch, Provisioner};
use crate::render::TemplateProblem;
use crate::vendor::polycom;

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
    }
    let mut files: Vec<(Option<String>, String)> = vec![(None, polycom::DEFAULT_MASTER.into())];
    files.extend(
        sites
            .iter()
            .map(|s| (None, polycom::site_file_name(&s.name))),
    );
    let mut phones: Vec<_> = deployment.phones().collect();
    phones.sort_by_key(|p| p.mac);
    let mut without_lines = 0;
    for phone in &phones {
        if phone.lines.is_empty() {
            without_lines += 1;
        }
        for file in provisioner.files_of_phone(deployment, phone) {
            files.push((Some(phone.mac.to_string()), file));
        }
    }
    for (phone, file) in files {
        let place = match &phone {
            Some(mac) => format!("phone {mac}, file {file}"),
            None => format!("file {file}"),
        };
        match provisioner.fetch(deployment, &file) {
            Ok(Fetch::Found(_)) => {}
            Ok(Fetch::NotFound(reason)) => {
                findings.push(error(format!("{place}: cannot be served: {reason}")))
            }
            Err(e) => findings.push(error(format!("{place}: {e}"))),
        }
    }
    if without_lines > 0 {
        findings.push(warning(format!(
            "{without_lines} phone(s) have no extension on any line key"
        )));
    }
    findings.extend(hidden_model_files(deployment));
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
