//! Issue 11: a ledger file checked row by row before anything is imported (the dry run).

use crate::harness::TestApp;
use gaibu::import::ledger::dry_run;
use gaibu::import::table::Encoding;
use gaibu_domain::import::Plan;

/// An .xlsx file with these rows under the header.
pub(crate) fn workbook(rows: &[[&str; 6]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let head = [
        "外部サービスの名称",
        "外部サービス提供者の名称",
        "所属",
        "機密性",
        "管理者",
        "台帳登録日",
    ];
    for (c, h) in head.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("cell");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet
                .write_string(r as u32 + 1, c as u16, *v)
                .expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// `login` as the app knows them, to act as in calls of the library.
pub async fn acting(app: &TestApp, login: &str) -> gaibu::auth::CurrentUser {
    let u = app
        .st
        .store
        .user_by_login(login)
        .await
        .expect("db")
        .expect("a demo user");
    gaibu::auth::acting_as(&app.st, u.id).await.expect("acting")
}

// clause: S5.2.2-3 — a ledger brought in from a spreadsheet is checked entry by entry against
// the city's units, classification and people before anything is written
pub async fn a_ledger_file_is_checked_row_by_row(app: &TestApp) {
    let (name, provider): (String, String) = sqlx::query_as(
        "SELECT name, provider FROM services WHERE registered_on IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(app.st.store.pool())
    .await
    .expect("a registered demo service");
    let file = workbook(&[
        [
            "会議サービス",
            "株式会社テスト",
            "CIT-REG",
            "2",
            "bsm",
            "平成31年4月30日",
        ],
        [
            "文書共有",
            "株式会社共有",
            "存在しない課",
            "2",
            "bsm",
            "令和元年4月30日",
        ],
        [
            "会議サービス",
            "株式会社テスト",
            "CIT-REG",
            "2",
            "bsm",
            "2026-04-01",
        ],
        [&name, &provider, "CIT-REG", "2", "bsm", "令和元年5月1日"],
    ]);
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM services")
            .fetch_one(app.st.store.pool())
            .await
            .expect("count")
    };
    let before = count().await;
    let ism = acting(app, "ism").await;
    let run = dry_run(&app.st, &ism, "ledger.xlsx", &file, Encoding::Detect, &[])
        .await
        .expect("db")
        .expect("read and mapped");
    assert_eq!(
        run.mapping.column("administrator"),
        Some(4),
        "guessed from 管理者"
    );
    let rows = &run.check.rows;
    assert_eq!(rows.len(), 4);
    let Ok(Plan::Create(first)) = &rows[0].result else {
        panic!("{rows:?}");
    };
    assert_eq!(rows[0].row, 2, "numbered as the spreadsheet numbers it");
    assert_eq!(first.registered_on, jiff::civil::date(2019, 4, 30));
    let errs = rows[1].result.clone().expect_err("a bad row");
    assert!(
        errs.iter()
            .any(|e| e.field == "org_unit" && e.code == "unknown_org_unit")
    );
    assert!(
        errs.iter()
            .any(|e| e.field == "registered_on" && e.code == "import_date"),
        "令和元年4月30日 is not a day of Reiwa: {errs:?}"
    );
    assert!(
        rows[2]
            .result
            .as_ref()
            .is_err_and(|e| e.iter().any(|e| e.code == "duplicate")),
        "{rows:?}"
    );
    // Matched: updated, unchanged, or refused for changing its class or administrator.
    assert!(
        match &rows[3].result {
            Ok(p) => matches!(p, Plan::Update(..) | Plan::Unchanged(_)),
            Err(e) =>
                e.iter()
                    .all(|e| e.code == "import_class_change"
                        || e.code == "import_administrator_change"),
        },
        "the service already in the ledger is matched: {rows:?}"
    );
    assert!(!run.check.is_clean());
    assert_eq!(
        run.mapping.place(&run.table, "org_unit"),
        "C (所属)",
        "errors name their column"
    );
    // The command line says the same and fails; a clean file passes. Nothing is written.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.xlsx");
    std::fs::write(&path, &file).expect("write");
    let cli = |p: &std::path::Path| {
        <gaibu::cli::Cli as clap::Parser>::try_parse_from([
            "gaibu",
            "import",
            "ledger",
            p.to_str().expect("path"),
            "--check",
            "--as",
            "ism",
            "--database-url",
            &app.db_url,
        ])
        .expect("arguments")
    };
    assert_eq!(gaibu::cli::run(cli(&path)).await.expect("import"), 1);
    let clean = workbook(&[[
        "会議サービス",
        "株式会社テスト",
        "CIT-REG",
        "機密性2",
        "bsm",
        "R1.5.1",
    ]]);
    std::fs::write(&path, &clean).expect("write");
    let run = dry_run(&app.st, &ism, "ledger.xlsx", &clean, Encoding::Detect, &[])
        .await
        .expect("db")
        .expect("read");
    assert!(run.check.is_clean(), "{:?}", run.check);
    assert_eq!(gaibu::cli::run(cli(&path)).await.expect("import"), 0);
    // A confirmed mapping that leaves a required field out is refused before any row is read.
    let refused = dry_run(
        &app.st,
        &ism,
        "ledger.xlsx",
        &clean,
        Encoding::Detect,
        &[("name".into(), "A".into())],
    )
    .await
    .expect("db");
    assert!(matches!(refused, Err(gaibu::import::Refused::Mapping(..))));
    assert_eq!(count().await, before, "a dry run writes nothing");
}

/// Audit events of `action`: their `after_json`.
pub(crate) async fn audited(app: &TestApp, action: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT after_json FROM audit_events WHERE action = $1 ORDER BY seq")
        .bind(action)
        .fetch_all(app.st.store.pool())
        .await
        .expect("audit")
}

pub(crate) fn upload<'a>(name: &'a str, bytes: &'a [u8]) -> gaibu::import::Upload<'a> {
    gaibu::import::Upload {
        name,
        bytes,
        encoding: Encoding::Detect,
        map: &[],
    }
}

// clause: S5.2.2-3 — services of a city's existing ledger are registered all or nothing, each
// with the file and row it came from in the audit trail, and a second import of the same file
// changes nothing
pub async fn a_ledger_file_is_imported_all_or_nothing_once(app: &TestApp) {
    use gaibu::import::{Kind, import};
    let ism = acting(app, "ism").await;
    let services = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM services")
            .fetch_one(app.st.store.pool())
            .await
            .expect("count")
    };
    let before = services().await;
    let rows = [
        [
            "取込会議",
            "株式会社取込",
            "CIT-REG",
            "機密性2",
            "bsm",
            "令和元年5月1日",
        ],
        [
            "取込文書",
            "株式会社取込",
            "CIT-REG",
            "1",
            "bsm",
            "2019-04-30",
        ],
        ["取込予約", "株式会社取込", "CIT-REG", "2", "bsm", "R8.4.1"],
    ];
    let mut bad = rows.to_vec();
    bad.push([
        "取込誤り",
        "株式会社取込",
        "CIT-REG",
        "2",
        "nobody",
        "2026-04-01",
    ]);
    let file = workbook(&bad);
    let (checked, done) = import(
        &app.st,
        &ism,
        Kind::Ledger,
        &upload("台帳.xlsx", &file),
        &|| {},
    )
    .await
    .expect("db");
    assert!(done.is_none(), "one bad row imports nothing");
    let checked = checked.expect("read");
    let line = checked.lines.last().expect("the bad row");
    assert_eq!(line.row, 5);
    assert!(
        line.what.as_ref().is_err_and(|e| e
            .iter()
            .any(|e| e.field == "administrator" && e.code == "import_unknown_login")),
        "{line:?}"
    );
    assert_eq!(services().await, before, "nothing half-saved");

    let file = workbook(&rows);
    let (c, done) = import(
        &app.st,
        &ism,
        Kind::Ledger,
        &upload("台帳.xlsx", &file),
        &|| {},
    )
    .await
    .expect("db");
    let Some(run) = done else {
        panic!("a clean file is imported: {:?}", c.map(|c| c.lines));
    };
    assert_eq!((run.created, run.updated), (3, 0));
    assert_eq!(services().await, before + 3);
    let (status, registered_on, admin, origin): (String, String, i64, Option<String>) =
        sqlx::query_as(
            "SELECT s.ledger_status, s.registered_on, s.administrator_id, a.origin \
             FROM services s JOIN applications a ON a.id = s.application_id WHERE s.name = '取込会議'",
        )
        .fetch_one(app.st.store.pool())
        .await
        .expect("the imported service");
    assert_eq!(status, "in_operation");
    assert_eq!(registered_on, "2019-05-01", "令和元年5月1日");
    assert_eq!(admin, app.user_id("bsm").await);
    assert!(origin.is_some_and(|o| o.contains("台帳.xlsx") && o.contains("\"row\":2")));
    let events = audited(app, "ledger.imported").await;
    assert_eq!(events.len(), 3);
    for (i, e) in events.iter().enumerate() {
        assert!(
            e.contains("台帳.xlsx")
                && e.contains(&run.sha256)
                && e.contains(&format!("\"row\":{}", i + 2)),
            "{e}"
        );
    }
    assert_eq!(audited(app, "import.completed").await.len(), 1);

    // The same file again: nothing new; a changed date updates that service alone.
    let (_, again) = import(
        &app.st,
        &ism,
        Kind::Ledger,
        &upload("台帳.xlsx", &file),
        &|| {},
    )
    .await
    .expect("db");
    assert_eq!(again.map(|r| (r.created, r.updated)), Some((0, 0)));
    assert_eq!(services().await, before + 3);
    let mut changed = rows.to_vec();
    changed[2][5] = "2026-05-01";
    let file = workbook(&changed);
    let (_, done) = import(
        &app.st,
        &ism,
        Kind::Ledger,
        &upload("台帳2.xlsx", &file),
        &|| {},
    )
    .await
    .expect("db");
    assert_eq!(done.map(|r| (r.created, r.updated)), Some((0, 1)));

    // Staff may not import; the page is the ISM's and says what was done.
    let staff = acting(app, "staff").await;
    let refused = import(
        &app.st,
        &staff,
        Kind::Ledger,
        &upload("台帳.xlsx", &file),
        &|| {},
    )
    .await;
    assert!(refused.is_err(), "staff is refused");
    let b = app.browser("staff").await;
    assert_eq!(b.get("/imports").await.0, reqwest::StatusCode::FORBIDDEN);
    let b = app.browser("ism").await;
    let (s, html) = b.get(&format!("/imports?done={}", run.id)).await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert!(
        html.contains("id=\"import-done\"") && html.contains("台帳.xlsx"),
        "{html}"
    );
    let (_, html) = b.get("/services").await;
    assert!(html.contains("href=\"/imports?kind=ledger\""));
}
