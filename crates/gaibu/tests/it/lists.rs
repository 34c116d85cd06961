//! The lists at city scale (issue 8): paged by keyset in the database, filtered in SQL, only
//! what the reader may see, every bad input answered, and an index under each main query.

use crate::flows::{checked_class1, each};
use crate::harness::{TestApp, id_of, version_of};
use gaibu_domain::termination::TerminationState;
use gaibu_store::lists::applications::ApplicationFilter;
use gaibu_store::lists::checks::{DueCheckFilter, DueWindow};
use gaibu_store::lists::orders::{OrderFilter, TargetFilter, TargetState};
use gaibu_store::lists::rechecks::{OpenState, WorkFilter};
use gaibu_store::lists::register::RegisterFilter;
use gaibu_store::lists::services::{ServiceFilter, StatusFilter};
use gaibu_store::lists::terminations::TerminationFilter;
use gaibu_store::page::PageAsk;
use reqwest::StatusCode;
use serde_json::Value;

pub(crate) fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(id_of)
        .collect()
}

/// Follows `next_cursor` from `first` to the last page; every page holds at most `limit`.
pub(crate) async fn every_page(api: &crate::harness::Api, first: &str, limit: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut url = first.to_string();
    for _ in 0..100 {
        let (s, p) = api.get(&url).await;
        assert_eq!(s, StatusCode::OK, "{url}: {p}");
        let items = p["items"].as_array().expect("items");
        assert!(items.len() <= limit, "{url} gave {}", items.len());
        out.extend(items.iter().cloned());
        match p["next_cursor"].as_str() {
            Some(c) => url = format!("{first}&cursor={c}"),
            None => return out,
        }
    }
    panic!("more than 100 pages from {first}");
}

/// `unit` is `root` or below it.
fn within(units: &[gaibu_store::OrgUnitRow], unit: i64, root: i64) -> bool {
    let mut at = Some(unit);
    for _ in 0..64 {
        match at {
            Some(u) if u == root => return true,
            Some(u) => at = units.iter().find(|x| x.id == u).and_then(|x| x.parent_id),
            None => return false,
        }
    }
    false
}

pub(crate) async fn class1_service(app: &TestApp, name: &str) -> i64 {
    let im = app.api("im").await;
    let (id, a) = checked_class1(app, "im", name).await;
    let (s, r) = im.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    id_of(&r["service"])
}

pub async fn lists_are_paged_and_filtered_in_the_database(app: &TestApp) {
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(class1_service(app, &format!("一覧テスト会議{i}")).await);
    }
    let im = app.api("im").await;

    // Pages of three, cursor after cursor, give every service once, newest first.
    let (s, whole) = im.get("/services?limit=200").await;
    assert_eq!(s, StatusCode::OK, "{whole}");
    let all = ids(&whole);
    assert!(
        all.len() >= 7 && all.windows(2).all(|w| w[0] > w[1]),
        "{all:?}"
    );
    let paged: Vec<i64> = every_page(&im, "/services?limit=3", 3)
        .await
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(paged, all);

    // By name, ascending, two at a time: in order, complete, no repeats.
    let by_name = every_page(&im, "/services?sort=name&dir=asc&limit=2", 2).await;
    let names: Vec<String> = by_name
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(by_name.len(), all.len());

    // Filters in the database: words, track, status, classification, unit with its subtree.
    let (_, hits) = im.get("/services?q=一覧テスト").await;
    let mut found = ids(&hits);
    found.sort();
    assert_eq!(found, made);
    let (_, hits) = im
        .get("/services?q=一覧テスト&track=class1&classification=1")
        .await;
    assert_eq!(ids(&hits).len(), 7);
    let (_, hits) = im.get("/services?q=一覧テスト&status=unregistered").await;
    assert_eq!(ids(&hits).len(), 7, "approved, not yet in the ledger");
    let (_, hits) = im.get("/services?q=一覧テスト&status=in_operation").await;
    assert!(ids(&hits).is_empty());
    let units = app.st.store.org_units().await.expect("units");
    let unit = |code: &str| units.iter().find(|u| u.code == code).expect(code).id;
    let (_, hits) = im
        .get(&format!("/services?q=一覧テスト&org_unit={}", unit("CITY")))
        .await;
    assert_eq!(ids(&hits).len(), 7, "the city's subtree holds them");
    let other = units
        .iter()
        .find(|u| {
            u.parent_id.is_some()
                && !within(&units, unit("CIT-REG"), u.id)
                && !within(&units, u.id, unit("CIT-REG"))
        })
        .expect("a unit elsewhere");
    let (_, hits) = im
        .get(&format!("/services?q=一覧テスト&org_unit={}", other.id))
        .await;
    assert!(ids(&hits).is_empty(), "{}", other.code);

    // Bad input: an unknown value names its parameter; a page size over the bound is clamped;
    // a cursor that was tampered with is a bad request, on the API and on the page.
    for (q, param) in [
        ("status=bogus", "status"),
        ("classification=99", "classification"),
        ("org_unit=abc", "org_unit"),
        ("check=someday", "check"),
        ("dir=up", "dir"),
    ] {
        let (s, e) = im.get(&format!("/services?{q}")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {e}");
        assert_eq!(e["error"]["fields"][0]["field"], param, "{q}");
    }
    let (s, p) = im.get("/services?limit=100000").await;
    assert_eq!(s, StatusCode::OK);
    assert!(p["items"].as_array().expect("items").len() <= 200);
    let (_, first) = im.get("/services?limit=2").await;
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let mut forged = cursor.clone();
    forged.replace_range(0..2, if &cursor[0..2] == "00" { "11" } else { "00" });
    let (s, e) = im.get(&format!("/services?limit=2&cursor={forged}")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["error"]["code"], "bad_cursor");
    let (s, e) = im
        .get(&format!("/services?limit=2&sort=name&cursor={cursor}"))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a cursor of another order: {e}");

    let b = app.browser("im").await;
    let (s, html) = b.get("/services?status=bogus&q=x").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"unknown-filter\"") && !html.contains("<table id=\"services\""));
    assert!(html.contains("value=\"x\""), "the filter is shown back");
    let (s, _) = b.get(&format!("/services?limit=2&cursor={forged}")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, html) = b.get("/services?q=一覧テスト&limit=2").await;
    assert!(html.contains("id=\"next-page\""), "a next page link");
    let next = html
        .split("id=\"next-page\"")
        .next()
        .and_then(|h| h.rsplit("href=\"").next())
        .and_then(|h| h.split('"').next())
        .expect("its href")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let (s, html2) = b.get(&next).await;
    assert_eq!(s, StatusCode::OK, "{next}");
    assert!(
        html2.contains("id=\"first-page\"") && html2.contains("一覧テスト会議"),
        "{next}: {html2}"
    );

    // Applications: each reader sees their own and those of the units they oversee.
    let staff = app.api("staff").await;
    let (_, mine) = staff.get("/applications?limit=200").await;
    let staff_id = app.user_id("staff").await;
    assert!(
        mine["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|a| a["applicant_id"] == staff_id),
        "{mine}"
    );
    let (_, theirs) = im.get("/applications?q=一覧テスト&state=approved").await;
    assert_eq!(ids(&theirs).len(), 7);
    let (s, e) = im.get("/applications?state=pending").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

// clause: S5.2.1-5 — the usage register is kept by the ISM of the units; others do not see it
pub async fn register_shows_each_reader_their_units(app: &TestApp) {
    let ism = app.api("ism").await;
    let (s, reg) = ism.get("/register?limit=200").await;
    assert_eq!(s, StatusCode::OK, "{reg}");
    assert!(!ids(&reg).is_empty(), "the demo's class-2 services");
    let (_, ciso) = app.api("ciso").await.get("/register?limit=200").await;
    assert!(ids(&ciso).len() >= ids(&reg).len());
    let (_, staff) = app.api("staff").await.get("/register").await;
    assert!(each(&staff, "service_name").is_empty(), "{staff}");
    let (_, suspended) = ism.get("/register?status=suspended").await;
    assert!(
        suspended["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|e| e["suspended"] == true)
    );
    let (s, e) = ism.get("/register?status=paused").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

pub async fn main_list_queries_use_an_index(app: &TestApp) {
    let store = &app.st.store;
    let today = app.st.today();
    let ask = PageAsk {
        limit: 50,
        ..Default::default()
    };
    let plans = [
        (
            "services by status",
            store
                .service_page_plan(
                    &ServiceFilter {
                        status: Some(StatusFilter::Unregistered),
                        ..Default::default()
                    },
                    &ask,
                )
                .await,
            &["services_status", "services_check_due"][..],
        ),
        (
            "services by provider",
            store
                .service_page_plan(
                    &ServiceFilter {
                        provider: Some("株式会社デモ会議".into()),
                        ..Default::default()
                    },
                    &ask,
                )
                .await,
            &["services_provider"][..],
        ),
        (
            "register of units",
            store
                .register_page_plan(
                    &RegisterFilter {
                        seen_units: Some(vec![1]),
                        ..Default::default()
                    },
                    &ask,
                )
                .await,
            &["usage_register_org"][..],
        ),
        (
            "applications by state",
            store
                .application_page_plan(
                    &ApplicationFilter {
                        state: Some(gaibu_domain::application::State::Submitted),
                        ..Default::default()
                    },
                    &ask,
                )
                .await,
            &["applications_state", "applications_waiting"][..],
        ),
        (
            "periodic checks due",
            store
                .due_check_page_plan(
                    &DueCheckFilter {
                        user_id: 1,
                        ism_units: vec![1],
                        q: String::new(),
                        org_unit: None,
                        classification: None,
                        due: DueWindow::Overdue { today },
                        due_from: None,
                        due_to: None,
                    },
                    &ask,
                )
                .await,
            &[
                "services_check_due",
                "services_next_check",
                "services_status",
            ][..],
        ),
        (
            "periodic checks of a person who oversees no unit",
            store
                .due_check_page_plan(
                    &DueCheckFilter {
                        user_id: 1,
                        ism_units: vec![],
                        q: String::new(),
                        org_unit: None,
                        classification: None,
                        due: DueWindow::Due { by: today },
                        due_from: None,
                        due_to: None,
                    },
                    &ask,
                )
                .await,
            &[
                "services_business_system_manager",
                "services_infrastructure_manager",
            ][..],
        ),
        (
            "terminations waiting",
            store
                .termination_page_plan(
                    &TerminationFilter {
                        ism_units: vec![1],
                        state: Some(TerminationState::Requested),
                        ..Default::default()
                    },
                    &ask,
                )
                .await,
            &[
                "terminations_waiting",
                "terminations_state_requested",
                "terminations_org",
            ][..],
        ),
        (
            "a person's open re-checks",
            store
                .recheck_page_plan(
                    &WorkFilter {
                        person_id: Some(1),
                        state: Some(OpenState::Open),
                        ..WorkFilter::on(today)
                    },
                    &ask,
                )
                .await,
            &["rechecks_administrator", "rechecks_state_due"][..],
        ),
        (
            "every re-check, soonest due first (the CISO's scope=all)",
            store
                .recheck_page_plan(
                    &WorkFilter::on(today),
                    &PageAsk {
                        sort: "due_on".into(),
                        dir: gaibu_store::page::Dir::Asc,
                        ..ask.clone()
                    },
                )
                .await,
            &["rechecks_due"][..],
        ),
        (
            "every corrective action, soonest due first",
            store
                .action_page_plan(
                    &WorkFilter::on(today),
                    &PageAsk {
                        sort: "due_on".into(),
                        dir: gaibu_store::page::Dir::Asc,
                        ..ask.clone()
                    },
                )
                .await,
            &["corrective_actions_due"][..],
        ),
        (
            "open corrective actions",
            store
                .action_page_plan(
                    &WorkFilter {
                        state: Some(OpenState::Open),
                        ..WorkFilter::on(today)
                    },
                    &ask,
                )
                .await,
            &["corrective_actions_state_due"][..],
        ),
        (
            "pending check orders",
            store
                .order_page_plan(
                    &OrderFilter {
                        today,
                        state: Some(TargetState::Pending),
                        overdue: false,
                    },
                    &ask,
                )
                .await,
            &["check_order_targets_order"][..],
        ),
        (
            "an order's services",
            store
                .target_page_plan(
                    &TargetFilter {
                        today,
                        order_id: Some(1),
                        administrator_id: None,
                        state: None,
                        overdue: false,
                    },
                    &ask,
                )
                .await,
            &["check_order_targets_order"][..],
        ),
    ];
    // Any index that leads with the filtered column serves it.
    for (what, plan, indexes) in plans {
        let plan = plan.expect("plan");
        assert!(
            indexes.iter().any(|i| plan.contains(i)),
            "{what} uses none of {indexes:?}:\n{plan}"
        );
        assert!(!plan.contains("Seq Scan on services"), "{what}:\n{plan}");
    }
}
