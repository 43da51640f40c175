//! A made-up deployment of any size, for the render benchmark and the fuzz targets: one site,
//! 70 % Polycom phones (one in ten with two lines), 20 % Aastra and 10 % Yealink, with display
//! names and passwords that need escaping.

use std::collections::BTreeMap;

use crate::domain::{
    CallServer, Extension, ExtensionNumber, Mac, Phone, Site, SiteId, SiteName, SiteSettings,
    Vendor,
};
use crate::store::Snapshot;

/// The data of `phones` made-up phones.
pub fn sample_snapshot(phones: usize) -> Snapshot {
    let mut settings = SiteSettings::maxcs_defaults();
    settings.call_servers = vec![CallServer::at("10.10.0.5")];
    let site = Site {
        id: SiteId(1),
        name: SiteName::default_site(),
        settings,
        switched_over: false,
    };
    let mut snapshot = Snapshot {
        revision: 1,
        sites: vec![site],
        ..Snapshot::default()
    };
    let mut next_number = 100_000u64;
    for i in 0..phones {
        let (oui, vendor, model) = match i % 10 {
            0..=6 => ("0004f2", Vendor::Polycom, "VVX_400"),
            7 | 8 => ("00085d", Vendor::Aastra, "6757i"),
            _ => ("001565", Vendor::Yealink, "T46S"),
        };
        let mac = Mac::parse(&format!("{oui}{i:06x}")).expect("generated MAC");
        let line_count = if i % 10 == 0 { 2 } else { 1 };
        let mut lines = BTreeMap::new();
        for line in 1..=line_count {
            let number = ExtensionNumber::parse(&next_number.to_string()).expect("number");
            next_number += 1;
            snapshot.extensions.push(Extension {
                number: number.clone(),
                display_name: format!("User {i} O'Brien & Sons"),
                label: None,
                auth_user: None,
                password: format!("secret-{i:06}-{line}"),
                home_site: SiteId(1),
                current_site: SiteId(1),
                switchover_enabled: true,
                in_directory: true,
                registration: None,
            });
            lines.insert(line, number);
        }
        snapshot.phones.push(Phone {
            mac,
            vendor,
            vendor_pinned: false,
            model: Some(model.into()),
            lines,
            last_seen: None,
        });
    }
    snapshot
}
