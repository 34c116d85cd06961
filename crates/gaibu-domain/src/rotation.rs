//! The April personnel rotation (人事異動, issue 11): a list of moves — who goes to which unit
//! and post on which day, or leaves the city — checked against what the city has before
//! anything is written. The plan says, move by move, what changes: the person's unit and post,
//! the role assignments that end or begin, the services they administer, applied for or
//! approved, their open applications, and the official accounts their post holds (identity
//! codes are managed over their whole life, S3.5.1a). A list with one bad move applies nothing.
//!
//! A move is a plain value so that a file and the city's directory feed the same plan.

use crate::Refusal;
use crate::administrator::{self, AdministratorChange, AdministratorInput};
use crate::application::State;
use crate::calendar;
use crate::classification::Track;
use crate::import::CellError;
use crate::ledger::Service;
use crate::role::{Actor, OrgTree, OrgUnitId, Role, RoleAssignment, UserId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One move: `login` goes to the unit `org_unit` (its code) as `position` on `effective_on`,
/// or leaves the city (`leaves`; unit and position then say nothing). An empty unit or
/// position keeps the current one (a new post in the same unit, or the same post elsewhere).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Move {
    pub login: String,
    #[serde(default)]
    pub org_unit: String,
    #[serde(default)]
    pub position: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub effective_on: Date,
    #[serde(default)]
    pub leaves: bool,
}

/// The fields of a row of a rotation file, by key; `required` ones must be on every row.
pub const ROTATION_FIELDS: &[(&str, bool)] = &[
    ("login", true),
    ("org_unit", false),
    ("position", false),
    ("effective_on", true),
    ("leaves", false),
];

/// Reads one row of a file (values by field key) into a move. The unit stays as written: the
/// plan looks it up, by code or name, with the rest of the city's data.
pub fn read_row(values: &BTreeMap<&'static str, &str>) -> Result<Move, Vec<CellError>> {
    let get = |k: &str| values.get(k).map(|v| v.trim()).unwrap_or("");
    let mut errs = Vec::new();
    for (field, required) in ROTATION_FIELDS {
        if *required && get(field).is_empty() {
            errs.push(CellError {
                field,
                code: "required",
            });
        }
    }
    for (field, max) in [("login", 64), ("org_unit", 200), ("position", 100)] {
        if get(field).chars().count() > max {
            errs.push(CellError {
                field,
                code: "too_long",
            });
        }
    }
    let effective_on = match get("effective_on") {
        "" => None,
        v => match calendar::parse(v) {
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(CellError {
                    field: "effective_on",
                    code: "import_date",
                });
                None
            }
        },
    };
    let leaves = match get("leaves").to_lowercase().as_str() {
        "" | "no" | "いいえ" | "false" | "0" | "×" | "-" => false,
        "yes" | "はい" | "退職" | "退職者" | "leaves" | "true" | "1" | "○" | "〇" => true,
        _ => {
            errs.push(CellError {
                field: "leaves",
                code: "invalid_choice",
            });
            false
        }
    };
    match effective_on {
        Some(effective_on) if errs.is_empty() => Ok(Move {
            login: get("login").to_string(),
            org_unit: get("org_unit").to_string(),
            position: get("position").to_string(),
            effective_on,
            leaves,
        }),
        _ => Err(errs),
    }
}

/// A role assignment a person holds (its id, to end it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HeldRole {
    pub id: i64,
    pub role: Role,
    pub org_unit: OrgUnitId,
}

/// A person named by a move, as the city has them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    pub login: String,
    pub org_unit: OrgUnitId,
    pub position: String,
    pub active: bool,
    /// A contractor's user is not on the city's staff and is not rotated.
    pub contractor: bool,
    pub roles: Vec<HeldRole>,
}

/// A service in use (not retired) that one of the people moved administers, applied for or
/// approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLink {
    pub id: i64,
    pub org_unit: OrgUnitId,
    pub track: Track,
    pub administrator: UserId,
    pub applicant: UserId,
    pub approver: Option<UserId>,
}

/// An application not yet decided (draft, submitted or returned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationLink {
    pub id: i64,
    pub org_unit: OrgUnitId,
    pub track: Track,
    pub state: State,
    pub applicant: UserId,
}

/// An official account still active, held by a post (a unit and a position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLink {
    pub id: i64,
    pub service_id: i64,
    pub holder_org_unit: OrgUnitId,
    pub holder_position: String,
}

/// What the city has that the moves name, read for those people only.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub people: HashMap<String, Person>,
    /// Org units by code and by name (both languages) → id.
    pub units: HashMap<String, OrgUnitId>,
    pub tree: OrgTree,
    pub services: Vec<ServiceLink>,
    pub applications: Vec<ApplicationLink>,
    pub accounts: Vec<AccountLink>,
    /// Logins with a move already scheduled and not yet applied.
    pub scheduled: HashSet<String>,
}

/// How a person is tied to a service or an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Concern {
    /// Its External Service Administrator (S3.4c): a successor is to be designated.
    Administrator,
    Applicant,
    /// Approved it, or would decide it by a role the move ends (S5.1.1, S5.1.2).
    Approver,
}

impl Concern {
    pub fn as_str(self) -> &'static str {
        match self {
            Concern::Administrator => "administrator",
            Concern::Applicant => "applicant",
            Concern::Approver => "approver",
        }
    }
}

/// What a good move does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Planned {
    pub user: UserId,
    pub from_unit: OrgUnitId,
    pub from_position: String,
    /// `None` when the person leaves.
    pub to_unit: Option<OrgUnitId>,
    pub to_position: String,
    pub leaves: bool,
    #[serde(serialize_with = "date_text")]
    pub effective_on: Date,
    /// Dated after today: kept and applied on its day by the scheduler.
    pub scheduled: bool,
    /// Unit and post as they are: nothing to do.
    pub unchanged: bool,
    pub roles_ended: Vec<HeldRole>,
    pub roles_added: Vec<RoleAssignment>,
    /// Service ids with how the person is tied to each.
    pub services: Vec<(i64, Concern)>,
    pub applications: Vec<(i64, Concern)>,
    /// Official accounts held by the post the person leaves (S3.5.1a).
    pub accounts: Vec<i64>,
}

fn date_text<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

/// One move's outcome: its place in the list, and its plan or its errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveOutcome {
    pub index: usize,
    pub result: Result<Planned, Vec<CellError>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotationPlan {
    pub moves: Vec<MoveOutcome>,
}

impl RotationPlan {
    /// Whether the list may be applied: every move is good (all or nothing).
    pub fn is_clean(&self) -> bool {
        self.moves.iter().all(|m| m.result.is_ok())
    }

    pub fn planned(&self) -> impl Iterator<Item = (usize, &Planned)> {
        self.moves
            .iter()
            .filter_map(|m| m.result.as_ref().ok().map(|p| (m.index, p)))
    }

    pub fn errors(&self) -> impl Iterator<Item = (usize, &CellError)> {
        self.moves.iter().flat_map(|m| {
            m.result
                .as_ref()
                .err()
                .into_iter()
                .flatten()
                .map(move |e| (m.index, e))
        })
    }
}

/// How far from today a move may be dated: further is more likely a wrong year than a plan.
pub const MAX_DAYS_AWAY: i32 = 366;

/// Plans every move against the city as `ctx` has it, on `today`.
pub fn plan(moves: &[Move], ctx: &Context, today: Date) -> RotationPlan {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(moves.len());
    for (index, m) in moves.iter().enumerate() {
        let mut errs = Vec::new();
        let err = |errs: &mut Vec<CellError>, field, code| errs.push(CellError { field, code });
        let login = m.login.trim();
        let person = ctx.people.get(login);
        match person {
            None => err(&mut errs, "login", "import_unknown_login"),
            Some(p) if !p.active => err(&mut errs, "login", "rotation_inactive_user"),
            Some(p) if p.contractor => err(&mut errs, "login", "rotation_not_staff"),
            Some(_) if ctx.scheduled.contains(login) => {
                err(&mut errs, "login", "rotation_already_scheduled")
            }
            Some(_) => {}
        }
        if !login.is_empty() && !seen.insert(login) {
            err(&mut errs, "login", "duplicate");
        }
        let unit_text = m.org_unit.trim();
        let to_unit = match unit_text {
            _ if m.leaves => None,
            "" => person.map(|p| p.org_unit),
            v => {
                let found = ctx.units.get(v).copied();
                if found.is_none() {
                    err(&mut errs, "org_unit", "unknown_org_unit");
                }
                found
            }
        };
        if !m.leaves && unit_text.is_empty() && m.position.trim().is_empty() {
            err(&mut errs, "org_unit", "required");
        }
        let days = (m.effective_on - today).get_days();
        if days.abs() > MAX_DAYS_AWAY {
            err(&mut errs, "effective_on", "rotation_date_out_of_range");
        }
        let result = match person {
            Some(p) if errs.is_empty() => Ok(planned(m, p, to_unit, ctx, today)),
            _ => Err(errs),
        };
        out.push(MoveOutcome { index, result });
    }
    RotationPlan { moves: out }
}

/// The roles that come with a post end when its holder moves or leaves; the System
/// Administrator's role (gaibu's own administration, not a post of the standard) stays with a
/// mover, and a Staff assignment over the unit left follows them to the new one.
fn planned(
    m: &Move,
    p: &Person,
    to_unit: Option<OrgUnitId>,
    ctx: &Context,
    today: Date,
) -> Planned {
    let to_position = match m.position.trim() {
        _ if m.leaves => String::new(),
        "" => p.position.clone(),
        v => v.to_string(),
    };
    let unchanged = !m.leaves && to_unit == Some(p.org_unit) && to_position == p.position;
    let mut roles_ended = Vec::new();
    let mut roles_added = Vec::new();
    if !unchanged {
        for r in &p.roles {
            let ends = match (m.leaves, r.role) {
                (true, _) => true,
                (false, Role::SystemAdministrator) => false,
                (false, Role::Staff) => to_unit != Some(r.org_unit) && r.org_unit == p.org_unit,
                (false, _) => true,
            };
            if ends {
                roles_ended.push(*r);
                if let (Role::Staff, Some(unit), false) = (r.role, to_unit, m.leaves) {
                    let role = RoleAssignment {
                        role: Role::Staff,
                        org_unit: unit,
                    };
                    let held = p
                        .roles
                        .iter()
                        .any(|h| h.role == role.role && h.org_unit == unit);
                    if !held && !roles_added.contains(&role) {
                        roles_added.push(role);
                    }
                }
            }
        }
    }
    let mut services = Vec::new();
    let mut applications = Vec::new();
    let mut accounts = Vec::new();
    if !unchanged {
        let ends = |role: Role, unit: OrgUnitId| {
            roles_ended
                .iter()
                .any(|r| r.role == role && ctx.tree.is_within(unit, r.org_unit))
        };
        let ends_im = |unit: OrgUnitId| {
            roles_ended.iter().any(|r| {
                r.role.is_information_manager_etc() && ctx.tree.is_within(unit, r.org_unit)
            })
        };
        for s in &ctx.services {
            for (tied, concern) in [
                (s.administrator == p.id, Concern::Administrator),
                (s.applicant == p.id, Concern::Applicant),
                (s.approver == Some(p.id), Concern::Approver),
            ] {
                if tied {
                    services.push((s.id, concern));
                }
            }
        }
        for a in &ctx.applications {
            if a.applicant == p.id {
                applications.push((a.id, Concern::Applicant));
            }
            let decides = match a.track {
                Track::Class2Plus => {
                    a.state == State::Submitted
                        && ends(Role::InformationSecurityManager, a.org_unit)
                }
                Track::Class1 => a.state == State::Draft && ends_im(a.org_unit),
            };
            if decides {
                applications.push((a.id, Concern::Approver));
            }
        }
        accounts = ctx
            .accounts
            .iter()
            .filter(|a| a.holder_org_unit == p.org_unit && a.holder_position == p.position)
            .map(|a| a.id)
            .collect();
    }
    Planned {
        user: p.id,
        from_unit: p.org_unit,
        from_position: p.position.clone(),
        to_unit,
        to_position,
        leaves: m.leaves,
        effective_on: m.effective_on,
        scheduled: m.effective_on > today,
        unchanged,
        roles_ended,
        roles_added,
        services,
        applications,
        accounts,
    }
}

/// A successor designated for a service awaiting one: a new administrator, or the same person
/// confirmed in their new post (the usage register's ク then changes alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Designation {
    Change(AdministratorChange),
    Confirm { reason: String },
}

/// Decides a successor (S3.4c, S5.2.1-5h): by those who may change the administrator — the
/// ISM over the unit for class 2+, the Information Manager etc. over it for class 1 (S5.1).
pub fn designate(
    s: &Service,
    track: Track,
    actor: &Actor,
    tree: &OrgTree,
    input: &AdministratorInput,
    is_staff: impl Fn(UserId) -> bool,
) -> Result<Designation, Refusal> {
    administrator::permits_change(s, track, actor, tree)?;
    match input.administrator.trim().parse::<UserId>() {
        Ok(id) if id == s.administrator && is_staff(id) => {
            let reason = input.reason.trim().to_string();
            if reason.is_empty() {
                return Err(Refusal::invalid("reason", "required"));
            }
            if reason.chars().count() > 2000 {
                return Err(Refusal::invalid("reason", "too_long"));
            }
            Ok(Designation::Confirm { reason })
        }
        _ => administrator::change(s, track, actor, tree, input, is_staff).map(Designation::Change),
    }
}

/// Who may hand over a leaver's account of a service: its administrator, or the ISM over its
/// unit (who keeps the service's records, S5.2.1-5).
pub fn may_hand_over(s: &Service, actor: &Actor, tree: &OrgTree) -> Result<(), Refusal> {
    if actor.user_id == s.administrator
        || actor.has_role_over(Role::InformationSecurityManager, s.org_unit, tree)
    {
        Ok(())
    } else {
        Err(Refusal::Forbidden("administrator_or_ism_required"))
    }
}

#[cfg(test)]
mod tests;
