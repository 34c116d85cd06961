use super::*;
use crate::sheet::{Answer, AnswerType, Condition, Item, Section};
use jiff::civil::date;

fn row<'a>(pairs: &[(&'static str, &'a str)]) -> BTreeMap<&'static str, &'a str> {
    pairs.iter().copied().collect()
}

fn reg(number: &str, until: Date, status: Status) -> Registration {
    Registration {
        number: number.into(),
        service_name: "Microsoft 365".into(),
        provider: "日本マイクロソフト株式会社".into(),
        scope: "Exchange Online、SharePoint Online、Microsoft Teams".into(),
        registered_on: None,
        audited_until: None,
        valid_until: until,
        status,
    }
}

fn claim(number: &str, name: &str, provider: &str) -> Claim {
    Claim {
        number: number.into(),
        service_name: name.into(),
        provider: provider.into(),
    }
}

// clause: S3.2c — a registration's validity: the list's date, else in principle 1 year 4
// months after the end of the audited period, read in the Western calendar or the era.
#[test]
fn validity_is_the_lists_date_or_sixteen_months_after_the_audit() {
    assert_eq!(
        valid_until_after_audit(date(2024, 12, 31)),
        date(2026, 4, 30)
    );
    assert_eq!(
        valid_until_after_audit(date(2025, 3, 31)),
        date(2026, 7, 31)
    );
    let r = read_row(&row(&[
        ("number", "C23-0001-1"),
        ("service_name", "文書共有クラウド"),
        ("provider", "株式会社テスト"),
        ("audit_period", "令和6年4月1日～令和7年3月31日"),
    ]))
    .expect("valid");
    assert_eq!(r.audited_until, Some(date(2025, 3, 31)));
    assert_eq!(r.valid_until, date(2026, 7, 31));
    assert_eq!(r.status, Status::Registered);
    let r = read_row(&row(&[
        ("number", "C23-0001-1"),
        ("service_name", "文書共有クラウド"),
        ("provider", "株式会社テスト"),
        ("audit_period", "2024/4/1-2025/3/31"),
        ("valid_until", "R8.1.31"),
        ("registered_on", "平成31年4月30日"),
    ]))
    .expect("valid");
    assert_eq!(r.valid_until, date(2026, 1, 31), "the list's own date wins");
    assert_eq!(r.registered_on, Some(date(2019, 4, 30)));
    for period in [
        "2024年4月1日～2025年3月31日",
        "R6.4.1-R7.3.31",
        "2024-04-01 - 2025-03-31",
        "2024/4/1から2025/3/31まで",
        "2025-03-31",
    ] {
        assert_eq!(audit_period_end(period), Ok(date(2025, 3, 31)), "{period}");
    }
}

#[test]
fn a_bad_row_names_every_field_at_fault() {
    let errs = read_row(&row(&[
        ("number", ""),
        ("service_name", "X"),
        ("provider", "Y"),
        ("valid_until", "平成31年5月1日"),
        ("status", "保留"),
    ]))
    .expect_err("bad");
    let codes: Vec<(&str, &str)> = errs.iter().map(|e| (e.field, e.code)).collect();
    assert!(codes.contains(&("number", "required")), "{codes:?}");
    assert!(
        codes.contains(&("valid_until", "import_date")),
        "an era date outside its era"
    );
    assert!(codes.contains(&("status", "ismap_status_unknown")));
    let errs = read_row(&row(&[
        ("number", "C1"),
        ("service_name", "X"),
        ("provider", "Y"),
    ]))
    .expect_err("no validity");
    assert_eq!(errs[0].code, "ismap_no_validity");
}

#[test]
fn a_number_twice_in_one_file_is_refused_on_its_second_row() {
    let a = row(&[
        ("number", "C23-0001-1"),
        ("service_name", "X"),
        ("provider", "Y"),
        ("valid_until", "2027-01-01"),
    ]);
    let b = row(&[
        ("number", "Ｃ２３－０００１－１"),
        ("service_name", "Z"),
        ("provider", "Y"),
        ("valid_until", "2027-01-01"),
    ]);
    let out = read_rows([(2, a), (3, b)]);
    assert!(out[0].result.is_ok());
    assert_eq!(
        out[1].result.as_ref().map_err(|e| e[0].code),
        Err("ismap_duplicate_number")
    );
}

#[test]
fn statuses_as_lists_write_them() {
    for (s, want) in [
        ("", Status::Registered),
        ("登録", Status::Registered),
        ("Registered", Status::Registered),
        ("登録取消", Status::Withdrawn),
        ("抹消", Status::Withdrawn),
        ("WITHDRAWN", Status::Withdrawn),
        ("有効期限切れ", Status::Lapsed),
        ("失効", Status::Lapsed),
    ] {
        assert_eq!(Status::parse(s), Some(want), "{s}");
    }
    assert_eq!(Status::parse("審査中"), None);
    assert_eq!(ListKind::parse("ismap-liu"), Some(ListKind::IsmapLiu));
    assert_eq!(ListKind::parse("other"), None);
}

// clause: S3.2c — a claimed registration is judged on the day: not listed, withdrawn,
// expired, or not covering the service.
#[test]
fn the_cross_check_finds_each_kind_of_problem() {
    let today = date(2026, 6, 1);
    let teams = claim("C23-0001-1", "Microsoft Teams", "日本マイクロソフト㈱");
    let ok = reg("C23-0001-1", date(2026, 6, 1), Status::Registered);
    assert_eq!(cross_check(&teams, Some(&ok), today), Finding::Ok);
    assert_eq!(cross_check(&teams, None, today), Finding::NotListed);
    let old = reg("C23-0001-1", date(2026, 5, 31), Status::Registered);
    assert_eq!(cross_check(&teams, Some(&old), today), Finding::Expired);
    let lapsed = reg("C23-0001-1", date(2027, 1, 1), Status::Lapsed);
    assert_eq!(cross_check(&teams, Some(&lapsed), today), Finding::Expired);
    let gone = reg("C23-0001-1", date(2020, 1, 1), Status::Withdrawn);
    assert_eq!(
        cross_check(&teams, Some(&gone), today),
        Finding::Withdrawn,
        "a withdrawal outweighs an expiry"
    );
    let zoom = claim("C23-0001-1", "Zoom", "日本マイクロソフト株式会社");
    assert_eq!(cross_check(&zoom, Some(&ok), today), Finding::ScopeMismatch);
    let other = claim("C23-0001-1", "Microsoft Teams", "株式会社別会社");
    assert_eq!(
        cross_check(&other, Some(&ok), today),
        Finding::ScopeMismatch
    );
}

#[test]
fn scope_is_matched_by_words_after_folding() {
    let r = Registration {
        service_name: "ｸﾗｳﾄﾞ文書共有サービス".into(),
        provider: "デモクラウド株式会社".into(),
        scope: "文書共有クラウド（デモ）、電子決裁".into(),
        ..reg("C1", date(2030, 1, 1), Status::Registered)
    };
    assert!(covers(&r, "文書共有クラウド（デモ）", "デモクラウド"));
    assert!(!covers(&r, "ＤＥＭＯ 電子決裁", "デモクラウド株式会社"));
    let r = Registration {
        service_name: "Box".into(),
        provider: "Box Japan, Inc.".into(),
        scope: "".into(),
        ..r
    };
    assert!(covers(&r, "box", "株式会社Box Japan"));
    assert!(!covers(&r, "", "Box Japan"), "a service without a name");
}

#[test]
fn numbers_compare_folded() {
    assert_eq!(normal_number(" ｃ２３－０００１ー１ "), "C23-0001-1");
    assert_eq!(normal_number("L 24-0003-2"), "L24-0003-2");
}

fn sheet() -> Sheet {
    let item = |id: &str, answer, claims: Option<&str>, show_if| Item {
        id: id.into(),
        section: "s".into(),
        clause: "S3.2c".into(),
        answer,
        blocking: false,
        text_ja: "t".into(),
        text_en: "t".into(),
        options: vec![],
        show_if,
        evidence: false,
        claims: claims.map(str::to_string),
    };
    Sheet {
        sections: vec![Section {
            id: "s".into(),
            title_ja: "s".into(),
            title_en: "s".into(),
        }],
        items: vec![
            item("cert", AnswerType::Text, None, None),
            item(
                "number",
                AnswerType::Text,
                Some(CLAIM_ISMAP_REGISTRATION),
                Some(Condition {
                    field: "answer:cert".into(),
                    any_of: vec!["ismap".into()],
                }),
            ),
        ],
    }
}

// clause: S3.2a — the certification recorded on the sheet is what is cross-checked; the item
// that holds it is named by the policy (`claims`), not by the code.
#[test]
fn the_claim_is_the_answer_to_the_claiming_item_when_it_applies() {
    let s = sheet();
    let ans = |cert: &str, number: &str| -> Answers {
        [("cert", cert), ("number", number)]
            .into_iter()
            .map(|(k, v)| {
                let a = Answer {
                    value: v.into(),
                    ..Default::default()
                };
                (k.to_string(), a)
            })
            .collect()
    };
    let ctx = Context::default();
    assert_eq!(
        claimed_number(&s, &ans("ismap", " C23-0001-1 "), &ctx).as_deref(),
        Some("C23-0001-1")
    );
    assert_eq!(
        claimed_number(&s, &ans("iso27001", "C23-0001-1"), &ctx),
        None,
        "the number item does not apply"
    );
    assert_eq!(claimed_number(&s, &ans("ismap", "  "), &ctx), None);
    assert!(s.check().is_ok());
}

#[test]
fn a_sheet_may_claim_only_what_is_known_and_only_with_a_text_answer() {
    let mut s = sheet();
    s.items[1].claims = Some("something_else".into());
    assert!(s.check().is_err(), "an unknown claim");
    let mut s = sheet();
    s.items[1].answer = AnswerType::Date;
    assert!(s.check().is_err(), "a number is a text answer");
}

#[test]
fn only_the_ism_and_the_ciso_keep_the_lists() {
    use crate::role::{Actor, Role, RoleAssignment};
    let actor = |role| Actor {
        user_id: 1,
        org_unit: 1,
        assignments: vec![RoleAssignment { role, org_unit: 3 }],
    };
    assert!(permits_keeping(&actor(Role::InformationSecurityManager)).is_ok());
    assert!(permits_keeping(&actor(Role::Ciso)).is_ok());
    assert!(permits_keeping(&actor(Role::InformationManager)).is_err());
    assert_eq!(units_seen(&actor(Role::Ciso)), None);
    assert_eq!(
        units_seen(&actor(Role::InformationSecurityManager)),
        Some(vec![3])
    );
}
