//! The search index's write side: a record's document text, and its postings kept in step
//! inside each write's transaction (FTS5 on SQLite, `search_grams` on PostgreSQL), or built
//! afresh.

use super::{Doc, fts_token, grams, normalise};
use crate::batch::Batch;
use crate::write::{Table, Val};
use crate::{Backend, Result, Store, StoreError};
use sqlx::{AnyConnection, Row};

/// The document a write to `table`'s record `id` touches, if any (a usage-register entry is
/// part of its service's document).
pub(crate) async fn doc_of(
    conn: &mut AnyConnection,
    table: Table,
    id: i64,
) -> Result<Option<(Doc, i64)>> {
    Ok(match table {
        Table::Services => Some((Doc::Service, id)),
        Table::Applications => Some((Doc::Application, id)),
        Table::Accounts => Some((Doc::Account, id)),
        Table::UsageRegister => {
            let row = sqlx::query("SELECT service_id FROM usage_register WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
            match row {
                Some(r) => Some((Doc::Service, r.try_get("service_id")?)),
                None => None,
            }
        }
        _ => None,
    })
}

fn push_text(parts: &mut Vec<String>, s: Option<String>) {
    if let Some(s) = s {
        let n = normalise(s.trim());
        if !n.trim().is_empty() {
            parts.push(n);
        }
    }
}

/// The text the index holds for a document now (read alone only when the record is gone: else
/// it comes with the record, in the same statement).
const INDEXED: &str =
    "(SELECT body FROM search_docs WHERE entity = $2 AND entity_id = $1) AS indexed";

/// A record's one row, read with `INDEXED` (`$1` its id, `$2` its document kind).
async fn row_of(
    conn: &mut AnyConnection,
    sql: &str,
    doc: Doc,
    id: i64,
) -> Result<Option<sqlx::any::AnyRow>> {
    Ok(sqlx::query(sql)
        .bind(id)
        .bind(doc.as_str())
        .fetch_optional(&mut *conn)
        .await?)
}

/// The normalised text of a document as the database holds it now (`None` when the record is
/// gone), and the text the index holds for it.
async fn text_of(
    conn: &mut AnyConnection,
    doc: Doc,
    id: i64,
) -> Result<(Option<String>, Option<String>)> {
    let gone = async |conn: &mut AnyConnection| -> Result<(Option<String>, Option<String>)> {
        let old = sqlx::query("SELECT body FROM search_docs WHERE entity = $1 AND entity_id = $2")
            .bind(doc.as_str())
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get("body"))
            .transpose()?;
        Ok((None, old))
    };
    let mut parts = Vec::new();
    let indexed: Option<String>;
    match doc {
        Doc::Service => {
            let rows = sqlx::query(&format!(
                "SELECT s.name, s.provider, s.system_name, s.ledger_note, \
                 r.service_name AS r_name, r.provider_name AS r_provider, r.purpose, r.user_scope, \
                 {INDEXED} \
                 FROM services s LEFT JOIN usage_register r ON r.service_id = s.id \
                 WHERE s.id = $1 ORDER BY r.id"
            ))
            .bind(id)
            .bind(doc.as_str())
            .fetch_all(&mut *conn)
            .await?;
            let Some(first) = rows.first() else {
                return gone(conn).await;
            };
            indexed = first.try_get("indexed")?;
            for (i, r) in rows.iter().enumerate() {
                let cols: &[&str] = if i == 0 {
                    &[
                        "name",
                        "provider",
                        "system_name",
                        "ledger_note",
                        "r_name",
                        "r_provider",
                        "purpose",
                        "user_scope",
                    ]
                } else {
                    &["r_name", "r_provider", "purpose", "user_scope"]
                };
                for c in cols {
                    push_text(&mut parts, r.try_get(*c)?);
                }
            }
        }
        Doc::Application => {
            let Some(r) = row_of(
                conn,
                &format!(
                    "SELECT service_name, provider, fields, decision_reason, {INDEXED} \
                 FROM applications WHERE id = $1"
                ),
                doc,
                id,
            )
            .await?
            else {
                return gone(conn).await;
            };
            indexed = r.try_get("indexed")?;
            push_text(&mut parts, r.try_get("service_name")?);
            push_text(&mut parts, r.try_get("provider")?);
            let fields: String = r.try_get("fields")?;
            let fields: serde_json::Value = serde_json::from_str(&fields)
                .map_err(|e| StoreError::Corrupt(format!("application {id} fields: {e}")))?;
            for key in ["purpose", "user_scope"] {
                push_text(&mut parts, fields[key].as_str().map(str::to_string));
            }
            push_text(&mut parts, r.try_get("decision_reason")?);
            // The reviewer's comments of each round, item by item.
            let rounds = sqlx::query(
                "SELECT comments FROM application_rounds WHERE application_id = $1 ORDER BY round",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            for round in rounds {
                let Some(text) = round.try_get::<Option<String>, _>("comments")? else {
                    continue;
                };
                if let Ok(serde_json::Value::Object(m)) = serde_json::from_str(&text) {
                    for v in m.values() {
                        push_text(&mut parts, v.as_str().map(str::to_string));
                    }
                }
            }
        }
        Doc::Account => {
            let Some(r) = row_of(conn, &format!("SELECT account_id, holder_position, purpose, {INDEXED} FROM accounts WHERE id = $1"), doc, id).await?
            else {
                return gone(conn).await;
            };
            indexed = r.try_get("indexed")?;
            for c in ["account_id", "holder_position", "purpose"] {
                push_text(&mut parts, r.try_get(c)?);
            }
        }
    }
    Ok((Some(parts.join("\n")), indexed))
}

/// Rows per multi-row statement (3 values each: well under either backend's bound).
const BATCH: usize = 300;

fn insert_grams(batch: &mut Batch, doc: Doc, id: i64, grams: &[&String]) {
    for chunk in grams.chunks(BATCH) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, ${}, $2)", i + 3))
            .collect();
        let mut vals: Vec<Val> = vec![doc.as_str().into(), id.into()];
        vals.extend(chunk.iter().map(|g| Val::from(g.as_str())));
        batch.push(
            format!(
                "INSERT INTO search_grams (entity, gram, entity_id) VALUES {} \
                 ON CONFLICT DO NOTHING",
                rows.join(", ")
            ),
            vals,
        );
    }
}

fn delete_grams(batch: &mut Batch, doc: Doc, id: i64, grams: &[&String]) {
    for chunk in grams.chunks(BATCH) {
        let params: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let mut vals: Vec<Val> = vec![doc.as_str().into(), id.into()];
        vals.extend(chunk.iter().map(|g| Val::from(g.as_str())));
        batch.push(
            format!(
                "DELETE FROM search_grams WHERE entity = $1 AND entity_id = $2 AND gram IN ({})",
                params.join(", ")
            ),
            vals,
        );
    }
}

/// Brings one document's index up to date inside the caller's transaction: reads its text back
/// and, when it changed, replaces the document's row of the FTS5 table (SQLite) or changes only
/// the postings that differ (PostgreSQL, each by primary key). Nothing is written when the text
/// did not change.
pub(crate) async fn reindex(
    conn: &mut AnyConnection,
    doc: Doc,
    id: i64,
    batch: &mut Batch,
) -> Result<()> {
    let (body, old) = text_of(conn, doc, id).await?;
    if old == body {
        return Ok(());
    }
    if conn.backend_name() == "SQLite" {
        let fts = doc.fts_table();
        match &body {
            // A contentless_delete table replaces a row by its rowid in one statement.
            Some(b) => {
                let toks: Vec<String> = grams(b).iter().map(|g| fts_token(g)).collect();
                batch.push(
                    format!("INSERT OR REPLACE INTO {fts} (rowid, grams) VALUES ($1, $2)"),
                    vec![id.into(), toks.join(" ").into()],
                );
            }
            None => batch.push(
                format!("DELETE FROM {fts} WHERE rowid = $1"),
                vec![id.into()],
            ),
        }
    } else {
        let old_grams = old.as_deref().map(grams).unwrap_or_default();
        let new_grams = body.as_deref().map(grams).unwrap_or_default();
        let gone: Vec<&String> = old_grams.difference(&new_grams).collect();
        let added: Vec<&String> = new_grams.difference(&old_grams).collect();
        delete_grams(batch, doc, id, &gone);
        insert_grams(batch, doc, id, &added);
    }
    match body {
        Some(body) => batch.push(
            "INSERT INTO search_docs (entity, entity_id, body) VALUES ($1, $2, $3) \
             ON CONFLICT (entity, entity_id) DO UPDATE SET body = excluded.body",
            vec![doc.as_str().into(), id.into(), body.into()],
        ),
        None => batch.push(
            "DELETE FROM search_docs WHERE entity = $1 AND entity_id = $2",
            vec![doc.as_str().into(), id.into()],
        ),
    }
    Ok(())
}

impl Store {
    /// Builds the search index afresh from the records, in one transaction; answers the number
    /// of documents indexed.
    pub async fn reindex_all(&self) -> Result<usize> {
        let mut tx = self.write_tx().await?;
        match self.backend {
            Backend::Sqlite => {
                for doc in Doc::ALL {
                    let fts = doc.fts_table();
                    sqlx::query(&format!("INSERT INTO {fts} ({fts}) VALUES ('delete-all')"))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            Backend::Postgres => {
                sqlx::query("DELETE FROM search_grams")
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query("DELETE FROM search_docs")
            .execute(&mut *tx)
            .await?;
        let mut n = 0;
        for doc in Doc::ALL {
            let mut after = 0_i64;
            loop {
                let ids: Vec<i64> = sqlx::query(&format!(
                    "SELECT id FROM {} WHERE id > $1 ORDER BY id LIMIT 500",
                    doc.table()
                ))
                .bind(after)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<Result<_, _>>()?;
                let Some(last) = ids.last() else { break };
                after = *last;
                for id in ids {
                    let mut batch = Batch::default();
                    reindex(&mut tx, doc, id, &mut batch).await?;
                    batch.run(&mut tx).await?;
                    n += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(n)
    }

    /// SQLite: merges the search index's segments, at most about `pages` pages of work for
    /// each entity, in one short write. FTS5 writes each transaction's postings as a segment
    /// and merges them only in steps, so a term is looked up in every segment (25 after 2,000
    /// services): a search for 会議 took 0.40 ms against 0.22 ms on one segment. Run by the
    /// server every few minutes and after `bench seed`, so that the index stays close to one
    /// segment without a long pause (docs/search.md). Answers whether there was anything to
    /// merge. PostgreSQL's B-tree needs nothing of this: answers false.
    pub async fn merge_search_index(&self, pages: u32) -> Result<bool> {
        if self.backend != Backend::Sqlite {
            return Ok(false);
        }
        let mut tx = self.write_tx().await?;
        let mut merged = false;
        // FTS5's own test of work done: total_changes() moves by 2 or more.
        let total = "SELECT total_changes()";
        for doc in Doc::ALL {
            let fts = doc.fts_table();
            let before: i64 = sqlx::query_scalar(total).fetch_one(&mut *tx).await?;
            sqlx::query(&format!(
                "INSERT INTO {fts} ({fts}, rank) VALUES ('merge', $1)"
            ))
            .bind(-i64::from(pages.max(1)))
            .execute(&mut *tx)
            .await?;
            let after: i64 = sqlx::query_scalar(total).fetch_one(&mut *tx).await?;
            merged |= after - before >= 2;
        }
        tx.commit().await?;
        Ok(merged)
    }

    /// How many segments each entity's postings are in (SQLite; empty on PostgreSQL), for
    /// tests and `docs/benchmarks.md`.
    pub async fn search_segments(&self) -> Result<Vec<(Doc, i64)>> {
        if self.backend != Backend::Sqlite {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for doc in Doc::ALL {
            let n: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(DISTINCT segid) FROM {}_idx",
                doc.fts_table()
            ))
            .fetch_one(&self.pool)
            .await?;
            out.push((doc, n));
        }
        Ok(out)
    }

    /// Indexes a database that has records but no index yet (one migrated from before the
    /// index); answers whether it did.
    pub async fn reindex_if_empty(&self) -> Result<bool> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM search_docs LIMIT 1) d) AS docs, \
             (SELECT COUNT(*) FROM (SELECT 1 FROM applications LIMIT 1) a) AS apps",
        )
        .fetch_one(&self.pool)
        .await?;
        let docs: i64 = row.try_get("docs")?;
        let apps: i64 = row.try_get("apps")?;
        if docs > 0 || apps == 0 {
            return Ok(false);
        }
        let n = self.reindex_all().await?;
        tracing::info!(documents = n, "search index built");
        Ok(true)
    }
}
