//! Policy as versioned data that takes effect only on the CISO's approval (S1.3).

use crate::flows::{file, send_file};
use crate::harness::{Browser, TestApp, application_json, id_of};
use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::json;

const CLASS1: &str = include_str!("../../../../policy/sheets/class1.toml");
const FIVE_LEVEL: &str = include_str!("../../../../policy/classification/five-level.toml");

async fn load_as_ciso(app: &TestApp, text: &str) -> i64 {
    let ciso = app.browser("ciso").await;
    let (s, loc, body) = ciso.post("/policies", &[("content", text)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    loc.trim_start_matches("/policies/")
        .parse()
        .expect("policy id")
}

// clause: S1.3
pub async fn policy_takes_effect_only_on_ciso_approval(app: &TestApp) {
    let im = app.api("im").await;
    let (_, old_app) = im
        .post("/applications", application_json("旧版で作成", "1"))
        .await;
    let old_sheet = old_app["sheet_policy_id"].as_i64().expect("sheet id");
    let (_, old_app) = im
        .put(
            &format!("/applications/{}/self-check", id_of(&old_app)),
            json!({"version": old_app["version"], "answers": app.met_answers().await}),
        )
        .await;
    let (_, old_app) = im
        .not_procured(id_of(&old_app), old_app["version"].as_i64().unwrap_or(0))
        .await;

    // Only a CISO may load a version, and a broken one is refused whole.
    let staff = app.browser("staff").await;
    let (s, _, _) = staff.post("/policies", &[("content", CLASS1)]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let ciso_b = app.browser("ciso").await;
    let (s, _, html) = ciso_b
        .post(
            "/policies",
            &[("content", "kind = \"sheet\"\nsheet = \"class1\"")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("基準・様式として読み取れません"));

    let v2 = CLASS1
        .replace("version = \"2026.1\"", "version = \"2026.2\"")
        .replace(
            "サービスが突然停止した場合の代替手段。",
            "サービスが突然停止した場合の代替手段と、その連絡体制。",
        );
    let pid = load_as_ciso(app, &v2).await;
    let (_, p) = im.get(&format!("/policies/{pid}")).await;
    assert_eq!(p["status"], "pending");

    // Pending: new applications are still judged under the approved version.
    let (_, a) = im
        .post("/applications", application_json("承認前", "1"))
        .await;
    assert_eq!(a["sheet_policy_id"].as_i64(), Some(old_sheet));

    // Nobody but the CISO approves it.
    let (s, body) = im
        .post(&format!("/policies/{pid}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "ciso_required");
    let ism = app.api("ism").await;
    let (s, _) = ism
        .post(&format!("/policies/{pid}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let ciso = app.api("ciso").await;
    let (s, p) = ciso
        .post(&format!("/policies/{pid}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "approved");
    let (_, old) = im.get(&format!("/policies/{old_sheet}")).await;
    assert_eq!(old["status"], "superseded");
    let (s, _) = ciso
        .post(&format!("/policies/{pid}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "approving twice");

    // New applications use the new version; the old one still reads under its own.
    let (_, a) = im
        .post("/applications", application_json("承認後", "1"))
        .await;
    assert_eq!(a["sheet_policy_id"].as_i64(), Some(pid));
    let (_, again) = im.get(&format!("/applications/{}", id_of(&old_app))).await;
    assert_eq!(again["sheet_policy_id"].as_i64(), Some(old_sheet));
    // Superseding is itself recorded.
    let hist = app
        .st
        .store
        .entity_history("policy", old_sheet)
        .await
        .expect("history");
    assert!(hist.iter().any(|e| e.action == "policy.superseded"));
    // Answers given to the old sheet are not approved under the new one: answer it again.
    let (s, body) = im
        .post(
            &format!("/applications/{}/approve", id_of(&again)),
            json!({"version": again["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "sheet_superseded", "{body}");
    let (_, again) = im
        .put(
            &format!("/applications/{}/self-check", id_of(&again)),
            json!({"version": again["version"], "answers": app.met_answers().await}),
        )
        .await;
    assert_eq!(again["sheet_policy_id"].as_i64(), Some(pid));
    let (s, body) = im
        .post(
            &format!("/applications/{}/approve", id_of(&again)),
            json!({"version": again["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

// clause: S2.1, S2.2 — the five-level scheme is only data
pub async fn five_level_scheme_routes_applications(app: &TestApp) {
    let pid = load_as_ciso(app, FIVE_LEVEL).await;
    let ciso = app.api("ciso").await;
    let (s, _) = ciso
        .post(&format!("/policies/{pid}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let im = app.api("im").await;
    for (level, track) in [
        ("3A", "class2plus"),
        ("3B", "class2plus"),
        ("3C", "class2plus"),
        ("2", "class2plus"),
        ("1", "class1"),
    ] {
        let (s, a) = im
            .post("/applications", application_json("五段階", level))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{level}: {a}");
        assert_eq!(a["track"], track, "{level}");
        assert_eq!(a["classification_policy_id"].as_i64(), Some(pid));
    }
    let (s, body) = im
        .post("/applications", application_json("旧区分", "3"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["code"], "unknown_level");
}

/// Posts the load form as a browser does: multipart, the CSRF token in the action's query.
async fn upload_policy(b: &Browser, base: &str, file: Part, fields: &[(&str, &str)]) -> Response {
    let url = format!("{base}/policies?_csrf={}", b.csrf);
    send_file(b.http.post(url), file, fields).await
}

/// Posts pasted text through the load form (multipart, no file).
async fn paste(b: &Browser, base: &str, text: impl Into<String>) -> Response {
    let url = format!("{base}/policies?_csrf={}", b.csrf);
    let form = Form::new().text("content", text.into());
    b.http.post(url).multipart(form).send().await.expect("post")
}

/// Where a redirect points.
fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// How many versions are stored.
async fn stored(app: &TestApp) -> usize {
    app.st.store.policies().await.expect("policies").len()
}

// clause: S1.3 — the CISO loads a version from a file and sees what it changes before approving
pub async fn ciso_uploads_a_sheet_and_approves_what_it_changes(app: &TestApp) {
    let ciso = app.browser("ciso").await;
    let (_, html) = ciso.get("/policies").await;
    assert!(html.contains("type=\"file\""), "{html}");
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("<details"), "pasting stays a second way");
    let api = app.api("ciso").await;
    let im = app.api("im").await;
    let (_, before) = im
        .post("/applications", application_json("旧版", "1"))
        .await;
    let old_sheet = before["sheet_policy_id"].as_i64().expect("sheet id");

    // The city's next version: one item reworded, one removed, one new.
    let intl = "[[items]]\nid = \"c1-intl-standard\"\nsection = \"usage\"\nclause = \"S4.2a\"\n\
                answer = \"yes_no_na\"\nblocking = false\n\
                text_ja = \"必要に応じ、セキュリティに係る国際規格等と同等以上の水準であることを確認した。\"\n";
    assert!(CLASS1.contains(intl), "the shipped sheet has the item");
    let exit_plan = "[[items]]\nid = \"c1-exit-plan\"\nsection = \"terms\"\nclause = \"S4.2e\"\n\
                     answer = \"text\"\ntext_ja = \"利用終了時の情報の返却・削除の方法。\"\n";
    let v2 = CLASS1
        .replace("version = \"2026.1\"", "version = \"2026.2\"")
        .replace(
            "サービスが突然停止した場合の代替手段。",
            "サービスが突然停止した場合の代替手段と、その連絡体制。",
        )
        .replace(intl, exit_plan);
    let res = upload_policy(
        &ciso,
        &app.base,
        file(v2.as_bytes(), "class1-2026.2.toml", "application/toml"),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = location(&res);
    let pid: i64 = loc
        .trim_start_matches("/policies/")
        .parse()
        .expect("policy id");

    // Its page says, in words, what changes against the sheet in force, above the button.
    let (_, html) = ciso.get(&loc).await;
    assert!(html.contains("id=\"policy-changes\""), "{html}");
    assert!(html.contains(&format!("href=\"/policies/{old_sheet}\"")));
    assert!(
        html.contains("追加 1 件・削除 1 件・変更 2 件"),
        "the item and the version changed: {html}"
    );
    let added = html
        .split("id=\"change-items-c1-exit-plan\"")
        .nth(1)
        .expect("the added item is listed");
    assert!(added.starts_with(" data-change=\"added\""));
    assert!(added.contains("利用終了時の情報の返却・削除の方法。"));
    assert!(
        added.contains("<dd>利用規約・契約 (terms)</dd>"),
        "its section by title"
    );
    let removed = html
        .split("id=\"change-items-c1-intl-standard\"")
        .nth(1)
        .expect("the removed item is listed");
    assert!(removed.starts_with(" data-change=\"removed\""));
    assert!(
        removed.contains("国際規格等と同等以上の水準"),
        "named by its question"
    );
    let changed = html
        .split("id=\"change-items-c1-alternative\"")
        .nth(1)
        .expect("the changed item is listed");
    assert!(changed.starts_with(" data-change=\"changed\""));
    let table = changed.split("</table>").next().unwrap_or("");
    assert!(table.contains("文言（日本語）"), "{table}");
    assert!(table.contains("<td>サービスが突然停止した場合の代替手段。</td>"));
    assert!(table.contains("<td>サービスが突然停止した場合の代替手段と、その連絡体制。</td>"));
    let section = html
        .split("id=\"policy-changes\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap_or("");
    assert!(
        !section.contains("[[items]]") && !section.contains("text_ja ="),
        "no raw TOML"
    );
    let version = html
        .split("id=\"change-document-\"")
        .nth(1)
        .expect("the version is listed");
    assert!(
        version.contains("<td>2026.1</td><td>2026.2</td>"),
        "{version}"
    );
    let changes_at = html.find("id=\"policy-changes\"").unwrap_or(usize::MAX);
    let button_at = html.find("id=\"approve-policy\"").expect("approve button");
    assert!(
        changes_at < button_at,
        "the changes come before the approval"
    );

    // The API's detail carries the same comparison.
    let (_, p) = api.get(&format!("/policies/{pid}")).await;
    assert_eq!(p["changes"]["against_id"].as_i64(), Some(old_sheet), "{p}");
    assert_eq!(p["changes"]["against_version"], "2026.1");
    let entries = p["changes"]["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let entry = |id: &str| {
        entries
            .iter()
            .find(|e| e["part"] == "items" && e["id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(entry("c1-exit-plan")["change"], "added");
    assert_eq!(entry("c1-intl-standard")["change"], "removed");
    let alt = entry("c1-alternative");
    assert_eq!(alt["change"], "changed");
    assert_eq!(alt["fields"][0]["field"], "text_ja");
    assert_eq!(
        alt["fields"][0]["after"],
        "サービスが突然停止した場合の代替手段と、その連絡体制。"
    );

    // The OpenAPI document declares the comparison.
    let doc: serde_json::Value = app.openapi().await;
    let schemas = &doc["components"]["schemas"];
    let detail = schemas["PolicyDetail"].to_string();
    assert!(
        detail.contains("#/components/schemas/PolicyChanges"),
        "{detail}"
    );
    for name in [
        "PolicyChanges",
        "PolicyEntryChange",
        "PolicyFieldChange",
        "PolicyChangeKind",
        "PolicyFieldValue",
        "PolicyCondition",
    ] {
        assert!(schemas[name].is_object(), "{name} is declared");
    }
    let field = schemas["PolicyFieldChange"].to_string();
    assert!(
        field.contains("#/components/schemas/PolicyFieldValue"),
        "{field}"
    );

    // Approved, it is in force and its page no longer compares.
    let (s, _, _) = ciso.post(&format!("/policies/{pid}/approve"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = ciso.get(&loc).await;
    assert!(!html.contains("id=\"policy-changes\""));
    assert!(!html.contains("id=\"approve-policy\""));
    let (_, p) = api.get(&format!("/policies/{pid}")).await;
    assert_eq!(p["status"], "approved");
    assert!(p["changes"].is_null(), "{p}");
    let (_, a) = im
        .post("/applications", application_json("新版", "1"))
        .await;
    assert_eq!(a["sheet_policy_id"].as_i64(), Some(pid));

    // A version that differs only in its comments changes nothing, and says so.
    let commented = format!("# 注釈だけを改めた版\n{v2}");
    let res = upload_policy(
        &ciso,
        &app.base,
        file(commented.as_bytes(), "class1.toml", "application/toml"),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let at = location(&res);
    let (_, html) = ciso.get(&at).await;
    assert!(html.contains("id=\"policy-no-changes\""), "{html}");
    assert!(
        html.contains(&format!("href=\"/policies/{pid}\"")),
        "against the new one"
    );

    // The five-level scheme, compared with the three-level one in force, level by level.
    let res = upload_policy(
        &ciso,
        &app.base,
        file(FIVE_LEVEL.as_bytes(), "five-level.toml", "text/plain"),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = location(&res);
    let (_, html) = ciso.get(&loc).await;
    assert!(html.contains("機密性の区分"), "{html}");
    assert!(html.contains("id=\"change-confidentiality-3A\" data-change=\"added\""));
    assert!(html.contains("id=\"change-confidentiality-3\" data-change=\"removed\""));
}

// clause: S1.3 — only a readable policy becomes a version; a refused file changes nothing
pub async fn unreadable_policy_files_are_refused_at_the_field(app: &TestApp) {
    let ciso = app.browser("ciso").await;
    let count = stored(app).await;

    // Not UTF-8 text (a Shift_JIS file, an image): refused at the file field, nothing stored.
    for (bytes, name) in [
        (&b"title = \"\x8a\xee\x8f\x80\""[..], "sjis.toml"),
        (&b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"[..], "logo.png"),
    ] {
        let res = upload_policy(&ciso, &app.base, file(bytes, name, "application/toml"), &[]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let html = res.text().await.expect("body");
        assert!(
            html.contains("UTF-8のテキスト（TOML）として読めません"),
            "{html}"
        );
        assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"policy-file-error"));
        assert!(
            html.contains(&format!("選んだファイル「{name}」")),
            "the file is named"
        );
    }
    // UTF-8, but not a policy: the reason and where reading stopped.
    let broken = "kind = \"sheet\"\nsheet = \"class1\"\nversion = \"2026.9\"\n";
    let res = upload_policy(
        &ciso,
        &app.base,
        file(broken.as_bytes(), "broken.toml", "application/toml"),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("id=\"policy-file-error\""), "{html}");
    assert!(html.contains("基準・様式として読み取れません"));
    assert!(html.contains("id=\"policy-file-detail\""), "{html}");
    // Past the pages' body limit: too large, at the field.
    let big = "# ".repeat(1_600_000);
    let res = upload_policy(
        &ciso,
        &app.base,
        file(big.as_bytes(), "big.toml", "text/plain"),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("ファイルが大きすぎます")
    );
    // Nothing chosen, nothing pasted.
    let res = upload_policy(
        &ciso,
        &app.base,
        file(b"", "", "application/octet-stream"),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(
        html.contains("ファイルを選ぶか、TOMLの本文を貼り付けてください"),
        "{html}"
    );
    // Pasted text that is not a policy comes back in the opened text area, at its field.
    let res = paste(&ciso, &app.base, "kind = \"recipe\"").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("<details open>"), "{html}");
    assert!(
        html.contains("kind = &quot;recipe&quot;</textarea>")
            || html.contains("kind = &#34;recipe&#34;</textarea>"),
        "{html}"
    );
    assert!(html.contains("id=\"content-error\""));
    assert_eq!(stored(app).await, count, "nothing is stored");

    // Pasting a valid version still loads it.
    let v2 = CLASS1.replace("version = \"2026.1\"", "version = \"2026.3\"");
    let res = paste(&ciso, &app.base, v2).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored(app).await, count + 1);
    // Someone who is not the CISO cannot load a file.
    let staff = app.browser("staff").await;
    let res = upload_policy(
        &staff,
        &app.base,
        file(CLASS1.as_bytes(), "c.toml", "text/plain"),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored(app).await, count + 1);
}
