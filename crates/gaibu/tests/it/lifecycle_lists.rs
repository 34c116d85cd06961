//! The lifecycle lists paged by keyset and filtered in the database (issue 8): the periodic
//! checks due, re-checks and corrective actions, the ordered checks and the terminations —
//! every row once across pages, each filter, unknown values named, forged cursors refused, and
//! only what the reader may see.

use crate::harness::{Api, TestApp};
use crate::lists::{class1_service, every_page};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;

/// The values of `field` of each row, as ids.
fn of(rows: &[Value], field: &str) -> Vec<i64> {
    rows.iter()
        .map(|r| {
            r[field]
                .as_i64()
                .unwrap_or_else(|| panic!("no {field}: {r}"))
        })
        .collect()
}

/// The `field` ids of every row of the list at `url` (all pages), as a set; none twice.
async fn all_of(api: &Api, url: &str, field: &str) -> BTreeSet<i64> {
    let sep = if url.contains('?') { '&' } else { '?' };
    let rows = every_page(api, &format!("{url}{sep}limit=2"), 2).await;
    let ids = of(&rows, field);
    let set: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(set.len(), ids.len(), "a row twice in {url}: {ids:?}");
    set
}

/// Those of `ours` that the list at `url` shows.
async fn shown(api: &Api, url: &str, field: &str, ours: &[i64]) -> Vec<i64> {
    let all = all_of(api, url, field).await;
    ours.iter().copied().filter(|i| all.contains(i)).collect()
}

async fn exec(app: &TestApp, sql: &str, binds: &[&str]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = match b.parse::<i64>() {
            Ok(n) => q.bind(n),
            Err(_) => q.bind(b.to_string()),
        };
    }
    q.execute(app.st.store.pool()).await.expect(sql);
}

async fn last_id(app: &TestApp, table: &str) -> i64 {
    let row = sqlx::query(&format!("SELECT MAX(id) AS id FROM {table}"))
        .fetch_one(app.st.store.pool())
        .await
        .expect("max id");
    sqlx::Row::try_get::<i64, _>(&row, "id").expect("an id")
}

/// An unknown value: the API names the parameter in a 422, the page shows nothing and names
/// the filter; a forged cursor is a 400 on both.
async fn refuses(app: &TestApp, login: &str, path: &str, query: &str, param: &str) {
    let api = app.api(login).await;
    let (s, e) = api.get(&format!("{path}?{query}")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}?{query}: {e}");
    assert_eq!(e["error"]["fields"][0]["field"], param, "{path}?{query}");
    let b = app.browser(login).await;
    let (s, html) = b.get(&format!("{path}?{query}")).await;
    assert_eq!(s, StatusCode::OK, "{path}?{query}");
    assert!(
        html.contains("id=\"unknown-filter\""),
        "{path}?{query}: {html}"
    );
    let forged = "00".repeat(20);
    let (s, e) = api.get(&format!("{path}?cursor={forged}")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {e}");
    assert_eq!(e["error"]["code"], "bad_cursor");
    let (s, _) = b.get(&format!("{path}?cursor={forged}")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{path}");
}

pub async fn lifecycle_lists_are_paged_and_filtered(app: &TestApp) {
    let today = app.st.today();
    let day = |n: i64| {
        today
            .checked_add(jiff::Span::new().days(n))
            .expect("date")
            .to_string()
    };
    let units = app.st.store.org_units().await.expect("units");
    let unit = |code: &str| units.iter().find(|u| u.code == code).expect(code).id;
    let (reg, ga_ict) = (unit("CIT-REG"), unit("GA-ICT"));
    let im_id = app.user_id("im").await;
    let ism_id = app.user_id("ism").await;
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(class1_service(app, &format!("周期一覧テスト{i}")).await);
    }
    // In operation, due from two days ago to two days on; im administers them all; the
    // fourth is of classification 2, the fifth belongs to a unit the ISM is not over.
    for (i, sid) in made.iter().enumerate() {
        exec(
            app,
            "UPDATE services SET ledger_status = 'in_operation', next_check_due = $1, \
             administrator_id = $2 WHERE id = $3",
            &[&day(i as i64 - 2), &im_id.to_string(), &sid.to_string()],
        )
        .await;
    }
    exec(
        app,
        "UPDATE services SET confidentiality = '2' WHERE id = $1",
        &[&made[3].to_string()],
    )
    .await;
    exec(
        app,
        "UPDATE services SET org_unit_id = $1 WHERE id = $2",
        &[&ga_ict.to_string(), &made[4].to_string()],
    )
    .await;

    // ---- periodic checks due ----
    let im = app.api("im").await;
    let q = "/checks?q=周期一覧テスト";
    let rows = every_page(&im, &format!("{q}&limit=2"), 2).await;
    assert_eq!(
        of(&rows, "service_id"),
        made,
        "soonest due first, each once"
    );
    let dues: Vec<&str> = rows.iter().filter_map(|r| r["due_on"].as_str()).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");
    let by_name = every_page(&im, &format!("{q}&sort=name&dir=desc&limit=2"), 2).await;
    let mut desc = made.clone();
    desc.reverse();
    assert_eq!(of(&by_name, "service_id"), desc);
    for (filter, want) in [
        ("due=overdue", &made[0..2]),
        ("due=due_soon", &made[2..5]),
        ("due=all", &made[..]),
        (
            &format!("due_from={}&due_to={}", day(0), day(1)) as &str,
            &made[2..4],
        ),
        ("classification=2", &made[3..4]),
        (&format!("org_unit={ga_ict}"), &made[4..5]),
        (&format!("org_unit={reg}"), &made[0..4]),
    ] {
        let got = shown(&im, &format!("{q}&{filter}"), "service_id", &made).await;
        assert_eq!(got, want, "{filter}");
    }
    // Only the services one answers for: the ISM sees those of their units, staff none.
    let ism = app.api("ism").await;
    assert_eq!(shown(&ism, q, "service_id", &made).await, &made[0..4]);
    let staff = app.api("staff").await;
    assert!(shown(&staff, q, "service_id", &made).await.is_empty());
    refuses(app, "im", "/checks", "due=someday", "due").await;
    refuses(app, "im", "/checks", "due_to=2027-13-01", "due_to").await;
    // The page follows its next-page link.
    let b = app.browser("im").await;
    let (_, html) = b.get(&format!("{q}&limit=2")).await;
    let next = next_href(&html);
    let (s, html2) = b.get(&next).await;
    assert_eq!(s, StatusCode::OK, "{next}");
    assert!(
        html2.contains("id=\"first-page\"") && html2.contains("周期一覧テスト2"),
        "{html2}"
    );

    // ---- terminations ----
    let states = [
        "requested",
        "requested",
        "accepted",
        "requested",
        "requested",
    ];
    for (i, sid) in made.iter().enumerate() {
        let org = if i == 4 { ga_ict } else { reg };
        exec(
            app,
            "INSERT INTO terminations (service_id, org_unit_id, state, reason, planned_end_on, \
             requested_by, requested_at, created_at, updated_at) \
             VALUES ($1, $2, $3, '一覧の確認', $4, $5, $6, $6, $6)",
            &[
                &sid.to_string(),
                &org.to_string(),
                states[i],
                &day(30 + i as i64),
                &im_id.to_string(),
                &(1_700_000_000_000_i64 + i as i64).to_string(),
            ],
        )
        .await;
    }
    let t = "/terminations";
    let waiting = shown(&ism, t, "service_id", &made).await;
    assert_eq!(
        waiting,
        [made[0], made[1], made[3]],
        "requested, of the ISM's units"
    );
    let rows = every_page(&ism, "/terminations?state=all&limit=2", 2).await;
    let ours: Vec<i64> = of(&rows, "service_id")
        .into_iter()
        .filter(|s| made.contains(s))
        .collect();
    assert_eq!(ours, &made[0..4], "oldest request first, each once");
    for (filter, want) in [
        ("state=accepted", vec![made[2]]),
        ("state=all&classification=2", vec![made[3]]),
        (&format!("state=all&org_unit={ga_ict}") as &str, vec![]),
        (&format!("state=all&org_unit={reg}"), made[0..4].to_vec()),
    ] {
        let got = shown(&ism, &format!("{t}?{filter}"), "service_id", &made).await;
        assert_eq!(got, want, "{filter}");
    }
    let bsm = app.api("bsm").await;
    assert!(
        shown(&bsm, "/terminations?state=all", "service_id", &made)
            .await
            .is_empty()
    );
    refuses(app, "ism", t, "state=paused", "state").await;
    refuses(app, "ism", t, "classification=99", "classification").await;

    // ---- re-checks and corrective actions ----
    let causes = [
        "incident",
        "terms_changed",
        "incident",
        "incident",
        "incident",
    ];
    let rstates = ["open", "open", "compliant", "open", "open"];
    let mut rechecks = Vec::new();
    for (i, sid) in made.iter().enumerate() {
        exec(
            app,
            "INSERT INTO rechecks (service_id, administrator_id, cause, description, occurred_on, \
             due_on, state, created_at, updated_at) VALUES ($1, $2, $3, '一覧', $4, $5, $6, 1, 1)",
            &[
                &sid.to_string(),
                &im_id.to_string(),
                causes[i],
                &day(-10),
                &day(i as i64 - 2),
                rstates[i],
            ],
        )
        .await;
        rechecks.push(last_id(app, "rechecks").await);
    }
    let open = [rechecks[0], rechecks[1], rechecks[3], rechecks[4]];
    let rows = every_page(&im, "/rechecks?limit=2", 2).await;
    let mine: Vec<i64> = crate::lists::ids(&serde_json::json!({ "items": rows }))
        .into_iter()
        .filter(|r| rechecks.contains(r))
        .collect();
    assert_eq!(
        mine, open,
        "the administrator's open ones, soonest due first"
    );
    for (filter, want) in [
        ("state=closed", vec![rechecks[2]]),
        ("state=all", rechecks.clone()),
        ("due=overdue", vec![rechecks[0], rechecks[1]]),
        ("cause=terms_changed", vec![rechecks[1]]),
        ("classification=2", vec![rechecks[3]]),
        (&format!("org_unit={ga_ict}") as &str, vec![rechecks[4]]),
        (
            &format!("due_from={}", day(1)),
            vec![rechecks[3], rechecks[4]],
        ),
    ] {
        let got = shown(&im, &format!("/rechecks?{filter}"), "id", &rechecks).await;
        assert_eq!(got, want, "{filter}");
    }
    // The overseers: the ISM their units' (not the fifth), the Infrastructure Manager over
    // GA only the fifth, staff none.
    let got = shown(&ism, "/rechecks?scope=all", "id", &rechecks).await;
    assert_eq!(got, rechecks[0..4].to_vec());
    let infra = app.api("infra").await;
    let got = shown(&infra, "/rechecks?scope=all", "id", &rechecks).await;
    assert_eq!(got, vec![rechecks[4]]);
    assert!(
        shown(&staff, "/rechecks?scope=all", "id", &rechecks)
            .await
            .is_empty()
    );
    assert!(
        shown(&ism, "/rechecks", "id", &rechecks).await.is_empty(),
        "not the ISM's own"
    );
    refuses(app, "im", "/rechecks", "cause=weather", "cause").await;
    refuses(app, "im", "/rechecks", "scope=everyone", "scope").await;
    // A service's re-checks, newest first.
    let path = format!("/services/{}/rechecks", made[0]);
    let got = shown(&im, &path, "id", &rechecks).await;
    assert_eq!(got, vec![rechecks[0]]);

    let mut actions = Vec::new();
    for (i, r) in [rechecks[2], rechecks[3]].iter().enumerate() {
        exec(
            app,
            "INSERT INTO corrective_actions (recheck_id, service_id, administrator_id, owner_id, \
             due_on, plan, state, created_at, updated_at) VALUES ($1, $2, $3, $3, $4, '是正', $5, 1, 1)",
            &[
                &r.to_string(),
                &made[2 + i].to_string(),
                &im_id.to_string(),
                &day(i as i64),
                ["open", "corrected"][i],
            ],
        )
        .await;
        actions.push(last_id(app, "corrective_actions").await);
    }
    let a = "/corrective-actions";
    assert_eq!(shown(&im, a, "id", &actions).await, vec![actions[0]]);
    assert_eq!(
        shown(&im, &format!("{a}?state=all"), "id", &actions).await,
        actions
    );
    assert_eq!(
        shown(&im, &format!("{a}?state=closed"), "id", &actions).await,
        vec![actions[1]]
    );
    let got = shown(&ism, &format!("{a}?scope=all&state=all"), "id", &actions).await;
    assert_eq!(got, actions);
    assert!(
        shown(&infra, &format!("{a}?scope=all&state=all"), "id", &actions)
            .await
            .is_empty()
    );
    let (_, html) = b.get("/rechecks?actions=all").await;
    assert!(html.contains("id=\"my-actions\""), "{html}");
    let (_, html) = b.get("/rechecks?actions=later").await;
    assert!(html.contains("id=\"unknown-filter\""), "{html}");
    let (s, e) = im.get(&format!("{a}?actions=later")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "actions");

    // ---- ordered checks ----
    let mut orders = Vec::new();
    for (i, pair) in [[0usize, 1], [2, 3], [1, 3]].iter().enumerate() {
        exec(
            app,
            "INSERT INTO check_orders (ordered_by, target, reason, due_on, created_at) \
             VALUES ($1, '{\"provider\":\"一覧\"}', '一覧の確認', $2, 1)",
            &[&ism_id.to_string(), &day(i as i64 - 1)],
        )
        .await;
        let oid = last_id(app, "check_orders").await;
        orders.push(oid);
        for (k, s) in pair.iter().enumerate() {
            // The first order is late; the second's services have reported.
            let state = if i == 1 { "reported" } else { "pending" };
            exec(
                app,
                "INSERT INTO check_order_targets (order_id, service_id, administrator_id, due_on, \
                 state, updated_at) VALUES ($1, $2, $3, $4, $5, 1)",
                &[
                    &oid.to_string(),
                    &made[*s].to_string(),
                    &im_id.to_string(),
                    &day(i as i64 * 3 - 1 + k as i64),
                    state,
                ],
            )
            .await;
        }
    }
    let o = "/check-orders";
    let rows = every_page(&ism, "/check-orders?limit=2", 2).await;
    let ours: Vec<i64> = of(&rows, "id")
        .into_iter()
        .filter(|x| orders.contains(x))
        .collect();
    assert_eq!(
        ours,
        vec![orders[2], orders[1], orders[0]],
        "newest first, each once"
    );
    for (filter, want) in [
        ("state=reported", vec![orders[1]]),
        ("state=pending", vec![orders[0], orders[2]]),
        ("overdue=yes", vec![orders[0]]),
        ("sort=due_on&dir=asc", orders.clone()),
    ] {
        let got = shown(&ism, &format!("{o}?{filter}"), "id", &orders).await;
        assert_eq!(got, want, "{filter}");
    }
    let (s, _) = im.get(o).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the ISM's list");
    refuses(app, "ism", o, "state=lost", "state").await;
    refuses(app, "ism", o, "overdue=perhaps", "overdue").await;
    // One order's services, one a page.
    let mut targets = Vec::new();
    let mut url = format!("{o}/{}?limit=1", orders[0]);
    for _ in 0..5 {
        let (s, d) = ism.get(&url).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        targets.extend(of(d["targets"].as_array().expect("targets"), "service_id"));
        match d["next_cursor"].as_str() {
            Some(c) => url = format!("{o}/{}?limit=1&cursor={c}", orders[0]),
            None => break,
        }
    }
    assert_eq!(targets, vec![made[0], made[1]]);
    let (_, d) = ism.get(&format!("{o}/{}?overdue=yes", orders[0])).await;
    assert_eq!(
        of(d["targets"].as_array().expect("targets"), "service_id"),
        vec![made[0]]
    );
    let (s, e) = ism.get(&format!("{o}/{}?state=gone", orders[0])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // The administrator's own checks to report.
    all_of(&im, "/check-targets?state=pending", "id").await;
    let rows = every_page(&im, "/check-targets?state=pending&limit=2", 2).await;
    let pending: BTreeSet<i64> = of(&rows, "order_id").into_iter().collect();
    assert!(pending.contains(&orders[0]) && pending.contains(&orders[2]));
    assert!(!pending.contains(&orders[1]));
    assert!(all_of(&staff, "/check-targets", "id").await.is_empty());
}

/// The next-page link of a list page.
fn next_href(html: &str) -> String {
    html.split("id=\"next-page\"")
        .next()
        .and_then(|h| h.rsplit("href=\"").next())
        .and_then(|h| h.split('"').next())
        .expect("a next-page link")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}
