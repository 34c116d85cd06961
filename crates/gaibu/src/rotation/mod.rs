//! The April personnel rotation (人事異動, issue 11), as the System Administrator applies it from
//! a file (`file`), the JSON API, `gaibu rotation FILE` or the city's directory: the moves
//! planned against the city's data and shown before anything is written (`preview`), then
//! applied in one transaction with every change audited (`apply`); moves dated later are kept
//! and applied on their day by the scheduler (`apply_due`). Afterwards the services left
//! awaiting a successor administrator are designated in bulk (`successors`).

pub mod file;
pub mod successors;
pub mod view;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::role::Role;
use gaibu_domain::rotation::{Context, HeldRole, Move, Person, RotationPlan, plan};
use gaibu_store::{MoveWrite, NewBatch, RotationApplied, UserRow, Who};
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::{BTreeSet, HashMap};

/// A list of moves planned, with what the pages and the API name: the people, services,
/// applications and accounts it touches.
#[derive(Debug, Clone)]
pub struct Preview {
    pub moves: Vec<Move>,
    pub plan: RotationPlan,
    pub people: HashMap<i64, UserRow>,
    /// Service id → (name, its track).
    pub services: HashMap<i64, (String, gaibu_domain::classification::Track)>,
    /// Application id → its service's name.
    pub applications: HashMap<i64, String>,
    /// Account id → (its id at the provider, its service id).
    pub accounts: HashMap<i64, (String, i64)>,
    /// The codes of the units, by id (how a move is kept).
    pub unit_codes: HashMap<i64, String>,
}

impl Preview {
    pub fn is_clean(&self) -> bool {
        self.plan.is_clean()
    }
}

/// The city's date of a moment (Asia/Tokyo), as the scheduler and the apply read it.
pub fn city_date(now: Timestamp) -> Date {
    let tz = jiff::tz::TimeZone::get("Asia/Tokyo")
        .unwrap_or(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)));
    now.to_zoned(tz).date()
}

/// What the city has that the moves name, read for those people only.
async fn context(st: &AppState, moves: &[Move]) -> AppResult<(Context, Preview)> {
    let units = crate::auth::org_units(st).await?;
    let mut ctx = Context {
        tree: crate::people::tree_of(&units),
        ..Default::default()
    };
    let mut unit_codes = HashMap::new();
    for u in units.iter() {
        for key in [&u.name_ja, &u.name_en, &u.code] {
            ctx.units.insert(key.clone(), u.id);
        }
        unit_codes.insert(u.id, u.code.clone());
    }
    let logins: Vec<String> = moves
        .iter()
        .map(|m| m.login.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let users = st.store.users_by_logins(&logins).await?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let roles = st.store.roles_of_users(&ids).await?;
    let mut role_units = BTreeSet::new();
    for u in &users {
        let held: Vec<HeldRole> = roles
            .iter()
            .filter(|r| r.user_id == u.id)
            .map(|r| HeldRole {
                id: r.id,
                role: r.role,
                org_unit: r.org_unit_id,
            })
            .collect();
        role_units.extend(
            held.iter()
                .filter(|r| r.role != Role::Staff && r.role != Role::SystemAdministrator)
                .map(|r| r.org_unit),
        );
        ctx.people.insert(
            u.login.clone(),
            Person {
                id: u.id,
                login: u.login.clone(),
                org_unit: u.org_unit_id,
                position: u.position.clone(),
                active: u.active,
                contractor: u.contractor_id.is_some(),
                roles: held,
            },
        );
    }
    ctx.services = st.store.services_of_people(&ids).await?;
    let role_units: Vec<i64> = role_units.into_iter().collect();
    ctx.applications = st.store.open_applications_for(&ids, &role_units).await?;
    let posts: Vec<i64> = users
        .iter()
        .map(|u| u.org_unit_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    ctx.accounts = st.store.active_accounts_of_units(&posts).await?;
    ctx.scheduled = st
        .store
        .pending_move_logins(&ids)
        .await?
        .into_iter()
        .collect();
    let mut preview = Preview {
        moves: moves.to_vec(),
        plan: RotationPlan::default(),
        people: users.into_iter().map(|u| (u.id, u)).collect(),
        services: HashMap::new(),
        applications: HashMap::new(),
        accounts: HashMap::new(),
        unit_codes,
    };
    let service_ids: Vec<i64> = ctx.services.iter().map(|s| s.id).collect();
    let account_services: Vec<i64> = ctx.accounts.iter().map(|a| a.service_id).collect();
    let all: Vec<i64> = service_ids
        .iter()
        .chain(&account_services)
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for (id, name, track) in st.store.service_names(&all).await? {
        preview.services.insert(id, (name, track));
    }
    let app_ids: Vec<i64> = ctx.applications.iter().map(|a| a.id).collect();
    preview.applications = st
        .store
        .application_names(&app_ids)
        .await?
        .into_iter()
        .collect();
    let account_ids: Vec<i64> = ctx.accounts.iter().map(|a| a.id).collect();
    let codes: HashMap<i64, String> = st
        .store
        .account_codes(&account_ids)
        .await?
        .into_iter()
        .collect();
    for a in &ctx.accounts {
        let code = codes.get(&a.id).cloned().unwrap_or_default();
        preview.accounts.insert(a.id, (code, a.service_id));
    }
    Ok((ctx, preview))
}

/// Plans the moves on `today`: what each would change, or its errors. Nothing is written.
pub async fn preview(st: &AppState, moves: &[Move], today: Date) -> AppResult<Preview> {
    let (ctx, mut preview) = context(st, moves).await?;
    preview.plan = plan(moves, &ctx, today);
    Ok(preview)
}

/// Applies a list of moves (all or nothing) from wherever it came; the caller has checked that
/// the System Administrator asks. A list with an error is refused with each error named
/// `moves[i].field`.
pub async fn apply(
    st: &AppState,
    who: &Who,
    moves: &[Move],
    now: Timestamp,
) -> AppResult<RotationApplied> {
    let batch = NewBatch {
        source: "directory",
        ..Default::default()
    };
    apply_batch(st, who, moves, &batch, now).await
}

/// `apply`, naming where the list came from (`file` with its name and hash, `api`, `directory`).
pub async fn apply_batch(
    st: &AppState,
    who: &Who,
    moves: &[Move],
    batch: &NewBatch<'_>,
    now: Timestamp,
) -> AppResult<RotationApplied> {
    let p = preview(st, moves, city_date(now)).await?;
    if !p.is_clean() {
        return Err(AppError::Invalid(index_errors(&p.plan)));
    }
    let writes = writes_of(&p);
    Ok(st.store.apply_rotation(who, batch, &writes, now).await?)
}

/// The errors of a plan as field errors, `moves[i].field`.
pub fn index_errors(plan: &RotationPlan) -> Vec<FieldError> {
    plan.errors()
        .map(|(i, e)| FieldError::new(format!("moves[{i}].{}", e.field), e.code))
        .collect()
}

/// The store's writes of a clean plan: each move with its plan, and a leaver's accounts.
/// Public for the directory's sync, which applies them in its own transaction (issue 11).
pub fn writes_of(p: &Preview) -> Vec<MoveWrite<'_>> {
    p.plan
        .planned()
        .filter_map(|(i, planned)| {
            let m = p.moves.get(i)?;
            let accounts = match planned.leaves {
                true => planned
                    .accounts
                    .iter()
                    .filter_map(|a| p.accounts.get(a).map(|(_, s)| (*a, *s)))
                    .collect(),
                false => Vec::new(),
            };
            let unit_code = planned
                .to_unit
                .and_then(|u| p.unit_codes.get(&u).cloned())
                .unwrap_or_default();
            Some(MoveWrite {
                m,
                unit_code,
                p: planned,
                accounts,
            })
        })
        .collect()
}

/// Applies the moves whose day has come (on `today`): each planned again against the city as
/// it is now, so that one that can no longer be made (its person left meanwhile) is marked
/// failed with why while the others go ahead. Answers how many were applied.
pub async fn apply_due(st: &AppState, today: Date) -> AppResult<usize> {
    let due = st.store.due_moves(today).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let moves: Vec<Move> = due.iter().map(|r| r.as_move()).collect();
    // Each is planned as if alone: the move it is does not count as already scheduled.
    let (mut ctx, mut p) = context(st, &moves).await?;
    ctx.scheduled.clear();
    p.plan = plan(&moves, &ctx, today);
    let writes = writes_of(&p);
    let mut good = Vec::new();
    let mut failed = Vec::new();
    for (i, row) in due.iter().enumerate() {
        match p.plan.moves.get(i).map(|m| &m.result) {
            Some(Ok(_)) => {
                // Due on or before today, so planned as a move of today, not one for later.
                if let Some(w) = writes.iter().find(|w| std::ptr::eq(w.m, &p.moves[i])) {
                    good.push((row, w.clone()));
                }
            }
            Some(Err(errs)) => {
                let code = errs.first().map(|e| e.code).unwrap_or("invalid");
                failed.push((row, code.to_string()));
            }
            None => {}
        }
    }
    let n = st
        .store
        .apply_scheduled(&Who::system(), &good, &failed, st.now())
        .await?;
    Ok(n)
}
