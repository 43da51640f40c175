//! What phones cannot keep of what they are given, told to the admin by `phoneprov check` and
//! after every import: a company directory longer than the phone keeps (where the vendor
//! documents a limit), and Polycom codecs that share a priority.

use std::collections::BTreeMap;

use crate::domain::Vendor;
use crate::handset::handset;
use crate::provision::{Deployment, Provisioner};

/// Every limit the deployment's phones are past, one message each, in a stable order.
pub fn limit_warnings(deployment: &Deployment, provisioner: &Provisioner) -> Vec<String> {
    let mut warnings = directory_warnings(deployment);
    warnings.extend(codec_warnings(deployment, provisioner));
    warnings
}

/// Phones whose company directory lists more contacts than the phone keeps, where the vendor
/// documents a limit: one warning per vendor, with how many phones and the longest list.
fn directory_warnings(deployment: &Deployment) -> Vec<String> {
    let mut over: BTreeMap<Vendor, (usize, usize, usize)> = BTreeMap::new();
    for phone in deployment.phones() {
        let Some(limit) = handset(phone.vendor).directory_limit(phone) else {
            continue;
        };
        let listed = crate::provision::directory::contacts(deployment, phone).len();
        if listed > limit {
            let entry = over.entry(phone.vendor).or_insert((0, 0, limit));
            entry.0 += 1;
            entry.1 = entry.1.max(listed);
        }
    }
    over.into_iter()
        .map(|(vendor, (phones, longest, limit))| {
            format!(
                "{phones} {vendor} phone(s) list up to {longest} company contacts, but keep at most {limit}: \
                 the rest are dropped on the phone; list fewer (`@directory site`, or take \
                 extensions out of the directory)"
            )
        })
        .collect()
}

/// Polycom phones whose codec priorities collide (`voice.codecPref.*`: two codecs given the
/// same priority, say by `@codecs` and a raw value set elsewhere): "give each codec a unique
/// priority" (Polycom SIP 1.4 administrator guide, 4.6.1.6.1.1). One warning per phone.
fn codec_warnings(deployment: &Deployment, provisioner: &Provisioner) -> Vec<String> {
    let mut phones: Vec<_> = deployment
        .phones()
        .filter(|phone| phone.vendor == Vendor::Polycom)
        .collect();
    phones.sort_by_key(|phone| phone.mac);
    let mut warnings = Vec::new();
    for phone in phones {
        let mut by_priority: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for setting in provisioner.settings_of(deployment, phone) {
            // The generic list only: a model's own list (`voice.codecPref.IP_650.G722`) is
            // another list.
            let Some(codec) = setting
                .parameter
                .strip_prefix("voice.codecPref.")
                .filter(|codec| !codec.contains('.'))
            else {
                continue;
            };
            if let Ok(priority) = setting.value.trim().parse::<u32>()
                && priority > 0
            {
                by_priority
                    .entry(priority)
                    .or_default()
                    .push(format!("{codec} ({})", setting.origin));
            }
        }
        for (priority, codecs) in by_priority.into_iter().filter(|(_, c)| c.len() > 1) {
            warnings.push(format!(
                "phone {}: codecs {} share priority {priority} (voice.codecPref): give each codec its \
                 own priority",
                phone.mac,
                codecs.join(" and ")
            ));
        }
    }
    warnings
}
