//! The switchover rules (requirements §3): a site may name an alternate site. Every extension
//! follows its site's switchover unless it is excluded (`switchover_enabled` off); on switchover
//! every following extension at home is served by the alternate's call server at once, except
//! one whose number the alternate's call server uses itself (it stays home, and the switchover
//! says so) and a relocated one (relocation wins until it is relocated home). Voice mail never
//! moves.

use crate::domain::{Extension, ExtensionNumber, Site, SiteId, SiteName};

/// Whether `extension` is served by its home site's alternate now (`alternate`: that site).
pub fn is_switched(extension: &Extension, home: &Site, alternate: Option<&Site>) -> bool {
    extension.switchover_enabled
        && extension.current_site == extension.home_site
        && home.id == extension.home_site
        && home.switched_over
        && alternate.is_some_and(|alternate| {
            home.settings.alternate_site == Some(alternate.id)
                && !alternate
                    .settings
                    .reserved_numbers
                    .contains(&extension.number)
        })
}

/// What a switchover (or switchback) of a site does with its extensions at home: the one
/// account the store's switchover, the API's preview and the web confirmation all give.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SwitchoverSplit<'a> {
    /// They follow: served by the alternate's call server while switched over.
    pub moving: Vec<&'a Extension>,
    /// Excluded from switchover: they stay.
    pub excluded: Vec<&'a Extension>,
    /// They follow, but their number is one the alternate's call server uses itself: they stay
    /// home.
    pub staying: Vec<&'a Extension>,
}

/// Splits the extensions at home of `site` (home and current site both `site`; a relocated one
/// is not at home) by what its switchover to `alternate` does with them.
pub fn switchover_split<'a>(
    extensions: impl IntoIterator<Item = &'a Extension>,
    site: &Site,
    alternate: Option<&Site>,
) -> SwitchoverSplit<'a> {
    let mut split = SwitchoverSplit::default();
    for extension in extensions
        .into_iter()
        .filter(|e| e.home_site == site.id && e.current_site == site.id)
    {
        if !extension.switchover_enabled {
            split.excluded.push(extension);
        } else if alternate.is_some_and(|alternate| {
            alternate
                .settings
                .reserved_numbers
                .contains(&extension.number)
        }) {
            split.staying.push(extension);
        } else {
            split.moving.push(extension);
        }
    }
    split
}

/// A state of one extension that the site rules forbid. Every writer of extensions (CSV import,
/// API, web page, CLI, relocation) checks the extension it is about to store with
/// [`site_rule_breach`], so the rules hold whichever way the change comes in. Following
/// switchover is never a breach: without an alternate there is nothing to follow yet, and a
/// number the alternate uses itself stays home.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteRuleBreach {
    /// Relocated to a site whose call server uses the number itself.
    #[error(
        "extension {number} cannot be relocated to site {site}: the number is one site {site} uses \
         itself (its reserved_numbers)"
    )]
    ReservedWhereRelocated {
        /// The extension.
        number: ExtensionNumber,
        /// The site it would be relocated to.
        site: SiteName,
    },
}

/// The first site rule `extension` (as it would be stored) breaks among `sites`, if any.
pub fn site_rule_breach(extension: &Extension, sites: &[Site]) -> Option<SiteRuleBreach> {
    let by_id = |id: SiteId| sites.iter().find(|s| s.id == id);
    if extension.current_site != extension.home_site
        && let Some(current) = by_id(extension.current_site)
        && current
            .settings
            .reserved_numbers
            .contains(&extension.number)
    {
        return Some(SiteRuleBreach::ReservedWhereRelocated {
            number: extension.number.clone(),
            site: current.name.clone(),
        });
    }
    None
}

/// The site rule that writing `after` over `before` (`None`: a new extension) would break,
/// unless the stored extension already broke it: a site change can leave extensions in a
/// state the rules forbid (an alternate removed, numbers reserved later), and those must still
/// be editable; no write may create a new breach.
pub fn new_site_rule_breach(
    before: Option<&Extension>,
    after: &Extension,
    sites: &[Site],
) -> Option<SiteRuleBreach> {
    let breach = site_rule_breach(after, sites)?;
    let known = before.and_then(|e| site_rule_breach(e, sites));
    (known.as_ref() != Some(&breach)).then_some(breach)
}
