//! Who may fetch a phone's credential files, as stored: each phone's HTTP login (passwords
//! sealed with the data key, read with every snapshot, changed by admins with an audit entry and
//! a revision bump) and the address each phone is bound to under trust on first use (written
//! once per phone, off the request path; reset by admins with an audit entry).

use std::collections::HashMap;
use std::net::IpAddr;

use sqlx::{AnyConnection, AnyPool, Row};

use crate::clock::now_ms;
use crate::domain::{Mac, PhoneLogin};
use crate::store::StoreError;
use crate::store::failover::record;
use crate::store::rows::corrupt;

use crate::store::secrets::SecretKey;
use crate::store::transaction::{begin_write, bump_revision};

/// Passwords are stored as one sealed text, one per line (a password holds no control character).
const PASSWORD_SEPARATOR: char = '\n';

/// Every phone's login, passwords in clear.
pub(super) async fn load_logins(
    conn: &mut AnyConnection,
    key: &SecretKey,
) -> Result<HashMap<Mac, PhoneLogin>, StoreError> {
    let rows = sqlx::query("SELECT mac, username, passwords FROM phone_credentials")
        .fetch_all(&mut *conn)
        .await?;
    let mut logins = HashMap::with_capacity(rows.len());
    for row in &rows {
        let mac_text: String = row.try_get("mac")?;
        let bad = |reason: String| corrupt("phone_credentials", &mac_text, reason);
        let mac = Mac::parse(&mac_text).map_err(|e| bad(e.to_string()))?;
        let passwords = key.open(&row.try_get::<String, _>("passwords")?)?;
        let passwords = passwords
            .split(PASSWORD_SEPARATOR)
            .map(str::to_string)
            .collect();
        let login = PhoneLogin::new(&row.try_get::<String, _>("username")?, passwords)
            .map_err(|e| bad(e.to_string()))?;
        logins.insert(mac, login);
    }
    Ok(logins)
}

async fn require_phone(conn: &mut AnyConnection, mac: &Mac) -> Result<(), StoreError> {
    let found = sqlx::query("SELECT 1 AS one FROM phones WHERE mac = $1")
        .bind(mac.polycom_name())
        .fetch_optional(&mut *conn)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound(format!("phone {mac}"))),
    }
}

/// Sets (or with `None` removes) a phone's login.
pub(super) async fn set_login(
    pool: &AnyPool,
    key: &SecretKey,
    mac: &Mac,
    login: Option<&PhoneLogin>,
    actor: &str,
) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    require_phone(&mut tx, mac).await?;
    sqlx::query("DELETE FROM phone_credentials WHERE mac = $1")
        .bind(mac.polycom_name())
        .execute(&mut *tx)
        .await?;
    let detail = match login {
        Some(login) => {
            let joined = login.passwords.join(&PASSWORD_SEPARATOR.to_string());
            sqlx::query(
                "INSERT INTO phone_credentials (mac, username, passwords) VALUES ($1, $2, $3)",
            )
            .bind(mac.polycom_name())
            .bind(login.username.as_str())
            .bind(key.seal(&joined)?)
            .execute(&mut *tx)
            .await?;
            format!(
                "user {}, {} password(s) accepted",
                login.username,
                login.passwords.len()
            )
        }
        None => "login removed".to_string(),
    };
    bump_revision(&mut tx, None).await?;
    record(&mut tx, actor, "phone-login", &mac.to_string(), &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Every phone's bound address.
pub(super) async fn bindings(pool: &AnyPool) -> Result<Vec<(Mac, IpAddr)>, StoreError> {
    bindings_since(pool, i64::MIN).await
}

/// The bindings made at or after `since_ms`.
pub(super) async fn bindings_since(
    pool: &AnyPool,
    since_ms: i64,
) -> Result<Vec<(Mac, IpAddr)>, StoreError> {
    let rows = sqlx::query("SELECT mac, address FROM phone_bindings WHERE bound_at_ms >= $1")
        .bind(since_ms)
        .fetch_all(pool)
        .await?;
    rows.iter().map(binding).collect()
}

fn binding(row: &sqlx::any::AnyRow) -> Result<(Mac, IpAddr), StoreError> {
    let mac_text: String = row.try_get("mac")?;
    let mac =
        Mac::parse(&mac_text).map_err(|e| corrupt("phone_bindings", &mac_text, e.to_string()))?;
    let address: String = row.try_get("address")?;
    let address = address
        .parse()
        .map_err(|_| corrupt("phone_bindings", &mac_text, "not an IP address"))?;
    Ok((mac, address))
}

/// Binds a phone to `address` unless it is bound already (the first binding stays, whichever
/// node made it); the address it is bound to now, none for an unknown phone.
pub(super) async fn bind(
    pool: &AnyPool,
    mac: &Mac,
    address: IpAddr,
) -> Result<Option<IpAddr>, StoreError> {
    let mut tx = begin_write(pool).await?;
    sqlx::query(
        "INSERT INTO phone_bindings (mac, address, bound_at_ms) \
         SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM phones WHERE mac = $1) \
         ON CONFLICT (mac) DO NOTHING",
    )
    .bind(mac.polycom_name())
    .bind(address.to_string())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    let bound = sqlx::query("SELECT mac, address FROM phone_bindings WHERE mac = $1")
        .bind(mac.polycom_name())
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    bound
        .as_ref()
        .map(binding)
        .transpose()
        .map(|b| b.map(|(_, address)| address))
}

/// Removes a phone's binding; its next master-file fetch binds it again. Returns the address it
/// was bound to.
pub(super) async fn unbind(
    pool: &AnyPool,
    mac: &Mac,
    actor: &str,
) -> Result<Option<IpAddr>, StoreError> {
    let mut tx = begin_write(pool).await?;
    require_phone(&mut tx, mac).await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT address FROM phone_bindings WHERE mac = $1")
            .bind(mac.polycom_name())
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query("DELETE FROM phone_bindings WHERE mac = $1")
        .bind(mac.polycom_name())
        .execute(&mut *tx)
        .await?;
    // Its networks are reset with it: its next boot makes a new network its home.
    sqlx::query("UPDATE phones SET home_ip = NULL, home_at_ms = NULL WHERE mac = $1")
        .bind(mac.polycom_name())
        .execute(&mut *tx)
        .await?;
    let detail = match &before {
        Some(address) => format!("binding to {address} reset"),
        None => "no binding to reset".to_string(),
    };
    // The revision moves so running servers reload their bindings.
    bump_revision(&mut tx, None).await?;
    record(&mut tx, actor, "phone-unbind", &mac.to_string(), &detail).await?;
    tx.commit().await?;
    Ok(before.and_then(|a| a.parse().ok()))
}

use crate::store::roles::*;
use crate::store::sql::SqlStore;
use async_trait::async_trait;

#[async_trait]
impl PhoneAccessStore for SqlStore {
    async fn set_phone_login(
        &self,
        mac: &Mac,
        login: Option<&PhoneLogin>,
        actor: &str,
    ) -> Result<(), StoreError> {
        set_login(&self.pool, &self.key, mac, login, actor).await
    }

    async fn phone_bindings(&self) -> Result<Vec<(Mac, IpAddr)>, StoreError> {
        bindings(&self.pool).await
    }

    async fn phone_bindings_since(&self, since_ms: i64) -> Result<Vec<(Mac, IpAddr)>, StoreError> {
        bindings_since(&self.pool, since_ms).await
    }

    async fn bind_phone(&self, mac: &Mac, address: IpAddr) -> Result<Option<IpAddr>, StoreError> {
        bind(&self.pool, mac, address).await
    }

    async fn unbind_phone(&self, mac: &Mac, actor: &str) -> Result<Option<IpAddr>, StoreError> {
        unbind(&self.pool, mac, actor).await
    }
}
