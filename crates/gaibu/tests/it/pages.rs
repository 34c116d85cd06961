//! Every page of the demo, as every role sees it, in both languages, shows messages — never a
//! raw message key such as `state.submitted` and never the "(unknown)" that stands for a
//! missing one (issue 10, item 1). The pages are found by following the links of each page from
//! the home page, as a user would.

use crate::harness::TestApp;
use gaibu::i18n::Msg;
use std::collections::{BTreeSet, HashMap, VecDeque};

/// Pages read per role and language; the demo has fewer distinct ones.
const MAX_PAGES: usize = 160;
/// Variants of one path (its query strings: sorts, filters, pages) followed.
const MAX_PER_PATH: usize = 3;

fn links(page: &str) -> Vec<String> {
    page.split("href=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(|l| l.replace("&amp;", "&"))
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .filter(|l| {
            !l.starts_with("/assets/")
                && !l.starts_with("/api/")
                && !l.starts_with("/logout")
                && !l.starts_with("/login")
                && !l.contains("/evidence/")
                && !l.contains("/download")
                && !l.contains("format=")
        })
        .collect()
}

/// The text a person reads: tags and attribute values dropped.
fn visible(page: &str) -> String {
    let mut out = String::new();
    let mut in_script = false;
    for part in page.split('<') {
        let (tag, text) = part.split_once('>').unwrap_or(("", part));
        // Scripts, drawings, and a document's source or code shown as such are not messages.
        let skipped = ["script", "style", "svg", "pre", "code"];
        if skipped.iter().any(|s| tag.starts_with(s)) {
            in_script = true;
        } else if skipped
            .iter()
            .any(|s| tag.strip_prefix('/').is_some_and(|t| t.starts_with(s)))
        {
            in_script = false;
        }
        if !in_script {
            out.push_str(text);
            out.push(' ');
        }
    }
    out
}

/// What on a page is not a message: raw keys of the message files, or their "(unknown)".
fn unresolved(text: &str, sections: &BTreeSet<String>, lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    if lang == "ja" {
        // A stored answer code shown as it is stored, not in words.
        // Item ids (`c2-ismap-number`) are words of their own.
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .collect();
        for (n, word) in words.iter().enumerate() {
            if matches!(*word, "yes" | "no" | "na" | "ismap") {
                let before = words[n.saturating_sub(4)..n].join(" ");
                found.push(format!(
                    "the answer code {word:?} after «{}»",
                    before.trim()
                ));
            }
        }
    }
    for unknown in [Msg::LabelUnknown.ja(), Msg::LabelUnknown.en()] {
        if let Some(at) = text.find(unknown) {
            let before: String = text[..at]
                .chars()
                .rev()
                .take(60)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            found.push(format!(
                "{unknown} after «{}»",
                before.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
    }
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')) {
        let word = word.trim_end_matches('.');
        // A key is `section.name`: one dot, lower case (a host name has more dots).
        let Some((head, rest)) = word.split_once('.') else {
            continue;
        };
        let is_key = !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && rest.starts_with(|c: char| c.is_ascii_lowercase());
        if is_key && sections.contains(head) {
            found.push(word.to_string());
        }
    }
    found
}

pub async fn every_demo_page_shows_messages_not_keys(app: &TestApp) {
    let sections: BTreeSet<String> = Msg::ALL
        .iter()
        .filter_map(|m| m.key().split_once('.').map(|(s, _)| s.to_string()))
        .collect();
    let mut problems = Vec::new();
    let mut read = 0;
    for login in [
        "staff",
        "im",
        "bsm",
        "infra",
        "ism",
        "ciso",
        "admin",
        "contractor",
    ] {
        for lang in ["ja", "en"] {
            let b = app.browser(login).await;
            let (s, _, _) = b.post("/lang", &[("lang", lang), ("back", "/")]).await;
            assert!(s.is_redirection(), "{login} {lang}: {s}");
            let mut seen: BTreeSet<String> = BTreeSet::new();
            let mut per_path: HashMap<String, usize> = HashMap::new();
            let mut queue = VecDeque::from([String::from("/")]);
            while let Some(url) = queue.pop_front() {
                if seen.len() >= MAX_PAGES || !seen.insert(url.clone()) {
                    continue;
                }
                let (status, page) = b.get(&url).await;
                read += 1;
                assert!(!status.is_server_error(), "{login} {lang} {url}: {status}");
                for k in unresolved(&visible(&page), &sections, lang) {
                    problems.push(format!("{login} {lang} {url}: {k}"));
                }
                for l in links(&page) {
                    let path = l.split('?').next().unwrap_or("").to_string();
                    let n = per_path.entry(path).or_default();
                    if *n < MAX_PER_PATH && !seen.contains(&l) {
                        *n += 1;
                        queue.push_back(l);
                    }
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(read > 100, "the crawl read {read} pages");
    assert!(
        problems.is_empty(),
        "{} unresolved:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A refusal keeps the layout and the menu, says what to do, links to the items to fix and
/// goes back without a script (the CSP allows none) — never a dead end (issue 10, item 3).
pub async fn refusals_keep_the_menu_and_link_to_what_to_fix(app: &TestApp) {
    // Approving before the sheet is answered.
    let im = app.api("im").await;
    let (s, created) = im
        .post(
            "/applications",
            crate::harness::application_json("早すぎる承認", "1"),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let id = crate::harness::id_of(&created);
    let version = crate::harness::version_of(&created).to_string();
    let b = app.browser("im").await;
    let res = b
        .http
        .post(format!("{}/applications/{id}/approve", b.base))
        .header("referer", format!("{}/applications/{id}", b.base))
        .form(&[("_csrf", b.csrf.as_str()), ("version", version.as_str())])
        .send()
        .await
        .expect("approve");
    assert_eq!(res.status(), 409);
    let page = res.text().await.expect("page");
    assert!(
        page.contains("id=\"nav-account\""),
        "the menu stays: {page}"
    );
    assert!(!page.contains("javascript:"), "{page}");
    assert!(
        page.contains(&format!("href=\"/applications/{id}\" id=\"error-back\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"/applications/{id}#item-")),
        "links to the items: {page}"
    );
    assert!(!page.contains("(409)"), "{page}");

    // A page the user may not see: still their layout.
    let admin = app.browser("admin").await;
    let (s, page) = admin.get(&format!("/applications/{id}")).await;
    assert!(s.is_client_error(), "{s}");
    assert!(page.contains("id=\"nav-account\""), "{page}");
    assert!(page.contains("id=\"error-back\""), "{page}");
}

/// Adding a role starts from no choice: nothing dangerous is preselected (issue 10, item 11).
pub async fn adding_a_role_preselects_nothing(app: &TestApp) {
    let admin = app.browser("admin").await;
    let (_, page) = admin.get("/admin").await;
    let form = page
        .split("/roles\" class=\"inline\">")
        .nth(1)
        .and_then(|f| f.split("</form>").next())
        .expect("a role form");
    assert!(!form.contains("selected"), "{form}");
    assert!(form.contains("<option value=\"\">"), "{form}");
    assert!(
        form.contains("aria-label="),
        "each select has a name: {form}"
    );
}

/// A record's history names the people who acted, not their logins (issue 10, item 10).
pub async fn histories_name_people(app: &TestApp) {
    let im = app.api("im").await;
    let (s, created) = im
        .post(
            "/applications",
            crate::harness::application_json("名前の履歴", "1"),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let id = crate::harness::id_of(&created);
    let b = app.browser("im").await;
    let (_, page) = b.get(&format!("/applications/{id}")).await;
    assert!(page.contains("<td>情報 太郎</td>"), "{page}");
    assert!(!page.contains("<td>im</td>"), "{page}");
    // A service's timeline too, in the page's one query for names.
    let service: i64 = sqlx::query_scalar("SELECT MIN(id) FROM services")
        .fetch_one(app.st.store.pool())
        .await
        .expect("a demo service");
    let (_, page) = b.get(&format!("/services/{service}")).await;
    assert!(page.contains("情報 太郎"), "{page}");
    assert!(!page.contains("<td>im</td>"), "{page}");
}
