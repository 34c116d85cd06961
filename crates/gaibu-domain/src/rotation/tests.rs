use super::*;
use crate::testing::tree;

fn day(m: i8, d: i8) -> Date {
    Date::constant(2026, m, d)
}

fn person(id: UserId, login: &str, unit: OrgUnitId, roles: &[(i64, Role, OrgUnitId)]) -> Person {
    Person {
        id,
        login: login.into(),
        org_unit: unit,
        position: "主任".into(),
        active: true,
        contractor: false,
        roles: roles
            .iter()
            .map(|&(id, role, org_unit)| HeldRole { id, role, org_unit })
            .collect(),
    }
}

/// 1 city → 2 bureau → 3 section; 4 another bureau.
fn ctx() -> Context {
    let mut c = Context {
        tree: tree(),
        ..Default::default()
    };
    for (code, id) in [("C", 1), ("B", 2), ("S", 3), ("X", 4), ("別局", 4)] {
        c.units.insert(code.into(), id);
    }
    for p in [
        person(10, "sato", 3, &[(100, Role::Staff, 3)]),
        person(
            20,
            "ito",
            2,
            &[
                (200, Role::InformationSecurityManager, 2),
                (201, Role::Staff, 2),
            ],
        ),
        person(30, "kato", 3, &[(300, Role::InformationManager, 3)]),
        person(40, "admin", 1, &[(400, Role::SystemAdministrator, 1)]),
    ] {
        c.people.insert(p.login.clone(), p);
    }
    c.services = vec![
        ServiceLink {
            id: 1,
            org_unit: 3,
            track: Track::Class2Plus,
            administrator: 10,
            applicant: 10,
            approver: Some(20),
        },
        ServiceLink {
            id: 2,
            org_unit: 3,
            track: Track::Class1,
            administrator: 30,
            applicant: 30,
            approver: Some(30),
        },
    ];
    c.applications = vec![
        ApplicationLink {
            id: 7,
            org_unit: 3,
            track: Track::Class2Plus,
            state: State::Submitted,
            applicant: 10,
        },
        ApplicationLink {
            id: 8,
            org_unit: 3,
            track: Track::Class1,
            state: State::Draft,
            applicant: 10,
        },
    ];
    c.accounts = vec![
        AccountLink {
            id: 70,
            service_id: 1,
            holder_org_unit: 3,
            holder_position: "主任".into(),
        },
        AccountLink {
            id: 71,
            service_id: 1,
            holder_org_unit: 3,
            holder_position: "課長".into(),
        },
    ];
    c
}

fn mv(login: &str, unit: &str, position: &str, on: Date, leaves: bool) -> Move {
    Move {
        login: login.into(),
        org_unit: unit.into(),
        position: position.into(),
        effective_on: on,
        leaves,
    }
}

fn errors(p: &RotationPlan) -> Vec<(usize, &'static str, &'static str)> {
    p.errors().map(|(i, e)| (i, e.field, e.code)).collect()
}

// clause: S3.5.1a — a mover's services, applications and the accounts of their post are named
#[test]
fn a_move_names_what_it_touches() {
    let p = plan(
        &[mv("sato", "別局", "係長", day(4, 1), false)],
        &ctx(),
        day(4, 1),
    );
    assert!(p.is_clean());
    let (_, m) = p.planned().next().expect("planned");
    assert_eq!(
        (m.from_unit, m.to_unit, m.to_position.as_str()),
        (3, Some(4), "係長")
    );
    assert!(!m.scheduled && !m.unchanged);
    assert_eq!(
        m.services,
        vec![(1, Concern::Administrator), (1, Concern::Applicant)]
    );
    assert_eq!(
        m.applications,
        vec![(7, Concern::Applicant), (8, Concern::Applicant)]
    );
    assert_eq!(
        m.accounts,
        vec![70],
        "the accounts of the post left, not others"
    );
    assert_eq!(
        m.roles_ended.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![100]
    );
    assert_eq!(
        m.roles_added,
        vec![RoleAssignment {
            role: Role::Staff,
            org_unit: 4
        }]
    );
}

#[test]
fn roles_of_the_post_end_and_approvers_are_named() {
    let moves = [
        mv("ito", "X", "", day(4, 1), false),
        mv("kato", "", "", day(4, 1), true),
        mv("admin", "S", "課長", day(4, 1), false),
    ];
    let p = plan(&moves, &ctx(), day(3, 20));
    assert!(p.is_clean(), "{:?}", errors(&p));
    let all: Vec<&Planned> = p.planned().map(|(_, m)| m).collect();
    // The ISM's role ends with the post; the submitted class-2+ application loses its approver.
    assert_eq!(
        all[0].roles_ended.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![200, 201]
    );
    assert_eq!(all[0].applications, vec![(7, Concern::Approver)]);
    assert_eq!(all[0].services, vec![(1, Concern::Approver)]);
    assert_eq!(
        all[0].to_position, "主任",
        "an empty position keeps the current one"
    );
    assert!(all[0].scheduled);
    // A leaver loses every role; the class-1 draft of the unit loses the IM who would approve it.
    assert!(all[1].leaves && all[1].to_unit.is_none());
    assert_eq!(all[1].roles_ended.len(), 1);
    assert!(all[1].roles_added.is_empty());
    assert!(all[1].applications.contains(&(8, Concern::Approver)));
    assert!(all[1].services.contains(&(2, Concern::Administrator)));
    // The System Administrator's role is not a post of the standard: it stays.
    assert!(all[2].roles_ended.is_empty());
}

#[test]
fn the_same_post_changes_nothing() {
    let p = plan(
        &[mv("sato", "S", "主任", day(4, 1), false)],
        &ctx(),
        day(4, 1),
    );
    let (_, m) = p.planned().next().expect("planned");
    assert!(m.unchanged);
    assert!(m.roles_ended.is_empty() && m.services.is_empty() && m.accounts.is_empty());
}

#[test]
fn bad_moves_are_named_field_by_field() {
    let mut c = ctx();
    c.scheduled.insert("kato".into());
    if let Some(p) = c.people.get_mut("ito") {
        p.active = false;
    }
    let moves = [
        mv("nobody", "S", "x", day(4, 1), false),
        mv("sato", "ZZ", "x", day(4, 1), false),
        mv("sato", "S", "x", day(4, 1), false),
        mv("ito", "S", "x", day(4, 1), false),
        mv("kato", "S", "x", day(4, 1), false),
        mv("admin", "", "", day(4, 1), false),
        mv(
            "nobody2",
            "S",
            "x",
            day(4, 1) + jiff::ToSpan::days(400),
            false,
        ),
    ];
    let p = plan(&moves, &c, day(4, 1));
    assert!(!p.is_clean());
    assert_eq!(
        errors(&p),
        vec![
            (0, "login", "import_unknown_login"),
            (1, "org_unit", "unknown_org_unit"),
            (2, "login", "duplicate"),
            (3, "login", "rotation_inactive_user"),
            (4, "login", "rotation_already_scheduled"),
            (5, "org_unit", "required"),
            (6, "login", "import_unknown_login"),
            (6, "effective_on", "rotation_date_out_of_range"),
        ]
    );
}

#[test]
fn rows_are_read_with_era_dates_and_flags() {
    let row = |pairs: &[(&'static str, &'static str)]| read_row(&pairs.iter().copied().collect());
    let m = row(&[
        ("login", " sato "),
        ("org_unit", "別局"),
        ("position", "係長"),
        ("effective_on", "令和8年4月1日"),
    ])
    .expect("good");
    assert_eq!(m.login, "sato");
    assert_eq!(m.effective_on, day(4, 1));
    assert!(!m.leaves);
    assert!(
        row(&[
            ("login", "a"),
            ("effective_on", "2026-04-01"),
            ("leaves", "退職")
        ])
        .expect("good")
        .leaves
    );
    let errs = row(&[("effective_on", "4月31日"), ("leaves", "maybe")]).expect_err("bad");
    let errs: Vec<_> = errs.iter().map(|e| (e.field, e.code)).collect();
    assert_eq!(
        errs,
        vec![
            ("login", "required"),
            ("effective_on", "import_date"),
            ("leaves", "invalid_choice")
        ]
    );
}

fn service(track: Track) -> Service {
    Service {
        id: 1,
        administrator: 10,
        org_unit: 3,
        ledger_status: None,
        registered_on: None,
        track,
    }
}

fn successor(to: &str) -> AdministratorInput {
    AdministratorInput {
        administrator: to.into(),
        reason: "人事異動".into(),
    }
}

// clause: S3.4c, S5.1.1, S5.1.2 — successors are designated by the ISM (class 2+) or the
// Information Manager etc. (class 1) over the unit, and nobody else
#[test]
fn successors_are_designated_by_those_the_standard_names() {
    let t = tree();
    let staff = |id: UserId| id < 100;
    let ism = crate::testing::actor(20, Role::InformationSecurityManager, 2);
    let im = crate::testing::actor(30, Role::InformationManager, 3);
    let s2 = service(Track::Class2Plus);
    let s1 = service(Track::Class1);
    assert!(matches!(
        designate(&s2, Track::Class2Plus, &ism, &t, &successor("11"), staff),
        Ok(Designation::Change(c)) if c.to == 11 && c.from == 10
    ));
    assert_eq!(
        designate(&s2, Track::Class2Plus, &im, &t, &successor("11"), staff),
        Err(Refusal::Forbidden("responsible_ism_required"))
    );
    assert!(designate(&s1, Track::Class1, &im, &t, &successor("11"), staff).is_ok());
    assert_eq!(
        designate(&s1, Track::Class1, &ism, &t, &successor("11"), staff),
        Err(Refusal::Forbidden("class1_approver_required"))
    );
    // The same person kept in their new post: only the register's ク changes.
    assert_eq!(
        designate(&s1, Track::Class1, &im, &t, &successor("10"), staff),
        Ok(Designation::Confirm {
            reason: "人事異動".into()
        })
    );
    // Someone who left cannot be kept.
    assert!(designate(&s1, Track::Class1, &im, &t, &successor("10"), |_| false).is_err());
}

#[test]
fn a_leavers_account_is_handed_over_by_its_services_administrator_or_ism() {
    let t = tree();
    let s = service(Track::Class1);
    let admin = crate::testing::actor(10, Role::Staff, 3);
    let ism = crate::testing::actor(20, Role::InformationSecurityManager, 2);
    let other = crate::testing::actor(40, Role::Staff, 3);
    assert!(may_hand_over(&s, &admin, &t).is_ok());
    assert!(may_hand_over(&s, &ism, &t).is_ok());
    assert!(may_hand_over(&s, &other, &t).is_err());
}
