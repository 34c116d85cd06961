//! The lists that can be exported and the columns of each, headed in the reader's language
//! with the labels the list pages use.
//!
//! The usage register's first eight columns are those of S5.2.1-5, in its order ア–ク:
//! service name, provider, purpose, classification, period of use, applicant, scope of users,
//! administrator; what the page marks besides (citizen-facing, ended, suspended, in scope) and
//! the entry's id follow.

use super::format::Cell;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::state::AppState;
use gaibu_store::lists::applications::ApplicationSummary;
use gaibu_store::lists::checks::DueCheckSummary;
use gaibu_store::lists::register::RegisterSummary;
use gaibu_store::lists::services::ServiceSummary;
use std::collections::HashMap;

/// A list that can be taken out as a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// The information-system ledger (`/services`).
    Services,
    /// The service usage register, S5.2.1-5 (`/register`).
    Register,
    /// Applications (`/applications`).
    Applications,
    /// The periodic checks due, S3.6-3 (`/checks`).
    Checks,
    /// Re-checks, S6.1 (`/rechecks`).
    Rechecks,
    /// Corrective actions, S6.2 (`/rechecks?actions=…`; exported at `/corrective-actions`).
    Actions,
    /// The terminations (`/terminations`).
    Terminations,
    /// The check orders with their progress, S6.3 (`/check-orders`).
    CheckOrders,
    /// A service's official accounts, S5.2.2-4 (`/services/{id}/accounts`).
    Accounts,
}

impl ListKind {
    pub const ALL: [ListKind; 9] = [
        ListKind::Services,
        ListKind::Register,
        ListKind::Applications,
        ListKind::Checks,
        ListKind::Rechecks,
        ListKind::Actions,
        ListKind::Terminations,
        ListKind::CheckOrders,
        ListKind::Accounts,
    ];

    /// Its name in URLs, on the command line and in the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Services => "services",
            ListKind::Register => "register",
            ListKind::Applications => "applications",
            ListKind::Checks => "checks",
            ListKind::Rechecks => "rechecks",
            ListKind::Actions => "corrective-actions",
            ListKind::Terminations => "terminations",
            ListKind::CheckOrders => "check-orders",
            ListKind::Accounts => "accounts",
        }
    }

    pub fn parse(s: &str) -> Option<ListKind> {
        ListKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// The page the list is on (its export is at `{path}/export`); a service's list has
    /// `{id}` in it.
    pub fn path(self) -> &'static str {
        match self {
            ListKind::Services => "/services",
            ListKind::Register => "/register",
            ListKind::Applications => "/applications",
            ListKind::Checks => "/checks",
            ListKind::Rechecks => "/rechecks",
            ListKind::Actions => "/corrective-actions",
            ListKind::Terminations => "/terminations",
            ListKind::CheckOrders => "/check-orders",
            ListKind::Accounts => "/services/{id}/accounts",
        }
    }

    /// Whether the list is of one record (a service's accounts): its path takes the id.
    pub fn of_record(self) -> bool {
        self == ListKind::Accounts
    }

    /// Its title, for the file and the sheet.
    pub fn title(self, t: Tr) -> &'static str {
        match self {
            ListKind::Services => t.nav_services(),
            ListKind::Register => t.nav_register(),
            ListKind::Applications => t.nav_applications(),
            ListKind::Checks => t.checks_title(),
            ListKind::Rechecks => t.recheck_rechecks(),
            ListKind::Actions => t.recheck_actions(),
            ListKind::Terminations => t.terminations_title(),
            ListKind::CheckOrders => t.check_order_list_title(),
            ListKind::Accounts => t.service_accounts_page_title(),
        }
    }

    /// The header row.
    pub fn headers(self, t: Tr) -> Vec<String> {
        let h: Vec<&str> = match self {
            ListKind::Services => vec![
                t.export_id(),
                t.label_service_name(),
                t.label_provider(),
                t.label_org_unit(),
                t.label_administrator(),
                t.label_track(),
                t.label_classification(),
                t.label_ledger_status(),
                t.label_approved_at(),
                t.label_registered_on(),
                t.label_next_check_due(),
                t.label_suspended_on(),
                t.label_retired_on(),
                t.fixes_in_scope(),
                // What an import of this file needs to give the same ledger back.
                t.export_administrator_login(),
                t.label_system_name(),
                t.label_note(),
            ],
            ListKind::Register => vec![
                // S5.2.1-5 ア–ク, in its order.
                t.register_service_name(),
                t.register_provider_name(),
                t.register_purpose(),
                t.register_classification(),
                t.register_period_of_use(),
                t.register_applicant(),
                t.register_user_scope(),
                t.register_administrator(),
                t.register_citizen_facing(),
                t.label_ended_on(),
                t.export_suspended(),
                t.fixes_in_scope(),
                t.export_id(),
            ],
            ListKind::Applications => vec![
                t.export_id(),
                t.label_service_name(),
                t.label_provider(),
                t.label_org_unit(),
                t.label_applicant(),
                t.label_track(),
                t.label_classification(),
                t.label_state(),
                t.label_round(),
                t.label_submitted_at(),
                t.export_created_at(),
                t.common_updated(),
            ],
            ListKind::Checks => vec![
                t.export_id(),
                t.label_service_name(),
                t.label_provider(),
                t.label_org_unit(),
                t.label_classification(),
                t.checks_due_on(),
                t.export_due_state(),
            ],
            other => return super::lifecycle::headers(other, t),
        };
        h.into_iter().map(str::to_string).collect()
    }
}

/// What turning rows into cells needs besides the rows: the language, the classification
/// scheme's labels and the org units' names.
pub struct RowCx {
    pub t: Tr,
    levels: HashMap<String, String>,
    units: HashMap<i64, String>,
    pub today: jiff::civil::Date,
    /// The last day a periodic check counts as due soon.
    soon_by: jiff::civil::Date,
}

impl RowCx {
    pub async fn load(st: &AppState, t: Tr) -> AppResult<RowCx> {
        let levels = match crate::policies::scheme_in_force(st).await {
            Ok(s) => s
                .doc
                .confidentiality
                .iter()
                .map(|l| (l.code.clone(), t.pick(&l.label_ja, &l.label_en).to_string()))
                .collect(),
            Err(_) => HashMap::new(),
        };
        let units = crate::auth::org_units(st)
            .await?
            .iter()
            .map(|u| (u.id, t.pick(&u.name_ja, &u.name_en).to_string()))
            .collect();
        let today = st.today();
        let soon = crate::measures::soon_days(st).await.unwrap_or(30);
        Ok(RowCx {
            t,
            levels,
            units,
            today,
            soon_by: today.saturating_add(jiff::Span::new().days(soon)),
        })
    }

    /// A confidentiality level by its label (its code when the scheme does not name it).
    pub(super) fn level(&self, code: &str) -> Cell {
        Cell::text(self.levels.get(code).map_or(code, String::as_str))
    }

    pub(super) fn unit(&self, id: i64) -> Cell {
        self.units
            .get(&id)
            .map_or(Cell::Int(id), |n| Cell::text(n.as_str()))
    }

    fn in_scope(&self, yes: bool) -> Cell {
        Cell::text(if yes {
            self.t.fixes_in_scope_yes()
        } else {
            self.t.fixes_in_scope_no()
        })
    }

    fn yes(&self, yes: bool) -> Cell {
        if yes {
            Cell::text(self.t.yesno_yes())
        } else {
            Cell::Empty
        }
    }

    pub fn service(&self, s: &ServiceSummary) -> Vec<Cell> {
        let t = self.t;
        vec![
            Cell::Int(s.id),
            Cell::text(&s.name),
            Cell::text(&s.provider),
            Cell::text(t.pick(&s.org_name_ja, &s.org_name_en)),
            Cell::text(&s.administrator_name),
            Cell::text(t.track(s.track)),
            self.level(&s.confidentiality),
            Cell::text(match s.ledger_status {
                Some(st) => t.ledger(st),
                None => t.ledger_unregistered(),
            }),
            Cell::Time(s.approved_at),
            Cell::date(s.registered_on),
            Cell::date(s.next_check_due),
            Cell::date(s.suspended_on),
            Cell::date(s.retired_on),
            self.in_scope(s.in_scope),
            Cell::text(&s.administrator_login),
            Cell::text(s.system_name.as_deref().unwrap_or("")),
            Cell::text(s.ledger_note.as_deref().unwrap_or("")),
        ]
    }

    pub fn register(&self, e: &RegisterSummary) -> Vec<Cell> {
        vec![
            Cell::text(&e.service_name),
            Cell::text(&e.provider_name),
            Cell::text(&e.purpose),
            Cell::text(&e.classification),
            Cell::text(&e.period_of_use),
            Cell::text(&e.applicant),
            Cell::text(&e.user_scope),
            Cell::text(&e.administrator),
            self.yes(e.citizen_facing),
            Cell::date(e.ended_on),
            self.yes(e.suspended),
            self.in_scope(e.in_scope),
            Cell::Int(e.id),
        ]
    }

    pub fn application(&self, a: &ApplicationSummary) -> Vec<Cell> {
        let t = self.t;
        vec![
            Cell::Int(a.id),
            Cell::text(&a.service_name),
            Cell::text(&a.provider),
            Cell::text(t.pick(&a.org_name_ja, &a.org_name_en)),
            Cell::text(&a.applicant_name),
            Cell::text(t.track(a.track)),
            self.level(&a.confidentiality),
            Cell::text(t.state(a.state)),
            Cell::Int(a.round),
            Cell::time(a.submitted_at),
            Cell::Time(a.created_at),
            Cell::Time(a.updated_at),
        ]
    }

    pub fn check(&self, c: &DueCheckSummary) -> Vec<Cell> {
        let t = self.t;
        vec![
            Cell::Int(c.id),
            Cell::text(&c.name),
            Cell::text(&c.provider),
            self.unit(c.org_unit_id),
            self.level(&c.confidentiality),
            Cell::Date(c.next_check_due),
            if c.next_check_due < self.today {
                Cell::text(t.checks_overdue())
            } else if c.next_check_due <= self.soon_by {
                Cell::text(t.checks_soon())
            } else {
                Cell::Empty
            },
        ]
    }
}
