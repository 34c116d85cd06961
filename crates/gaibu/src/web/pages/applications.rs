//! Application pages: list, new/edit form, detail, self-check and approval.

use super::{
    FieldErrors, FormPairs, HistoryRow, PageCtx, fmt_ms, history_rows, org_name, org_options,
};
use crate::applications as ops;
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::policies;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use gaibu_domain::application::{self, ApplicationInput};
use gaibu_domain::capability;
use gaibu_domain::classification::{Level, Restriction, Scheme, Track};
use gaibu_domain::sheet::{AnswerType, Answers};
use gaibu_store::ApplicationRow;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications", get(list).post(create))
        .route("/applications/new", get(new_form))
        .route("/applications/reuse", post(reuse))
        .route("/applications/{id}", get(detail).post(update))
        .route("/applications/{id}/edit", get(edit_form))
        .route(
            "/applications/{id}/self-check",
            get(self_check_form).post(save_self_check),
        )
        .route("/applications/{id}/approve", post(approve))
}

#[derive(Template, WebTemplate)]
#[template(path = "applications.html")]
struct ListPage {
    t: Tr,
    page: PageCtx,
    rows: Vec<(ApplicationRow, String)>,
}

impl ListPage {
    fn when(&self, t: &jiff::Timestamp) -> String {
        fmt_ms(*t)
    }
}

async fn list(State(st): State<AppState>, u: CurrentUser, jar: CookieJar) -> AppResult<Response> {
    let page = PageCtx::new(&u, &jar, "/applications");
    let units = st.store.org_units().await?;
    let rows = ops::list(&st, &u)
        .await?
        .into_iter()
        .map(|a| {
            let org = org_name(page.t, &units, a.org_unit_id);
            (a, org)
        })
        .collect();
    Ok(ListPage {
        t: page.t,
        page,
        rows,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "application_form.html")]
struct FormPage {
    t: Tr,
    page: PageCtx,
    action: String,
    is_new: bool,
    input: ApplicationInput,
    version: i64,
    errors: FieldErrors,
    stale: bool,
    confidentiality: Vec<Level>,
    integrity: Vec<Level>,
    availability: Vec<Level>,
    restrictions: Vec<Restriction>,
    org_units: Vec<(i64, String)>,
}

impl FormPage {
    fn handled(&self, code: &str) -> bool {
        self.input.handling.iter().any(|h| h == code)
    }
    fn locations(&self) -> String {
        self.input.data_locations.join(", ")
    }
    fn level_label(&self, l: &Level) -> String {
        format!(
            "{} — {}",
            self.t.pick(&l.label_ja, &l.label_en),
            self.t.pick(&l.description_ja, &l.description_en)
        )
    }
    fn org_selected(&self, id: &i64) -> bool {
        self.input.org_unit == id.to_string()
    }
}

/// What the form shows besides the scheme: the input, its version, and what went wrong.
struct Filled {
    input: ApplicationInput,
    version: i64,
    errors: FieldErrors,
    stale: bool,
}

impl Filled {
    fn fresh(input: ApplicationInput, version: i64) -> Self {
        Filled {
            input,
            version,
            errors: FieldErrors::default(),
            stale: false,
        }
    }
}

async fn form_page(
    st: &AppState,
    page: PageCtx,
    action: String,
    is_new: bool,
    f: Filled,
) -> AppResult<FormPage> {
    let Filled {
        input,
        version,
        errors,
        stale,
    } = f;
    let Scheme {
        confidentiality,
        integrity,
        availability,
        handling_restrictions,
    } = policies::scheme_in_force(st).await?.doc;
    let org_units = org_options(page.t, &st.store.org_units().await?);
    Ok(FormPage {
        t: page.t,
        page,
        action,
        is_new,
        input,
        version,
        errors,
        stale,
        confidentiality,
        integrity,
        availability,
        restrictions: handling_restrictions,
        org_units,
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    reuse: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "reuse.html")]
struct ReusePage {
    t: Tr,
    page: PageCtx,
    service: gaibu_store::ServiceRow,
}

async fn new_form(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    axum::extract::Query(q): axum::extract::Query<NewQuery>,
) -> AppResult<Response> {
    let page = PageCtx::new(&u, &jar, "/applications/new");
    // Starting from an approved evaluation: confirm first (a GET changes nothing).
    if let Some(sid) = q.reuse {
        let service = st.store.service(sid).await?.ok_or(AppError::NotFound)?;
        return Ok(ReusePage {
            t: page.t,
            page,
            service,
        }
        .into_response());
    }
    let input = ApplicationInput {
        org_unit: u.user.org_unit_id.to_string(),
        period_from: st.today().to_string(),
        ..Default::default()
    };
    Ok(form_page(
        &st,
        page,
        "/applications".into(),
        true,
        Filled::fresh(input, 0),
    )
    .await?
    .into_response())
}

const MULTI: &[&str] = &["handling"];

async fn create(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    form: FormPairs,
) -> AppResult<Response> {
    let input: ApplicationInput = form.to_input(MULTI)?;
    match ops::create(&st, &u, &input).await {
        Ok(row) => Ok(Redirect::to(&format!("/applications/{}", row.id)).into_response()),
        Err(AppError::Invalid(errs)) => {
            let page = PageCtx::new(&u, &jar, "/applications/new");
            let errors = FieldErrors::from(page.t, &errs);
            let f = form_page(
                &st,
                page,
                "/applications".into(),
                true,
                Filled {
                    input,
                    version: 0,
                    errors,
                    stale: false,
                },
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, f).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn edit_form(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = ops::get(&st, &u, id).await?;
    let path = format!("/applications/{id}");
    let page = PageCtx::new(&u, &jar, &path);
    let input = ApplicationInput::from(&row.fields);
    Ok(
        form_page(&st, page, path, false, Filled::fresh(input, row.version))
            .await?
            .into_response(),
    )
}

async fn update(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let input: ApplicationInput = form.to_input(MULTI)?;
    let path = format!("/applications/{id}");
    match ops::update(&st, &u, id, form.version(), &input).await {
        Ok(_) => Ok(Redirect::to(&path).into_response()),
        Err(AppError::Invalid(errs)) => {
            let page = PageCtx::new(&u, &jar, &path);
            let errors = FieldErrors::from(page.t, &errs);
            let f = form_page(
                &st,
                page,
                path,
                false,
                Filled {
                    input,
                    version: form.version(),
                    errors,
                    stale: false,
                },
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, f).into_response())
        }
        // Someone saved first: show this user's input again over the newer version, so
        // nothing is lost and they decide what to keep.
        Err(AppError::Stale) => {
            let current = ops::get(&st, &u, id).await?;
            let page = PageCtx::new(&u, &jar, &path);
            let f = form_page(
                &st,
                page,
                path,
                false,
                Filled {
                    input,
                    version: current.version,
                    errors: FieldErrors::default(),
                    stale: true,
                },
            )
            .await?;
            Ok((StatusCode::CONFLICT, f).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "application.html")]
struct DetailPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    f: application::ApplicationFields,
    applicant: String,
    org: String,
    conf: String,
    integ: String,
    avail: String,
    handling: Vec<String>,
    class2: bool,
    can_edit: bool,
    can_approve: bool,
    problems: Vec<(String, String)>,
    answered: usize,
    total: usize,
    service_id: Option<i64>,
    approver: String,
    approved_at: String,
    scheme_version: String,
    sheet_version: String,
    history: Vec<HistoryRow>,
    evaluation: Vec<(String, String, String)>,
    procurement: gaibu_domain::procurement::Procurement,
    rounds: Vec<RoundView>,
    is_reviewer: bool,
    evidence: Vec<EvidenceView>,
    evidence_targets: Vec<(String, String)>,
    reused_from: Option<i64>,
}

pub(super) struct EvidenceView {
    pub row: gaibu_store::EvidenceRow,
    pub target: String,
    pub size: String,
    pub uploaded: String,
}

pub(super) async fn evidence_views(
    st: &AppState,
    t: Tr,
    sheet: Option<&gaibu_domain::sheet::Sheet>,
    rows: Vec<gaibu_store::EvidenceRow>,
) -> Vec<EvidenceView> {
    let mut out = Vec::new();
    for row in rows {
        out.push(EvidenceView {
            target: if row.item_key.is_empty() {
                t.evidence_whole().to_string()
            } else {
                item_label(t, sheet, &row.item_key)
            },
            size: if row.size_bytes >= 1024 * 1024 {
                format!("{:.1} MB", row.size_bytes as f64 / (1024.0 * 1024.0))
            } else {
                format!("{} KB", (row.size_bytes + 1023) / 1024)
            },
            uploaded: format!(
                "{} {}",
                fmt_ms(row.uploaded_at),
                super::user_name(st, row.uploaded_by).await
            ),
            row,
        });
    }
    out
}

pub(super) struct RoundView {
    pub round: i64,
    pub submitted_at: String,
    pub submitted_by: String,
    pub decision: String,
    pub decided_by: String,
    pub decided_at: String,
    pub reason: String,
    pub comments: Vec<(String, String)>,
}

/// A readable label for a sheet item, an `evaluation.x` or a `procurement.x` key.
pub(super) fn item_label(t: Tr, sheet: Option<&gaibu_domain::sheet::Sheet>, key: &str) -> String {
    if key.starts_with("evaluation.") || key.starts_with("procurement.") {
        return t.field(key);
    }
    sheet
        .and_then(|s| s.item(key))
        .map(|i| t.pick(&i.text_ja, &i.text_en).to_string())
        .unwrap_or_else(|| key.to_string())
}

pub(super) async fn round_views(
    st: &AppState,
    t: Tr,
    sheet: Option<&gaibu_domain::sheet::Sheet>,
    rows: Vec<gaibu_store::RoundRow>,
) -> AppResult<Vec<RoundView>> {
    let mut out = Vec::new();
    for r in rows {
        let comments = r.comments.clone();
        out.push(RoundView {
            round: r.round,
            submitted_at: fmt_ms(r.submitted_at),
            submitted_by: super::user_name(st, r.submitted_by).await,
            decision: r
                .decision
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
            decided_by: match r.decided_by {
                Some(d) => super::user_name(st, d).await,
                None => String::new(),
            },
            decided_at: r.decided_at.map(fmt_ms).unwrap_or_default(),
            reason: r.reason.clone().unwrap_or_default(),
            comments: comments
                .into_iter()
                .map(|(k, v)| (item_label(t, sheet, &k), v))
                .collect(),
        });
    }
    Ok(out)
}

fn label_of(t: Tr, levels: &[Level], code: &str) -> String {
    levels
        .iter()
        .find(|l| l.code == code)
        .map(|l| t.pick(&l.label_ja, &l.label_en).to_string())
        .unwrap_or_else(|| code.to_string())
}

async fn detail(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = ops::get(&st, &u, id).await?;
    let page = PageCtx::new(&u, &jar, &format!("/applications/{id}"));
    let t = page.t;
    let f = row.fields.clone();
    let answers = row.answers.clone();
    let track = row.track;
    let ctx = ops::domain(&row).context();
    // Labels come from the scheme this application was judged under, not the newest (S1.3).
    let scheme = policies::scheme(&st, row.classification_policy_id).await?;
    let units = st.store.org_units().await?;
    let tree = org_tree(&st).await?;
    // The buttons are shown exactly when their moves would be allowed.
    let caps = capability::application(&ops::domain(&row), &u.actor, &tree);
    let draft = row.state.is_editable();
    let evaluation = row.evaluation.clone();
    let procurement = row.procurement.clone();
    let sheet = match row.sheet_policy_id {
        Some(sid) => Some(policies::sheet(&st, sid).await?),
        None => None,
    };
    let (problems, total, sheet_version) = match &sheet {
        Some(sheet) => {
            let mut raw = sheet.doc.check_complete(&answers, &ctx);
            if track == Track::Class2Plus {
                raw.extend(
                    evaluation
                        .check_complete()
                        .into_iter()
                        .chain(procurement.check_complete())
                        .map(|f| gaibu_domain::sheet::ItemProblem {
                            item: f.field,
                            code: f.code,
                        }),
                );
            }
            raw.extend(ops::domain(&row).unconfirmed_problems());
            if draft
                && policies::sheet_in_force(&st, track)
                    .await
                    .is_ok_and(|s| s.row.id != sheet.row.id)
            {
                raw.push(gaibu_domain::sheet::ItemProblem {
                    item: String::new(),
                    code: "sheet_superseded",
                });
            }
            let problems = raw
                .into_iter()
                .map(|p| (item_label(t, Some(&sheet.doc), &p.item), t.error(p.code)))
                .collect();
            let applicable = sheet
                .doc
                .items
                .iter()
                .filter(|i| sheet.doc.applies(i, &answers, &ctx))
                .count();
            (problems, applicable, sheet.row.version.clone())
        }
        None => (vec![], 0, String::new()),
    };
    let rounds = round_views(
        &st,
        t,
        sheet.as_ref().map(|s| &s.doc),
        st.store.rounds(row.id).await?,
    )
    .await?;
    let evaluation = gaibu_domain::evaluation::FIELDS
        .iter()
        .map(|(f, clause)| {
            let v = evaluation.get(f);
            let shown = if *f == "tos_changeable" {
                t.of("yesno", v)
            } else {
                v.to_string()
            };
            (t.of("evaluation_item", f), shown, clause.to_string())
        })
        .collect();
    let answered = match &sheet {
        Some(sheet) => sheet
            .doc
            .items
            .iter()
            .filter(|i| sheet.doc.applies(i, &answers, &ctx))
            .filter(|i| {
                answers
                    .get(&i.id)
                    .is_some_and(|a| !a.value.trim().is_empty())
            })
            .count(),
        None => 0,
    };
    let service_id = st.store.service_of_application(row.id).await?.map(|s| s.id);
    let history = history_rows(t, &st.store.entity_history("application", row.id).await?);
    let page_data = DetailPage {
        t,
        applicant: super::user_name(&st, row.applicant_id).await,
        org: org_name(t, &units, row.org_unit_id),
        conf: label_of(
            t,
            &scheme.doc.confidentiality,
            &f.classification.confidentiality,
        ),
        integ: label_of(t, &scheme.doc.integrity, &f.classification.integrity),
        avail: label_of(t, &scheme.doc.availability, &f.classification.availability),
        handling: f
            .classification
            .handling
            .iter()
            .map(|h| {
                scheme
                    .doc
                    .handling_restrictions
                    .iter()
                    .find(|r| &r.code == h)
                    .map(|r| t.pick(&r.label_ja, &r.label_en).to_string())
                    .unwrap_or(h.clone())
            })
            .collect(),
        class2: track == Track::Class2Plus,
        can_edit: caps.edit,
        can_approve: caps.self_approve,
        problems,
        answered,
        total,
        service_id,
        approver: match row.approved_by {
            Some(a) => super::user_name(&st, a).await,
            None => String::new(),
        },
        approved_at: row.approved_at.map(fmt_ms).unwrap_or_default(),
        scheme_version: scheme.row.version.clone(),
        sheet_version,
        history,
        evaluation,
        procurement,
        rounds,
        is_reviewer: caps.decide,
        reused_from: row.reuse.source_application_id,
        evidence: evidence_views(
            &st,
            t,
            sheet.as_ref().map(|s| &s.doc),
            st.store.evidence_of(row.id).await?,
        )
        .await,
        evidence_targets: {
            let mut v: Vec<(String, String)> =
                vec![(String::new(), t.evidence_whole().to_string())];
            if let Some(s) = &sheet {
                v.extend(
                    s.doc
                        .items
                        .iter()
                        .filter(|i| i.evidence)
                        .map(|i| (i.id.clone(), t.pick(&i.text_ja, &i.text_en).to_string())),
                );
            }
            if track == Track::Class2Plus {
                v.extend(
                    gaibu_domain::evaluation::FIELDS
                        .iter()
                        .filter(|(f, _)| *f != "tos_changeable")
                        .map(|(f, _)| (format!("evaluation.{f}"), t.of("evaluation_item", f))),
                );
            }
            v
        },
        f,
        app: row,
        page,
    };
    Ok(page_data.into_response())
}

struct ItemView {
    id: String,
    text: String,
    clause: String,
    kind: &'static str,
    blocking: bool,
    options: Vec<(String, String)>,
    value: String,
    comment: String,
    error: String,
    /// Applies to this application now (conditions met).
    applies: bool,
    conditional: bool,
    evidence: bool,
    unconfirmed: bool,
}

struct SectionView {
    title: String,
    items: Vec<ItemView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "self_check.html")]
struct SelfCheckPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    version: i64,
    sheet_title: String,
    sheet_version: String,
    sections: Vec<SectionView>,
    has_errors: bool,
    stale: bool,
}

/// The answers to show, the version they were based on, and what went wrong.
struct SheetFill<'a> {
    version: i64,
    answers: &'a Answers,
    errors: &'a FieldErrors,
    stale: bool,
}

async fn self_check_page(
    st: &AppState,
    u: &CurrentUser,
    jar: &CookieJar,
    row: ApplicationRow,
    fill: SheetFill<'_>,
) -> AppResult<SelfCheckPage> {
    let SheetFill {
        version,
        answers,
        errors,
        stale,
    } = fill;
    let page = PageCtx::new(u, jar, &format!("/applications/{}/self-check", row.id));
    let t = page.t;
    let app = ops::domain(&row);
    let ctx = app.context();
    let sheet = policies::sheet_in_force(st, app.track).await?;
    let sections = sheet
        .doc
        .sections
        .iter()
        .map(|s| SectionView {
            title: t.pick(&s.title_ja, &s.title_en).to_string(),
            items: sheet
                .doc
                .items
                .iter()
                .filter(|i| i.section == s.id)
                .map(|i| {
                    let a = answers.get(&i.id).cloned().unwrap_or_default();
                    ItemView {
                        id: i.id.clone(),
                        text: t.pick(&i.text_ja, &i.text_en).to_string(),
                        clause: i.clause.clone(),
                        kind: match i.answer {
                            AnswerType::YesNoNa => "yes_no_na",
                            AnswerType::Text => "text",
                            AnswerType::Date => "date",
                            AnswerType::Choice => "choice",
                        },
                        blocking: i.blocking,
                        options: i
                            .options
                            .iter()
                            .map(|o| (o.code.clone(), t.pick(&o.label_ja, &o.label_en).to_string()))
                            .collect(),
                        value: a.value,
                        comment: a.comment,
                        error: errors.get(&format!("answers.{}", i.id)).to_string(),
                        applies: sheet.doc.applies(i, answers, &ctx),
                        conditional: i.show_if.is_some(),
                        evidence: i.evidence,
                        unconfirmed: app.unconfirmed.contains(&i.id),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(SelfCheckPage {
        t,
        page,
        version,
        sheet_title: t.pick(&sheet.row.title_ja, &sheet.row.title_en).to_string(),
        sheet_version: sheet.row.version.clone(),
        sections,
        has_errors: !errors.is_empty(),
        stale,
        app: row,
    })
}

async fn self_check_form(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = ops::get(&st, &u, id).await?;
    let answers = row.answers.clone();
    let v = row.version;
    Ok(self_check_page(
        &st,
        &u,
        &jar,
        row,
        SheetFill {
            version: v,
            answers: &answers,
            errors: &FieldErrors::default(),
            stale: false,
        },
    )
    .await?
    .into_response())
}

/// `answer.<item>` and `comment.<item>` fields into answers.
pub(super) fn answers_from(form: &FormPairs) -> Answers {
    let mut out = Answers::new();
    for (k, v) in &form.0 {
        if let Some(item) = k.strip_prefix("answer.") {
            out.entry(item.to_string()).or_default().value = v.trim().to_string();
        } else if let Some(item) = k.strip_prefix("comment.") {
            out.entry(item.to_string()).or_default().comment = v.trim().to_string();
        }
    }
    out.retain(|_, a| !a.value.is_empty() || !a.comment.is_empty());
    out
}

async fn save_self_check(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let answers = answers_from(&form);
    match ops::save_self_check(&st, &u, id, form.version(), &answers).await {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let row = ops::get(&st, &u, id).await?;
            let errors = FieldErrors::from(super::PageCtx::new(&u, &jar, "").t, &errs);
            let p = self_check_page(
                &st,
                &u,
                &jar,
                row,
                SheetFill {
                    version: form.version(),
                    answers: &answers,
                    errors: &errors,
                    stale: false,
                },
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(AppError::Stale) => {
            let row = ops::get(&st, &u, id).await?;
            let v = row.version;
            let p = self_check_page(
                &st,
                &u,
                &jar,
                row,
                SheetFill {
                    version: v,
                    answers: &answers,
                    errors: &FieldErrors::default(),
                    stale: true,
                },
            )
            .await?;
            Ok((StatusCode::CONFLICT, p).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn reuse(State(st): State<AppState>, u: CurrentUser, form: FormPairs) -> AppResult<Response> {
    let sid = form
        .get("service_id")
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let row = ops::reuse(&st, &u, sid).await?;
    Ok(Redirect::to(&format!("/applications/{}", row.id)).into_response())
}

async fn approve(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let (_, service) = ops::approve(&st, &u, id, form.version()).await?;
    Ok(Redirect::to(&format!("/services/{}", service.id)).into_response())
}
