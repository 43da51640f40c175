//! The templates phoneprov renders: their names and built-in texts (`templates/` in the source
//! tree, embedded in the binary).

/// Every template phoneprov renders, with its built-in text.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        POLYCOM_MASTER,
        include_str!("../../templates/polycom/master.xml"),
    ),
    (
        POLYCOM_DEFAULT_MASTER,
        include_str!("../../templates/polycom/default-master.xml"),
    ),
    (
        POLYCOM_EXTENSION,
        include_str!("../../templates/polycom/extension.xml"),
    ),
    (
        POLYCOM_SITE,
        include_str!("../../templates/polycom/site.xml"),
    ),
    (
        AASTRA_GLOBAL,
        include_str!("../../templates/aastra/aastra.cfg"),
    ),
    (
        AASTRA_MODEL,
        include_str!("../../templates/aastra/model.cfg"),
    ),
    (
        AASTRA_PHONE,
        include_str!("../../templates/aastra/phone.cfg"),
    ),
];

/// Polycom master file of a known phone (`<mac>.cfg`).
pub const POLYCOM_MASTER: &str = "polycom/master.xml";
/// Polycom master file for unknown phones (`000000000000.cfg`).
pub const POLYCOM_DEFAULT_MASTER: &str = "polycom/default-master.xml";
/// Polycom registration file of one extension (`201.cfg`).
pub const POLYCOM_EXTENSION: &str = "polycom/extension.xml";
/// Polycom site file (`altigen.cfg`).
pub const POLYCOM_SITE: &str = "polycom/site.xml";
/// Aastra global file (`aastra.cfg`, `startup.cfg`).
pub const AASTRA_GLOBAL: &str = "aastra/aastra.cfg";
/// Aastra model file (`6757i.cfg`).
pub const AASTRA_MODEL: &str = "aastra/model.cfg";
/// Aastra per-phone file (`<MAC>.cfg`).
pub const AASTRA_PHONE: &str = "aastra/phone.cfg";
