//! The ISM's and the CISO's dashboard: counts from aggregate queries (GROUP BY, COUNT, MIN),
//! never from loading records, scoped to a set of org units (the ISM's units with their
//! subtrees) or to the whole city (the CISO).

use crate::write::{Val, bind_all};
use crate::{Result, Store};
use gaibu_domain::application::State;
use gaibu_domain::ledger::LedgerStatus;
use gaibu_domain::recheck::{ActionState, RecheckState};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;

/// What the dashboard counts, and as of when. Time is a parameter.
#[derive(Debug, Clone)]
pub struct DashboardQuery {
    /// The org units counted (subtrees already expanded); `None` for all of them.
    pub units: Option<Vec<i64>>,
    pub today: Date,
    /// "Due soon": on or before this day (and not overdue). Also the window of expiring
    /// certificates.
    pub soon_until: Date,
    /// Applications submitted before these times are older than a week / a month.
    pub week_ago: Timestamp,
    pub month_ago: Timestamp,
}

/// Services of one org unit (its own, not its subtree's), classification and ledger status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCount {
    pub org_unit_id: i64,
    pub confidentiality: String,
    /// `None`: approved, not yet in the ledger.
    pub ledger_status: Option<String>,
    pub n: i64,
}

/// Applications waiting for the ISM's review, with their age.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waiting {
    pub n: i64,
    /// When the one waiting longest was submitted.
    pub oldest_submitted_at: Option<Timestamp>,
    pub older_than_week: i64,
    pub older_than_month: i64,
}

/// The dashboard's numbers.
#[derive(Debug, Clone, Default)]
pub struct DashboardCounts {
    pub services: Vec<ServiceCount>,
    /// Periodic checks (S3.6-3) of services in operation.
    pub checks_overdue: i64,
    pub checks_due_soon: i64,
    /// Re-checks (S6.1) still open, and those of them past their due date.
    pub rechecks_open: i64,
    pub rechecks_overdue: i64,
    /// Corrective actions (S6.2) still open, and those past their due date.
    pub actions_open: i64,
    pub actions_overdue: i64,
    /// Services not retired with an attached certificate that expires within the window or
    /// has expired.
    pub certificate_services: i64,
    pub applications_waiting: Waiting,
    /// Services with an open flag of the ISMAP cross-check (issue 11).
    pub ismap_flagged: i64,
}

/// `AND <col> IN ($k, …)` for the scope, its values appended to `vals`; `None` when the scope
/// is empty (nothing to count).
fn scope_clause(col: &str, units: &Option<Vec<i64>>, vals: &mut Vec<Val>) -> Option<String> {
    let Some(units) = units else {
        return Some(String::new());
    };
    if units.is_empty() {
        return None;
    }
    let first = vals.len() + 1;
    vals.extend(units.iter().map(|u| Val::from(*u)));
    let params: Vec<String> = (first..=vals.len()).map(|i| format!("${i}")).collect();
    Some(format!(" AND {col} IN ({})", params.join(", ")))
}

fn count(r: &AnyRow, col: &str) -> Result<i64> {
    // COUNT is BIGINT on PostgreSQL and INTEGER on SQLite; both decode as i64.
    Ok(r.try_get::<i64, _>(col)?)
}

impl Store {
    /// The dashboard's numbers: seven aggregate queries, run side by side.
    pub async fn dashboard_counts(&self, q: &DashboardQuery) -> Result<DashboardCounts> {
        let (services, checks, rechecks, actions, certs, waiting, ismap) = tokio::try_join!(
            self.services_grouped(q),
            self.checks_due(q),
            self.open_with_overdue(q, "rechecks", RecheckState::Open.as_str()),
            self.open_with_overdue(q, "corrective_actions", ActionState::Open.as_str()),
            self.certificate_services(q),
            self.applications_waiting(q),
            self.ismap_flagged(q),
        )?;
        Ok(DashboardCounts {
            services,
            checks_overdue: checks.0,
            checks_due_soon: checks.1,
            rechecks_open: rechecks.0,
            rechecks_overdue: rechecks.1,
            actions_open: actions.0,
            actions_overdue: actions.1,
            certificate_services: certs,
            applications_waiting: waiting,
            ismap_flagged: ismap,
        })
    }

    /// Services with an open flag of the ISMAP cross-check (at most one each).
    async fn ismap_flagged(&self, q: &DashboardQuery) -> Result<i64> {
        let mut vals: Vec<Val> = Vec::new();
        let Some(scope) = scope_clause("s.org_unit_id", &q.units, &mut vals) else {
            return Ok(0);
        };
        let sql = format!(
            "SELECT COUNT(*) AS n FROM ismap_flags f CROSS JOIN services s \
             WHERE s.id = f.service_id AND f.cleared_at IS NULL{scope}"
        );
        let r = bind_all(sqlx::query(&sql), vals)
            .fetch_one(&self.pool)
            .await?;
        count(&r, "n")
    }

    /// Services by org unit, classification and ledger status: one grouped scan.
    async fn services_grouped(&self, q: &DashboardQuery) -> Result<Vec<ServiceCount>> {
        let mut vals = Vec::new();
        let Some(scope) = scope_clause("org_unit_id", &q.units, &mut vals) else {
            return Ok(vec![]);
        };
        let sql = format!(
            "SELECT org_unit_id, confidentiality, ledger_status, COUNT(*) AS n FROM services \
             WHERE 1 = 1{scope} GROUP BY org_unit_id, confidentiality, ledger_status"
        );
        let rows = bind_all(sqlx::query(&sql), vals)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ServiceCount {
                    org_unit_id: r.try_get("org_unit_id")?,
                    confidentiality: r.try_get("confidentiality")?,
                    ledger_status: r.try_get("ledger_status")?,
                    n: count(r, "n")?,
                })
            })
            .collect()
    }

    /// Periodic checks of services in operation: (overdue, due soon).
    async fn checks_due(&self, q: &DashboardQuery) -> Result<(i64, i64)> {
        let mut vals: Vec<Val> = vec![
            q.today.into(),
            q.soon_until.into(),
            LedgerStatus::InOperation.as_str().into(),
        ];
        let Some(scope) = scope_clause("org_unit_id", &q.units, &mut vals) else {
            return Ok((0, 0));
        };
        let sql = format!(
            "SELECT COUNT(CASE WHEN next_check_due < $1 THEN 1 END) AS overdue, \
             COUNT(CASE WHEN next_check_due >= $1 THEN 1 END) AS soon FROM services \
             WHERE next_check_due IS NOT NULL AND next_check_due <= $2 AND ledger_status = $3{scope}"
        );
        let r = bind_all(sqlx::query(&sql), vals)
            .fetch_one(&self.pool)
            .await?;
        Ok((count(&r, "overdue")?, count(&r, "soon")?))
    }

    /// Records of `table` (re-checks, corrective actions) in state `open`: (open, overdue).
    async fn open_with_overdue(
        &self,
        q: &DashboardQuery,
        table: &'static str,
        open: &'static str,
    ) -> Result<(i64, i64)> {
        let mut vals: Vec<Val> = vec![q.today.into(), open.into()];
        let Some(scope) = scope_clause("s.org_unit_id", &q.units, &mut vals) else {
            return Ok((0, 0));
        };
        let sql = format!(
            "SELECT COUNT(*) AS n, COUNT(CASE WHEN t.due_on < $1 THEN 1 END) AS overdue \
             FROM {table} t JOIN services s ON s.id = t.service_id WHERE t.state = $2{scope}"
        );
        let r = bind_all(sqlx::query(&sql), vals)
            .fetch_one(&self.pool)
            .await?;
        Ok((count(&r, "n")?, count(&r, "overdue")?))
    }

    /// Services not retired with a certificate (evidence with an expiry) that expires by
    /// `soon_until` or has expired. From the certificates to their services (SQLite keeps the
    /// order of a CROSS JOIN; PostgreSQL plans it as any inner join).
    async fn certificate_services(&self, q: &DashboardQuery) -> Result<i64> {
        let mut vals: Vec<Val> = vec![q.soon_until.into(), LedgerStatus::Retired.as_str().into()];
        let Some(scope) = scope_clause("s.org_unit_id", &q.units, &mut vals) else {
            return Ok(0);
        };
        let sql = format!(
            "SELECT COUNT(DISTINCT s.id) AS n FROM evidence e CROSS JOIN services s \
             WHERE s.application_id = e.application_id AND e.removed_at IS NULL \
             AND e.expires_on IS NOT NULL AND e.expires_on <= $1 \
             AND (s.ledger_status IS NULL OR s.ledger_status <> $2){scope}"
        );
        let r = bind_all(sqlx::query(&sql), vals)
            .fetch_one(&self.pool)
            .await?;
        count(&r, "n")
    }

    /// Applications submitted and waiting for the ISM's decision, with the oldest's age.
    async fn applications_waiting(&self, q: &DashboardQuery) -> Result<Waiting> {
        let mut vals: Vec<Val> = vec![
            State::Submitted.as_str().into(),
            q.week_ago.into(),
            q.month_ago.into(),
        ];
        let Some(scope) = scope_clause("org_unit_id", &q.units, &mut vals) else {
            return Ok(Waiting::default());
        };
        let sql = format!(
            "SELECT COUNT(*) AS n, MIN(submitted_at) AS oldest, \
             COUNT(CASE WHEN submitted_at < $2 THEN 1 END) AS week, \
             COUNT(CASE WHEN submitted_at < $3 THEN 1 END) AS month \
             FROM applications WHERE state = $1{scope}"
        );
        let r = bind_all(sqlx::query(&sql), vals)
            .fetch_one(&self.pool)
            .await?;
        let oldest: Option<i64> = r.try_get("oldest")?;
        let oldest = oldest
            .map(|ms| {
                Timestamp::from_millisecond(ms)
                    .map_err(|e| crate::StoreError::Corrupt(format!("submitted_at: {e}")))
            })
            .transpose()?;
        Ok(Waiting {
            n: count(&r, "n")?,
            oldest_submitted_at: oldest,
            older_than_week: count(&r, "week")?,
            older_than_month: count(&r, "month")?,
        })
    }
}
