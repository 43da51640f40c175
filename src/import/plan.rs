//! Planning an import: the parsed rows are checked against the database (sites exist, each phone's
//! vendor is known, line keys fit the model) and turned into the final state of every touched
//! extension and phone, as a [`ChangeSet`] plus the report of what changes.
//!
//! Rules (documented in `docs/csv-format.md`): upsert by extension number; a column the file lacks
//! keeps existing values; an empty cell means the default (no label, no separate auth user, the
//! `default` site, no phone), except an empty password, which keeps the existing one or generates
//! one for a new extension. `replace` also deletes extensions and phones the file does not name.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::domain::{
    Extension, ExtensionNumber, LineNumber, Mac, Model, Phone, SiteId, SiteName, Vendor,
    detect_vendor, generate_password, new_site_rule_breach, password_names_its_extension, quoted,
};
use crate::import::parse::{Cell, Row};
use crate::import::report::{EntityReport, ImportReport};
use crate::import::{ErrorList, ImportError, ImportOptions, RowError};
use crate::store::{ChangeSet, Snapshot};

type LineMap = BTreeMap<LineNumber, ExtensionNumber>;

/// What an import will write, and the report describing it.
#[derive(Debug)]
pub(super) struct Plan {
    /// The writes.
    pub changes: ChangeSet,
    /// What changes, per entity.
    pub report: ImportReport,
}

/// Plans the import of `rows` over `snapshot`.
pub(super) fn plan(
    snapshot: &Snapshot,
    rows: &[Row],
    options: &ImportOptions,
) -> Result<Plan, ImportError> {
    let sites: HashMap<&SiteName, SiteId> =
        snapshot.sites.iter().map(|s| (&s.name, s.id)).collect();
    let default_site = sites
        .get(&SiteName::default_site())
        .copied()
        .ok_or_else(|| {
            ImportError::Rejected(vec![RowError::row(0, "the default site is missing")])
        })?;
    let existing_extensions: HashMap<&ExtensionNumber, &Extension> =
        snapshot.extensions.iter().map(|e| (&e.number, e)).collect();
    let existing_phones: HashMap<Mac, &Phone> =
        snapshot.phones.iter().map(|p| (p.mac, p)).collect();

    let mut errors = Vec::new();
    let phone_facts = phone_facts(rows, &existing_phones, &mut errors);
    for row in rows {
        if let Cell::Value(name) = &row.site
            && !sites.contains_key(name)
        {
            let mut known: Vec<&str> = sites.keys().map(|n| n.as_str()).collect();
            known.sort_unstable();
            errors.push(
                RowError::cell(
                    row.line,
                    "site",
                    format!(
                        "{} is not a site (sites: {})",
                        quoted(name.as_str()),
                        known.join(", ")
                    ),
                )
                .for_extension(&row.extension),
            );
        }
    }
    if !errors.is_empty() {
        let mut list = ErrorList::default();
        list.extend(errors);
        return Err(ImportError::Rejected(list.finish()));
    }

    let mut report = ImportReport {
        dry_run: options.dry_run,
        ..ImportReport::default()
    };
    let mut changes = ChangeSet {
        expected_revision: snapshot.revision,
        ..ChangeSet::default()
    };

    // Extensions.
    let mut rule_errors = Vec::new();
    let mut named: HashSet<&ExtensionNumber> = HashSet::new();
    for row in rows {
        named.insert(&row.extension);
        let existing = existing_extensions.get(&row.extension).copied();
        let site_of = |cell: &Cell<SiteName>| match cell {
            Cell::Value(name) => sites.get(name).copied().unwrap_or(default_site),
            Cell::Empty => default_site,
            Cell::Absent => existing.map_or(default_site, |e| e.home_site),
        };
        let home_site = site_of(&row.site);
        let password = match (&row.password, existing) {
            (Cell::Value(p), _) => p.clone(),
            (_, Some(e)) => e.password.clone(),
            (_, None) => {
                report.passwords_generated += 1;
                generate_password()?
            }
        };
        let optional = |cell: &Cell<String>, current: Option<&Option<String>>| match cell {
            Cell::Value(v) => Some(v.clone()),
            Cell::Empty => None,
            Cell::Absent => current.cloned().flatten(),
        };
        let wanted = Extension {
            number: row.extension.clone(),
            display_name: row.display_name.clone(),
            label: optional(&row.label, existing.map(|e| &e.label)),
            auth_user: optional(&row.auth_user, existing.map(|e| &e.auth_user)),
            password,
            home_site,
            // A relocated extension stays where it was relocated to.
            current_site: match existing {
                Some(e) if e.current_site != e.home_site => e.current_site,
                _ => home_site,
            },
            // A new extension follows its site's switchover unless excluded.
            switchover_enabled: row
                .switchover
                .unwrap_or_else(|| existing.is_none_or(|e| e.switchover_enabled)),
            in_directory: existing.is_none_or(|e| e.in_directory),
            // Kept by the store's registration distribution.
            registration: existing.and_then(|e| e.registration.clone()),
        };
        if matches!(row.password, Cell::Value(_))
            && let Some(weak) = password_names_its_extension(&wanted)
        {
            rule_errors
                .push(RowError::cell(row.line, "password", weak).for_extension(&row.extension));
            continue;
        }
        if let Some(breach) = new_site_rule_breach(existing, &wanted, &snapshot.sites) {
            let column = if row.switchover.is_some() {
                "switchover_enabled"
            } else {
                "site"
            };
            rule_errors.push(
                RowError::cell(row.line, column, breach.to_string()).for_extension(&row.extension),
            );
            continue;
        }
        let key = row.extension.to_string();
        match existing {
            None => {
                report.extensions.created.push(key);
                changes.upsert_extensions.push(wanted);
            }
            Some(e) if *e == wanted => report.extensions.unchanged += 1,
            Some(e) => {
                report.extensions.updated_keeping(
                    key,
                    extension_diff(e, &wanted),
                    kept_fields(row, e),
                );
                changes.upsert_extensions.push(wanted);
            }
        }
    }
    if !rule_errors.is_empty() {
        let mut list = ErrorList::default();
        list.extend(rule_errors);
        return Err(ImportError::Rejected(list.finish()));
    }
    if options.replace {
        for e in &snapshot.extensions {
            if !named.contains(&e.number) {
                report.extensions.deleted.push(e.number.to_string());
                changes.delete_extensions.push(e.number.clone());
            }
        }
    }

    // Line keys: start from the database (or from nothing when replacing), take every row's
    // extension off its current key, then put each on the key the file gives.
    let mut lines: HashMap<Mac, LineMap> = HashMap::new();
    let mut assigned: HashMap<ExtensionNumber, (Mac, LineNumber)> = HashMap::new();
    if !options.replace {
        for phone in &snapshot.phones {
            for (line, number) in &phone.lines {
                assigned.insert(number.clone(), (phone.mac, *line));
            }
            lines.insert(phone.mac, phone.lines.clone());
        }
    }
    for row in rows.iter().filter(|r| !matches!(r.mac, Cell::Absent)) {
        if let Some((mac, line)) = assigned.remove(&row.extension)
            && let Some(keys) = lines.get_mut(&mac)
        {
            keys.remove(&line);
        }
    }
    for row in rows {
        let Cell::Value(mac) = row.mac else { continue };
        let keys = lines.entry(mac).or_default();
        if let Some(displaced) = keys.insert(row.line_key, row.extension.clone()) {
            assigned.remove(&displaced);
        }
        assigned.insert(row.extension.clone(), (mac, row.line_key));
    }

    // Phones.
    let mut touched: Vec<Mac> = Vec::new();
    let mut seen: HashSet<Mac> = HashSet::new();
    for row in rows {
        if let Cell::Value(mac) = row.mac
            && seen.insert(mac)
        {
            touched.push(mac);
        }
    }
    let deleted_extensions: HashSet<&ExtensionNumber> = changes.delete_extensions.iter().collect();
    for mac in &touched {
        let facts = &phone_facts[mac];
        let wanted = Phone {
            mac: *mac,
            vendor: facts.vendor,
            vendor_pinned: facts.vendor_pinned,
            model: facts.model.map(|m| m.name.to_string()),
            lines: lines.remove(mac).unwrap_or_default(),
            last_seen: None,
        };
        match existing_phones.get(mac) {
            None => {
                report.phones.created.push(mac.to_string());
                if !wanted.lines.is_empty() {
                    changes
                        .lines_of_new_phones
                        .push((*mac, wanted.lines.clone()));
                }
                changes.upsert_phones.push(wanted);
            }
            Some(current) => {
                let fields = phone_diff(current, &wanted);
                if fields.is_empty() {
                    report.phones.unchanged += 1;
                    continue;
                }
                if fields.contains(&"lines") {
                    changes.replace_lines.push((*mac, wanted.lines.clone()));
                }
                if fields.iter().any(|f| *f != "lines") {
                    changes.upsert_phones.push(wanted);
                }
                report.phones.updated(mac.to_string(), fields);
            }
        }
    }
    for phone in &snapshot.phones {
        if seen.contains(&phone.mac) {
            continue;
        }
        if options.replace {
            report.phones.deleted.push(phone.mac.to_string());
            changes.delete_phones.push(phone.mac);
            continue;
        }
        // A phone the file does not name loses the keys of extensions moved elsewhere or deleted.
        let mut remaining = lines.remove(&phone.mac).unwrap_or_default();
        remaining.retain(|_, number| !deleted_extensions.contains(number));
        if remaining != phone.lines {
            report.phones.updated(phone.mac.to_string(), vec!["lines"]);
            changes.replace_lines.push((phone.mac, remaining));
        }
    }
    Ok(Plan { changes, report })
}

/// What the file and the database together say about one phone.
struct PhoneFacts {
    vendor: Vendor,
    vendor_pinned: bool,
    model: Option<&'static Model>,
}

/// Model, vendor and line-key limits of every MAC in the file; problems go to `errors`.
fn phone_facts(
    rows: &[Row],
    existing: &HashMap<Mac, &Phone>,
    errors: &mut Vec<RowError>,
) -> HashMap<Mac, PhoneFacts> {
    let mut facts: HashMap<Mac, PhoneFacts> = HashMap::new();
    let mut reported: HashSet<Mac> = HashSet::new();
    let mut file_models: HashMap<Mac, &'static Model> = HashMap::new();
    for row in rows {
        if let (Cell::Value(mac), Cell::Value(model)) = (&row.mac, &row.model) {
            let (mac, model) = (*mac, *model);
            file_models.entry(mac).or_insert(model);
        }
    }
    for row in rows {
        let Cell::Value(mac) = row.mac else { continue };
        if let Entry::Vacant(slot) = facts.entry(mac) {
            let current = existing.get(&mac);
            let model = file_models.get(&mac).copied().or_else(|| {
                current
                    .and_then(|p| p.model.as_deref())
                    .and_then(Model::find)
            });
            let pinned = current.filter(|p| p.vendor_pinned).map(|p| p.vendor);
            match pinned.or_else(|| detect_vendor(model, &mac)) {
                Some(vendor) => {
                    slot.insert(PhoneFacts {
                        vendor,
                        vendor_pinned: pinned.is_some(),
                        model,
                    });
                }
                None => {
                    if reported.insert(mac) {
                        errors.push(
                            RowError::cell(
                            row.line,
                            "mac",
                            format!(
                                "the vendor of {mac} cannot be told from its MAC prefix; give its model"
                            ),
                        )
                        .for_extension(&row.extension),
                    );
                    }
                    continue;
                }
            }
        }
        let Some(phone) = facts.get(&mac) else {
            continue;
        };
        let max_lines = phone.model.map_or(1, |m| m.lines);
        if row.line_key > max_lines {
            let message = match phone.model {
                Some(model) => format!(
                    "line key {} is beyond the {} line key{} of a {}",
                    row.line_key,
                    model.lines,
                    if model.lines == 1 { "" } else { "s" },
                    model.name
                ),
                None => format!(
                    "line key {} needs the phone's model (give the model column); without it only line key 1 is allowed",
                    row.line_key
                ),
            };
            errors.push(RowError::cell(row.line, "line", message).for_extension(&row.extension));
        }
    }
    facts
}

fn extension_diff(old: &Extension, new: &Extension) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if old.display_name != new.display_name {
        fields.push("display_name");
    }
    if old.password != new.password {
        fields.push("password");
    }
    if old.label != new.label {
        fields.push("label");
    }
    if old.auth_user != new.auth_user {
        fields.push("auth_user");
    }
    if old.home_site != new.home_site {
        fields.push("site");
    }
    fields
}

fn phone_diff(old: &Phone, new: &Phone) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if old.model != new.model {
        fields.push("model");
    }
    if old.vendor != new.vendor {
        fields.push("vendor");
    }
    if old.lines != new.lines {
        fields.push("lines");
    }
    fields
}

/// The fields of `stored` the file has no column for and that hold a value, which the update
/// keeps from before (a dry run says so: the file is not "exactly" the extension).
fn kept_fields(row: &Row, stored: &Extension) -> Vec<&'static str> {
    let mut kept = Vec::new();
    if matches!(row.label, Cell::Absent) && stored.label.is_some() {
        kept.push("label");
    }
    if matches!(row.auth_user, Cell::Absent) && stored.auth_user.is_some() {
        kept.push("auth_user");
    }
    if matches!(row.password, Cell::Absent) {
        kept.push("password");
    }
    if matches!(row.site, Cell::Absent) {
        kept.push("site");
    }
    kept
}

impl EntityReport {
    fn updated(&mut self, key: String, fields: Vec<&'static str>) {
        self.updated_keeping(key, fields, Vec::new());
    }

    fn updated_keeping(&mut self, key: String, fields: Vec<&'static str>, kept: Vec<&'static str>) {
        self.updated
            .push(crate::import::report::Update { key, fields, kept });
    }
}
