//! A site's dialling rules, shared by every vendor: the patterns of numbers that are complete as
//! soon as they match (the site's emergency numbers first, then the MAXCS numbering), in the
//! pattern syntax Polycom's digit map and Yealink's dial-now rules both read (`x` any digit,
//! `[1-7]` a range). Each vendor writes them in its own parameters: Polycom joins them into
//! `dialplan.digitmap`, Yealink writes one `dialplan.dialnow.rule.N` each.

use crate::domain::{EmergencyNumbers, ExtensionLength, LocalDialing};

/// The complete-number patterns of a site, in order: its emergency numbers, then operator `0`,
/// voice mail `##`, feature codes, system call park `#41xx`, other `#4` codes, extensions
/// starting 1-7, trunk 9 + local number, 9 + 1 + 10-digit long distance.
pub fn complete_numbers(
    emergency: &EmergencyNumbers,
    extension_length: ExtensionLength,
    local: LocalDialing,
) -> Vec<&str> {
    let extensions = match extension_length {
        ExtensionLength::Three => "[1-7]xx",
        ExtensionLength::Four => "[1-7]xxx",
    };
    let local = match local {
        LocalDialing::Seven => "9[2-9]xxxxxx",
        LocalDialing::Ten => "9[2-9]xxxxxxxxx",
    };
    let mut rules: Vec<&str> = emergency.numbers().iter().map(String::as_str).collect();
    rules.extend([
        "0",
        "##",
        "#[1-3]x",
        "#[5-9]x",
        "#41xx",
        "#4[2-9]",
        extensions,
        local,
        "91xxxxxxxxxx",
    ]);
    rules
}
