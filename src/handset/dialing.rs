//! A site's dialling rules, shared by every vendor: the patterns of numbers that are complete as
//! soon as they match (the site's emergency numbers first, then the site's own dial plan, else
//! the MAXCS numbering of North America), in the pattern syntax Polycom's digit map and
//! Yealink's dial-now rules both read (`x` any digit, `[1-7]` a range). Each vendor writes them
//! in its own parameters: Polycom joins them into `dialplan.digitmap`, Yealink writes one
//! `dialplan.dialnow.rule.N` each.

use crate::domain::{ExtensionLength, LocalDialing, SiteSettings};

/// The dialling rules of a site, in order: its emergency numbers, then its own dial plan when it
/// has one, else operator `0`, voice mail `##`, feature codes, system call park `#41xx`, other
/// `#4` codes, extensions starting 1-7, trunk 9 + local number, 9 + 1 + 10-digit long distance.
pub fn site_rules(settings: &SiteSettings) -> Vec<&str> {
    let mut rules: Vec<&str> = settings
        .emergency_numbers
        .numbers()
        .iter()
        .map(String::as_str)
        .collect();
    match &settings.dial_plan {
        Some(plan) => rules.extend(plan.rules().iter().map(String::as_str)),
        None => rules.extend(north_american(
            settings.extension_length,
            settings.local_dialing,
        )),
    }
    rules
}

/// The MAXCS numbering of a North American site.
fn north_american(extension_length: ExtensionLength, local: LocalDialing) -> [&'static str; 9] {
    let extensions = match extension_length {
        ExtensionLength::Three => "[1-7]xx",
        ExtensionLength::Four => "[1-7]xxx",
    };
    let local = match local {
        LocalDialing::Seven => "9[2-9]xxxxxx",
        LocalDialing::Ten => "9[2-9]xxxxxxxxx",
    };
    [
        "0",
        "##",
        "#[1-3]x",
        "#[5-9]x",
        "#41xx",
        "#4[2-9]",
        extensions,
        local,
        "91xxxxxxxxxx",
    ]
}

/// The rules that are complete as soon as they match: those that wait for more digits or the
/// digit timeout (`.`, `T`) left out.
pub fn complete_numbers(settings: &SiteSettings) -> Vec<&str> {
    site_rules(settings)
        .into_iter()
        .filter(|rule| !rule.contains(['.', 'T']))
        .collect()
}
