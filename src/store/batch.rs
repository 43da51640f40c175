//! Multi-row statements for bulk writes: `INSERT ... VALUES (...), (...)` and
//! `DELETE ... WHERE key IN (...)` in chunks, so a 100,000-row import is a few hundred statements
//! instead of hundreds of thousands. Only placeholders are generated; every value is bound.
//!
//! SQLite gets anonymous `?` placeholders: sqlx looks up the name of every numbered (`$n`)
//! parameter, and SQLite's lookup is linear, which made binding a large statement quadratic
//! (87% of a 100,000-row import). PostgreSQL needs `$n`.

use std::fmt::Write;

use sqlx::AnyConnection;
use sqlx::{AssertSqlSafe, Executor};

use crate::store::{Backend, Progress, StoreError};

/// Most parameters in one statement: well under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS: usize = 8000;

/// One bound value.
#[derive(Debug, Clone)]
pub(super) enum Param {
    Text(String),
    MaybeText(Option<String>),
    Int(i64),
    MaybeInt(Option<i64>),
}

/// Counts rows written across the statements of one transaction and reports progress.
pub(super) struct Tracker<'a> {
    done: usize,
    total: usize,
    progress: Progress<'a>,
}

impl<'a> Tracker<'a> {
    pub(super) fn new(total: usize, progress: Progress<'a>) -> Tracker<'a> {
        Tracker {
            done: 0,
            total,
            progress,
        }
    }

    fn advance(&mut self, rows: usize) {
        self.done += rows;
        (self.progress)(self.done, self.total);
    }
}

/// `($1,$2),($3,$4)` (PostgreSQL) or `(?,?),(?,?)` (SQLite) for `rows` rows of `columns` values.
fn values_clause(backend: Backend, rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ",(" });
        for column in 0..columns {
            if column > 0 {
                sql.push(',');
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                // Writing to a String cannot fail.
                Backend::Postgres => {
                    let _ = write!(sql, "${}", row * columns + column + 1);
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// Binds every parameter to `query`, in order.
pub(super) fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    params: impl IntoIterator<Item = &'q Param>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for param in params {
        query = match param {
            Param::Text(v) => query.bind(v.as_str()),
            Param::MaybeText(v) => query.bind(v.as_deref()),
            Param::Int(v) => query.bind(*v),
            Param::MaybeInt(v) => query.bind(*v),
        };
    }
    query
}

/// The statements `{head} VALUES (...),(...) {tail}` that together insert all `rows` (each with
/// the same number of values), with the rows each one binds.
fn insert_statements<'r>(
    backend: Backend,
    head: &'r str,
    tail: &'r str,
    rows: &'r [Vec<Param>],
) -> impl Iterator<Item = (String, &'r [Vec<Param>])> {
    let columns = rows.first().map_or(1, Vec::len);
    let rows_per_statement = (MAX_PARAMS / columns).max(1);
    rows.chunks(rows_per_statement).map(move |chunk| {
        let values = values_clause(backend, chunk.len(), columns);
        (format!("{head} VALUES {values} {tail}"), chunk)
    })
}

/// Runs `{head} VALUES (...),(...) {tail}` over all `rows` (each with the same number of values).
pub(super) async fn insert_rows(
    backend: Backend,
    conn: &mut AnyConnection,
    head: &str,
    tail: &str,
    rows: &[Vec<Param>],
    tracker: &mut Tracker<'_>,
) -> Result<(), StoreError> {
    for (sql, chunk) in insert_statements(backend, head, tail, rows) {
        let query = bind_all(sqlx::query(AssertSqlSafe(sql)), chunk.iter().flatten());
        conn.execute(query).await?;
        tracker.advance(chunk.len());
    }
    Ok(())
}

/// [`insert_rows`] with a `RETURNING` clause in `tail`: every row the statements return.
pub(super) async fn insert_rows_returning(
    backend: Backend,
    conn: &mut AnyConnection,
    head: &str,
    tail: &str,
    rows: &[Vec<Param>],
) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    let mut returned = Vec::new();
    for (sql, chunk) in insert_statements(backend, head, tail, rows) {
        let query = bind_all(sqlx::query(AssertSqlSafe(sql)), chunk.iter().flatten());
        returned.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(returned)
}

/// Runs `{head} IN ($1,...)` over all `keys`, e.g. `DELETE FROM phones WHERE mac`.
pub(super) async fn delete_keys(
    backend: Backend,
    conn: &mut AnyConnection,
    head: &str,
    keys: &[String],
    tracker: &mut Tracker<'_>,
) -> Result<(), StoreError> {
    for chunk in keys.chunks(MAX_PARAMS) {
        let list = values_clause(backend, 1, chunk.len());
        let sql = format!("{head} IN {list}");
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for key in chunk {
            query = query.bind(key.as_str());
        }
        conn.execute(query).await?;
        tracker.advance(chunk.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::values_clause;
    use crate::store::Backend;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(
            values_clause(Backend::Postgres, 2, 3),
            "($1,$2,$3),($4,$5,$6)"
        );
        assert_eq!(values_clause(Backend::Postgres, 1, 1), "($1)");
        assert_eq!(values_clause(Backend::Sqlite, 2, 2), "(?,?),(?,?)");
    }
}
