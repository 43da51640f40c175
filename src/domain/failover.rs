//! The switchover rules (requirements §3): a site may name an alternate site; only then can its
//! extensions be enabled for switchover, and only those whose number the alternate's call server
//! does not use itself. On switchover every enabled extension at home is served by the
//! alternate's call server at once; a relocated extension is not (relocation wins until it is
//! relocated home). Voice mail never moves.

use crate::domain::{Extension, ExtensionNumber, Site, SiteId, SiteName};

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

/// A state of one extension that the site rules forbid. Every writer of extensions (CSV import,
/// API, web page, CLI, relocation, switchover setting) checks the extension it is about to store
/// with [`site_rule_breach`], so the rules hold whichever way the change comes in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteRuleBreach {
    /// Switchover enabled, but its home site names no alternate.
    #[error(
        "extension {number} follows its site's switchover, but site {site} has no alternate site; \
         turn its switchover off or give site {site} an alternate first"
    )]
    NoAlternate {
        /// The extension.
        number: ExtensionNumber,
        /// Its home site.
        site: SiteName,
    },
    /// Switchover enabled, but the alternate's call server uses the number itself.
    #[error(
        "extension {number} cannot follow switchover to site {alternate}: the number is one site \
         {alternate} uses itself (its reserved_numbers); turn its switchover off"
    )]
    ReservedAtAlternate {
        /// The extension.
        number: ExtensionNumber,
        /// The home site's alternate.
        alternate: SiteName,
    },
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
    let home = by_id(extension.home_site)?;
    if extension.switchover_enabled {
        let Some(alternate) = home.settings.alternate_site.and_then(by_id) else {
            return Some(SiteRuleBreach::NoAlternate {
                number: extension.number.clone(),
                site: home.name.clone(),
            });
        };
        if alternate
            .settings
            .reserved_numbers
            .contains(&extension.number)
        {
            return Some(SiteRuleBreach::ReservedAtAlternate {
                number: extension.number.clone(),
                alternate: alternate.name.clone(),
            });
        }
    }
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
