//! Importing settings from CSV (`scope,target,parameter,value`): the same all-or-nothing,
//! line-numbered rules as the extension import. A row sets a vendor parameter at a scope; an
//! empty value removes it; the pseudo-parameter `@profile` on a `phone` row gives that phone a
//! profile (empty: takes it away). A known parameter's value is checked against its vendor's
//! catalogue; an unknown name is set as given, with a warning. The format is in
//! `docs/settings.md`.

use std::collections::{HashMap, HashSet};

use crate::domain::{
    Mac, ParameterName, ProfileName, Scope, ScopeError, Setting, SiteName, Vendor, VendorTold,
    quoted,
};
use crate::handset::check_setting;
use crate::import::table::{TableRow, read_table};
use crate::import::{ErrorList, ImportError, ImportOptions, RowError};
use crate::store::{SettingsChange, Store};

/// The columns of a settings file, in the order they are written.
pub const SETTINGS_COLUMNS: [&str; 4] = ["scope", "target", "parameter", "value"];

/// The pseudo-parameter that gives a phone a profile.
pub const PROFILE_PARAMETER: &str = "@profile";

/// What an import of settings did (or would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SettingsReport {
    /// Settings created or changed.
    pub set: usize,
    /// Settings removed (empty values).
    pub removed: usize,
    /// Profile assignments given or taken away.
    pub profiles: usize,
    /// Every setting and profile was removed first (`--replace`).
    pub replaced: bool,
    /// Nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// Rows accepted with a remark: an unknown parameter, a phone not imported yet.
    pub warnings: Vec<RowError>,
    /// The data revision after the import (none for a dry run).
    pub revision: Option<i64>,
    /// What the phones cannot keep after the import, as `phoneprov check` says it (see
    /// [`crate::import::ImportReport::limits`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<String>,
}

impl std::fmt::Display for SettingsReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.dry_run {
            writeln!(f, "dry run: nothing was written; the import would change:")?;
        }
        if self.replaced {
            writeln!(
                f,
                "every earlier setting and profile assignment removed first"
            )?;
        }
        writeln!(
            f,
            "settings: {} set, {} removed; profile assignments: {}",
            self.set, self.removed, self.profiles
        )?;
        for warning in &self.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        for limit in &self.limits {
            writeln!(f, "warning: {limit}")?;
        }
        Ok(())
    }
}

/// What the rows are checked against: the sites and phones of the database.
#[derive(Debug, Clone, Default)]
pub struct KnownData {
    /// Site names.
    pub sites: HashSet<SiteName>,
    /// Phones by MAC, with their vendor.
    pub phones: HashMap<Mac, Vendor>,
}

impl KnownData {
    /// The sites and phones of the database.
    pub async fn read(store: &dyn Store) -> Result<KnownData, crate::store::StoreError> {
        Ok(KnownData {
            sites: store.sites().await?.into_iter().map(|s| s.name).collect(),
            phones: store
                .phones()
                .await?
                .into_iter()
                .map(|p| (p.mac, p.vendor))
                .collect(),
        })
    }
}

/// A checked file: the change to apply and its warnings.
#[derive(Debug, Clone, Default)]
pub struct SettingsPlan {
    /// The change.
    pub change: SettingsChange,
    /// Remarks on accepted rows.
    pub warnings: Vec<RowError>,
}

/// How a vendor parameter's name must say its vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// By its prefix (`polycom:lcl.ml.lang`) or its scope (vendor, model, phone): what the API
    /// takes for one setting.
    Current,
    /// The same, or (a file an older phoneprov wrote) guessed from its spelling, with a
    /// warning: what files are read with.
    Old,
}

/// Checks a settings file against `known`; every error, or the plan.
pub fn plan_settings(input: &[u8], known: &KnownData) -> Result<SettingsPlan, Vec<RowError>> {
    let rows = read_table(input, &SETTINGS_COLUMNS).map_err(ErrorList::finish)?;
    plan_rows(&rows, known, Names::Old)
}

/// Checks rows of `scope,target,parameter,value` cells against `known`; every error, or the
/// plan.
pub fn plan_rows(
    rows: &[TableRow],
    known: &KnownData,
    names: Names,
) -> Result<SettingsPlan, Vec<RowError>> {
    let mut errors = ErrorList::default();
    let mut plan = SettingsPlan::default();
    let mut seen: HashMap<(Scope, String), u64> = HashMap::new();
    for row in rows {
        let Some(entry) = check_row(row, known, names, &mut errors, &mut plan.warnings) else {
            continue;
        };
        let key = (entry.scope().clone(), entry.parameter_text());
        if let Some(first) = seen.insert(key, row.line) {
            errors.push(RowError::cell(
                row.line,
                "parameter",
                format!(
                    "{} is set twice for {} (first on line {first})",
                    entry.parameter_text(),
                    entry.scope()
                ),
            ));
            continue;
        }
        entry.add_to(&mut plan.change);
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors.finish())
    }
}

/// One checked row.
enum Entry {
    Set(Setting),
    Remove(Scope, ParameterName),
    Profile(Scope, Mac, Option<ProfileName>),
}

impl Entry {
    fn scope(&self) -> &Scope {
        match self {
            Entry::Set(setting) => &setting.scope,
            Entry::Remove(scope, _) | Entry::Profile(scope, ..) => scope,
        }
    }

    fn parameter_text(&self) -> String {
        match self {
            Entry::Set(setting) => setting.parameter.to_string(),
            Entry::Remove(_, parameter) => parameter.to_string(),
            Entry::Profile(..) => PROFILE_PARAMETER.to_string(),
        }
    }

    fn add_to(self, change: &mut SettingsChange) {
        match self {
            Entry::Set(setting) => change.set.push(setting),
            Entry::Remove(scope, parameter) => change.remove.push((scope, parameter)),
            Entry::Profile(_, mac, profile) => change.profiles.push((mac, profile)),
        }
    }
}

fn check_row(
    row: &TableRow,
    known: &KnownData,
    names: Names,
    errors: &mut ErrorList,
    warnings: &mut Vec<RowError>,
) -> Option<Entry> {
    let [scope, target, parameter, value] = [0, 1, 2, 3].map(|i| row.cells[i].as_str());
    let line = row.line;
    let scope = match Scope::parse(scope, target) {
        Ok(scope) => scope,
        Err(e @ ScopeError::Unknown(_)) => {
            errors.push(RowError::cell(line, "scope", e));
            return None;
        }
        Err(e) => {
            errors.push(RowError::cell(line, "target", e));
            return None;
        }
    };
    if let Scope::Site(site) = &scope
        && !known.sites.contains(site)
    {
        errors.push(RowError::cell(
            line,
            "target",
            format!("no site {}", quoted(site.as_str())),
        ));
        return None;
    }
    if parameter == PROFILE_PARAMETER {
        return profile_row(line, scope, value, known, errors);
    }
    let scope_vendor = match &scope {
        Scope::Phone(mac) => match known.phones.get(mac) {
            Some(vendor) => Some(*vendor),
            None => {
                warnings.push(RowError::cell(
                    line,
                    "target",
                    format!("no phone {mac} yet: the setting applies once it is imported"),
                ));
                None
            }
        },
        other => other.vendor(),
    };
    let parsed = match names {
        Names::Current => ParameterName::parse_in(parameter, scope_vendor),
        Names::Old => ParameterName::parse_old(parameter, scope_vendor),
    };
    let name = match parsed {
        Ok((name, VendorTold::BySpelling)) => {
            warnings.push(RowError::cell(
                line,
                "parameter",
                format!(
                    "{} names no vendor: read as {name} from its spelling, as older files were; \
                     write {name} (a dotted name is not always Polycom's)",
                    quoted(parameter.trim())
                ),
            ));
            name
        }
        Ok((name, _)) => name,
        Err(e) => {
            errors.push(RowError::cell(line, "parameter", e));
            return None;
        }
    };
    if let Some((vendor, other)) = name.vendor().zip(scope_vendor).filter(|(v, o)| v != o) {
        errors.push(RowError::cell(
            line,
            "parameter",
            format!("{name} is a {vendor} parameter, but {scope} is {other}'s"),
        ));
        return None;
    }
    if value.is_empty() {
        return Some(Entry::Remove(scope, name));
    }
    match check_setting(&name, value) {
        Err(e) => {
            errors.push(RowError::cell(line, "value", e));
            return None;
        }
        Ok(false) => warnings.push(RowError::cell(
            line,
            "parameter",
            format!(
                "{name} is not in the {} catalogue: set as given (check its spelling in the vendor's guide)",
                name.vendor().map_or("", Vendor::as_str)
            ),
        )),
        Ok(true) => {}
    }
    Some(Entry::Set(Setting {
        scope,
        parameter: name,
        value: value.to_string(),
    }))
}

fn profile_row(
    line: u64,
    scope: Scope,
    value: &str,
    known: &KnownData,
    errors: &mut ErrorList,
) -> Option<Entry> {
    let Scope::Phone(mac) = scope else {
        errors.push(RowError::cell(
            line,
            "parameter",
            format!("{PROFILE_PARAMETER} gives a phone a profile: its scope is phone"),
        ));
        return None;
    };
    if !known.phones.contains_key(&mac) {
        errors.push(RowError::cell(line, "target", format!("no phone {mac}")));
        return None;
    }
    if value.is_empty() {
        return Some(Entry::Profile(scope, mac, None));
    }
    match ProfileName::parse(value) {
        Ok(profile) => Some(Entry::Profile(scope, mac, Some(profile))),
        Err(e) => {
            errors.push(RowError::cell(line, "value", e));
            None
        }
    }
}

/// Imports a settings file: every row or none.
pub async fn import_settings(
    store: &dyn Store,
    input: &[u8],
    options: &ImportOptions,
) -> Result<SettingsReport, ImportError> {
    let rows = read_table(input, &SETTINGS_COLUMNS)
        .map_err(|errors| ImportError::Rejected(errors.finish()))?;
    apply_settings_rows(store, &rows, Names::Old, options).await
}

/// Applies rows of `scope,target,parameter,value` cells (a file's, or the admin API's one
/// setting): every row or none.
pub async fn apply_settings_rows(
    store: &dyn Store,
    rows: &[TableRow],
    names: Names,
    options: &ImportOptions,
) -> Result<SettingsReport, ImportError> {
    let revision = store.revision().await?;
    let known = KnownData::read(store).await?;
    let mut plan = plan_rows(rows, &known, names).map_err(ImportError::Rejected)?;
    plan.change.expected_revision = Some(revision);
    plan.change.replace_all = options.replace;
    let mut report = SettingsReport {
        set: plan.change.set.len(),
        removed: plan.change.remove.len(),
        profiles: plan.change.profiles.len(),
        replaced: options.replace,
        dry_run: options.dry_run,
        warnings: plan.warnings,
        revision: None,
        limits: Vec::new(),
    };
    if !options.dry_run {
        report.revision = Some(store.change_settings(&plan.change, &options.actor).await?);
    }
    Ok(report)
}

/// Applies settings an admin declared (the config file's `[[setting]]` tables) as `actor`:
/// checked like a file (every error, nothing written), and written only where the database
/// differs, so a restart with the same file changes nothing. Returns how many were written.
pub async fn apply_declared_settings(
    store: &dyn Store,
    rows: &[TableRow],
    actor: &str,
) -> Result<usize, ImportError> {
    let revision = store.revision().await?;
    let known = KnownData::read(store).await?;
    let mut plan = plan_rows(rows, &known, Names::Old).map_err(ImportError::Rejected)?;
    let book = store.settings().await?;
    let held = |scope: &Scope, parameter: &ParameterName| {
        book.settings()
            .iter()
            .find(|s| s.scope == *scope && s.parameter == *parameter)
            .map(|s| s.value.as_str())
    };
    let change = &mut plan.change;
    change
        .set
        .retain(|s| held(&s.scope, &s.parameter) != Some(s.value.as_str()));
    change
        .remove
        .retain(|(scope, parameter)| held(scope, parameter).is_some());
    change
        .profiles
        .retain(|(mac, profile)| book.profile_of(mac) != profile.as_ref());
    let written = change.set.len() + change.remove.len() + change.profiles.len();
    if written > 0 {
        change.expected_revision = Some(revision);
        store.change_settings(change, actor).await?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> KnownData {
        KnownData {
            sites: HashSet::from([SiteName::default_site()]),
            phones: HashMap::from([
                (Mac::parse("0004f2000001").unwrap(), Vendor::Polycom),
                (Mac::parse("00085d000002").unwrap(), Vendor::Aastra),
            ]),
        }
    }

    fn errors_of(csv: &str) -> Vec<String> {
        plan_settings(csv.as_bytes(), &known())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn every_bad_row_is_named_by_line_and_column() {
        let csv = "scope,target,parameter,value\n\
                   room,x,a.b,1\n\
                   site,nowhere,a.b,1\n\
                   model,6757i,polycom:up.backlight.idleIntensity,1\n\
                   deployment,,up.backlight.idleIntensity,9\n\
                   deployment,,aastra:language,\"1\nsip line1 password: x\"\n\
                   phone,00085d000002,@profile,no such!\n\
                   deployment,,a.b,1\n\
                   deployment,,a.b,2\n";
        assert_eq!(
            errors_of(csv),
            [
                "line 2, column scope: \"room\" is not a scope (deployment, site, vendor, model, profile or phone)",
                "line 3, column target: no site \"nowhere\"",
                "line 4, column parameter: polycom:up.backlight.idleIntensity is a polycom parameter, but model 6757i is aastra's",
                "line 5, column value: \"9\" is not a valid value of up.backlight.idleIntensity: it takes a whole number from 0 to 3",
                "line 6, column value: \"1\\nsip line1 password: x\" holds a control character (line breaks and tabs are refused)",
                "line 8, column value: \"no such!\" is not a profile name (1 to 32 letters, digits, - and _, starting with a letter or digit)",
                "line 10, column parameter: polycom:a.b is set twice for deployment (first on line 9)",
            ]
        );
    }

    #[test]
    fn an_unknown_parameter_is_set_with_a_warning() {
        let csv = "parameter,value,scope,target\n\
                   polycom:feature.nothing.here,1,deployment,\n\
                   polycom:up.backlight.idleIntensity,,site,default\n\
                   @profile,lobby,phone,0004f2000001\n";
        let plan = plan_settings(csv.as_bytes(), &known()).unwrap();
        assert_eq!(plan.change.set.len(), 1);
        assert_eq!(plan.change.remove.len(), 1);
        assert_eq!(plan.change.profiles.len(), 1);
        let warnings: Vec<String> = plan.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            warnings,
            [
                "line 2, column parameter: polycom:feature.nothing.here is not in the polycom catalogue: set as given (check its spelling in the vendor's guide)"
            ]
        );
    }

    /// A dotted name is no longer Polycom's by its spelling alone (a third vendor's names are
    /// dotted too): the prefix or the scope names the vendor; a file without either (an older
    /// phoneprov's) is read by the old rule, with a warning per row; the API refuses it.
    #[test]
    fn a_parameter_names_its_vendor_by_prefix_or_scope_and_old_files_by_spelling() {
        let row = |cells: [&str; 4]| TableRow {
            line: 2,
            cells: cells.map(str::to_string).to_vec(),
        };
        let plan = |cells, names| plan_rows(&[row(cells)], &known(), names);
        let set_name = |plan: SettingsPlan| plan.change.set[0].parameter.to_string();
        let by_scope = plan(
            ["phone", "00085d000002", "time format", "1"],
            Names::Current,
        );
        assert_eq!(set_name(by_scope.unwrap()), "aastra:time format");
        let by_model = plan(
            ["model", "VVX 400", "up.backlight.idleIntensity", "1"],
            Names::Current,
        );
        assert_eq!(
            set_name(by_model.unwrap()),
            "polycom:up.backlight.idleIntensity"
        );
        let refused = plan(["deployment", "", "account.1.label", "x"], Names::Current).unwrap_err();
        assert_eq!(
            refused[0].to_string(),
            "line 2, column parameter: \"account.1.label\" names no vendor: write it as polycom:account.1.label or aastra:account.1.label (or set it at a vendor, model or phone scope)"
        );
        let old = plan(
            ["deployment", "", "up.backlight.idleIntensity", "1"],
            Names::Old,
        )
        .unwrap();
        assert_eq!(
            old.warnings[0].to_string(),
            "line 2, column parameter: \"up.backlight.idleIntensity\" names no vendor: read as polycom:up.backlight.idleIntensity from its spelling, as older files were; write polycom:up.backlight.idleIntensity (a dotted name is not always Polycom's)"
        );
        assert_eq!(set_name(old), "polycom:up.backlight.idleIntensity");
    }
}
