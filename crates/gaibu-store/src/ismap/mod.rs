//! The ISMAP and ISMAP-LIU lists (issue 11): each import kept as a dated version with its
//! registrations, written in one transaction with its audit event; and the services whose
//! sheets claim a registration, read a page at a time for the cross-check.

use crate::codec::{decode_rows, to_json};
use crate::write::{Audit, Val, bind_all};
use crate::{Result, Store, Who};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::ismap::{ListKind, Registration, Status, normal_number};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

mod flags;
pub use flags::{FlagFilter, FlagSummary, IsmapFlagRow, NewFlag};

/// A version of a list as imported.
#[derive(Debug, Clone, Serialize)]
pub struct IsmapListRow {
    pub id: i64,
    pub kind: ListKind,
    pub file_name: String,
    pub sha256: String,
    pub row_count: i64,
    pub imported_by: Option<i64>,
    pub imported_by_login: String,
    pub imported_at: Timestamp,
}

/// A registration of a version.
#[derive(Debug, Clone, Serialize)]
pub struct RegistrationRow {
    pub id: i64,
    pub list_id: i64,
    /// The row of the file it came from.
    pub row_number: i64,
    pub number: String,
    pub number_key: String,
    pub service_name: String,
    pub provider: String,
    pub scope: String,
    pub registered_on: Option<Date>,
    pub audited_until: Option<Date>,
    pub valid_until: Date,
    pub status: Status,
}

impl RegistrationRow {
    /// The registration as the rules read it.
    pub fn registration(&self) -> Registration {
        Registration {
            number: self.number.clone(),
            service_name: self.service_name.clone(),
            provider: self.provider.clone(),
            scope: self.scope.clone(),
            registered_on: self.registered_on,
            audited_until: self.audited_until,
            valid_until: self.valid_until,
            status: self.status,
        }
    }
}

fn status(s: &str) -> Option<Status> {
    [Status::Registered, Status::Withdrawn, Status::Lapsed]
        .into_iter()
        .find(|x| x.as_str() == s)
}

decode_rows! {
    IsmapListRow {
        id: get, kind: named(ListKind::parse), file_name: get, sha256: get, row_count: get,
        imported_by: get, imported_by_login: get, imported_at: ts,
    }
    RegistrationRow {
        id: get, list_id: get, row_number: get, number: get, number_key: get,
        service_name: get, provider: get, scope: get, registered_on: opt_date,
        audited_until: opt_date, valid_until: date, status: named(status),
    }
    Candidate {
        id: get, application_id: get,
    }
}

/// A list file to keep: its kind, the file, and its registrations with their rows.
pub struct NewList<'a> {
    pub kind: ListKind,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub rows: &'a [(usize, Registration)],
}

/// A service in operation whose sheet (or last passed re-check) may claim a registration.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// The service.
    pub id: i64,
    pub application_id: i64,
}

/// Registrations inserted per statement (12 values each, well under both databases' limits).
const CHUNK: usize = 40;

impl Store {
    /// Keeps a version of a list and its registrations, audited, in one transaction: a file
    /// is kept whole or not at all.
    pub async fn import_ismap_list(
        &self,
        who: &Who,
        list: &NewList<'_>,
        now: Timestamp,
    ) -> Result<IsmapListRow> {
        let mut w = self.begin(who, now).await?;
        let count = i64::try_from(list.rows.len()).unwrap_or(i64::MAX);
        let row: IsmapListRow = {
            let r = bind_all(
                sqlx::query(
                    "INSERT INTO ismap_lists (kind, file_name, sha256, row_count, imported_by, \
                     imported_by_login, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     RETURNING *",
                ),
                vec![
                    list.kind.as_str().into(),
                    list.file_name.into(),
                    list.sha256.into(),
                    count.into(),
                    who.user_id.into(),
                    (&who.login).into(),
                    now.into(),
                ],
            )
            .fetch_one(w.conn())
            .await?;
            sqlx::FromRow::from_row(&r)?
        };
        for chunk in list.rows.chunks(CHUNK) {
            let mut vals: Vec<Val> = Vec::with_capacity(chunk.len() * 12);
            let mut tuples = Vec::with_capacity(chunk.len());
            for (n, r) in chunk {
                let first = vals.len() + 1;
                vals.extend([
                    row.id.into(),
                    i64::try_from(*n).unwrap_or(i64::MAX).into(),
                    (&r.number).into(),
                    normal_number(&r.number).into(),
                    (&r.service_name).into(),
                    (&r.provider).into(),
                    (&r.scope).into(),
                    r.registered_on.map(|d| d.to_string()).into(),
                    r.audited_until.map(|d| d.to_string()).into(),
                    r.valid_until.into(),
                    r.status.as_str().into(),
                ]);
                let ps: Vec<String> = (first..=vals.len()).map(|i| format!("${i}")).collect();
                tuples.push(format!("({})", ps.join(", ")));
            }
            let sql = format!(
                "INSERT INTO ismap_registrations (list_id, row_number, number, number_key, \
                 service_name, provider, scope, registered_on, audited_until, valid_until, \
                 status) VALUES {}",
                tuples.join(", ")
            );
            bind_all(sqlx::query(&sql), vals)
                .execute(w.conn())
                .await
                .map_err(crate::map_unique)?;
        }
        w.audit(Audit {
            action: Action::IsmapListImported,
            entity: Entity::IsmapList,
            entity_id: Some(row.id),
            service_id: None,
            before: None,
            after: Some(to_json(&row)),
        })
        .await?;
        w.commit().await?;
        Ok(row)
    }

    /// The newest version of each kind of list (none of a kind never imported).
    pub async fn latest_ismap_lists(&self) -> Result<Vec<IsmapListRow>> {
        let mut out = Vec::new();
        for kind in ListKind::ALL {
            let sql = "SELECT * FROM ismap_lists WHERE kind = $1 \
                       ORDER BY imported_at DESC, id DESC LIMIT 1";
            if let Some(r) = self.one(sql, vec![kind.as_str().into()]).await? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The versions imported, newest first, at most `limit`.
    pub async fn ismap_lists(&self, limit: i64) -> Result<Vec<IsmapListRow>> {
        self.list(
            "SELECT * FROM ismap_lists ORDER BY imported_at DESC, id DESC LIMIT $1",
            vec![limit.into()],
        )
        .await
    }

    pub async fn ismap_list(&self, id: i64) -> Result<Option<IsmapListRow>> {
        self.one("SELECT * FROM ismap_lists WHERE id = $1", vec![id.into()])
            .await
    }

    /// The registration of a number (folded: `normal_number`) in one of the versions `lists`,
    /// from the newest of them.
    pub async fn ismap_registration(
        &self,
        lists: &[i64],
        number: &str,
    ) -> Result<Option<RegistrationRow>> {
        if lists.is_empty() {
            return Ok(None);
        }
        let mut vals: Vec<Val> = vec![normal_number(number).into()];
        vals.extend(lists.iter().map(|id| Val::from(*id)));
        let ps: Vec<String> = (2..=vals.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT * FROM ismap_registrations WHERE number_key = $1 AND list_id IN ({}) \
             ORDER BY list_id DESC LIMIT 1",
            ps.join(", ")
        );
        self.one(&sql, vals).await
    }

    /// A page of the registrations of a version, in the file's order.
    pub async fn ismap_registrations(
        &self,
        list_id: i64,
        after_row: i64,
        limit: i64,
    ) -> Result<Vec<RegistrationRow>> {
        self.list(
            "SELECT * FROM ismap_registrations WHERE list_id = $1 AND row_number > $2 \
             ORDER BY row_number LIMIT $3",
            vec![list_id.into(), after_row.into(), limit.into()],
        )
        .await
    }

    /// Services in operation after `after` (by id), at most `limit`, whose approved
    /// application or a passed re-check has an answer to one of `items` (the sheet items
    /// that claim a registration). The answers themselves are judged by the caller.
    pub async fn ismap_candidates(
        &self,
        items: &[String],
        after: i64,
        limit: i64,
    ) -> Result<Vec<Candidate>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let mut vals: Vec<Val> = vec![after.into(), limit.into()];
        let mut likes = Vec::new();
        for id in items {
            vals.push(to_json(id).into());
            let p = format!("'%' || ${} || '%'", vals.len());
            likes.push(format!("a.answers LIKE {p}"));
            likes.push(format!(
                "EXISTS (SELECT 1 FROM rechecks r WHERE r.service_id = s.id \
                 AND r.state = 'compliant' AND r.answers LIKE {p})"
            ));
        }
        let sql = format!(
            "SELECT s.id, s.application_id FROM services s \
             JOIN applications a ON a.id = s.application_id \
             WHERE s.ledger_status = 'in_operation' AND s.id > $1 AND ({}) \
             ORDER BY s.id LIMIT $2",
            likes.join(" OR ")
        );
        self.list(&sql, vals).await
    }
}
