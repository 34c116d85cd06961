//! Issue 11: a ledger file checked row by row before anything is imported (the dry run).

use crate::harness::TestApp;
use gaibu::import::ledger::dry_run;
use gaibu::import::table::Encoding;
use gaibu_domain::import::Plan;

/// An .xlsx file with these rows under the header.
fn workbook(rows: &[[&str; 6]]) -> Vec<u8> {
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
    let run = dry_run(&app.st, "ledger.xlsx", &file, Encoding::Detect, &[])
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
    assert!(
        matches!(
            rows[3].result,
            Ok(Plan::Update(..)) | Ok(Plan::Unchanged(_))
        ),
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
            "--database-url",
            &app.db_url,
        ])
        .expect("arguments")
    };
    assert_eq!(gaibu::cli::run(cli(&path)).await.expect("import"), 1);
    let clean = workbook(&[[
        "会議サービス",
        "株式会社テスト",
        "本市",
        "機密性2",
        "bsm",
        "R1.5.1",
    ]]);
    std::fs::write(&path, &clean).expect("write");
    let run = dry_run(&app.st, "ledger.xlsx", &clean, Encoding::Detect, &[])
        .await
        .expect("db")
        .expect("read");
    assert!(run.check.is_clean(), "{:?}", run.check);
    assert_eq!(gaibu::cli::run(cli(&path)).await.expect("import"), 0);
    // A confirmed mapping that leaves a required field out is refused before any row is read.
    let refused = dry_run(
        &app.st,
        "ledger.xlsx",
        &clean,
        Encoding::Detect,
        &[("name".into(), "A".into())],
    )
    .await
    .expect("db");
    assert!(matches!(
        refused,
        Err(gaibu::import::ledger::Refused::Mapping(_))
    ));
    assert_eq!(count().await, before, "a dry run writes nothing");
}
