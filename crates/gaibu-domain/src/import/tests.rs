use super::*;
use jiff::civil::date;

fn ctx() -> LedgerContext {
    let mut c = LedgerContext::default();
    c.org_units.insert("CIT-REG".into(), 7);
    c.org_units.insert("市民課".into(), 7);
    c.levels.insert("機密性2".into(), "2".into());
    c.levels.insert("1".into(), "1".into());
    c.people.insert("bsm".into(), 42);
    c
}

fn row<'a>(pairs: &[(&'static str, &'a str)]) -> BTreeMap<&'static str, &'a str> {
    pairs.iter().copied().collect()
}

fn good(name: &'static str, registered: &'static str) -> BTreeMap<&'static str, &'static str> {
    row(&[
        ("name", name),
        ("provider", "株式会社テスト"),
        ("org_unit", "市民課"),
        ("confidentiality", "機密性2"),
        ("administrator", "bsm"),
        ("registered_on", registered),
    ])
}

// clause: S5.2.2-3 — a ledger entry names its service, unit, classification, administrator
// and registration date; each row is read into one before anything is written.
#[test]
fn good_rows_are_planned_and_era_dates_read_at_the_boundary() {
    let check = check_ledger(
        [
            (2, good("会議サービス", "平成31年4月30日")),
            (3, good("文書共有", "令和元年5月1日")),
        ],
        &ctx(),
    );
    assert!(check.is_clean(), "{check:?}");
    let Ok(Plan::Create(r)) = &check.rows[0].result else {
        panic!("{check:?}");
    };
    assert_eq!(r.registered_on, date(2019, 4, 30));
    assert_eq!(r.org_unit, 7);
    assert_eq!(r.confidentiality, "2", "a label reads as its code");
    assert_eq!(
        r.system_name, "会議サービス",
        "the system name defaults to the service's"
    );
    assert!(r.in_scope);
    let Ok(Plan::Create(r)) = &check.rows[1].result else {
        panic!("{check:?}");
    };
    assert_eq!(r.registered_on, date(2019, 5, 1));
}

#[test]
fn every_error_names_its_row_and_field() {
    let check = check_ledger(
        [
            (2, good("会議サービス", "2026-04-01")),
            (
                3,
                row(&[
                    ("name", "文書共有"),
                    ("provider", ""),
                    ("org_unit", "存在しない課"),
                    ("confidentiality", "極秘"),
                    ("administrator", "nobody"),
                    ("registered_on", "平成31年5月1日"),
                    ("in_scope", "たぶん"),
                ]),
            ),
            (5, good("会議サービス", "2026-04-01")),
        ],
        &ctx(),
    );
    assert!(!check.is_clean());
    let errs: Vec<(usize, &str, &str)> =
        check.errors().map(|(r, e)| (r, e.field, e.code)).collect();
    for want in [
        (3, "provider", "required"),
        (3, "org_unit", "unknown_org_unit"),
        (3, "confidentiality", "unknown_level"),
        (3, "administrator", "import_unknown_login"),
        (3, "registered_on", "import_date"),
        (3, "in_scope", "invalid_choice"),
        (5, "name", "duplicate"),
    ] {
        assert!(errs.contains(&want), "{want:?} in {errs:?}");
    }
    assert!(
        check.rows[0].result.is_ok(),
        "a good row stays good beside bad ones"
    );
}

#[test]
fn the_same_file_again_changes_nothing() {
    let first = check_ledger([(2, good("会議サービス", "2026-04-01"))], &ctx());
    let Ok(Plan::Create(record)) = first.rows[0].result.clone() else {
        panic!("{first:?}");
    };
    let mut again = ctx();
    again.existing.insert(
        ("会議サービス".into(), "株式会社テスト".into()),
        (Existing { id: 11, version: 3 }, record),
    );
    let check = check_ledger([(2, good("会議サービス", "2026-04-01"))], &again);
    assert_eq!(check.rows[0].result, Ok(Plan::Unchanged(11)));
    let check = check_ledger([(2, good("会議サービス", "2026-05-01"))], &again);
    assert!(
        matches!(
            check.rows[0].result,
            Ok(Plan::Update(Existing { id: 11, .. }, _))
        ),
        "{check:?}"
    );
    assert_eq!(check.count(|p| matches!(p, Plan::Update(..))), 1);
}

#[test]
fn a_file_neither_reclassifies_nor_redesignates() {
    let first = check_ledger([(2, good("会議サービス", "2026-04-01"))], &ctx());
    let Ok(Plan::Create(record)) = first.rows[0].result.clone() else {
        panic!("{first:?}");
    };
    let mut seen = ctx();
    let mut other = record.clone();
    other.confidentiality = "1".into();
    seen.existing.insert(
        ("会議サービス".into(), "株式会社テスト".into()),
        (Existing { id: 11, version: 3 }, other),
    );
    let check = check_ledger([(2, good("会議サービス", "2026-04-01"))], &seen);
    assert_eq!(
        check.rows[0].result,
        Err(vec![CellError {
            field: "confidentiality",
            code: "import_class_change"
        }])
    );
    let mut other = record;
    other.administrator = 99;
    seen.existing.insert(
        ("会議サービス".into(), "株式会社テスト".into()),
        (Existing { id: 11, version: 3 }, other),
    );
    let check = check_ledger([(2, good("会議サービス", "2026-04-01"))], &seen);
    assert!(!check.is_clean());
}

// clause: S5.1.1 — class-2+ use is the Information Security Manager's to permit: an importer
// who is not the unit's ISM brings in class-1 services only
#[test]
fn class2_rows_need_the_units_ism() {
    let mut c = ctx();
    c.class2.insert("2".into());
    c.class2_allowed = Some(HashSet::new());
    let check = check_ledger([(2, good("会議サービス", "2026-04-01"))], &c);
    assert_eq!(
        check.rows[0].result,
        Err(vec![CellError {
            field: "confidentiality",
            code: "import_class2_needs_ism"
        }])
    );
    c.class2_allowed = Some(HashSet::from([7]));
    assert!(check_ledger([(2, good("会議サービス", "2026-04-01"))], &c).is_clean());
}

// clause: S5.2.2-3 — an approved service not yet in the ledger is registered by its
// administrator; a file does not make a second one of it
#[test]
fn a_service_approved_but_unregistered_is_not_created_again() {
    let mut c = ctx();
    c.unregistered
        .insert(("会議サービス".into(), "株式会社テスト".into()));
    let check = check_ledger([(2, good("会議サービス", "2026-04-01"))], &c);
    assert_eq!(
        check.rows[0].result,
        Err(vec![CellError {
            field: "name",
            code: "import_not_in_ledger"
        }])
    );
}
