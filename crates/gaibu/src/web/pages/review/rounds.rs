//! The comparison of review rounds: what changed between one submission and the next, the
//! sheet's answers item by item in words (S3.4b: the ISM and the applicant see what was revised).

use super::super::applications::{AnswerChange, answer_changes, item_label, round_answers};
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
    /// The sheet's items whose answer or comment changed, in the sheet's order.
    answers: Vec<AnswerChange>,
    /// Everything else that changed: fields, evaluation, procurement, evidence.
    changes: Vec<Change>,
}

impl RoundDiff {
    fn is_empty(&self) -> bool {
        self.answers.is_empty() && self.changes.is_empty()
    }
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
                            .or_else(|| x.get("filename").and_then(Value::as_str))
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
    // The answers are compared item by item below; the rest of the content key by key.
    let contents: Vec<BTreeMap<String, String>> = rounds
        .iter()
        .map(|r| {
            let mut m = BTreeMap::new();
            flatten("", &r.content, &mut m);
            m.retain(|k, _| {
                !(k.starts_with("answers.") && (k.ends_with(".value") || k.ends_with(".comment")))
            });
            m
        })
        .collect();
    let label = |key: &str| -> String {
        if let Some(rest) = key.strip_prefix("answers.") {
            let item = rest.rsplit_once('.').map_or(rest, |(item, _)| item);
            let base = item_label(t, sheet.as_ref(), item);
            return format!("{base} — {}", t.fixes_evidence_reason());
        }
        if let Some(f) = key.strip_prefix("fields.") {
            return t.of("label", f.split('.').next_back().unwrap_or(f));
        }
        if key == "evidence" {
            return t.sheet_files().to_string();
        }
        t.field(key)
    };
    let shown = |key: &str, v: &str| -> String {
        const YES_NO: [&str; 4] = [
            "evaluation.tos_changeable",
            "procurement.procured",
            "procurement.spec_includes_conditions",
            "procurement.spec_in_contract",
        ];
        if YES_NO.contains(&key) {
            t.of("yesno", v)
        } else {
            v.to_string()
        }
    };
    let diffs = rounds
        .windows(2)
        .zip(contents.windows(2))
        .map(|(r, c)| {
            let keys: std::collections::BTreeSet<&String> =
                c[0].keys().chain(c[1].keys()).collect();
            let answers = match &sheet {
                Some(sheet) => answer_changes(
                    t,
                    sheet,
                    &round_answers(&r[0].content),
                    &round_answers(&r[1].content),
                ),
                None => vec![],
            };
            RoundDiff {
                from: r[0].round,
                to: r[1].round,
                answers,
                changes: keys
                    .into_iter()
                    .filter(|k| c[0].get(*k) != c[1].get(*k))
                    .map(|k| {
                        let side = |m: &BTreeMap<String, String>| {
                            m.get(k).map(|v| shown(k, v)).unwrap_or_default()
                        };
                        Change {
                            label: label(k),
                            before: side(&c[0]),
                            after: side(&c[1]),
                        }
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
