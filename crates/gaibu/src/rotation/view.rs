//! A planned rotation as the page and the JSON API show it, move by move in the reader's
//! language: who, from which post to which, the roles that end and begin, the services,
//! applications and official accounts it touches, and every error with its row and column.

use super::Preview;
use super::file::FileCheck;
use crate::i18n::{Tr, org_name, role_label};
use gaibu_domain::import::CellError;
use gaibu_domain::rotation::{Concern, Planned};
use gaibu_store::OrgUnitRow;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MoveView {
    /// Its place in the list (0-based), and its row in the file when it came from one.
    pub index: Option<usize>,
    pub row: Option<usize>,
    pub login: String,
    pub name: String,
    /// Unit and position now, and after the move (empty for a leaver).
    pub from: String,
    pub to: String,
    pub effective_on: String,
    pub leaves: bool,
    /// Dated after today: kept and applied on its day.
    pub scheduled: bool,
    /// Nothing to do: the same unit and position.
    pub unchanged: bool,
    pub roles_ended: Vec<String>,
    pub roles_added: Vec<String>,
    pub services: Vec<TieView>,
    pub applications: Vec<TieView>,
    /// Official accounts held by the post the person leaves (S3.5.1a).
    pub accounts: Vec<AccountView>,
    pub errors: Vec<ErrorView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TieView {
    pub id: i64,
    pub name: String,
    /// `administrator`, `applicant` or `approver`.
    pub concern: String,
    pub concern_label: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: i64,
    pub account_id: String,
    pub service_id: i64,
    pub service_name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorView {
    pub field: String,
    /// The file's column (letter and header) when the list came from a file.
    pub column: String,
    pub code: String,
    pub message: String,
}

pub fn concern_label(t: Tr, c: Concern) -> &'static str {
    match c {
        Concern::Administrator => t.rotation_concern_administrator(),
        Concern::Applicant => t.rotation_concern_applicant(),
        Concern::Approver => t.rotation_concern_approver(),
    }
}

fn field_label(t: Tr, field: &str) -> &'static str {
    match field {
        "login" => t.rotation_col_login(),
        "org_unit" => t.rotation_col_org_unit(),
        "position" => t.rotation_col_position(),
        "effective_on" => t.rotation_col_effective_on(),
        _ => t.rotation_col_leaves(),
    }
}

fn error_view(t: Tr, e: &CellError, check: Option<&FileCheck>) -> ErrorView {
    let column = match check {
        Some(c) => c.prepared.mapping.place(&c.prepared.table, e.field),
        None => String::new(),
    };
    ErrorView {
        field: e.field.to_string(),
        column: match column.is_empty() {
            true => field_label(t, e.field).to_string(),
            false => column,
        },
        code: e.code.to_string(),
        message: t.error(e.code),
    }
}

fn post(t: Tr, units: &[OrgUnitRow], unit: i64, position: &str) -> String {
    format!("{} {}", org_name(t, units, unit), position)
        .trim()
        .to_string()
}

fn planned_view(t: Tr, units: &[OrgUnitRow], p: &Preview, pl: &Planned, v: &mut MoveView) {
    if let Some(u) = p.people.get(&pl.user) {
        v.name = u.display_name.clone();
    }
    v.from = post(t, units, pl.from_unit, &pl.from_position);
    v.to = match pl.to_unit {
        Some(u) => post(t, units, u, &pl.to_position),
        None => t.rotation_leaves_city().to_string(),
    };
    v.scheduled = pl.scheduled;
    v.unchanged = pl.unchanged;
    v.roles_ended = pl
        .roles_ended
        .iter()
        .map(|r| {
            format!(
                "{} ({})",
                t.get(role_label(r.role)),
                org_name(t, units, r.org_unit)
            )
        })
        .collect();
    v.roles_added = pl
        .roles_added
        .iter()
        .map(|r| {
            format!(
                "{} ({})",
                t.get(role_label(r.role)),
                org_name(t, units, r.org_unit)
            )
        })
        .collect();
    let tie = |id: i64, name: String, c: Concern| TieView {
        id,
        name,
        concern: c.as_str().into(),
        concern_label: concern_label(t, c).into(),
    };
    v.services = pl
        .services
        .iter()
        .map(|(id, c)| {
            let name = p.services.get(id).map(|s| s.0.clone()).unwrap_or_default();
            tie(*id, name, *c)
        })
        .collect();
    v.applications = pl
        .applications
        .iter()
        .map(|(id, c)| tie(*id, p.applications.get(id).cloned().unwrap_or_default(), *c))
        .collect();
    v.accounts = pl
        .accounts
        .iter()
        .map(|id| {
            let (code, service_id) = p.accounts.get(id).cloned().unwrap_or_default();
            AccountView {
                id: *id,
                account_id: code,
                service_id,
                service_name: p
                    .services
                    .get(&service_id)
                    .map(|s| s.0.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
}

fn empty(index: Option<usize>, row: Option<usize>, login: &str) -> MoveView {
    MoveView {
        index,
        row,
        login: login.into(),
        name: String::new(),
        from: String::new(),
        to: String::new(),
        effective_on: String::new(),
        leaves: false,
        scheduled: false,
        unchanged: false,
        roles_ended: vec![],
        roles_added: vec![],
        services: vec![],
        applications: vec![],
        accounts: vec![],
        errors: vec![],
    }
}

/// Each move of a preview (`check`: the file it came from, whose rows refused before the plan
/// are shown too, in the file's order).
pub fn views(t: Tr, units: &[OrgUnitRow], p: &Preview, check: Option<&FileCheck>) -> Vec<MoveView> {
    let of_move = |i: usize, row: Option<usize>| -> MoveView {
        let m = &p.moves[i];
        let mut v = empty(Some(i), row, m.login.trim());
        v.effective_on = t.date_text(m.effective_on);
        v.leaves = m.leaves;
        match p.plan.moves.get(i).map(|o| &o.result) {
            Some(Ok(pl)) => planned_view(t, units, p, pl, &mut v),
            Some(Err(errs)) => v.errors = errs.iter().map(|e| error_view(t, e, check)).collect(),
            None => {}
        }
        v
    };
    match check {
        None => (0..p.moves.len()).map(|i| of_move(i, None)).collect(),
        Some(c) => c
            .rows
            .iter()
            .map(|(n, r)| match r {
                Ok(i) => of_move(*i, Some(*n)),
                Err(errs) => {
                    let login = c
                        .prepared
                        .table
                        .rows
                        .iter()
                        .find(|r| r.number == *n)
                        .map(|r| c.prepared.mapping.get(&r.cells, "login"))
                        .unwrap_or("");
                    let mut v = empty(None, Some(*n), login);
                    v.errors = errs.iter().map(|e| error_view(t, e, Some(c))).collect();
                    v
                }
            })
            .collect(),
    }
}
