//! Settings without templates and phones' profiles: read whole with every snapshot (the
//! [`SettingsBook`]), changed in one transaction with a revision bump (phones get new files) and
//! an audit entry. Values of parameters whose name holds "password" are sealed at rest; each
//! site's generated phone admin password is derived from the secret key, never stored.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use crate::domain::{
    ExtensionNumber, GENERATED_ADMIN_PASSWORD_DIGITS, KeyKind, KeyOwner, Mac, ParameterName,
    ProfileName, ProgrammedKey, Scope, Setting, SettingsBook,
};
use crate::store::StoreError;
use crate::store::data::SettingsChange;
use crate::store::failover::record;
use crate::store::roles::SettingsStore;
use crate::store::secrets::SecretKey;
use crate::store::sql::SqlStore;
use crate::store::transaction::{begin_write, bump_revision};

fn corrupt(key: String, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "settings",
        key,
        reason: reason.to_string(),
    }
}

/// Every setting and profile assignment.
pub(super) async fn load(
    conn: &mut AnyConnection,
    key: &SecretKey,
) -> Result<SettingsBook, StoreError> {
    let rows = sqlx::query(
        "SELECT scope, target, parameter, value FROM settings ORDER BY scope, target, parameter",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut settings = Vec::with_capacity(rows.len());
    for row in rows {
        let scope: String = row.try_get("scope")?;
        let target: String = row.try_get("target")?;
        let name: String = row.try_get("parameter")?;
        let where_ = format!("{scope} {target} {name}");
        let scope = Scope::parse(&scope, &target).map_err(|e| corrupt(where_.clone(), e))?;
        let parameter = ParameterName::parse(&name).map_err(|e| corrupt(where_.clone(), e))?;
        let value = key.open(&row.try_get::<String, _>("value")?)?;
        settings.push(Setting {
            scope,
            parameter,
            value,
        });
    }
    let rows = sqlx::query("SELECT mac, profile FROM phone_profiles")
        .fetch_all(&mut *conn)
        .await?;
    let mut profiles = HashMap::with_capacity(rows.len());
    for row in rows {
        let mac: String = row.try_get("mac")?;
        let profile: String = row.try_get("profile")?;
        let parsed = Mac::parse(&mac).map_err(|e| corrupt(mac.clone(), e))?;
        let name = ProfileName::parse(&profile).map_err(|e| corrupt(mac.clone(), e))?;
        profiles.insert(parsed, name);
    }
    let rows = sqlx::query("SELECT mac FROM phones")
        .fetch_all(&mut *conn)
        .await?;
    let mut generated = HashMap::with_capacity(rows.len());
    for row in rows {
        let mac: String = row.try_get("mac")?;
        let phone = Mac::parse(&mac).map_err(|e| corrupt(mac.clone(), e))?;
        generated.insert(phone, generated_admin_password(key, &phone));
    }
    let rows =
        sqlx::query("SELECT owner, key, kind, value, label FROM phone_keys ORDER BY owner, key")
            .fetch_all(&mut *conn)
            .await?;
    let mut keys: HashMap<KeyOwner, Vec<ProgrammedKey>> = HashMap::new();
    for row in rows {
        let owner: String = row.try_get("owner")?;
        let bad = |reason: String| StoreError::Corrupt {
            table: "phone_keys",
            key: owner.clone(),
            reason,
        };
        let parsed = KeyOwner::parse(&owner).map_err(bad)?;
        let kind: String = row.try_get("kind")?;
        let key = ProgrammedKey {
            key: u16::try_from(row.try_get::<i64, _>("key")?)
                .map_err(|_| bad("key out of range".into()))?,
            kind: KeyKind::parse(&kind).ok_or_else(|| bad(format!("kind {kind}")))?,
            value: row.try_get("value")?,
            label: row.try_get("label")?,
        };
        keys.entry(parsed).or_default().push(key);
    }
    Ok(SettingsBook::new(settings, profiles)
        .with_generated_admin_passwords(generated)
        .with_keys(keys))
}

/// A phone's generated admin password: digits derived from the secret key and the phone's MAC,
/// so every node and every restart gives the same, nothing is stored, nobody without the key can
/// tell, and one phone's file opens that phone only.
pub(super) fn generated_admin_password(key: &SecretKey, phone: &Mac) -> String {
    key.derive_digits(
        &format!("admin password of phone {}", phone.polycom_name()),
        GENERATED_ADMIN_PASSWORD_DIGITS,
    )
}

async fn apply(store: &SqlStore, change: &SettingsChange, actor: &str) -> Result<i64, StoreError> {
    let mut tx = begin_write(&store.pool).await?;
    if change.replace_all {
        sqlx::query("DELETE FROM settings")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM phone_profiles")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM phone_keys")
            .execute(&mut *tx)
            .await?;
    }
    for (scope, parameter) in &change.remove {
        sqlx::query("DELETE FROM settings WHERE scope = $1 AND target = $2 AND parameter = $3")
            .bind(scope.kind())
            .bind(scope.target())
            .bind(parameter.to_string())
            .execute(&mut *tx)
            .await?;
    }
    for setting in &change.set {
        let value = if setting.parameter.is_secret() {
            store.key.seal(&setting.value)?
        } else {
            setting.value.clone()
        };
        sqlx::query(
            "INSERT INTO settings (scope, target, parameter, value) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (scope, target, parameter) DO UPDATE SET value = excluded.value",
        )
        .bind(setting.scope.kind())
        .bind(setting.scope.target())
        .bind(setting.parameter.to_string())
        .bind(value)
        .execute(&mut *tx)
        .await?;
    }
    for (mac, profile) in &change.profiles {
        sqlx::query("DELETE FROM phone_profiles WHERE mac = $1")
            .bind(mac.polycom_name())
            .execute(&mut *tx)
            .await?;
        let Some(profile) = profile else { continue };
        let known = sqlx::query("SELECT 1 AS one FROM phones WHERE mac = $1")
            .bind(mac.polycom_name())
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound(format!("phone {mac}")));
        }
        sqlx::query("INSERT INTO phone_profiles (mac, profile) VALUES ($1, $2)")
            .bind(mac.polycom_name())
            .bind(profile.as_str())
            .execute(&mut *tx)
            .await?;
    }
    for (owner, keys) in &change.keys {
        sqlx::query("DELETE FROM phone_keys WHERE owner = $1")
            .bind(owner.stored())
            .execute(&mut *tx)
            .await?;
        for key in keys {
            sqlx::query(
                "INSERT INTO phone_keys (owner, key, kind, value, label) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(owner.stored())
            .bind(i64::from(key.key))
            .bind(key.kind.as_str())
            .bind(key.value.as_str())
            .bind(key.label.as_str())
            .execute(&mut *tx)
            .await?;
        }
    }
    let revision = bump_revision(&mut tx, change.expected_revision).await?;
    record(&mut tx, actor, "settings", "settings", &change.summary()).await?;
    tx.commit().await?;
    Ok(revision)
}

async fn set_in_directory(
    store: &SqlStore,
    number: &ExtensionNumber,
    listed: bool,
    actor: &str,
) -> Result<(), StoreError> {
    let mut tx = begin_write(&store.pool).await?;
    let updated = sqlx::query("UPDATE extensions SET in_directory = $1 WHERE number = $2")
        .bind(i64::from(listed))
        .bind(number.as_str())
        .execute(&mut *tx)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("extension {number}")));
    }
    bump_revision(&mut tx, None).await?;
    let detail = if listed {
        "listed in the directory"
    } else {
        "taken out of the directory"
    };
    record(
        &mut tx,
        actor,
        "directory",
        &format!("extension {number}"),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[async_trait]
impl SettingsStore for SqlStore {
    async fn set_in_directory(
        &self,
        number: &ExtensionNumber,
        listed: bool,
        actor: &str,
    ) -> Result<(), StoreError> {
        set_in_directory(self, number, listed, actor).await
    }

    async fn settings(&self) -> Result<SettingsBook, StoreError> {
        load(&mut *self.pool.acquire().await?, &self.key).await
    }

    async fn change_settings(
        &self,
        change: &SettingsChange,
        actor: &str,
    ) -> Result<i64, StoreError> {
        apply(self, change, actor).await
    }
}
