//! The templates phoneprov renders: their built-in texts (`templates/` in the source tree,
//! embedded in the binary), by the names each vendor's folder gives them.

pub use crate::handset::aastra::{AASTRA_GLOBAL, AASTRA_MODEL, AASTRA_PHONE};
pub use crate::handset::polycom::{
    POLYCOM_DEFAULT_MASTER, POLYCOM_EXTENSION, POLYCOM_MASTER, POLYCOM_SETTINGS, POLYCOM_SITE,
};

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
        POLYCOM_SETTINGS,
        include_str!("../../templates/polycom/settings.xml"),
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
