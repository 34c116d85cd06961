//! The lifecycle lists and a service's accounts out as files (issue 11): re-checks, corrective
//! actions, terminations, check orders and official accounts, each as CSV and .xlsx from its
//! page, headed in Japanese with the page's labels, narrowed by the page's filters, and the
//! same file from the JSON API.

use crate::export::{download, exports, fetch, text_of, utf8_csv, workbook};
use crate::harness::{Api, Browser, TestApp, id_of, version_of};
use crate::lists::{class1_service, ids};
use reqwest::StatusCode;
use serde_json::json;

async fn exec(app: &TestApp, sql: &str, binds: &[String]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = match b.parse::<i64>() {
            Ok(n) => q.bind(n),
            Err(_) => q.bind(b.clone()),
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

/// A CSV export from the JSON API (`path` after `/api/v1`).
async fn api_csv(app: &TestApp, api: &Api, path: &str) -> Vec<Vec<String>> {
    let res = api
        .http
        .get(format!("{}/api/v1{path}", app.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    utf8_csv(&res.bytes().await.expect("body"))
}

/// The first column of each data row, as ids.
fn first_ids(rows: &[Vec<String>]) -> Vec<i64> {
    rows[1..]
        .iter()
        .map(|r| r[0].parse().expect("an id"))
        .collect()
}

/// The list at `page` (a list page) offers its download at `action`; its CSV export with
/// `query` is headed `headers`, its workbook has the same header and rows, and the API answers
/// the same file. Returns the CSV's rows.
async fn same_everywhere(
    app: &TestApp,
    (b, api): (&Browser, &Api),
    (page, action): (&str, &str),
    query: &str,
    headers: &[&str],
) -> Vec<Vec<String>> {
    let (s, html) = b.get(page).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(html.contains(&format!("action=\"{action}\"")), "{page}");
    let (ct, _, body) = download(b, &format!("{action}?format=csv&{query}")).await;
    assert_eq!(ct, "text/csv; charset=utf-8");
    let rows = utf8_csv(&body);
    assert_eq!(rows[0], headers, "{action}");
    let (_, cd, xlsx) = download(b, &format!("{action}?format=xlsx&{query}")).await;
    assert!(cd.contains(".xlsx"), "{cd}");
    let (range, _) = workbook(&xlsx);
    let sheet: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(text_of).collect())
        .collect();
    assert_eq!(sheet[0], headers, "{action}.xlsx");
    assert_eq!(sheet.len(), rows.len(), "{action}.xlsx");
    let api_rows = api_csv(app, api, &format!("{action}?format=csv&{query}")).await;
    assert_eq!(api_rows, rows, "the API's {action}");
    rows
}

pub async fn lifecycle_lists_and_accounts_go_out_as_files(app: &TestApp) {
    let today = app.st.today();
    let day = |n: i64| {
        today
            .checked_add(jiff::Span::new().days(n))
            .expect("date")
            .to_string()
    };
    let im_id = app.user_id("im").await.to_string();
    let made = [
        class1_service(app, "出力一覧テスト0").await,
        class1_service(app, "出力一覧テスト1").await,
        class1_service(app, "出力一覧テスト2").await,
    ];
    let (im, ism) = (app.browser("im").await, app.browser("ism").await);
    let (im_api, ism_api) = (app.api("im").await, app.api("ism").await);
    // The third goes into the ledger: its accounts, and a check ordered of it.
    let sid = made[2];
    let (_, svc) = im_api.get(&format!("/services/{sid}")).await;
    let (s, svc) = im_api
        .register(sid, version_of(&svc), "出力チャット", &day(0))
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");

    // ---- re-checks (S6.1) and corrective actions (S6.2) ----
    let mut rechecks = Vec::new();
    for (i, cause) in ["incident", "terms_changed"].into_iter().enumerate() {
        exec(
            app,
            "INSERT INTO rechecks (service_id, administrator_id, cause, description, occurred_on, \
             due_on, state, created_at, updated_at) VALUES ($1, $2, $3, '出力', $4, $5, 'open', 1, 1)",
            &[
                made[i].to_string(),
                im_id.clone(),
                cause.into(),
                day(-3),
                day(i as i64),
            ],
        )
        .await;
        rechecks.push(last_id(app, "rechecks").await);
    }
    let headers = [
        "ID",
        "外部サービスの名称",
        "契機",
        "内容",
        "発生日",
        "期限",
        "状態",
        "外部サービス管理者",
        "判定日時",
    ];
    let (_, listed) = im_api.get("/rechecks?limit=200").await;
    let rows = same_everywhere(
        app,
        (&im, &im_api),
        ("/rechecks", "/rechecks/export"),
        "",
        &headers,
    )
    .await;
    assert_eq!(
        first_ids(&rows),
        ids(&listed),
        "the page's rows, in its order"
    );
    let ours = rows
        .iter()
        .find(|r| r[0] == rechecks[0].to_string())
        .expect("ours");
    assert_eq!(ours[1], "出力一覧テスト0");
    assert_eq!(ours[2], "インシデントの発生");
    assert_eq!(ours[4], day(-3));
    assert_eq!(ours[6], "未判定");
    let q = "cause=terms_changed";
    let rows = same_everywhere(
        app,
        (&im, &im_api),
        ("/rechecks", "/rechecks/export"),
        q,
        &headers,
    )
    .await;
    let got = first_ids(&rows);
    assert!(
        got.contains(&rechecks[1]) && !got.contains(&rechecks[0]),
        "{got:?}"
    );

    exec(
        app,
        "INSERT INTO corrective_actions (recheck_id, service_id, administrator_id, owner_id, \
         due_on, plan, state, created_at, updated_at) VALUES ($1, $2, $3, $3, $4, '設定の是正', 'open', 1, 1)",
        &[
            rechecks[1].to_string(),
            made[1].to_string(),
            im_id.clone(),
            day(5),
        ],
    )
    .await;
    let action = last_id(app, "corrective_actions").await;
    let headers = [
        "ID",
        "再確認",
        "外部サービスの名称",
        "是正の内容",
        "期限",
        "状態",
        "担当者",
        "実施内容・是正できない理由",
    ];
    // The page lists the actions with `actions=`: its download gives them, as does theirs.
    let page = ("/rechecks?actions=open", "/rechecks/export");
    let rows = same_everywhere(app, (&im, &im_api), page, "actions=open", &headers).await;
    let (_, listed) = im_api.get("/corrective-actions?limit=200").await;
    assert_eq!(first_ids(&rows), ids(&listed));
    let ours = rows
        .iter()
        .find(|r| r[0] == action.to_string())
        .expect("ours");
    assert_eq!(
        ours[1..4],
        [
            rechecks[1].to_string(),
            "出力一覧テスト1".into(),
            "設定の是正".into()
        ]
    );
    let (_, _, body) = download(&im, "/corrective-actions/export?format=csv&state=closed").await;
    assert!(
        !first_ids(&utf8_csv(&body)).contains(&action),
        "the filter narrows"
    );
    let (_, _, body) = download(&im, "/rechecks/export?format=csv&actions=closed").await;
    assert!(!first_ids(&utf8_csv(&body)).contains(&action));
    let (s, _, _, _) = fetch(
        &im.http,
        &format!("{}/rechecks/export?format=csv&actions=later", im.base),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // ---- terminations ----
    for (i, state) in ["requested", "accepted"].into_iter().enumerate() {
        exec(
            app,
            "INSERT INTO terminations (service_id, org_unit_id, state, reason, planned_end_on, \
             requested_by, requested_at, created_at, updated_at) \
             SELECT id, org_unit_id, $1, '出力の確認', $2, $3, 1700000000000, 1, 1 \
             FROM services WHERE id = $4",
            &[state.into(), day(30), im_id.clone(), made[i].to_string()],
        )
        .await;
    }
    let headers = [
        "ID",
        "外部サービスの名称",
        "外部サービス提供者の名称",
        "所属",
        "取り扱う情報の格付",
        "状態",
        "利用中止の理由",
        "利用終了予定日",
        "外部サービス管理者",
        "申請日時",
    ];
    let page = ("/terminations", "/terminations/export");
    let rows = same_everywhere(app, (&ism, &ism_api), page, "", &headers).await;
    let got = first_ids(&rows);
    assert!(
        got.contains(&made[0]) && !got.contains(&made[1]),
        "waiting ones: {got:?}"
    );
    let ours = rows
        .iter()
        .find(|r| r[0] == made[0].to_string())
        .expect("ours");
    assert_eq!(ours[7], day(30));
    assert_eq!(
        ours[8],
        app.st
            .store
            .user(app.user_id("im").await)
            .await
            .expect("im")
            .expect("im")
            .display_name
    );
    let rows = same_everywhere(app, (&ism, &ism_api), page, "state=all", &headers).await;
    let got = first_ids(&rows);
    assert!(got.contains(&made[0]) && got.contains(&made[1]), "{got:?}");

    // ---- check orders (S6.3) ----
    let order = json!({"service_id": sid.to_string(), "reason": "出力の点検", "due_on": day(7)});
    let (s, issued) = ism_api.post("/check-orders", order).await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    let oid = id_of(&issued);
    let headers = [
        "ID",
        "対象",
        "指示の理由",
        "報告期限",
        "対象数",
        "報告済み",
        "未報告",
        "期限超過",
        "作成日時",
    ];
    let page = ("/check-orders", "/check-orders/export");
    let rows = same_everywhere(app, (&ism, &ism_api), page, "", &headers).await;
    let ours = rows.iter().find(|r| r[0] == oid.to_string()).expect("ours");
    assert_eq!(
        ours[1..7],
        [
            format!("外部サービス #{sid}"),
            "出力の点検".into(),
            day(7),
            "1".into(),
            "0".into(),
            "1".into()
        ]
    );
    let rows = same_everywhere(app, (&ism, &ism_api), page, "state=reported", &headers).await;
    assert!(!first_ids(&rows).contains(&oid), "still pending");
    // Only the ISM: anyone else is refused, as on the list.
    let (s, _, _, _) = fetch(
        &im.http,
        &format!("{}/check-orders/export?format=csv", im.base),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // ---- a service's official accounts (S5.2.2-4) ----
    let org = svc["org_unit_id"].as_i64().expect("org");
    for (acct, kind) in [
        ("export-admin@city.example.lg.jp", "admin"),
        ("export-room@city.example.lg.jp", "shared"),
    ] {
        let (s, body) = im_api
            .post(
                &format!("/services/{sid}/accounts"),
                json!({"account_id": acct, "kind": kind, "holder_org_unit": org,
                       "holder_position": "係長", "created_on": day(0), "purpose": "運用"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    let headers = [
        "アカウントID",
        "種別",
        "使用者の所属",
        "使用者の役職・係",
        "作成日",
        "利用目的（業務内容）",
        "状態",
        "廃棄日",
    ];
    let path = format!("/services/{sid}/accounts");
    let action = format!("{path}/export");
    let rows = same_everywhere(app, (&im, &im_api), (&path, &action), "", &headers).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[1..].iter().all(|r| r[6] == "使用中" && r[4] == day(0)),
        "{rows:?}"
    );
    let rows = same_everywhere(
        app,
        (&im, &im_api),
        (&path, &action),
        "q=export-room",
        &headers,
    )
    .await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][0], "export-room@city.example.lg.jp");
    // `gaibu export accounts --service` writes the same list to a file.
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("accounts.xlsx");
    let sid_arg = sid.to_string();
    let cli = <gaibu::cli::Cli as clap::Parser>::try_parse_from([
        "gaibu",
        "export",
        "accounts",
        "--service",
        &sid_arg,
        "--filter",
        "q=export-room",
        "--as",
        "im",
        "--out",
        out.to_str().expect("path"),
        "--database-url",
        &app.db_url,
    ])
    .expect("arguments");
    assert_eq!(gaibu::cli::run(cli).await.expect("export"), 0);
    let (range, _) = workbook(&std::fs::read(&out).expect("the file"));
    let sheet: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(text_of).collect())
        .collect();
    assert_eq!(sheet.len(), 2);
    assert_eq!(sheet[1][0], "export-room@city.example.lg.jp");
    // Those who may not see the accounts on the service's page may not take them out.
    let staff_api = app.api("staff").await;
    let (s, _) = staff_api.get(&path).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let staff = app.browser("staff").await;
    let (s, _, _, _) = fetch(&staff.http, &format!("{}{action}?format=csv", staff.base)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Each export is audited, by list, with its filters; a service's accounts name it.
    let events = exports(app).await;
    for list in [
        "rechecks",
        "corrective-actions",
        "terminations",
        "check-orders",
        "accounts",
    ] {
        assert!(events.iter().any(|(_, d)| d["list"] == list), "{list}");
    }
    assert!(events.iter().any(|(_, d)| d["list"] == "accounts"
        && d["filters"]["service"] == sid
        && d["filters"]["q"] == "export-room"
        && d["via"] == "api"));
    assert!(
        events
            .iter()
            .any(|(_, d)| d["list"] == "accounts" && d["via"] == "cli" && d["rows"] == 1)
    );
    assert!(
        events
            .iter()
            .any(|(_, d)| d["list"] == "rechecks" && d["filters"]["cause"] == "terms_changed")
    );

    // The API documents each.
    let doc: serde_json::Value = app.openapi().await;
    for path in [
        "/api/v1/rechecks/export",
        "/api/v1/corrective-actions/export",
        "/api/v1/terminations/export",
        "/api/v1/check-orders/export",
        "/api/v1/services/{id}/accounts/export",
    ] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{path} is documented"
        );
    }
}
