//! After a rotation: the services awaiting a successor administrator (their administrator moved
//! or left, or the one named is no longer active) and the successors designated several at a
//! time, each with the usage register's ク (S3.4c, S5.2.1-5h), in one transaction; a leaver's
//! official accounts, until closed or handed over (S3.5.1a).

use crate::administrator::{RegisterAdministrator, change_administrator_in};
use crate::codec::decode_rows;
use crate::page::{Key, Page, PageAsk, Query, SortBy, subtree_sql};
use crate::write::{Audit, Expect, Table};
use crate::{RegisterRow, Result, ServiceRow, Store, StoreError, Who};
use gaibu_domain::administrator::AdministratorChange;
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::classification::Track;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

/// A service awaiting a successor administrator.
#[derive(Debug, Clone, Serialize)]
pub struct AwaitingRow {
    pub id: i64,
    pub name: String,
    pub org_unit_id: i64,
    pub track: Track,
    pub administrator_id: i64,
    pub administrator_name: String,
    /// False when the administrator has left: the service has none until one is designated.
    pub administrator_active: bool,
    pub version: i64,
    /// Since when (the move that left it so; `None`: its administrator was deactivated
    /// otherwise).
    pub opened_at: Option<Timestamp>,
}

decode_rows! {
    AwaitingRow {
        id: get, name: get, org_unit_id: get, track: named(Track::parse), administrator_id: get,
        administrator_name: get, administrator_active: flag, version: get, opened_at: opt_ts,
    }
}

/// Whose services a reader sees: the class-2+ services of some units and the class-1 services
/// of some (each with the units below them); `None` for all of a track.
#[derive(Debug, Clone, Default)]
pub struct SuccessorFilter {
    pub class2_units: Option<Vec<i64>>,
    pub class1_units: Option<Vec<i64>>,
}

pub fn awaiting_sorts() -> &'static [SortBy<AwaitingRow>] {
    &[SortBy {
        name: "id",
        expr: "s.id",
        key: |r| Key::Int(r.id),
    }]
}

/// A leaver's official account still to be closed or handed over.
#[derive(Debug, Clone, Serialize)]
pub struct LeaverAccountRow {
    pub id: i64,
    pub account_id: i64,
    pub account_code: String,
    pub holder_org_unit_id: i64,
    pub holder_position: String,
    pub service_id: i64,
    pub service_name: String,
    pub leaver_name: String,
}

decode_rows! {
    LeaverAccountRow {
        id: get, account_id: get, account_code: get, holder_org_unit_id: get,
        holder_position: get, service_id: get, service_name: get, leaver_name: get,
    }
}

/// One designation of a bulk: a new administrator, or the same person confirmed in their new
/// post (only the register's ク changes).
pub enum SuccessorStep<'a> {
    Change {
        before: &'a ServiceRow,
        change: &'a AdministratorChange,
        register: Option<RegisterAdministrator<'a>>,
    },
    Confirm {
        service: &'a ServiceRow,
        register: Option<RegisterAdministrator<'a>>,
        reason: &'a str,
    },
}

impl Store {
    /// The services awaiting a successor that `f` shows, a page at a time.
    pub async fn awaiting_successor_page(
        &self,
        f: &SuccessorFilter,
        ask: &PageAsk,
    ) -> Result<Page<AwaitingRow>> {
        let mut q = Query::new(
            "SELECT s.id, s.name, s.org_unit_id, s.track, s.administrator_id, s.version, \
             u.display_name AS administrator_name, u.active AS administrator_active, \
             (SELECT MIN(n.opened_at) FROM successor_needed n WHERE n.service_id = s.id \
              AND n.closed_at IS NULL) AS opened_at \
             FROM services s JOIN users u ON u.id = s.administrator_id",
        );
        q.and("COALESCE(s.ledger_status, '') <> 'retired'");
        q.and(
            "(u.active = 0 OR EXISTS (SELECT 1 FROM successor_needed n WHERE \
             n.service_id = s.id AND n.closed_at IS NULL))",
        );
        let mut scope = Vec::new();
        for (track, units) in [
            (Track::Class2Plus, &f.class2_units),
            (Track::Class1, &f.class1_units),
        ] {
            let t = q.bind(track.as_str());
            match units {
                None => scope.push(format!("s.track = {t}")),
                Some(u) if u.is_empty() => {}
                Some(u) => {
                    let ids = q.ids(u);
                    scope.push(format!(
                        "(s.track = {t} AND s.org_unit_id IN ({}))",
                        subtree_sql(&ids)
                    ));
                }
            }
        }
        if scope.is_empty() {
            q.and("1 = 0");
        } else {
            q.and(format!("({})", scope.join(" OR ")));
        }
        self.page(q, "s.id", awaiting_sorts(), ask).await
    }

    /// The leavers' accounts still active and not handed over, of the services `admin`
    /// administers (`None`: of every service), a page at a time.
    /// `admin`: only the services this person administers — and, with `units`, also those of
    /// these units and the units below them; neither: every one.
    pub async fn leaver_account_page(
        &self,
        admin: Option<i64>,
        units: Option<&[i64]>,
        ask: &PageAsk,
    ) -> Result<Page<LeaverAccountRow>> {
        let mut q = Query::new(
            "SELECT l.id, l.account_id, a.account_id AS account_code, a.holder_org_unit_id, \
             a.holder_position, l.service_id, s.name AS service_name, \
             u.display_name AS leaver_name FROM leaver_accounts l \
             JOIN accounts a ON a.id = l.account_id JOIN services s ON s.id = l.service_id \
             JOIN rotation_moves m ON m.id = l.move_id JOIN users u ON u.id = m.user_id",
        );
        q.and("l.resolved_at IS NULL AND a.status = 'active'");
        if let Some(id) = admin {
            let p = q.bind(id);
            match units {
                Some(u) if !u.is_empty() => {
                    let ids = q.ids(u);
                    q.and(format!(
                        "(s.administrator_id = {p} OR s.org_unit_id IN ({}))",
                        subtree_sql(&ids)
                    ));
                }
                _ => q.and(format!("s.administrator_id = {p}")),
            }
        }
        const SORTS: &[SortBy<LeaverAccountRow>] = &[SortBy {
            name: "id",
            expr: "l.id",
            key: |r| Key::Int(r.id),
        }];
        self.page(q, "l.id", SORTS, ask).await
    }

    /// A leaver's account as listed (for the check of who may hand it over).
    pub async fn leaver_account(&self, id: i64) -> Result<Option<(i64, i64)>> {
        let row = sqlx::query(
            "SELECT account_id, service_id FROM leaver_accounts WHERE id = $1 \
             AND resolved_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Some((
                sqlx::Row::try_get(&r, "account_id")?,
                sqlx::Row::try_get(&r, "service_id")?,
            )),
            None => None,
        })
    }

    /// The account stays with the post and its successor: no longer listed. Audited.
    pub async fn hand_over_leaver_account(&self, who: &Who, id: i64, now: Timestamp) -> Result<()> {
        let mut w = self.begin(who, now).await?;
        let row = sqlx::query(
            "UPDATE leaver_accounts SET resolved_at = $1, resolved_by = $2 \
             WHERE id = $3 AND resolved_at IS NULL RETURNING account_id, service_id",
        )
        .bind(now.as_millisecond())
        .bind(who.user_id)
        .bind(id)
        .fetch_optional(w.conn())
        .await?
        .ok_or(StoreError::Stale)?;
        let account: i64 = sqlx::Row::try_get(&row, "account_id")?;
        let service: i64 = sqlx::Row::try_get(&row, "service_id")?;
        w.audit(Audit {
            action: Action::LeaverAccountHandedOver,
            entity: Entity::Account,
            entity_id: Some(account),
            service_id: Some(service),
            before: None,
            after: Some(json!({ "leaver_account": id }).to_string()),
        })
        .await?;
        w.commit().await
    }

    /// Designates successors, in one transaction: each new administrator (or the same one
    /// confirmed) with the register's ク, and what awaited them closed, audited.
    pub async fn designate_successors(
        &self,
        who: &Who,
        steps: Vec<SuccessorStep<'_>>,
        now: Timestamp,
    ) -> Result<usize> {
        let mut w = self.begin(who, now).await?;
        let n = steps.len();
        for step in steps {
            let (service, previous, to, reason) = match step {
                SuccessorStep::Change {
                    before,
                    change,
                    register,
                } => {
                    change_administrator_in(&mut w, before, change, register).await?;
                    (before, change.from, change.to, change.reason.as_str())
                }
                SuccessorStep::Confirm {
                    service,
                    register,
                    reason,
                } => {
                    let e = Expect::at(service.id, service.version, &[]);
                    w.update(Table::Services, e, vec![]).await?;
                    if let Some(r) = register {
                        update_column_h(&mut w, service.id, r).await?;
                    }
                    let a = service.administrator_id;
                    (service, a, a, reason)
                }
            };
            sqlx::query(
                "UPDATE successor_needed SET closed_at = $1, closed_by = $2 \
                 WHERE service_id = $3 AND closed_at IS NULL",
            )
            .bind(now.as_millisecond())
            .bind(who.user_id)
            .bind(service.id)
            .execute(w.conn())
            .await?;
            w.audit(Audit {
                action: Action::SuccessorDesignated,
                entity: Entity::Service,
                entity_id: Some(service.id),
                service_id: Some(service.id),
                before: Some(json!({ "administrator_id": previous }).to_string()),
                after: Some(json!({ "administrator_id": to, "reason": reason }).to_string()),
            })
            .await?;
        }
        w.commit().await?;
        Ok(n)
    }
}

/// The register's ク set anew for the same administrator in their new post.
async fn update_column_h(
    w: &mut crate::write::Write<'_>,
    service_id: i64,
    r: RegisterAdministrator<'_>,
) -> Result<()> {
    let e = Expect::at(r.entry.id, r.entry.version, &[]);
    w.update(
        Table::UsageRegister,
        e,
        vec![("administrator", r.administrator.into())],
    )
    .await?;
    let a: RegisterRow = w.fetch(Table::UsageRegister, r.entry.id).await?;
    let ev = Audit::change(
        Action::RegisterUpdated,
        Table::UsageRegister,
        a.id,
        Some(service_id),
        r.entry,
        &a,
    );
    w.audit(ev).await
}
