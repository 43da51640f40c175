//! Importing programmed keys from CSV (`mac,key,type,value,label`): all rows or none, every
//! error with its line and column. The `mac` column names a phone or a profile
//! (`profile:<name>`); each phone or profile the file names gets exactly the file's keys (others
//! keep theirs). A key is checked against its phone's model and firmware (or, for a profile,
//! against every phone given it): a kind the phone lacks or a key beyond its keys is refused.
//! The format is in `docs/keys.md`.

use std::collections::{BTreeMap, HashMap};

use crate::domain::{
    KeyKind, KeyOwner, Mac, Model, Phone, ProgrammedKey, Vendor, check_key_text, quoted,
};
use crate::handset::handset;
use crate::import::table::{TableRow, read_table};
use crate::import::{ErrorList, ImportError, ImportOptions, RowError};
use crate::store::{SettingsChange, Store};

/// The columns of a keys file.
pub const KEY_COLUMNS: [&str; 5] = ["mac", "key", "type", "value", "label"];

/// What an import of keys did (or would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct KeysReport {
    /// Phones and profiles whose keys were set.
    pub owners: usize,
    /// Keys set.
    pub keys: usize,
    /// Nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// The data revision after the import (none for a dry run).
    pub revision: Option<i64>,
}

impl std::fmt::Display for KeysReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.dry_run {
            writeln!(f, "dry run: nothing was written; the import would set:")?;
        }
        writeln!(
            f,
            "keys: {} on {} phones or profiles",
            self.keys, self.owners
        )
    }
}

/// The firmware family a phone of `model` is served as unless pinned, `""` for a vendor of one
/// file grammar.
fn family_of(vendor: Vendor, model: Option<&Model>) -> &'static str {
    crate::handset::handset(vendor).family_of_model(model)
}

/// Checks a key against one phone.
fn check_on(phone: &Phone, key: &ProgrammedKey) -> Result<(), (&'static str, String)> {
    let model = phone.model.as_deref().and_then(Model::find);
    handset(phone.vendor)
        .check_key(model, family_of(phone.vendor, model), key)
        .map_err(|refusal| (refusal.field, refusal.message))
}

/// Checks rows of `mac,key,type,value,label` cells against the phones (and who has which
/// profile); every error, or each owner's keys.
pub fn plan_keys(
    rows: &[TableRow],
    phones: &HashMap<Mac, Phone>,
    profiles: &HashMap<Mac, crate::domain::ProfileName>,
) -> Result<Vec<(KeyOwner, Vec<ProgrammedKey>)>, Vec<RowError>> {
    let mut errors = ErrorList::default();
    let mut owners: BTreeMap<KeyOwner, BTreeMap<u16, (u64, ProgrammedKey)>> = BTreeMap::new();
    for row in rows {
        let [owner, key, kind, value, label] = [0, 1, 2, 3, 4].map(|i| row.cells[i].as_str());
        let line = row.line;
        let mut cell_error = |column: &str, message: String| {
            errors.push(RowError::cell(line, column, message));
        };
        let owner = match KeyOwner::parse(owner) {
            Ok(owner) => owner,
            Err(e) => {
                cell_error("mac", e);
                continue;
            }
        };
        let Some(number) = key.parse::<u16>().ok().filter(|n| *n >= 1) else {
            cell_error(
                "key",
                format!("{} is not a key number (1 or more)", quoted(key)),
            );
            continue;
        };
        let Some(kind) = KeyKind::parse(kind) else {
            let kinds = KeyKind::ALL.map(|(_, name)| name).join(", ");
            cell_error(
                "type",
                format!("{} is not a key type ({kinds})", quoted(kind)),
            );
            continue;
        };
        if let Err((column, message)) = check_key_text(kind, value, label) {
            cell_error(column, message);
            continue;
        }
        let programmed = ProgrammedKey {
            key: number,
            kind,
            value: value.to_string(),
            label: label.to_string(),
        };
        let checked = match &owner {
            KeyOwner::Phone(mac) => match phones.get(mac) {
                Some(phone) => check_on(phone, &programmed),
                None => Err(("mac", format!("no phone {mac}"))),
            },
            KeyOwner::Profile(name) => profiles
                .iter()
                .filter(|(_, profile)| *profile == name)
                .filter_map(|(mac, _)| phones.get(mac))
                .map(|phone| {
                    check_on(phone, &programmed).map_err(|(column, message)| {
                        (column, format!("phone {}: {message}", phone.mac))
                    })
                })
                .find(Result::is_err)
                .unwrap_or(Ok(())),
        };
        if let Err((column, message)) = checked {
            cell_error(column, message);
            continue;
        }
        let keys = owners.entry(owner.clone()).or_default();
        if let Some((first, _)) = keys.get(&number) {
            let first = *first;
            cell_error(
                "key",
                format!("key {number} of {owner} is set twice (first on line {first})"),
            );
            continue;
        }
        keys.insert(number, (line, programmed));
    }
    if !errors.is_empty() {
        return Err(errors.finish());
    }
    Ok(owners
        .into_iter()
        .map(|(owner, keys)| (owner, keys.into_values().map(|(_, k)| k).collect()))
        .collect())
}

/// Imports a keys file: every row or none.
pub async fn import_keys(
    store: &dyn Store,
    input: &[u8],
    options: &ImportOptions,
) -> Result<KeysReport, ImportError> {
    let rows = read_table(input, &KEY_COLUMNS).map_err(|e| ImportError::Rejected(e.finish()))?;
    apply_key_rows(store, &rows, options).await
}

/// Applies rows of `mac,key,type,value,label` cells (a file's, or one phone's from the admin
/// API or page): every row or none.
pub async fn apply_key_rows(
    store: &dyn Store,
    rows: &[TableRow],
    options: &ImportOptions,
) -> Result<KeysReport, ImportError> {
    let revision = store.revision().await?;
    let phones: HashMap<Mac, Phone> = store
        .phones()
        .await?
        .into_iter()
        .map(|p| (p.mac, p))
        .collect();
    let profiles = store.settings().await?.profiles().clone();
    let keys = plan_keys(rows, &phones, &profiles).map_err(ImportError::Rejected)?;
    write_keys(store, keys, revision, options).await
}

/// Writes each owner's keys (an owner with an empty list loses its keys).
pub async fn write_keys(
    store: &dyn Store,
    keys: Vec<(KeyOwner, Vec<ProgrammedKey>)>,
    revision: i64,
    options: &ImportOptions,
) -> Result<KeysReport, ImportError> {
    let mut report = KeysReport {
        owners: keys.len(),
        keys: keys.iter().map(|(_, k)| k.len()).sum(),
        dry_run: options.dry_run,
        revision: None,
    };
    if !options.dry_run {
        let change = SettingsChange {
            expected_revision: Some(revision),
            keys,
            ..SettingsChange::default()
        };
        report.revision = Some(store.change_settings(&change, &options.actor).await?);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap as Lines;

    fn phone(mac: &str, vendor: Vendor, model: &str) -> (Mac, Phone) {
        let mac = Mac::parse(mac).unwrap();
        (
            mac,
            Phone {
                mac,
                vendor,
                vendor_pinned: false,
                model: Some(model.to_string()),
                lines: Lines::new(),
                last_seen: None,
            },
        )
    }

    #[test]
    fn a_key_beyond_the_model_or_of_a_kind_it_lacks_is_refused_by_line() {
        let phones = HashMap::from([
            phone("0004f2000001", Vendor::Polycom, "SPIP_335"),
            phone("00085d000002", Vendor::Aastra, "6757i"),
        ]);
        let rows = read_table(
            b"mac,key,type,value,label\n\
              0004f2000001,1,blf,201,Alice\n\
              0004f2000001,41,speeddial,5551234,Taxi\n\
              00085d000002,211,blf,201,\n\
              00085d000002,1,intercom,201,\n\
              00085d000002,2,dnd,,\n",
            &KEY_COLUMNS,
        )
        .unwrap();
        let errors: Vec<String> = plan_keys(&rows, &phones, &HashMap::new())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(errors.len(), 4, "{errors:#?}");
        assert!(errors[0].starts_with("line 2, column type: a SPIP_335 on sip32 has no statically configured busy lamp field"), "{errors:#?}");
        assert!(
            errors[1].starts_with("line 3, column key: key 41 is beyond the 40 speed dials"),
            "{errors:#?}"
        );
        assert!(
            errors[2].starts_with("line 4, column key: key 211 is beyond the 210 keys of a 6757i"),
            "{errors:#?}"
        );
        assert!(
            errors[3].starts_with("line 5, column type: \"intercom\" is not a key type"),
            "{errors:#?}"
        );
    }
}
