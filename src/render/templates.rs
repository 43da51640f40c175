//! The templates phoneprov renders: every vendor's built-in templates and their sample contexts,
//! gathered from the vendors' registry ([`crate::handset::HANDSETS`]), by the names each vendor's
//! folder gives them.

use tera::Context;

use crate::handset::HANDSETS;
use crate::handset::file::Template;

/// Every template phoneprov renders, with its built-in text and format, vendor by vendor.
pub fn templates() -> impl Iterator<Item = &'static Template> {
    HANDSETS.iter().flat_map(|handset| handset.templates())
}

/// The template named `name`, if phoneprov has one.
pub fn template(name: &str) -> Option<&'static Template> {
    templates().find(|template| template.name == name)
}

/// The sample context of a template (its vendor's), or `None` if phoneprov has no such
/// template. An override must render with it before it replaces the built-in one, so a template
/// that uses an unknown variable is refused when loaded, not when a phone asks.
pub fn sample_context(name: &str) -> Option<Context> {
    HANDSETS
        .iter()
        .find_map(|handset| handset.sample_context(name))
}
