//! The switchover rules (requirements §3): a site may name an alternate site; only then can its
//! extensions be enabled for switchover, and only those whose number the alternate's call server
//! does not use itself. On switchover every enabled extension at home is served by the
//! alternate's call server at once; a relocated extension is not (relocation wins until it is
//! relocated home). Voice mail never moves.

use crate::domain::{Extension, ExtensionNumber, Site};

/// Whether `extension` is served by its home site's alternate now.
pub fn is_switched(extension: &Extension, home: &Site) -> bool {
    extension.switchover_enabled
        && extension.current_site == extension.home_site
        && home.id == extension.home_site
        && home.switched_over
        && home.settings.alternate_site.is_some()
}

/// The extensions among `extensions` that cannot switch over to `alternate`: their number is
/// one the alternate's call server uses itself.
pub fn switchover_conflicts<'a>(
    extensions: impl IntoIterator<Item = &'a Extension>,
    alternate: &Site,
) -> Vec<ExtensionNumber> {
    extensions
        .into_iter()
        .filter(|e| alternate.settings.reserved_numbers.contains(&e.number))
        .map(|e| e.number.clone())
        .collect()
}
