//! The columns of the lifecycle lists and of a service's accounts: re-checks (S6.1),
//! corrective actions (S6.2), terminations, check orders (S6.3) and the official accounts
//! (S5.2.2-4), headed with the labels their pages use; the people and services their rows
//! name by id are looked up once an export and kept by [`Names`].

use super::columns::{ListKind, RowCx};
use super::format::Cell;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::state::AppState;
use gaibu_store::lists::terminations::TerminationSummary;
use gaibu_store::{AccountRow, CorrectiveActionRow, OrderProgressRow, RecheckRow};
use std::collections::HashMap;

/// The header row of one of these lists.
pub fn headers(kind: ListKind, t: Tr) -> Vec<String> {
    let h: Vec<&str> = match kind {
        ListKind::Rechecks => vec![
            t.export_id(),
            t.label_service_name(),
            t.recheck_cause(),
            t.recheck_description(),
            t.recheck_occurred_on(),
            t.recheck_due_on(),
            t.recheck_state(),
            t.label_administrator(),
            t.label_judged_at(),
        ],
        ListKind::Actions => vec![
            t.export_id(),
            t.recheck_rechecks(),
            t.label_service_name(),
            t.recheck_action_plan(),
            t.recheck_action_due(),
            t.recheck_state(),
            t.recheck_action_owner(),
            t.recheck_note(),
        ],
        ListKind::Terminations => vec![
            t.export_id(),
            t.label_service_name(),
            t.label_provider(),
            t.label_org_unit(),
            t.label_classification(),
            t.list_status(),
            t.termination_reason(),
            t.termination_planned_end_on(),
            t.label_administrator(),
            t.termination_requested_at(),
        ],
        ListKind::CheckOrders => vec![
            t.export_id(),
            t.check_order_target(),
            t.check_order_reason(),
            t.check_order_due_on(),
            t.check_order_total(),
            t.check_order_reported(),
            t.check_order_pending(),
            t.check_order_overdue(),
            t.export_created_at(),
        ],
        ListKind::Accounts => vec![
            t.label_account_id(),
            t.label_kind(),
            t.label_holder_org_unit(),
            t.label_holder_position(),
            t.label_created_on(),
            t.label_purpose(),
            t.label_status(),
            t.label_closed_on(),
        ],
        ListKind::Services | ListKind::Register | ListKind::Applications | ListKind::Checks => {
            vec![]
        }
    };
    h.into_iter().map(str::to_string).collect()
}

/// People's and services' names by id, looked up as a page needs them and kept for the
/// export (an export names few people and services, however many rows it has).
#[derive(Default)]
pub struct Names {
    people: HashMap<i64, String>,
    services: HashMap<i64, String>,
}

impl Names {
    /// Looks up those of `people` and `services` not yet known.
    pub async fn learn(
        &mut self,
        st: &AppState,
        people: impl IntoIterator<Item = i64>,
        services: impl IntoIterator<Item = i64>,
    ) -> AppResult<()> {
        for id in people {
            if let std::collections::hash_map::Entry::Vacant(e) = self.people.entry(id) {
                let name = st.store.user(id).await?.map(|u| u.display_name);
                e.insert(name.unwrap_or_else(|| format!("#{id}")));
            }
        }
        for id in services {
            if let std::collections::hash_map::Entry::Vacant(e) = self.services.entry(id) {
                let name = st.store.service(id).await?.map(|s| s.name);
                e.insert(name.unwrap_or_else(|| format!("#{id}")));
            }
        }
        Ok(())
    }

    fn person(&self, id: i64) -> Cell {
        self.people
            .get(&id)
            .map_or(Cell::Int(id), |n| Cell::text(n.as_str()))
    }

    fn service(&self, id: i64) -> Cell {
        self.services
            .get(&id)
            .map_or(Cell::Int(id), |n| Cell::text(n.as_str()))
    }
}

/// What a check order is of, as its page writes it.
fn target_text(t: Tr, target: &serde_json::Value) -> String {
    crate::web::pages::check_order_target(t, target)
}

impl RowCx {
    pub fn recheck(&self, r: &RecheckRow, n: &Names) -> Vec<Cell> {
        let t = self.t;
        vec![
            Cell::Int(r.id),
            n.service(r.service_id),
            Cell::text(t.of("recheck_cause", r.cause.as_str())),
            Cell::text(&r.description),
            Cell::Date(r.occurred_on),
            Cell::Date(r.due_on),
            Cell::text(t.of("recheck_state", r.state.as_str())),
            n.person(r.administrator_id),
            Cell::time(r.judged_at),
        ]
    }

    pub fn action(&self, a: &CorrectiveActionRow, n: &Names) -> Vec<Cell> {
        vec![
            Cell::Int(a.id),
            Cell::Int(a.recheck_id),
            n.service(a.service_id),
            Cell::text(&a.plan),
            Cell::Date(a.due_on),
            Cell::text(self.t.of("recheck_state", a.state.as_str())),
            n.person(a.owner_id),
            Cell::text(&a.note),
        ]
    }

    /// A termination; its id is the service's, as on the page.
    pub fn termination(&self, r: &TerminationSummary, n: &Names) -> Vec<Cell> {
        let t = self.t;
        vec![
            Cell::Int(r.service_id),
            Cell::text(&r.service_name),
            Cell::text(&r.provider),
            self.unit(r.org_unit_id),
            self.level(&r.confidentiality),
            Cell::text(t.of("termination", &format!("state.{}", r.state.as_str()))),
            Cell::text(&r.reason),
            Cell::Date(r.planned_end_on),
            n.person(r.requested_by),
            Cell::Time(r.requested_at),
        ]
    }

    pub fn order(&self, o: &OrderProgressRow) -> Vec<Cell> {
        vec![
            Cell::Int(o.id),
            Cell::text(target_text(self.t, &o.target)),
            Cell::text(&o.reason),
            Cell::Date(o.due_on),
            Cell::Int(o.total),
            Cell::Int(o.reported),
            Cell::Int(o.pending),
            Cell::Int(o.overdue),
            Cell::Time(o.created_at),
        ]
    }

    pub fn account(&self, a: &AccountRow) -> Vec<Cell> {
        let t = self.t;
        vec![
            Cell::text(&a.account_id),
            Cell::text(t.account_kind(a.kind.as_str())),
            self.unit(a.holder_org_unit_id),
            Cell::text(&a.holder_position),
            Cell::Date(a.created_on),
            Cell::text(&a.purpose),
            Cell::text(t.of("account.status", a.status.as_str())),
            Cell::date(a.closed_on),
        ]
    }
}
