//! The city's LDAP directory (issue 11): which entries are staff, how their attributes map to a
//! gaibu user, and what a sync would change — new users, changed names and mail, leavers to
//! deactivate, moves (handed to the personnel rotation as `rotation::Move`s) and values of the
//! unit attribute that map to no org unit. Pure: the shell reads the directory and gaibu's
//! users, this decides, the shell applies what was shown.

use crate::FieldError;
use crate::rotation::Move;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

mod settings;
#[cfg(test)]
mod tests;

pub use settings::{AttributeMap, DirectorySettings, UnitMapping};

/// One entry of the directory as the attribute mapping reads it. `None`: the entry has no such
/// attribute, so gaibu keeps what it has (a directory that does not hold positions does not
/// wipe them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub dn: String,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    /// The unit attribute's value as the directory writes it (mapped to a code by the plan).
    pub unit: String,
    pub position: Option<String>,
    /// False when the active attribute marks a leaver.
    pub active: bool,
}

/// An entry that cannot be a user, and why (an error code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryProblem {
    pub dn: String,
    pub login: String,
    pub code: &'static str,
}

/// A gaibu user as the plan compares them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownUser {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub unit_code: String,
    pub position: String,
    pub active: bool,
    /// Kept in step with the directory (created by a sync or matched by one): only such a user
    /// is deactivated for being absent from it. Someone gaibu alone knows is left alone.
    pub linked: bool,
    /// A contractor's user: never the directory's.
    pub contractor: bool,
}

/// A user the sync creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPerson {
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub unit_code: String,
    pub position: String,
}

/// A change of a user's name or mail (a `before → after` pair each), or their first link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Update {
    pub user_id: i64,
    pub login: String,
    pub display_name: Option<(String, String)>,
    pub email: Option<(String, String)>,
    /// Matched by login for the first time: from now on the directory keeps them.
    pub link: bool,
}

/// Why a leaver is deactivated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    /// Gone from the directory.
    Absent,
    /// Still in it, marked as a leaver by the active attribute.
    MarkedInactive,
}

impl LeaveReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveReason::Absent => "absent",
            LeaveReason::MarkedInactive => "marked_inactive",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Leaver {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub reason: LeaveReason,
}

/// A change of unit or position, shown with where the person was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mover {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub from_unit: String,
    pub to_unit: String,
    pub from_position: String,
    pub to_position: String,
}

/// A value of the unit attribute that maps to no org unit, with whom it holds back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnknownUnit {
    pub value: String,
    pub logins: Vec<String>,
}

/// What a sync would change. Applying it changes exactly this; an empty plan changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    pub creates: Vec<NewPerson>,
    pub updates: Vec<Update>,
    pub moves: Vec<Mover>,
    pub leavers: Vec<Leaver>,
    pub unknown_units: Vec<UnknownUnit>,
    pub problems: Vec<EntryProblem>,
    /// Deactivated in gaibu but active in the directory: shown, not undone (a deactivation
    /// may have been deliberate); the System Administrator reactivates on the user's page.
    pub inactive_here: Vec<String>,
    /// How many entries the directory answered with.
    pub entries: usize,
}

impl Plan {
    /// Whether applying it would write anything.
    pub fn is_empty(&self) -> bool {
        self.creates.is_empty()
            && self.updates.is_empty()
            && self.moves.is_empty()
            && self.leavers.is_empty()
    }

    /// The moves and the leavers as the personnel rotation takes them, effective `on`: a
    /// leaver's roles end and the services and accounts they held are listed for successors
    /// like any leaver's (the sync itself deactivates them).
    pub fn rotation_moves(&self, on: Date) -> Vec<Move> {
        let moves = self.moves.iter().map(|m| Move {
            login: m.login.clone(),
            org_unit: m.to_unit.clone(),
            position: m.to_position.clone(),
            effective_on: on,
            leaves: false,
        });
        let leavers = self.leavers.iter().map(|l| Move {
            login: l.login.clone(),
            org_unit: String::new(),
            position: String::new(),
            effective_on: on,
            leaves: true,
        });
        moves.chain(leavers).collect()
    }
}

/// Why no plan can be made at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The search found nobody: a wrong base DN or filter would otherwise make every linked
    /// user a leaver.
    #[error("the directory answered with no entries")]
    Empty,
}

/// Compares the directory with gaibu's users. `units` maps the unit attribute's values to org
/// unit codes (`settings.unit_code`); `actor` is never made a leaver (nobody deactivates
/// themselves by a sync).
pub fn plan(
    settings: &DirectorySettings,
    people: Vec<Person>,
    problems: Vec<EntryProblem>,
    known: &[KnownUser],
    codes: &HashSet<String>,
    actor: Option<i64>,
) -> Result<Plan, PlanError> {
    let entries = people.len() + problems.len();
    if entries == 0 {
        return Err(PlanError::Empty);
    }
    let mut out = Plan {
        problems,
        entries,
        ..Plan::default()
    };
    // A login the directory holds twice names nobody for sure: both entries are problems,
    // and the login counts as present (its user is not made a leaver).
    let mut count: HashMap<&str, usize> = HashMap::new();
    for p in &people {
        *count.entry(p.login.as_str()).or_default() += 1;
    }
    let present: HashSet<String> = people.iter().map(|p| p.login.clone()).collect();
    let by_login: HashMap<&str, &KnownUser> = known.iter().map(|u| (u.login.as_str(), u)).collect();
    let mut unknown: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &people {
        if count[p.login.as_str()] > 1 {
            out.problems.push(problem(p, "directory_duplicate_login"));
            continue;
        }
        let code = settings.unit_code(&p.unit, codes);
        match by_login.get(p.login.as_str()) {
            Some(u) if u.contractor => out.problems.push(problem(p, "directory_contractor_login")),
            Some(u) if !p.active => {
                if u.active && Some(u.id) != actor {
                    out.leavers.push(leaver(u, LeaveReason::MarkedInactive));
                } else if u.active {
                    out.problems.push(problem(p, "directory_self_leaver"));
                }
            }
            Some(u) if !u.active => out.inactive_here.push(u.login.clone()),
            Some(u) => {
                out.updates.extend(update_of(u, p));
                match code {
                    Some(code) => out.moves.extend(move_of(u, p, code)),
                    None => unknown
                        .entry(p.unit.clone())
                        .or_default()
                        .push(p.login.clone()),
                }
            }
            None if !p.active => {}
            None => match code {
                Some(code) => out.creates.push(NewPerson {
                    login: p.login.clone(),
                    display_name: p.display_name.clone(),
                    email: p.email.clone().unwrap_or_default(),
                    unit_code: code,
                    position: p.position.clone().unwrap_or_default(),
                }),
                None => unknown
                    .entry(p.unit.clone())
                    .or_default()
                    .push(p.login.clone()),
            },
        }
    }
    for u in known {
        if u.linked && u.active && !u.contractor && !present.contains(&u.login) {
            if Some(u.id) == actor {
                out.problems.push(EntryProblem {
                    dn: String::new(),
                    login: u.login.clone(),
                    code: "directory_self_leaver",
                });
            } else {
                out.leavers.push(leaver(u, LeaveReason::Absent));
            }
        }
    }
    out.unknown_units = unknown
        .into_iter()
        .map(|(value, logins)| UnknownUnit { value, logins })
        .collect();
    out.creates.sort_by(|a, b| a.login.cmp(&b.login));
    out.updates.sort_by(|a, b| a.login.cmp(&b.login));
    out.moves.sort_by(|a, b| a.login.cmp(&b.login));
    out.leavers.sort_by(|a, b| a.login.cmp(&b.login));
    out.problems
        .sort_by(|a, b| (&a.login, &a.dn).cmp(&(&b.login, &b.dn)));
    out.inactive_here.sort();
    Ok(out)
}

fn problem(p: &Person, code: &'static str) -> EntryProblem {
    EntryProblem {
        dn: p.dn.clone(),
        login: p.login.clone(),
        code,
    }
}

fn leaver(u: &KnownUser, reason: LeaveReason) -> Leaver {
    Leaver {
        user_id: u.id,
        login: u.login.clone(),
        display_name: u.display_name.clone(),
        reason,
    }
}

fn update_of(u: &KnownUser, p: &Person) -> Option<Update> {
    // (as gaibu has it, as the directory has it), when they differ.
    let changed =
        |ours: &str, theirs: &str| (ours != theirs).then(|| (ours.to_string(), theirs.to_string()));
    let display_name = changed(&u.display_name, &p.display_name);
    let email = p.email.as_deref().and_then(|e| changed(&u.email, e));
    let link = !u.linked;
    (display_name.is_some() || email.is_some() || link).then(|| Update {
        user_id: u.id,
        login: u.login.clone(),
        display_name,
        email,
        link,
    })
}

fn move_of(u: &KnownUser, p: &Person, code: String) -> Option<Mover> {
    let position = p.position.clone().unwrap_or_else(|| u.position.clone());
    (code != u.unit_code || position != u.position).then(|| Mover {
        user_id: u.id,
        login: u.login.clone(),
        display_name: u.display_name.clone(),
        from_unit: u.unit_code.clone(),
        to_unit: code,
        from_position: u.position.clone(),
        to_position: position,
    })
}

/// Reads one entry's attributes (names matched without regard to case, as LDAP does) into a
/// person, or says why it cannot be one.
pub fn person_of(
    map: &AttributeMap,
    inactive_values: &[String],
    dn: &str,
    attrs: &HashMap<String, Vec<String>>,
) -> Result<Person, EntryProblem> {
    let get = |name: &str| -> Option<String> {
        attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.first())
            .map(|v| v.trim().to_string())
    };
    let raw_login = get(&map.login).unwrap_or_default();
    let login = crate::signin::normalised_login(&raw_login);
    let fail = |code| EntryProblem {
        dn: dn.to_string(),
        login: login.clone(),
        code,
    };
    if login.is_empty() {
        return Err(fail("directory_no_login"));
    }
    if !valid_login(&login) {
        return Err(fail("directory_invalid_login"));
    }
    let display_name = get(&map.display_name).filter(|s| !s.is_empty());
    let Some(display_name) = display_name else {
        return Err(fail("directory_no_name"));
    };
    let unit = get(&map.unit).unwrap_or_default();
    let active = match get(&map.active) {
        None => true,
        Some(v) if map.active.eq_ignore_ascii_case("userAccountControl") => {
            // Active Directory: bit 2 (ACCOUNTDISABLE) of the account's flags.
            v.parse::<u32>().map(|f| f & 2 == 0).unwrap_or(true)
        }
        Some(v) => !inactive_values.iter().any(|x| x.trim() == v),
    };
    Ok(Person {
        dn: dn.to_string(),
        login,
        display_name,
        email: get(&map.email),
        unit,
        position: get(&map.position),
        active,
    })
}

/// gaibu's rule for a login (as for users created on the admin page).
pub fn valid_login(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// Field errors of settings about to be saved (`settings::check`), re-exported for the shell.
pub fn check_settings(s: &DirectorySettings, codes: &HashSet<String>) -> Vec<FieldError> {
    settings::check(s, codes)
}
