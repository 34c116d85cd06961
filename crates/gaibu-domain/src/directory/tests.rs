use super::*;

fn codes() -> HashSet<String> {
    ["GA-ICT", "CIT-REG", "CITY"]
        .into_iter()
        .map(String::from)
        .collect()
}

fn settings() -> DirectorySettings {
    DirectorySettings {
        base_dn: "ou=職員,o=本市".into(),
        units: vec![
            UnitMapping {
                value: "情報政策課".into(),
                code: "GA-ICT".into(),
            },
            UnitMapping {
                value: "市民課".into(),
                code: "CIT-REG".into(),
            },
        ],
        ..DirectorySettings::default()
    }
}

fn person(login: &str, name: &str, unit: &str, position: &str) -> Person {
    Person {
        dn: format!("uid={login},ou=職員,o=本市"),
        login: login.into(),
        display_name: name.into(),
        email: Some(format!("{login}@city.example.jp")),
        unit: unit.into(),
        position: Some(position.into()),
        active: true,
    }
}

fn known(id: i64, login: &str, name: &str, unit: &str, position: &str) -> KnownUser {
    KnownUser {
        id,
        login: login.into(),
        display_name: name.into(),
        email: format!("{login}@city.example.jp"),
        unit_code: unit.into(),
        position: position.into(),
        active: true,
        linked: true,
        contractor: false,
    }
}

fn run(people: Vec<Person>, known: &[KnownUser], actor: Option<i64>) -> Plan {
    plan(&settings(), people, Vec::new(), known, &codes(), actor).expect("plan")
}

#[test]
fn a_new_person_a_leaver_and_a_mover() {
    let people = vec![
        person("sato", "佐藤 花子", "情報政策課", "主事"),
        person("suzuki", "鈴木 一郎", "市民課", "係長"),
    ];
    let known = [
        known(1, "suzuki", "鈴木 一郎", "GA-ICT", "主任"),
        known(2, "tanaka", "田中 次郎", "CIT-REG", "主事"),
    ];
    let p = run(people, &known, None);
    assert_eq!(p.creates.len(), 1);
    assert_eq!(p.creates[0].login, "sato");
    assert_eq!(p.creates[0].unit_code, "GA-ICT");
    assert_eq!(p.moves.len(), 1);
    assert_eq!(p.moves[0].to_unit, "CIT-REG");
    assert_eq!(p.moves[0].to_position, "係長");
    assert_eq!(p.leavers.len(), 1);
    assert_eq!(p.leavers[0].login, "tanaka");
    assert_eq!(p.leavers[0].reason, LeaveReason::Absent);
    let on = Date::constant(2026, 4, 1);
    let moves = p.rotation_moves(on);
    assert_eq!(moves.len(), 2);
    assert!(!moves[0].leaves && moves[0].org_unit == "CIT-REG");
    assert!(moves[1].leaves && moves[1].login == "tanaka");
    assert!(moves.iter().all(|m| m.effective_on == on));
}

#[test]
fn the_same_directory_again_changes_nothing() {
    let people = vec![person("suzuki", "鈴木 一郎", "市民課", "係長")];
    let known = [known(1, "suzuki", "鈴木 一郎", "CIT-REG", "係長")];
    let p = run(people, &known, None);
    assert!(p.is_empty(), "{p:?}");
}

#[test]
fn a_leaver_is_marked_or_gone_and_nobody_gaibu_alone_knows_leaves() {
    let mut left = person("suzuki", "鈴木 一郎", "市民課", "係長");
    left.active = false;
    let mut local = known(3, "admin", "管理者", "CITY", "");
    local.linked = false;
    let mut contractor = known(4, "vendor", "委託先", "CITY", "");
    contractor.contractor = true;
    let known = [
        known(1, "suzuki", "鈴木 一郎", "CIT-REG", "係長"),
        local,
        contractor,
    ];
    let p = run(vec![left, person("x1", "某", "市民課", "")], &known, None);
    assert_eq!(p.leavers.len(), 1);
    assert_eq!(p.leavers[0].reason, LeaveReason::MarkedInactive);
    // A marked leaver gaibu does not know is not created.
    let mut gone = person("yamada", "山田", "市民課", "");
    gone.active = false;
    let p = run(vec![gone, person("x1", "某", "市民課", "")], &[], None);
    assert_eq!(p.creates.len(), 1);
}

#[test]
fn the_actor_is_never_made_a_leaver() {
    let known = [known(7, "admin", "管理者", "CITY", "")];
    let p = run(vec![person("x1", "某", "市民課", "")], &known, Some(7));
    assert!(p.leavers.is_empty());
    assert_eq!(p.problems[0].code, "directory_self_leaver");
}

#[test]
fn unknown_units_hold_people_back_and_a_code_maps_itself() {
    let people = vec![
        person("a1", "甲", "謎の課", ""),
        person("a2", "乙", "謎の課", ""),
        person("a3", "丙", "CITY", ""),
    ];
    let p = run(people, &[known(1, "a2", "乙", "CITY", "")], None);
    assert_eq!(p.unknown_units.len(), 1);
    assert_eq!(p.unknown_units[0].value, "謎の課");
    assert_eq!(p.unknown_units[0].logins, vec!["a1", "a2"]);
    assert_eq!(p.creates.len(), 1);
    assert_eq!(p.creates[0].unit_code, "CITY");
    assert!(p.moves.is_empty());
}

#[test]
fn names_and_mail_are_updated_and_a_first_match_is_linked() {
    let mut them = known(1, "suzuki", "鈴木 一朗", "CIT-REG", "係長");
    them.linked = false;
    let p = run(
        vec![person("suzuki", "鈴木 一郎", "市民課", "係長")],
        &[them],
        None,
    );
    let u = &p.updates[0];
    assert!(u.link);
    assert_eq!(
        u.display_name,
        Some(("鈴木 一朗".to_string(), "鈴木 一郎".to_string()))
    );
    assert_eq!(u.email, None);
}

#[test]
fn a_login_twice_is_a_problem_and_counts_as_present() {
    let people = vec![
        person("suzuki", "鈴木", "市民課", ""),
        person("suzuki", "鈴木", "市民課", ""),
    ];
    let p = run(people, &[known(1, "suzuki", "鈴木", "CIT-REG", "")], None);
    assert_eq!(p.problems.len(), 2);
    assert!(p.leavers.is_empty() && p.creates.is_empty());
}

#[test]
fn an_empty_answer_plans_nothing() {
    let r = plan(&settings(), vec![], vec![], &[], &codes(), None);
    assert_eq!(r, Err(PlanError::Empty));
}

#[test]
fn entries_are_read_by_the_mapping() {
    let map = AttributeMap::default();
    let attrs: HashMap<String, Vec<String>> = [
        ("UID", "Sato"),
        ("displayname", "佐藤 花子"),
        ("departmentNumber", "情報政策課"),
        ("employeeType", "退職"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
    .collect();
    let p = person_of(&map, &["退職".into()], "uid=sato", &attrs).expect("person");
    assert_eq!(p.login, "sato");
    assert_eq!(p.display_name, "佐藤 花子");
    assert!(!p.active);
    assert_eq!(p.email, None);
    assert_eq!(p.position, None);
    let mut no_name = attrs.clone();
    no_name.remove("displayname");
    let e = person_of(&map, &[], "uid=sato", &no_name).expect_err("no name");
    assert_eq!(e.code, "directory_no_name");
    let mut bad = attrs.clone();
    bad.insert("uid".into(), vec!["佐藤".into()]);
    bad.remove("UID");
    let e = person_of(&map, &[], "uid=x", &bad).expect_err("bad login");
    assert_eq!(e.code, "directory_invalid_login");
}

#[test]
fn active_directory_s_disabled_flag_marks_a_leaver() {
    let map = AttributeMap {
        login: "sAMAccountName".into(),
        active: "userAccountControl".into(),
        ..AttributeMap::default()
    };
    let entry = |flags: &str| -> HashMap<String, Vec<String>> {
        [
            ("sAMAccountName", "ito"),
            ("displayName", "伊藤"),
            ("userAccountControl", flags),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
        .collect()
    };
    assert!(
        person_of(&map, &[], "cn=ito", &entry("512"))
            .expect("on")
            .active
    );
    assert!(
        !person_of(&map, &[], "cn=ito", &entry("514"))
            .expect("off")
            .active
    );
}

#[test]
fn settings_are_checked_field_by_field() {
    let mut s = settings();
    assert!(check_settings(&s, &codes()).is_empty());
    s.base_dn = "本市".into();
    s.user_filter = "(objectClass=person".into();
    s.attributes.login = "u id".into();
    s.attributes.unit = String::new();
    s.units.push(UnitMapping {
        value: "謎".into(),
        code: "NOPE".into(),
    });
    let fields: Vec<String> = check_settings(&s, &codes())
        .into_iter()
        .map(|e| format!("{}:{}", e.field, e.code))
        .collect();
    assert_eq!(
        fields,
        [
            "base_dn:directory_bad_dn",
            "user_filter:directory_bad_filter",
            "attr_login:directory_bad_attribute",
            "attr_unit:required",
            "units:unknown_org_unit"
        ]
    );
}

#[test]
fn unit_lines_are_read_and_written() {
    let units = UnitMapping::parse_lines("情報政策課 = GA-ICT\n\n市民課=CIT-REG\n").expect("lines");
    assert_eq!(units.len(), 2);
    assert_eq!(
        UnitMapping::to_lines(&units),
        "情報政策課 = GA-ICT\n市民課 = CIT-REG"
    );
    assert_eq!(UnitMapping::parse_lines("ok = A\nbroken"), Err(2));
}
