//! `gaibu bench seed`: fills a database with a city for the load benchmark — an org tree of
//! bureaus, departments and sections, users in every role, and services in every state, made
//! through the same operations the API calls, so that the audit trail is genuine. The content
//! is decided by the seed alone: every service draws from its own random stream (the seed and
//! its number), so several tasks may build services at once and still make the same city (with
//! one task, `--concurrency 1`, the ids are the same too). See `docs/benchmarks.md`.

mod city;
mod life;

use crate::auth::{CurrentUser, acting_as};
use crate::error::{AppError, AppResult};
use crate::people::{self, OrgUnitInput, RoleInput};
use crate::policies;
use crate::state::AppState;
use gaibu_store::{NewUser, Who};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The password of every user the seeder makes.
pub const BENCH_PASSWORD: &str = "gaibu-bench";
/// The user whose token and login the seeder prints: the CISO sees every list whole.
pub const BENCH_LOGIN: &str = "ciso";

#[derive(Debug, Clone)]
pub struct Options {
    /// How many services (in the ledger or approved for it) to make.
    pub services: usize,
    /// The seed of the city's random content.
    pub seed: u64,
    /// How many services are built at once.
    pub concurrency: usize,
    /// Draw a progress bar on the terminal.
    pub progress: bool,
}

/// What a seeding made, and how to use it.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub services: usize,
    /// Applications that did not (yet) become services: drafts, waiting or returned.
    pub applications_only: usize,
    pub users: usize,
    pub org_units: usize,
    /// Governance writes made through the operations (each one a transaction with its audit).
    pub writes: u64,
    pub seconds: f64,
    /// A bearer token of `BENCH_LOGIN`, for the JSON API.
    pub token: String,
    /// One service in operation, for the single-record pages.
    pub sample_service: i64,
}

/// The people of the city the services are made by.
pub(crate) struct Cast {
    pub ciso: CurrentUser,
    /// The ISM of each bureau, by bureau index.
    pub isms: Vec<CurrentUser>,
    /// The infrastructure manager over the whole city.
    pub infra: i64,
    pub sections: Vec<Section>,
}

/// One section: where services are applied for, and who works there.
pub(crate) struct Section {
    pub bureau: usize,
    pub name_ja: String,
    pub im: CurrentUser,
    pub bsm: CurrentUser,
    pub staff: CurrentUser,
}

/// Counts the writes made, for the writes-per-second figure.
#[derive(Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
}

/// Seeds an empty city into `st`. Fails when the city's org units already exist.
#[allow(clippy::disallowed_methods)] // the run's own duration, not a rule's time
pub async fn seed(st: &AppState, opts: &Options) -> anyhow::Result<Seeded> {
    let started = std::time::Instant::now();
    let counter = Arc::new(Counter::default());
    let shape = city::Shape::for_services(opts.services);
    let (cast, users, units) = make_people(st, &shape, &counter)
        .await
        .map_err(|e| anyhow::anyhow!("seeding the organisation failed: {e}"))?;
    let cast = Arc::new(cast);

    let bar = if opts.progress {
        let b = ProgressBar::new(opts.services as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} services ({per_sec}, eta {eta}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let next = Arc::new(AtomicUsize::new(0));
    let extra = Arc::new(AtomicUsize::new(0));
    let sample = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..opts.concurrency.max(1) {
        let (st, cast, next, counter, bar, extra, sample) = (
            st.clone(),
            cast.clone(),
            next.clone(),
            counter.clone(),
            bar.clone(),
            extra.clone(),
            sample.clone(),
        );
        let (total, seed) = (opts.services, opts.seed);
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<(), anyhow::Error>(());
                }
                let plan = city::plan(seed, i, &cast);
                let made = life::make(&st, &cast, &plan, &counter)
                    .await
                    .map_err(|e| anyhow::anyhow!("service {i} ({:?}): {e}", plan.kind))?;
                extra.fetch_add(made.applications_only, Ordering::Relaxed);
                if let Some(id) = made.in_operation {
                    // The first service in operation by number, whatever the order they ended.
                    let _ =
                        sample.compare_exchange(0, id as u64, Ordering::Relaxed, Ordering::Relaxed);
                }
                bar.inc(1);
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tasks.abort_all();
                bar.abandon();
                return Err(e);
            }
            Err(e) => {
                tasks.abort_all();
                bar.abandon();
                return Err(anyhow::anyhow!("a seeding task failed: {e}"));
            }
        }
    }
    bar.finish();
    let ciso = cast.ciso.user.id;
    let (_, token) = crate::credentials::create_api_token(st, &Who::system(), ciso, &bench_token())
        .await
        .map_err(|e| anyhow::anyhow!("token: {e}"))?;
    Ok(Seeded {
        services: opts.services,
        applications_only: extra.load(Ordering::Relaxed),
        users,
        org_units: units,
        writes: counter.0.load(Ordering::Relaxed),
        seconds: started.elapsed().as_secs_f64(),
        token,
        sample_service: sample.load(Ordering::Relaxed) as i64,
    })
}

/// The org tree, a user in every role, and the shipped policy approved by the CISO.
async fn make_people(
    st: &AppState,
    shape: &city::Shape,
    counter: &Counter,
) -> AppResult<(Cast, usize, usize)> {
    let sys = Who::system();
    let unit = |parent: &str, code: String, ja: String, en: String| OrgUnitInput {
        parent: parent.into(),
        code,
        name_ja: ja,
        name_en: en,
    };
    people::create_org_unit(
        st,
        &sys,
        &unit("", "CITY".into(), "本市".into(), "City".into()),
    )
    .await?;
    let mut units = 1;
    // One hash for everyone: the users share a password, and argon2 is slow on purpose.
    let hash = crate::auth::hash_password(BENCH_PASSWORD.into()).await?;
    let mut users = 0;
    let mut user = async |login: String, name: String, org: &str, pos: &str, role: &str| {
        let org_row = people::find_org_unit(st, org)
            .await?
            .ok_or(AppError::NotFound)?;
        let u = st
            .store
            .create_user(
                &sys,
                &NewUser {
                    email: format!("{login}@city.example.lg.jp"),
                    login,
                    display_name: name,
                    org_unit_id: org_row.id,
                    position: pos.into(),
                    lang: "ja".into(),
                    password_hash: Some(hash.clone()),
                    contractor_id: None,
                },
                st.now(),
            )
            .await?;
        people::assign_role(
            st,
            &sys,
            u.id,
            &RoleInput {
                role: role.into(),
                org_unit: org.into(),
            },
        )
        .await?;
        users += 1;
        AppResult::Ok(u.id)
    };
    let admin_pos = "システム管理者";
    user(
        "admin".into(),
        "システム 管理".into(),
        "CITY",
        admin_pos,
        "system_administrator",
    )
    .await?;
    let ciso = user(
        BENCH_LOGIN.into(),
        "最高 責任".into(),
        "CITY",
        "副市長",
        "ciso",
    )
    .await?;
    let infra = user(
        "infra".into(),
        "基盤 次郎".into(),
        "CITY",
        "情報政策課長",
        "infrastructure_manager",
    )
    .await?;
    let mut isms = Vec::new();
    let mut sections = Vec::new();
    for b in 0..shape.bureaus {
        let (bja, ben) = city::bureau_name(b);
        let bcode = format!("B{:02}", b + 1);
        people::create_org_unit(st, &sys, &unit("CITY", bcode.clone(), bja.clone(), ben)).await?;
        units += 1;
        let ism = user(
            format!("ism{:02}", b + 1),
            format!("{bja} 管理"),
            &bcode,
            "局長",
            "information_security_manager",
        )
        .await?;
        isms.push(ism);
        for d in 0..shape.departments {
            let (dja, den) = city::department_name(b, d);
            let dcode = format!("{bcode}-D{}", d + 1);
            people::create_org_unit(st, &sys, &unit(&bcode, dcode.clone(), dja, den)).await?;
            units += 1;
            for s in 0..shape.sections {
                let (sja, sen) = city::section_name(b, d, s);
                let scode = format!("{dcode}-S{}", s + 1);
                people::create_org_unit(st, &sys, &unit(&dcode, scode.clone(), sja.clone(), sen))
                    .await?;
                units += 1;
                let n = sections.len() + 1;
                let im = user(
                    format!("im{n:03}"),
                    format!("{sja} 課長"),
                    &scode,
                    "課長",
                    "information_manager",
                )
                .await?;
                let bsm = user(
                    format!("bsm{n:03}"),
                    format!("{sja} 係長"),
                    &scode,
                    "システム担当係長",
                    "business_system_manager",
                )
                .await?;
                let staff = user(
                    format!("staff{n:03}"),
                    format!("{sja} 主事"),
                    &scode,
                    "主事",
                    "staff",
                )
                .await?;
                sections.push((b, sja, im, bsm, staff));
            }
        }
    }
    counter.add((units + 2 * users) as u64);
    // Privileged users sign in with a second factor: `bench/load.sh` gets the CISO's code with
    // `gaibu user code`.
    let enrolled = crate::mfa::enrol_privileged(st, &sys).await?;
    counter.add(enrolled.len() as u64);
    let ciso = acting_as(st, ciso).await?;
    for p in policies::list(st).await? {
        if p.status == gaibu_domain::policy::PolicyStatus::Pending {
            policies::approve(st, &ciso, p.id).await?;
            counter.add(1);
        }
    }
    let mut ism_users = Vec::new();
    for id in isms {
        ism_users.push(acting_as(st, id).await?);
    }
    let mut secs = Vec::new();
    for (bureau, name_ja, im, bsm, staff) in sections {
        secs.push(Section {
            bureau,
            name_ja,
            im: acting_as(st, im).await?,
            bsm: acting_as(st, bsm).await?,
            staff: acting_as(st, staff).await?,
        });
    }
    Ok((
        Cast {
            ciso,
            isms: ism_users,
            infra,
            sections: secs,
        },
        users,
        units,
    ))
}

/// `gaibu bench seed`: seeds, then prints what the load script needs.
pub async fn run_seed(
    url: &str,
    evidence_dir: std::path::PathBuf,
    opts: Options,
) -> anyhow::Result<()> {
    let cfg = crate::state::Config {
        evidence_dir,
        ..crate::state::Config::default()
    };
    let st = crate::server::open(url, cfg).await?;
    if st.store.count_users().await? > 0 {
        anyhow::bail!(
            "the database already has users: bench seed fills an empty database (give a new --database-url or --data-dir)"
        );
    }
    let s = seed(&st, &opts).await?;
    // What the server's search upkeep does within minutes of a start (SQLite): the index in
    // few segments, as a running city keeps it.
    let merge = std::time::Instant::now();
    crate::server::merge_search_index(&st.store).await;
    let segments = st.store.search_segments().await?;
    if !segments.is_empty() {
        println!(
            "search index merged in {:.1} s: segments {}",
            merge.elapsed().as_secs_f64(),
            segments
                .iter()
                .map(|(d, n)| format!("{} {n}", d.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // What autovacuum would do in the following minutes, so that the load meets the steady
    // state: after a bulk load PostgreSQL's indexes still point at every dead version of a
    // changed row and its statistics are empty (the dashboard's count of waiting applications
    // took 339 ms at 50,000 services, 3 ms after).
    let vacuum = std::time::Instant::now();
    if st.store.vacuum_analyze().await? {
        println!(
            "vacuumed and analysed in {:.1} s",
            vacuum.elapsed().as_secs_f64()
        );
    }
    st.store.close().await;
    println!(
        "seeded {} services (+{} applications), {} users, {} org units in {:.1} s: {} writes, {:.0} writes/s",
        s.services,
        s.applications_only,
        s.users,
        s.org_units,
        s.seconds,
        s.writes,
        s.writes as f64 / s.seconds.max(0.001)
    );
    println!("database: {}", crate::server::redact(url));
    println!("login: {BENCH_LOGIN}");
    println!("password: {BENCH_PASSWORD}");
    println!("token: {}", s.token);
    println!("service: {}", s.sample_service);
    Ok(())
}

/// The seeder's token: it lives the longest the server allows, for runs days apart.
fn bench_token() -> crate::credentials::TokenInput {
    crate::credentials::TokenInput {
        name: "bench".into(),
        days: Some(crate::state::Config::default().token_max_days),
    }
}
