//! Keeping extensions' registration assignments (primary and backup call server) in step with
//! their sites, inside the transaction of the write that needs it: imports and relocations
//! place what has no valid assignment; a change of a site's call servers and an admin's
//! rebalance rebalance that site ([`crate::domain::distribution`] holds the rules).

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use crate::domain::{Assignment, ExtensionNumber, Mode, Site, SiteId, distribute};
use crate::store::batch::{Param, Tracker, insert_rows};
use crate::store::load::load_sites;
use crate::store::{Backend, StoreError};

/// Writes many assignments in one statement per chunk.
const SET_ASSIGNMENTS: (&str, &str) = (
    "UPDATE extensions SET primary_server = v.column2, backup_server = v.column3 FROM (",
    ") AS v WHERE extensions.number = v.column1",
);

type Members = Vec<(ExtensionNumber, Option<Assignment>)>;

/// The extensions of `only` (every site when `None`) by current site, with their assignments.
async fn members_by_site(
    conn: &mut AnyConnection,
    only: Option<SiteId>,
) -> Result<HashMap<SiteId, Members>, StoreError> {
    const COLUMNS: &str =
        "SELECT number, current_site_id, primary_server, backup_server FROM extensions";
    let rows = match only {
        Some(site) => {
            let sql = format!("{COLUMNS} WHERE current_site_id = $1");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(site.0)
                .fetch_all(&mut *conn)
                .await?
        }
        None => sqlx::query(COLUMNS).fetch_all(&mut *conn).await?,
    };
    let mut by_site: HashMap<SiteId, Members> = HashMap::new();
    for row in &rows {
        let number: String = row.try_get("number")?;
        let number = ExtensionNumber::parse(&number).map_err(|e| StoreError::Corrupt {
            table: "extensions",
            key: number.clone(),
            reason: e.to_string(),
        })?;
        let assignment = row
            .try_get::<Option<String>, _>("primary_server")?
            .map(|primary| {
                Ok::<_, sqlx::Error>(Assignment {
                    primary,
                    backup: row.try_get("backup_server")?,
                })
            })
            .transpose()?;
        by_site
            .entry(SiteId(row.try_get("current_site_id")?))
            .or_default()
            .push((number, assignment));
    }
    Ok(by_site)
}

/// Brings the assignments of `only` (every site when `None`) in step with their call servers;
/// the number of extensions whose assignment changed. The caller bumps the revision if any did.
pub(super) async fn settle(
    backend: Backend,
    conn: &mut AnyConnection,
    only: Option<SiteId>,
    mode: Mode,
) -> Result<usize, StoreError> {
    let sites: Vec<Site> = load_sites(conn).await?;
    let mut members = members_by_site(conn, only).await?;
    let mut rows: Vec<Vec<Param>> = Vec::new();
    for site in sites.iter().filter(|s| only.is_none_or(|id| id == s.id)) {
        let Some(mut extensions) = members.remove(&site.id) else {
            continue;
        };
        extensions.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
        for (number, assignment) in distribute(&site.settings.bins(), &extensions, mode) {
            rows.push(vec![
                Param::Text(number.as_str().to_string()),
                Param::MaybeText(assignment.as_ref().map(|a| a.primary.clone())),
                Param::MaybeText(assignment.and_then(|a| a.backup)),
            ]);
        }
    }
    let (head, tail) = SET_ASSIGNMENTS;
    let mut tracker = Tracker::new(rows.len(), &|_, _| {});
    insert_rows(backend, conn, head, tail, &rows, &mut tracker).await?;
    Ok(rows.len())
}
