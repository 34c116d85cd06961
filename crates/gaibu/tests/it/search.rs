//! Full-text search in the database (issue 8): Japanese words of one, two or more characters,
//! full-width text, literal wildcards; services, applications and accounts; the index kept in
//! step with each write, and served by its index on both backends.

use crate::flows::{checked_class1, prepared, submitted_and_approved};
use crate::harness::{TestApp, id_of, version_of};
use gaibu_store::Doc;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The service ids the catalogue finds for `q` (every page).
async fn catalogue_ids(app: &TestApp, q: &str) -> Vec<i64> {
    let staff = app.api("staff").await;
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let query = serde_urlencoded::to_string([("q", q), ("cursor", &cursor), ("limit", "2")])
            .expect("query");
        let (s, page) = staff.get(&format!("/catalogue?{query}")).await;
        assert_eq!(s, StatusCode::OK, "{q}: {page}");
        for e in page["items"].as_array().expect("items") {
            ids.push(e["service_id"].as_i64().expect("service_id"));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => return ids,
        }
    }
}

/// A class-1 service named `name`, approved by the demo IM. Returns the service.
async fn class1_service(app: &TestApp, name: &str) -> Value {
    let (id, a) = checked_class1(app, "im", name).await;
    let (s, r) = app.api("im").await.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r["service"].clone()
}

async fn ids(app: &TestApp, doc: Doc, q: &str) -> Vec<i64> {
    app.st.store.search_ids(doc, q, 100).await.expect("search")
}

// clause: S3.4c — the catalogue finds an approved service by any word of it, Japanese included
pub async fn japanese_search_finds_words_of_any_length(app: &TestApp) {
    let web = id_of(&class1_service(app, "Web会議サービス（検索）").await);
    let other = id_of(&class1_service(app, "文書共有（検索）").await);
    for q in [
        "会議",      // two characters: no trigram exists
        "会",        // one character
        "会議サ",    // three
        "ｗｅｂ",    // full-width finds half-width
        "WEB　会議", // two words, the ideographic space between
        "web会議サービス（検索）",
    ] {
        let found = catalogue_ids(app, q).await;
        assert!(
            found.contains(&web),
            "{q} finds the Web会議 service: {found:?}"
        );
        // 会 alone is also in the provider's name, 株式会社テスト.
        if q != "会" {
            assert!(
                !found.contains(&other),
                "{q} does not find 文書共有: {found:?}"
            );
        }
    }
    assert!(catalogue_ids(app, "株式会社").await.contains(&other));
    for q in ["議会", "会議 存在しない", "鬱", "webx"] {
        let found = catalogue_ids(app, q).await;
        assert!(!found.contains(&web), "{q} finds nothing of it: {found:?}");
    }
    assert!(catalogue_ids(app, "存在しない語").await.is_empty());
    // The demo's Web会議 service too: every one is found, page after page.
    let all = catalogue_ids(app, "会議").await;
    assert!(all.len() >= 2, "{all:?}");
    // The ledger in id order, where the postings drive the query on SQLite: one row a page,
    // newest first, none twice, the same services.
    let ciso = app.api("ciso").await;
    let (mut listed, mut cursor) = (Vec::new(), String::new());
    loop {
        let query =
            serde_urlencoded::to_string([("q", "会議"), ("cursor", &cursor), ("limit", "1")])
                .expect("query");
        let (s, page) = ciso.get(&format!("/services?{query}")).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for e in page["items"].as_array().expect("items") {
            listed.push(e["id"].as_i64().expect("id"));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert!(listed.windows(2).all(|w| w[0] > w[1]), "{listed:?}");
    let mut sorted_all = all.clone();
    sorted_all.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(listed, sorted_all);
    let staff = app.api("staff").await;
    let (_, page) = staff.get("/catalogue?q=%E4%BC%9A%E8%AD%B0&limit=1").await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert!(page["next_cursor"].is_string());
    // A cursor not given by the server is refused.
    let (s, body) = staff.get("/catalogue?cursor=bm9wZQ").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    // The HTML page offers the next page, which goes on from there.
    let b = app.browser("staff").await;
    let (s, html) = b.get("/catalogue?q=%E4%BC%9A%E8%AD%B0&limit=1").await; // 会議
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Web会議サービス（検索）"), "the newest first");
    let next = html
        .split("id=\"catalogue-next\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the next page")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert!(
        next.starts_with("/catalogue?q=") && next.contains("cursor="),
        "{next}"
    );
    let (s, html) = b.get(&next).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        !html.contains("Web会議サービス（検索）"),
        "the next page holds the next: {next}"
    );
    assert!(html.contains("id=\"catalogue\""));
}

// `%` and `_` in a query are the characters themselves, not LIKE's wildcards.
pub async fn search_wildcards_are_literal(app: &TestApp) {
    // Every bigram of 1_0 and 1%0 is here, and LIKE's wildcards would match "100".
    let svc = id_of(&class1_service(app, "割合1_a型b_0版1%a型b%0版100").await);
    let plain = id_of(&class1_service(app, "割合100の版").await);
    for q in ["1_a", "b_0", "1%a", "b%0", "_", "%"] {
        let found = catalogue_ids(app, q).await;
        assert!(found.contains(&svc), "{q}: {found:?}");
        assert!(!found.contains(&plain), "{q}: {found:?}");
    }
    for q in ["1_0", "1%0", "割合_", "%版"] {
        let found = catalogue_ids(app, q).await;
        assert!(!found.contains(&svc), "{q}: {found:?}");
        assert!(!found.contains(&plain), "{q}: {found:?}");
    }
}

// Applications and accounts are searched too, and a change is indexed by the write that made it.
pub async fn search_covers_applications_accounts_and_changes(app: &TestApp) {
    // An application, by its name and by its purpose.
    let (draft, _) = checked_class1(app, "im", "議事録作成ツール").await;
    assert!(ids(app, Doc::Application, "議事録").await.contains(&draft));
    assert!(
        ids(app, Doc::Application, "共同編集")
            .await
            .contains(&draft)
    ); // the purpose

    // An account, by its id, the holder's position and its purpose.
    let svc = class1_service(app, "チャット（検索）").await;
    let sid = id_of(&svc);
    let im = app.api("im").await;
    let (s, svc) = im
        .register(sid, version_of(&svc), "庁内チャット", "2026-12-01")
        .await;
    assert_eq!(s, StatusCode::OK, "{svc}");
    let org = svc["org_unit_id"].as_i64().expect("org");
    let (s, acct) = im
        .post(
            &format!("/services/{sid}/accounts"),
            json!({"account_id": "kaigi-room@city.example.lg.jp", "kind": "shared",
                   "holder_org_unit": org, "holder_position": "係長",
                   "created_on": "2026-12-01", "purpose": "会議室の予約"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{acct}");
    let aid = id_of(&acct);
    assert_eq!(ids(app, Doc::Account, "kaigi-room").await, vec![aid]);
    for q in ["ＫＡＩＧＩ", "係長", "会議室", "予約"] {
        assert!(ids(app, Doc::Account, q).await.contains(&aid), "{q}");
    }
    // The ledger's system name is part of the service's text from the write that set it.
    assert!(catalogue_ids(app, "庁内チャット").await.contains(&sid));

    // A class-2 service: the register entry's purpose is searchable, and an edit of it
    // replaces the old words with the new in the same write.
    let (id, v) = prepared(app, "im", "共有ストレージ（検索）").await;
    let (_, r) = submitted_and_approved(app, "im", id, v).await;
    let sid2 = id_of(&r["service"]);
    let entry = app
        .st
        .store
        .register_entry_of_service(sid2)
        .await
        .expect("db")
        .expect("a register entry");
    let ism = app.api("ism").await;
    let (s, e) = ism.get(&format!("/register/{}", entry.id)).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let mut edit = e.clone();
    edit["service_name"] = json!("改称後ストレージ");
    edit["purpose"] = json!("選挙事務の名簿照合");
    let (s, e) = ism.put(&format!("/register/{}", entry.id), edit).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert!(catalogue_ids(app, "改称後").await.contains(&sid2));
    assert!(catalogue_ids(app, "名簿照合").await.contains(&sid2));
    let mut edit = e.clone();
    edit["purpose"] = json!("庁内文書の保管");
    let (s, _) = ism.put(&format!("/register/{}", entry.id), edit).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!catalogue_ids(app, "名簿照合").await.contains(&sid2));
    assert!(catalogue_ids(app, "文書の保管").await.contains(&sid2));

    // The index rebuilt from the records answers the same.
    let before = ids(app, Doc::Service, "検索").await;
    assert!(
        before.contains(&sid) && before.contains(&sid2),
        "{before:?}"
    );
    let n = app.st.store.reindex_all().await.expect("reindex");
    assert!(n >= 3, "{n}");
    assert_eq!(ids(app, Doc::Service, "検索").await, before);
    // A database from before the index has none: it is built when the app opens it.
    assert!(
        !app.st.store.reindex_if_empty().await.expect("db"),
        "not twice"
    );
    let emptied: &[&str] = match app.st.store.backend() {
        gaibu_store::Backend::Sqlite => &[
            "INSERT INTO search_fts_service (search_fts_service) VALUES ('delete-all')",
            "INSERT INTO search_fts_application (search_fts_application) VALUES ('delete-all')",
            "INSERT INTO search_fts_account (search_fts_account) VALUES ('delete-all')",
            "DELETE FROM search_docs",
        ],
        gaibu_store::Backend::Postgres => &["DELETE FROM search_grams", "DELETE FROM search_docs"],
    };
    for sql in emptied {
        sqlx::query(sql)
            .execute(app.st.store.pool())
            .await
            .expect("empty the index");
    }
    assert!(ids(app, Doc::Service, "検索").await.is_empty());
    app.second_instance().await;
    assert_eq!(ids(app, Doc::Service, "検索").await, before);
    assert!(ids(app, Doc::Account, "kaigi-room").await.contains(&aid));
}

// The search is served by the bigram index, not by reading every posting or document: with
// thirty thousand postings analysed, SQLite's FTS5 table and PostgreSQL's search by primary key.
pub async fn search_uses_its_index(app: &TestApp) {
    // A city's worth of postings (documents that are no service of this database), and the
    // statistics of them, so that the planner chooses as it would at scale.
    let pg = app.st.store.backend() == gaibu_store::Backend::Postgres;
    let n = 30_000;
    let series = if pg {
        format!("SELECT i FROM generate_series(1, {n}) AS s(i)")
    } else {
        format!(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) \
             SELECT i FROM s"
        )
    };
    let chr = if pg { "chr" } else { "char" };
    let pool = app.st.store.pool();
    // CJK ideograph pairs and single ideographs, katakana pairs.
    let grams = [
        format!("{chr}(19968 + i % 3000) || {chr}(19968 + i % 2999)"),
        format!("{chr}(19968 + i % 3001)"),
        format!("{chr}(12449 + i % 80) || {chr}(12449 + i % 79)"),
    ];
    if pg {
        for gram in &grams {
            let sql = format!(
                "INSERT INTO search_grams (entity, gram, entity_id) \
                 SELECT 'service', {gram}, 1000000 + i FROM ({series}) x WHERE 1 = 1 \
                 ON CONFLICT DO NOTHING"
            );
            sqlx::query(&sql).execute(pool).await.expect("postings");
        }
    } else {
        // FTS5 tokens are the hex of each gram's UTF-8 (the tokenizer folds hex() upper case).
        let toks: Vec<String> = grams.iter().map(|g| format!("hex({g})")).collect();
        let sql = format!(
            "INSERT INTO search_fts_service (rowid, grams) \
             SELECT 1000000 + i, {} FROM ({series}) x",
            toks.join(" || ' ' || ")
        );
        sqlx::query(&sql).execute(pool).await.expect("postings");
    }
    let sql = format!(
        "INSERT INTO search_docs (entity, entity_id, body) \
         SELECT 'service', 1000000 + i, 'サービス' || i FROM ({series}) x"
    );
    sqlx::query(&sql).execute(pool).await.expect("documents");
    sqlx::query("ANALYZE").execute(pool).await.expect("analyze");
    for q in ["会議", "会", "会議サービス"] {
        let plan = app
            .st
            .store
            .explain_search(Doc::Service, q)
            .await
            .expect("explain")
            .join("\n");
        match app.st.store.backend() {
            gaibu_store::Backend::Sqlite => {
                // The postings are the FTS5 table's MATCH (its doclists), not a scan of it.
                assert!(
                    plan.contains("SCAN search_fts_service VIRTUAL TABLE INDEX 0:M"),
                    "{q}: {plan}"
                );
                if q.chars().count() > 2 {
                    assert!(
                        plan.contains("SEARCH d USING INDEX sqlite_autoindex_search_docs_1 (entity=? AND entity_id=?)"),
                        "{q}: {plan}"
                    );
                    assert!(!plan.contains("SCAN d"), "{q}: {plan}");
                }
            }
            gaibu_store::Backend::Postgres => {
                // Each posting list is a range of the primary key, by entity and gram; the
                // documents are read only for the candidates, by their key.
                assert!(
                    plan.contains("using search_grams_pkey on search_grams g"),
                    "{q}: {plan}"
                );
                assert!(
                    plan.contains("(entity = 'service'::text) AND (gram = "),
                    "{q}: {plan}"
                );
                assert!(!plan.contains("Seq Scan on search_"), "{q}: {plan}");
                if q.chars().count() > 2 {
                    assert!(plan.contains("(entity_id = g.entity_id)"), "{q}: {plan}");
                }
            }
        }
    }
}

/// The server's upkeep merges SQLite's search segments (one per writing transaction) into one,
/// and every search finds what it found before; on PostgreSQL there is nothing to merge.
// clause: S3.4c — the catalogue still finds every service after its index is merged
pub async fn merging_the_search_index_keeps_what_it_finds(app: &TestApp) {
    let mut made = Vec::new();
    for i in 0..4 {
        made.push(id_of(&class1_service(app, &format!("統合会議{i}")).await));
    }
    let before = catalogue_ids(app, "統合会議").await;
    for id in &made {
        assert!(before.contains(id), "{id} in {before:?}");
    }
    let store = &app.st.store;
    let segments = store.search_segments().await.expect("segments");
    let sqlite = store.backend() == gaibu_store::Backend::Sqlite;
    if sqlite {
        let services = segments.iter().find(|(d, _)| *d == Doc::Service);
        assert!(
            services.is_some_and(|(_, n)| *n > 1),
            "a segment per write: {segments:?}"
        );
    } else {
        assert!(segments.is_empty());
    }
    gaibu::server::merge_search_index(&app.st.store).await;
    let after = store.search_segments().await.expect("segments");
    assert!(after.iter().all(|(_, n)| *n <= 1), "{after:?}");
    assert!(
        !store.merge_search_index(200).await.expect("merge"),
        "nothing left"
    );
    assert_eq!(catalogue_ids(app, "統合会議").await, before);
    assert!(catalogue_ids(app, "会議").await.len() >= made.len());
}
