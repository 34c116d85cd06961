//! The comparison of review rounds: what changed between one submission and the next.

use super::super::applications::item_label;
use super::super::{Cx, PageCtx, show};
use crate::applications as apps;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::policies;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::response::Response;
use gaibu_store::ApplicationRow;
use serde_json::Value;
use std::collections::BTreeMap;

struct Change {
    label: String,
    before: String,
    after: String,
}

struct RoundDiff {
    from: i64,
    to: i64,
    changes: Vec<Change>,
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds.html")]
struct RoundsPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    diffs: Vec<RoundDiff>,
}

/// Flattens a round's content into `key → text` for comparison.
fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Array(a) => {
            out.insert(
                prefix.to_string(),
                a.iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        Value::Null => {
            out.insert(prefix.to_string(), String::new());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

pub(super) async fn compare_rounds(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    let st = &cx.st;
    let row = apps::get(st, &cx.u, id).await?;
    let page = cx.page(&format!("/applications/{id}/rounds"));
    let t = page.t;
    let sheet = match row.sheet_policy_id {
        Some(sid) => Some(policies::sheet(st, sid).await?.doc),
        None => None,
    };
    let rounds = st.store.rounds(id).await?;
    let contents: Vec<BTreeMap<String, String>> = rounds
        .iter()
        .map(|r| {
            let mut m = BTreeMap::new();
            flatten("", &r.content, &mut m);
            m
        })
        .collect();
    let label = |key: &str| -> String {
        if let Some(rest) = key.strip_prefix("answers.") {
            let (item, part) = rest.rsplit_once('.').unwrap_or((rest, "value"));
            let base = item_label(t, sheet.as_ref(), item);
            return if part == "comment" {
                format!("{base}（{}）", t.common_comment_short())
            } else {
                base
            };
        }
        if let Some(f) = key.strip_prefix("fields.") {
            return t.of("label", f.split('.').next_back().unwrap_or(f));
        }
        t.field(key)
    };
    let diffs = rounds
        .windows(2)
        .zip(contents.windows(2))
        .map(|(r, c)| {
            let keys: std::collections::BTreeSet<&String> =
                c[0].keys().chain(c[1].keys()).collect();
            RoundDiff {
                from: r[0].round,
                to: r[1].round,
                changes: keys
                    .into_iter()
                    .filter(|k| c[0].get(*k) != c[1].get(*k))
                    .map(|k| Change {
                        label: label(k),
                        before: c[0].get(k).cloned().unwrap_or_default(),
                        after: c[1].get(k).cloned().unwrap_or_default(),
                    })
                    .collect(),
            }
        })
        .collect();
    show(RoundsPage {
        t,
        page,
        app: row,
        diffs,
    })
}
