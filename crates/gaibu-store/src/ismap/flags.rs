//! The flags of the ISMAP cross-check: at most one open a service. A new finding raises a flag
//! and opens its re-check (S6.1) in one transaction; the same finding found again only says
//! when it was last confirmed, so that importing the same list twice opens nothing new; a flag
//! whose problem is gone is cleared. Each raise and clear is audited.

use crate::codec::{decode_rows, to_json};
use crate::page::{Key, Page, PageAsk, Query, SortBy};
use crate::rechecks::{NewRecheck, RecheckRow, insert_recheck};
use crate::write::{Audit, Val, bind_all};
use crate::{Result, ServiceRow, Store, Who};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::ismap::Finding;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// A flag on a service.
#[derive(Debug, Clone, Serialize)]
pub struct IsmapFlagRow {
    pub id: i64,
    pub service_id: i64,
    /// The number the service claims, as its sheet gives it.
    pub number: String,
    pub finding: Finding,
    /// The version of the list it was found against (none: no list lists the number).
    pub list_id: Option<i64>,
    /// What the registration of that number covers, when there is one.
    pub registered_name: String,
    pub registered_provider: String,
    pub valid_until: Option<Date>,
    /// The re-check the flag opened.
    pub recheck_id: Option<i64>,
    pub raised_at: Timestamp,
    /// The last cross-check that found it still.
    pub checked_at: Timestamp,
    pub cleared_at: Option<Timestamp>,
}

/// A flag with what a list of flagged services shows.
#[derive(Debug, Clone, Serialize)]
pub struct FlagSummary {
    pub id: i64,
    pub service_id: i64,
    pub service_name: String,
    pub provider: String,
    pub org_unit_id: i64,
    pub number: String,
    pub finding: Finding,
    pub list_id: Option<i64>,
    pub valid_until: Option<Date>,
    pub recheck_id: Option<i64>,
    pub raised_at: Timestamp,
}

decode_rows! {
    IsmapFlagRow {
        id: get, service_id: get, number: get,
        finding: named(Finding::parse), list_id: get, registered_name: get,
        registered_provider: get, valid_until: opt_date, recheck_id: get, raised_at: ts,
        checked_at: ts, cleared_at: opt_ts,
    }
    FlagSummary {
        id: get, service_id: get, service_name: get, provider: get, org_unit_id: get,
        number: get, finding: named(Finding::parse), list_id: get, valid_until: opt_date,
        recheck_id: get, raised_at: ts,
    }
}

/// What the cross-check found, to flag.
#[derive(Debug, Clone)]
pub struct NewFlag<'a> {
    pub number: &'a str,
    pub finding: Finding,
    pub list_id: Option<i64>,
    pub registered_name: &'a str,
    pub registered_provider: &'a str,
    pub valid_until: Option<Date>,
}

impl NewFlag<'_> {
    /// Whether `open` names the same problem (then it stays, and nothing new is opened).
    pub fn same_as(&self, open: &IsmapFlagRow) -> bool {
        open.finding == self.finding
            && gaibu_domain::ismap::normal_number(&open.number)
                == gaibu_domain::ismap::normal_number(self.number)
    }
}

/// What a list of flagged services asks for; `units` limits it to the reader's (with the
/// units below them), `None` for all.
#[derive(Debug, Clone, Default)]
pub struct FlagFilter {
    pub units: Option<Vec<i64>>,
    pub finding: Option<Finding>,
}

const SUMMARY: &str = "SELECT f.id, f.service_id, s.name AS service_name, s.provider, \
    s.org_unit_id, f.number, f.finding, f.list_id, f.valid_until, f.recheck_id, f.raised_at \
    FROM ismap_flags f JOIN services s ON s.id = f.service_id";

const FLAG_SORTS: &[SortBy<FlagSummary>] = &[SortBy {
    name: "id",
    expr: "f.id",
    key: |r| Key::Int(r.id),
}];

impl Store {
    /// The open flag of a service, if any.
    pub async fn open_ismap_flag(&self, service_id: i64) -> Result<Option<IsmapFlagRow>> {
        self.one(
            "SELECT * FROM ismap_flags WHERE service_id = $1 AND cleared_at IS NULL",
            vec![service_id.into()],
        )
        .await
    }

    /// Raises a flag on a service and opens its re-check, in one transaction; an open flag
    /// naming another problem (`replaces`) is cleared first. A flag raised by someone else at
    /// the same moment is `Duplicate`, and nothing of this one is kept.
    pub async fn raise_ismap_flag(
        &self,
        who: &Who,
        service: &ServiceRow,
        flag: &NewFlag<'_>,
        replaces: Option<&IsmapFlagRow>,
        recheck: &NewRecheck<'_>,
        now: Timestamp,
    ) -> Result<(IsmapFlagRow, RecheckRow)> {
        let mut w = self.begin(who, now).await?;
        if let Some(old) = replaces {
            clear(&mut w, old).await?;
        }
        let r = insert_recheck(&mut w, service, recheck).await?;
        let vals: Vec<Val> = vec![
            service.id.into(),
            flag.number.into(),
            flag.finding.as_str().into(),
            flag.list_id.into(),
            flag.registered_name.into(),
            flag.registered_provider.into(),
            flag.valid_until.map(|d| d.to_string()).into(),
            r.id.into(),
            now.into(),
            now.into(),
        ];
        let row = bind_all(
            sqlx::query(
                "INSERT INTO ismap_flags (service_id, number, finding, list_id, \
                 registered_name, registered_provider, valid_until, recheck_id, raised_at, \
                 checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *",
            ),
            vals,
        )
        .fetch_one(w.conn())
        .await
        .map_err(crate::map_unique)?;
        let row: IsmapFlagRow = sqlx::FromRow::from_row(&row)?;
        w.audit(Audit {
            action: Action::IsmapFlagRaised,
            entity: Entity::IsmapFlag,
            entity_id: Some(row.id),
            service_id: Some(row.service_id),
            before: None,
            after: Some(to_json(&row)),
        })
        .await?;
        w.commit().await?;
        Ok((row, r))
    }

    /// The cross-check at `at` found the flag's problem still: nothing else changes.
    pub async fn confirm_ismap_flag(&self, id: i64, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE ismap_flags SET checked_at = $1 WHERE id = $2 AND cleared_at IS NULL")
            .bind(at.as_millisecond())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Clears an open flag (its problem is gone), audited.
    pub async fn clear_ismap_flag(
        &self,
        who: &Who,
        flag: &IsmapFlagRow,
        now: Timestamp,
    ) -> Result<()> {
        let mut w = self.begin(who, now).await?;
        clear(&mut w, flag).await?;
        w.commit().await
    }

    /// Open flags after `after` (by id), at most `limit`.
    pub async fn open_ismap_flags(&self, after: i64, limit: i64) -> Result<Vec<IsmapFlagRow>> {
        self.list(
            "SELECT * FROM ismap_flags WHERE cleared_at IS NULL AND id > $1 ORDER BY id LIMIT $2",
            vec![after.into(), limit.into()],
        )
        .await
    }

    /// A page of the open flags, with their services.
    pub async fn ismap_flag_page(
        &self,
        f: &FlagFilter,
        ask: &PageAsk,
    ) -> Result<Page<FlagSummary>> {
        let mut q = Query::new(SUMMARY);
        q.and("f.cleared_at IS NULL");
        if let Some(units) = &f.units {
            q.within_units("s.org_unit_id", units);
        }
        if let Some(finding) = f.finding {
            let p = q.bind(finding.as_str());
            q.and(format!("f.finding = {p}"));
        }
        self.page(q, "f.id", FLAG_SORTS, ask).await
    }
}

async fn clear(w: &mut crate::write::Write<'_>, old: &IsmapFlagRow) -> Result<()> {
    let now = w.now;
    let n =
        sqlx::query("UPDATE ismap_flags SET cleared_at = $1 WHERE id = $2 AND cleared_at IS NULL")
            .bind(now.as_millisecond())
            .bind(old.id)
            .execute(w.conn())
            .await?
            .rows_affected();
    if n == 1 {
        let after = IsmapFlagRow {
            cleared_at: Some(now),
            ..old.clone()
        };
        w.audit(Audit {
            action: Action::IsmapFlagCleared,
            entity: Entity::IsmapFlag,
            entity_id: Some(old.id),
            service_id: Some(old.service_id),
            before: Some(to_json(old)),
            after: Some(to_json(&after)),
        })
        .await?;
    }
    Ok(())
}
