//! Checks ordered by the ISM (S6.3): the order over a set of services, and each
//! administrator's report on their own.

use crate::codec::decode_rows;
use crate::write::{About, Change, Deadline, Expect, New, Table, Val};
use crate::{Result, ServiceRow, Store, Who};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::deadline::DeadlineKind;
use gaibu_domain::effects::Notice;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// A check ordered by the ISM (S6.3); `target` says which services, as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct CheckOrderRow {
    pub id: i64,
    pub ordered_by: i64,
    pub target: serde_json::Value,
    pub reason: String,
    pub due_on: Date,
    pub created_at: Timestamp,
}

/// An order with its progress, counted by the database.
#[derive(Debug, Clone, Serialize)]
pub struct OrderProgressRow {
    pub id: i64,
    pub ordered_by: i64,
    pub target: serde_json::Value,
    pub reason: String,
    pub due_on: Date,
    pub created_at: Timestamp,
    pub total: i64,
    pub reported: i64,
    pub pending: i64,
    pub overdue: i64,
}

/// One service's part of an order.
#[derive(Debug, Clone, Serialize)]
pub struct OrderTargetRow {
    pub id: i64,
    pub order_id: i64,
    pub service_id: i64,
    pub administrator_id: i64,
    pub due_on: Date,
    /// `pending` or `reported`.
    pub state: String,
    pub result: String,
    pub reported_by: Option<i64>,
    pub reported_at: Option<Timestamp>,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A target with what a list shows of its order and service.
#[derive(Debug, Clone, Serialize)]
pub struct OrderTargetView {
    pub id: i64,
    pub order_id: i64,
    pub service_id: i64,
    pub service_name: String,
    pub administrator_id: i64,
    pub due_on: Date,
    pub state: String,
    pub result: String,
    pub reason: String,
    pub reported_at: Option<Timestamp>,
    pub version: i64,
}

decode_rows! {
    CheckOrderRow {
        id: get, ordered_by: get, target: json, reason: get, due_on: date, created_at: ts,
    }
    OrderProgressRow {
        id: get, ordered_by: get, target: json, reason: get, due_on: date, created_at: ts,
        total: get, reported: get, pending: get, overdue: get,
    }
    OrderTargetRow {
        id: get, order_id: get, service_id: get, administrator_id: get, due_on: date,
        state: get, result: get, reported_by: get, reported_at: opt_ts, updated_at: ts,
        version: get,
    }
    OrderTargetView {
        id: get, order_id: get, service_id: get, service_name: get, administrator_id: get,
        due_on: date, state: get, result: get, reason: get, reported_at: opt_ts, version: get,
    }
}

/// A check order to issue (S6.3).
#[derive(Clone, Copy)]
pub struct NewOrder<'a> {
    /// Which services, as recorded.
    pub target: &'a serde_json::Value,
    pub reason: &'a str,
    pub due_on: Date,
}

impl Store {
    /// S6.3: the ISM's order over `targets`; each administrator gets a deadline and is told.
    pub async fn issue_check_order(
        &self,
        who: &Who,
        order: &NewOrder<'_>,
        targets: &[ServiceRow],
        notify: impl Fn(&ServiceRow) -> Vec<Notice>,
        now: Timestamp,
    ) -> Result<CheckOrderRow> {
        let NewOrder {
            target,
            reason,
            due_on,
        } = *order;
        let mut w = self.begin(who, now).await?;
        let cols: Vec<(&'static str, Val)> = vec![
            ("ordered_by", who.user_id.into()),
            ("target", crate::to_json(target).into()),
            ("reason", reason.into()),
            ("due_on", due_on.into()),
            ("created_at", now.into()),
        ];
        let new = New {
            table: "check_orders",
            cols,
            action: Action::CheckOrdered,
            entity: Entity::CheckOrder,
            entity_id: None,
            service_id: None,
        };
        let order: CheckOrderRow = w.create(new).await?;
        for s in targets {
            let t: OrderTargetRow = sqlx::query_as(
                "INSERT INTO check_order_targets (order_id, service_id, administrator_id, due_on, \
                 state, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING *",
            )
            .bind(order.id)
            .bind(s.id)
            .bind(s.administrator_id)
            .bind(due_on.to_string())
            .bind(now.as_millisecond())
            .fetch_one(w.conn())
            .await?;
            w.deadline(&Deadline {
                kind: DeadlineKind::CheckOrder,
                subject_id: t.id,
                service_id: Some(s.id),
                due_on,
                recipients: &[s.administrator_id],
            })
            .await?;
            let about = About {
                application_id: None,
                service_id: Some(s.id),
                subject: reason,
            };
            w.notify(&notify(s), &about).await?;
        }
        w.commit().await?;
        Ok(order)
    }

    /// S6.3: the administrator's report on their service; the deadline closes, the ISM is told.
    pub async fn report_check(
        &self,
        who: &Who,
        before: &OrderTargetRow,
        version: i64,
        result: &str,
        notify: &[Notice],
        now: Timestamp,
    ) -> Result<OrderTargetRow> {
        let c = Change {
            table: Table::CheckOrderTargets,
            expect: Expect::at(before.id, version, &["pending"]),
            set: vec![
                ("state", "reported".into()),
                ("result", result.into()),
                ("reported_by", who.user_id.into()),
                ("reported_at", now.into()),
            ],
            before,
            action: Action::CheckOrderReported,
            service_id: Some(before.service_id),
        };
        let mut w = self.begin(who, now).await?;
        let after: OrderTargetRow = w.change(c).await?;
        w.close_deadline(DeadlineKind::CheckOrder, after.id).await?;
        let about = About {
            application_id: None,
            service_id: Some(after.service_id),
            subject: result,
        };
        w.notify(notify, &about).await?;
        w.commit().await?;
        Ok(after)
    }
}
