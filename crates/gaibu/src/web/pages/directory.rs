//! The System Administrator's page of the city's directory (issue 11): the settings (kept as
//! typed when refused, each error at its field), a dry run listing every change, and the sync
//! of exactly what the dry run showed. A directory that cannot be read is said so, with what
//! it answered, and nothing changes.

use super::{Cx, FieldErrors, FormPairs, PageCtx, show};
use crate::directory::settings::{SettingsForm, save_form};
use crate::directory::{self, DryRun, SyncError};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::people::require_system_administrator;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gaibu_domain::directory::LeaveReason;
use gaibu_store::OrgUnitRow;

/// A dry run as the page lists it, every text ready.
struct RunView {
    fingerprint: String,
    clean: bool,
    empty: bool,
    counts: Vec<(&'static str, usize)>,
    /// (login, name, unit, position)
    creates: Vec<[String; 4]>,
    /// (login, what changes)
    updates: Vec<(String, Vec<String>)>,
    /// (login, name, now, after)
    moves: Vec<[String; 4]>,
    /// (login, name, reason)
    leavers: Vec<[String; 3]>,
    /// (value, logins)
    unknown: Vec<(String, String)>,
    /// (entry, login, why)
    problems: Vec<[String; 3]>,
    inactive_here: String,
    rotation_errors: Vec<(String, String)>,
    touches: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "directory.html")]
struct DirectoryPage {
    t: Tr,
    page: PageCtx,
    /// The server's directory as configured (never its password).
    server: Option<String>,
    form: SettingsForm,
    errors: FieldErrors,
    notice: String,
    /// (what went wrong, what the directory said)
    failure: Option<(String, String)>,
    run: Option<RunView>,
}

#[derive(Default)]
struct State {
    form: Option<SettingsForm>,
    errors: FieldErrors,
    notice: String,
    failure: Option<(String, String)>,
    run: Option<DryRun>,
}

fn unit(t: Tr, units: &[OrgUnitRow], code: &str) -> String {
    match units.iter().find(|u| u.code == code) {
        Some(u) => format!("{} ({code})", t.pick(&u.name_ja, &u.name_en)),
        None => code.to_string(),
    }
}

fn post_of(t: Tr, units: &[OrgUnitRow], code: &str, position: &str) -> String {
    let place = unit(t, units, code);
    if position.is_empty() {
        place
    } else {
        format!("{place} {position}")
    }
}

fn view(t: Tr, units: &[OrgUnitRow], run: DryRun) -> RunView {
    let p = &run.plan;
    let mut services = 0;
    let mut accounts = 0;
    for (_, planned) in run.rotation.plan.planned() {
        services += planned
            .services
            .iter()
            .filter(|(_, c)| *c == gaibu_domain::rotation::Concern::Administrator)
            .count();
        if planned.leaves {
            accounts += planned.accounts.len();
        }
    }
    let rotation_errors = run
        .rotation
        .plan
        .errors()
        .map(|(i, e)| {
            let login = run.rotation.moves.get(i).map(|m| m.login.clone());
            (login.unwrap_or_default(), t.error(e.code))
        })
        .collect();
    RunView {
        clean: run.is_clean(),
        empty: p.is_empty(),
        counts: vec![
            (t.directory_count_entries(), p.entries),
            (t.directory_count_created(), p.creates.len()),
            (t.directory_count_updates(), p.updates.len()),
            (t.directory_count_moves(), p.moves.len()),
            (t.directory_count_leavers(), p.leavers.len()),
            (t.directory_count_unknown_units(), p.unknown_units.len()),
            (t.directory_count_problems(), p.problems.len()),
        ],
        creates: p
            .creates
            .iter()
            .map(|c| {
                let u = unit(t, units, &c.unit_code);
                [
                    c.login.clone(),
                    c.display_name.clone(),
                    u,
                    c.position.clone(),
                ]
            })
            .collect(),
        updates: p
            .updates
            .iter()
            .map(|u| {
                let mut what = Vec::new();
                for (label, change) in [
                    (t.directory_change_name(), &u.display_name),
                    (t.directory_change_email(), &u.email),
                ] {
                    if let Some((before, after)) = change {
                        what.push(format!("{label}: {before} → {after}"));
                    }
                }
                if u.link {
                    what.push(t.directory_change_linked().to_string());
                }
                (u.login.clone(), what)
            })
            .collect(),
        moves: p
            .moves
            .iter()
            .map(|m| {
                let from = post_of(t, units, &m.from_unit, &m.from_position);
                let to = post_of(t, units, &m.to_unit, &m.to_position);
                [m.login.clone(), m.display_name.clone(), from, to]
            })
            .collect(),
        leavers: p
            .leavers
            .iter()
            .map(|l| {
                let why = match l.reason {
                    LeaveReason::Absent => t.directory_leaver_absent(),
                    LeaveReason::MarkedInactive => t.directory_leaver_marked(),
                };
                [l.login.clone(), l.display_name.clone(), why.to_string()]
            })
            .collect(),
        unknown: p
            .unknown_units
            .iter()
            .map(|u| (u.value.clone(), u.logins.join(", ")))
            .collect(),
        problems: p
            .problems
            .iter()
            .map(|e| [e.dn.clone(), e.login.clone(), t.error(e.code)])
            .collect(),
        inactive_here: p.inactive_here.join(", "),
        rotation_errors,
        touches: t
            .directory_rotation_touches()
            .replace("{services}", &services.to_string())
            .replace("{accounts}", &accounts.to_string()),
        fingerprint: run.fingerprint,
    }
}

async fn render(cx: &Cx, s: State) -> AppResult<DirectoryPage> {
    let st = &cx.st;
    let page = cx.page("/admin");
    let t = page.t;
    let units = crate::auth::org_units(st).await?;
    let form = match s.form {
        Some(f) => f,
        None => SettingsForm::of(&directory::settings::current(st).await?),
    };
    let server = st.cfg.directory.as_ref().map(|c| {
        let tls = if c.starttls { " (StartTLS)" } else { "" };
        match c.bind_dn.as_str() {
            "" => format!("{}{tls}", c.url),
            dn => format!("{}{tls} — {dn}", c.url),
        }
    });
    Ok(DirectoryPage {
        t,
        server,
        form,
        errors: s.errors,
        notice: s.notice,
        failure: s.failure,
        run: s.run.map(|r| view(t, &units, r)),
        page,
    })
}

async fn page(cx: Cx) -> AppResult<Response> {
    require_system_administrator(&cx.st, &cx.u, "directory.view").await?;
    show(render(&cx, State::default()).await?)
}

async fn save(cx: Cx, form: FormPairs) -> AppResult<Response> {
    require_system_administrator(&cx.st, &cx.u, "directory.settings").await?;
    let input: SettingsForm = form.to_input(&[])?;
    match save_form(&cx.st, &cx.u.who(), &input).await {
        Ok(()) => {
            let notice = cx.t().directory_saved().to_string();
            let s = State {
                notice,
                ..State::default()
            };
            show(render(&cx, s).await?)
        }
        Err(AppError::Invalid(errs)) => {
            let s = State {
                form: Some(input),
                errors: cx.errors(&errs),
                ..State::default()
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&cx, s).await?).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn check(cx: Cx) -> AppResult<Response> {
    require_system_administrator(&cx.st, &cx.u, "directory.dry_run").await?;
    let s = match directory::dry_run(&cx.st, &cx.u.who()).await {
        Ok(run) => State {
            run: Some(run),
            ..State::default()
        },
        Err(e) => return failed(&cx, e).await,
    };
    show(render(&cx, s).await?)
}

/// A dry run or sync that could not be made: the page with the message and what the directory
/// said, answered with the error's own status (502 for the directory, 409 for one changed
/// since the dry run); any other error as it is.
async fn failed(cx: &Cx, e: SyncError) -> AppResult<Response> {
    let (e, detail) = e.app();
    let status = e.status();
    let message = match e {
        AppError::Refused(code) => cx.t().error(code.as_str()),
        other => return Err(other),
    };
    let s = State {
        failure: Some((message, detail.unwrap_or_default())),
        ..State::default()
    };
    Ok((status, render(cx, s).await?).into_response())
}

async fn sync(cx: Cx, form: FormPairs) -> AppResult<Response> {
    require_system_administrator(&cx.st, &cx.u, "directory.sync").await?;
    let t = cx.t();
    let expect = form.get("fingerprint").to_string();
    let s = match directory::sync(&cx.st, &cx.u.who(), Some(&expect)).await {
        Ok(done) if done.created + done.updated + done.moved + done.deactivated == 0 => State {
            notice: t.directory_synced_nothing().to_string(),
            ..State::default()
        },
        Ok(done) => State {
            notice: t
                .directory_synced()
                .replace("{created}", &done.created.to_string())
                .replace("{updated}", &done.updated.to_string())
                .replace("{moved}", &done.moved.to_string())
                .replace("{deactivated}", &done.deactivated.to_string()),
            ..State::default()
        },
        Err(e) => return failed(&cx, e).await,
    };
    show(render(&cx, s).await?)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/directory", get(page))
        .route("/admin/directory/settings", post(save))
        .route("/admin/directory/check", post(check))
        .route("/admin/directory/sync", post(sync))
}
