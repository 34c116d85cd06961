//! The one shape of every governance write: begin, change a record if it is still the version
//! the writer saw and in a state that allows the change, append the audit events and queue the
//! notifications that the domain decided, commit. Nothing is decided here.

use crate::audit::{Event, chain_into, head, head_moved};
use crate::batch::Batch;
use crate::codec::Keyed;
use crate::codec::to_json;
use crate::notifications::{NewNotification, notification_into};
use crate::{Result, Store, StoreError, Who};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::effects::Notice;
use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

pub(crate) use crate::deadlines::Deadline;
pub(crate) use table::Table;
pub(crate) use val::{Val, bind_all};

mod table;
mod val;

/// What the writer saw: the record, its version, and the states in which the change is
/// allowed (`""` stands for none yet; an empty list allows any state).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expect<'a> {
    pub id: i64,
    /// `None` for a change that does not depend on what the writer saw (e.g. an evidence file
    /// added to an application), which still moves the version.
    pub version: Option<i64>,
    pub states: &'a [&'a str],
}

impl<'a> Expect<'a> {
    pub(crate) fn at(id: i64, version: i64, states: &'a [&'a str]) -> Self {
        Expect {
            id,
            version: Some(version),
            states,
        }
    }

    pub(crate) fn any_version(id: i64, states: &'a [&'a str]) -> Self {
        Expect {
            id,
            version: None,
            states,
        }
    }
}

/// One governance write in progress: a transaction, who writes, and when.
pub(crate) struct Write<'w> {
    /// Its transaction (on SQLite, with this process's turn to write).
    tx: crate::turn::WriteTx,
    pub who: &'w Who,
    pub now: Timestamp,
    /// The searchable records it changed, re-indexed just before it commits.
    touched: Vec<(Table, i64)>,
    /// Its audit events, appended last: appending takes the chain's head row, which every
    /// writer waits for (PostgreSQL's row lock), so it is held only from there to the commit.
    audits: Vec<Event<'static>>,
    /// Statements that nothing in the write reads back (notifications), sent at its end.
    batch: Batch,
}

impl Store {
    pub(crate) async fn begin<'w>(&self, who: &'w Who, now: Timestamp) -> Result<Write<'w>> {
        let tx = self.write_tx().await?;
        Ok(Write {
            tx,
            who,
            now,
            touched: Vec::new(),
            audits: Vec::new(),
            batch: Batch::default(),
        })
    }
}

impl Write<'_> {
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Sets `set` on the record and bumps its version — only if it still has the version the
    /// writer saw and one of the allowed states. Otherwise the write is refused with the reason:
    /// gone, changed by someone else, or in a state that does not allow it.
    pub(crate) async fn update(
        &mut self,
        t: Table,
        e: Expect<'_>,
        set: Vec<(&'static str, Val)>,
    ) -> Result<()> {
        let indexed = set.iter().any(|(c, _)| t.indexes_column(c));
        let (sql, vals) = Self::update_sql(t, e, set, self.now);
        let n = bind_all(sqlx::query(&sql), vals)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        if n == 1 {
            if indexed {
                self.touch(t, e.id);
            }
            return Ok(());
        }
        Err(self.refusal(t, e).await?)
    }

    /// `update`, answering the record as it is after the change (`RETURNING *`: one statement
    /// where an update and a read were two).
    pub(crate) async fn update_returning<T: Record>(
        &mut self,
        t: Table,
        e: Expect<'_>,
        set: Vec<(&'static str, Val)>,
    ) -> Result<T> {
        let indexed = set.iter().any(|(c, _)| t.indexes_column(c));
        let (mut sql, vals) = Self::update_sql(t, e, set, self.now);
        sql.push_str(" RETURNING *");
        let row = bind_all(sqlx::query(&sql), vals)
            .fetch_optional(&mut *self.tx)
            .await?;
        match row {
            Some(r) => {
                if indexed {
                    self.touch(t, e.id);
                }
                Ok(T::from_row(&r)?)
            }
            None => Err(self.refusal(t, e).await?),
        }
    }

    fn update_sql(
        t: Table,
        e: Expect<'_>,
        set: Vec<(&'static str, Val)>,
        now: Timestamp,
    ) -> (String, Vec<Val>) {
        let mut sql = format!("UPDATE {} SET ", t.name());
        let mut vals: Vec<Val> = Vec::with_capacity(set.len() + 3);
        for (col, v) in set {
            vals.push(v);
            sql.push_str(&format!("{col} = ${}, ", vals.len()));
        }
        if t.has_updated_at() {
            vals.push(now.into());
            sql.push_str(&format!("updated_at = ${}, ", vals.len()));
        }
        vals.push(e.id.into());
        sql.push_str(&format!("version = version + 1 WHERE id = ${}", vals.len()));
        if let Some(v) = e.version {
            vals.push(v.into());
            sql.push_str(&format!(" AND version = ${}", vals.len()));
        }
        if !e.states.is_empty() {
            let first = vals.len() + 1;
            for s in e.states {
                vals.push((*s).into());
            }
            let params: Vec<String> = (first..=vals.len()).map(|i| format!("${i}")).collect();
            sql.push_str(&format!(
                " AND COALESCE({}, '') IN ({})",
                t.state_column(),
                params.join(", ")
            ));
        }
        (sql, vals)
    }

    /// Why an update changed no row: the record is gone, was changed by someone else since the
    /// writer saw it, or is in a state that does not allow the change.
    async fn refusal(&mut self, t: Table, e: Expect<'_>) -> Result<StoreError> {
        let now: Option<sqlx::any::AnyRow> = sqlx::query(&format!(
            "SELECT version, COALESCE({}, '') AS state FROM {} WHERE id = $1",
            t.state_column(),
            t.name()
        ))
        .bind(e.id)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(match now {
            None => StoreError::NotFound,
            Some(r)
                if e.version
                    .is_some_and(|v| r.try_get::<i64, _>("version").ok() != Some(v)) =>
            {
                StoreError::Stale
            }
            Some(r) => StoreError::WrongState(r.try_get("state")?),
        })
    }

    /// A record as it is now, inside the write.
    pub(crate) async fn fetch<T: Record>(&mut self, t: Table, id: i64) -> Result<T> {
        Ok(
            sqlx::query_as(&format!("SELECT * FROM {} WHERE id = $1", t.name()))
                .bind(id)
                .fetch_one(&mut *self.tx)
                .await?,
        )
    }

    /// The common change: `update`, read the record back, audit it with before and after.
    pub(crate) async fn change<T: Record>(&mut self, c: Change<'_, T>) -> Result<T> {
        let id = c.expect.id;
        let after: T = self.update_returning(c.table, c.expect, c.set).await?;
        let audit = Audit::change(c.action, c.table, id, c.service_id, c.before, &after);
        self.audit(audit).await?;
        Ok(after)
    }

    /// Inserts a record (a unique violation is `Duplicate`) and audits its creation.
    pub(crate) async fn create<T: Record + Keyed>(&mut self, new: New) -> Result<T> {
        let names: Vec<&str> = new.cols.iter().map(|(n, _)| *n).collect();
        let params: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({}) RETURNING *",
            new.table,
            names.join(", "),
            params.join(", ")
        );
        let vals = new.cols.into_iter().map(|(_, v)| v).collect();
        let row = bind_all(sqlx::query(&sql), vals)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(crate::map_unique)?;
        let row = T::from_row(&row)?;
        if let Some(t) = Table::searchable(new.table) {
            self.touch(t, row.key());
        }
        let id = new.entity_id.unwrap_or(row.key());
        self.audit(Audit::created(
            new.action,
            new.entity,
            id,
            new.service_id,
            &row,
        ))
        .await?;
        Ok(row)
    }

    /// Adds one audit event to the write (appended to the chain when it commits, in order).
    pub(crate) async fn audit(&mut self, ev: Audit) -> Result<()> {
        let ev = Event {
            action: ev.action.as_str(),
            entity: ev.entity.as_str(),
            entity_id: ev.entity_id,
            service_id: ev.service_id,
            before: ev.before,
            after: ev.after,
        };
        self.audits.push(ev.bounded()?);
        Ok(())
    }

    /// Queues the notifications the domain decided, about one record (recorded when the write
    /// commits, with its other final statements).
    pub(crate) async fn notify(&mut self, notices: &[Notice], about: &About<'_>) -> Result<()> {
        for n in notices {
            notification_into(
                &mut self.batch,
                &NewNotification {
                    user_id: n.user_id,
                    kind: n.kind.as_str(),
                    application_id: about.application_id,
                    service_id: about.service_id,
                    subject: about.subject,
                },
                self.now,
            );
        }
        Ok(())
    }

    /// Marks a record of a searchable table as changed by this write (done by `update` and
    /// `create`; a write that inserts with its own SQL says so itself).
    pub(crate) fn touch(&mut self, t: Table, id: i64) {
        if Table::searchable(t.name()).is_some() && !self.touched.contains(&(t, id)) {
            self.touched.push((t, id));
        }
    }

    /// Re-indexes what the write touched for search, records its notifications and appends
    /// its audit events, in its transaction, then commits: the index never disagrees with the
    /// records. What it writes here goes in one batch (one call on SQLite).
    pub(crate) async fn commit(mut self) -> Result<()> {
        let mut docs = Vec::new();
        for (t, id) in std::mem::take(&mut self.touched) {
            if let Some(d) = crate::search::doc_of(&mut self.tx, t, id).await?
                && !docs.contains(&d)
            {
                docs.push(d);
            }
        }
        let mut batch = std::mem::take(&mut self.batch);
        for (doc, id) in docs {
            crate::search::reindex(&mut self.tx, doc, id, &mut batch).await?;
        }
        let events = std::mem::take(&mut self.audits);
        let at = self.now.as_millisecond();
        match self.tx.take_head() {
            held if events.is_empty() => self.tx.keep_head(held),
            // SQLite: the head this process's last write left. The events go first, so that
            // when another process has appended since, the database refuses the very first
            // statement and nothing of the batch has run: it is sent again after the head as
            // the database holds it.
            Some(from) => {
                let mut first = Batch::default();
                let to = chain_into(&mut first, self.who, at, from, &events);
                first.extend(batch.clone());
                self.tx.keep_head(Some(to));
                match self.tx.commit_with(first).await {
                    Err(e) if head_moved(&e) => {
                        let from = head(&mut self.tx).await?;
                        let mut again = Batch::default();
                        let to = chain_into(&mut again, self.who, at, from, &events);
                        again.extend(batch);
                        self.tx.keep_head(Some(to));
                        self.tx.commit_with(again).await?;
                    }
                    r => r?,
                }
                return Ok(());
            }
            // The head is read (on PostgreSQL: locked) last, so that appenders queue on it
            // only from there to the commit.
            None => {
                batch.run(&mut self.tx).await?;
                let from = head(&mut self.tx).await?;
                batch = Batch::default();
                let to = chain_into(&mut batch, self.who, at, from, &events);
                self.tx.keep_head(Some(to));
            }
        }
        // The head kept is the turn's only if the commit succeeds (a write rolled back
        // forgets it).
        self.tx.commit_with(batch).await
    }
}

/// One versioned change of one record, audited with before and after.
pub(crate) struct Change<'a, T> {
    pub table: Table,
    pub expect: Expect<'a>,
    pub set: Vec<(&'static str, Val)>,
    pub before: &'a T,
    pub action: Action,
    pub service_id: Option<i64>,
}

/// A new record as a write states it: its table, columns, and how its creation is audited.
pub(crate) struct New {
    pub table: &'static str,
    pub cols: Vec<(&'static str, Val)>,
    pub action: Action,
    pub entity: Entity,
    /// The audited entity's id when it is not the new record's own (a role is the user's).
    pub entity_id: Option<i64>,
    pub service_id: Option<i64>,
}

impl Store {
    /// At most one record of a query.
    pub(crate) async fn one<T: Record>(&self, sql: &str, args: Vec<Val>) -> Result<Option<T>> {
        let row = bind_all(sqlx::query(sql), args)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| T::from_row(&r)).transpose()?)
    }

    /// Every record of a query.
    pub(crate) async fn list<T: Record>(&self, sql: &str, args: Vec<Val>) -> Result<Vec<T>> {
        let rows = bind_all(sqlx::query(sql), args)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(T::from_row).collect::<Result<_, _>>()?)
    }

    /// One change of one record in its own write.
    pub(crate) async fn change<T: Record>(
        &self,
        who: &Who,
        now: Timestamp,
        c: Change<'_, T>,
    ) -> Result<T> {
        let mut w = self.begin(who, now).await?;
        let after = w.change(c).await?;
        w.commit().await?;
        Ok(after)
    }

    /// One new record in its own write, audited as created.
    pub(crate) async fn create<T: Record + Keyed>(
        &self,
        who: &Who,
        now: Timestamp,
        new: New,
    ) -> Result<T> {
        let mut w = self.begin(who, now).await?;
        let row = w.create(new).await?;
        w.commit().await?;
        Ok(row)
    }
}

/// A typed record that a write reads back.
pub(crate) trait Record:
    for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + serde::Serialize + Send + Unpin
{
}

impl<T> Record for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + serde::Serialize + Send + Unpin
{
}

/// An audit event as a write states it; the chain fields are added on append.
pub(crate) struct Audit {
    pub action: Action,
    pub entity: Entity,
    pub entity_id: Option<i64>,
    pub service_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Audit {
    /// A record's change, with its state before and after.
    pub(crate) fn change<T: serde::Serialize>(
        action: Action,
        t: Table,
        id: i64,
        service_id: Option<i64>,
        before: &T,
        after: &T,
    ) -> Audit {
        Audit {
            action,
            entity: t.entity(),
            entity_id: Some(id),
            service_id,
            before: Some(to_json(before)),
            after: Some(to_json(after)),
        }
    }

    /// A new record.
    pub(crate) fn created<T: serde::Serialize>(
        action: Action,
        entity: Entity,
        id: i64,
        service_id: Option<i64>,
        after: &T,
    ) -> Audit {
        Audit {
            action,
            entity,
            entity_id: Some(id),
            service_id,
            before: None,
            after: Some(to_json(after)),
        }
    }
}

/// What notifications are about.
pub(crate) struct About<'a> {
    pub application_id: Option<i64>,
    pub service_id: Option<i64>,
    pub subject: &'a str,
}

/// The hash that seals an approval snapshot: SHA-256 over its exact text.
pub(crate) fn snapshot_sha256(snapshot: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(snapshot.as_bytes()))
}
