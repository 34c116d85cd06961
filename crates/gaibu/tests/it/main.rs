//! Integration tests: the real app on a random port, over SQLite and PostgreSQL. One test binary
//! for link time's sake, with its own harness (libtest-mimic, `harness = false`): each test is
//! decided at start-up, and one that cannot run here — PostgreSQL without
//! `GAIBU_TEST_POSTGRES_URL`, the browser test without Chromium, the e-mail test without
//! aiosmtpd — is reported as *ignored*, then named with the reason and how to turn it on.

mod flows;
mod harness;
mod needs;

mod accounts;
mod api_routes;
mod api_track;
mod audit_chain;
mod bad_input;
mod bench;
mod browser;
mod class2_html;
mod class2_track;
mod connections;
mod contractors;
mod corrections;
mod dashboard;
mod dates;
mod demo_rotation;
mod directory;
mod evidence;
mod export;
mod export_lifecycle;
mod html_track;
mod identity;
mod import;
mod import_kinds;
mod import_round_trip;
mod instances;
mod ismap;
mod ldap;
mod lifecycle_lists;
mod lists;
mod mail;
mod measures;
mod mfa;
mod pages;
mod policy;
mod queue;
mod rechecks;
mod reminders;
mod reuse;
mod rotation;
mod search;
mod sheet_pages;
mod sso;
mod termination;

use harness::{Db, TestApp};
use libtest_mimic::{Arguments, FormatSetting, Trial};
use needs::{Here, Need};
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;

/// A scenario drives an app that the harness started for it.
type Scenario = for<'a> fn(&'a TestApp) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Each scenario once, with what it needs beyond the app (`name [Need]`); it runs as
/// `sqlite::name` and `postgres::name`.
macro_rules! on_both_backends {
    ($($name:ident $([$need:ident])?),* $(,)?) => {
        fn scenarios() -> Vec<(&'static str, Vec<Need>, Scenario)> {
            vec![$(
                (stringify!($name), vec![$(Need::$need)?], |app| Box::pin(scenarios::$name(app))),
            )*]
        }
    };
}

mod scenarios {
    pub use crate::accounts::*;
    pub use crate::api_routes::*;
    pub use crate::api_track::*;
    pub use crate::audit_chain::*;
    pub use crate::bad_input::*;
    pub use crate::bench::*;
    pub use crate::class2_html::*;
    pub use crate::class2_track::*;
    pub use crate::connections::*;
    pub use crate::contractors::*;
    pub use crate::corrections::*;
    pub use crate::dashboard::*;
    pub use crate::dates::*;
    pub use crate::demo_rotation::*;
    pub use crate::directory::*;
    pub use crate::evidence::*;
    pub use crate::export::*;
    pub use crate::export_lifecycle::*;
    pub use crate::html_track::*;
    pub use crate::identity::*;
    pub use crate::import::*;
    pub use crate::import_kinds::*;
    pub use crate::import_round_trip::*;
    pub use crate::instances::*;
    pub use crate::ismap::*;
    pub use crate::lifecycle_lists::*;
    pub use crate::lists::*;
    pub use crate::mail::*;
    pub use crate::measures::*;
    pub use crate::mfa::*;
    pub use crate::pages::*;
    pub use crate::policy::*;
    pub use crate::queue::*;
    pub use crate::rechecks::*;
    pub use crate::reminders::*;
    pub use crate::reuse::*;
    pub use crate::rotation::*;
    pub use crate::search::*;
    pub use crate::sheet_pages::*;
    pub use crate::sso::*;
    pub use crate::termination::*;
}

on_both_backends!(
    a_rotation_of_ten_administrators_applied_and_audited,
    a_rotation_file_with_one_bad_row_applies_nothing,
    the_demo_rotation_moves_ten_and_their_successors_are_designated,
    directory_sync_against_slapd[Slapd],
    an_unreachable_directory_changes_nothing,
    class1_track_through_the_api,
    class1_track_through_html_forms,
    transitions_the_state_does_not_allow,
    bad_input_is_answered_clearly,
    concurrent_saves_conflict,
    csrf_and_origin_are_enforced,
    tampering_with_the_audit_chain_is_detected,
    a_rewritten_chain_fails_against_signed_checkpoints,
    policy_takes_effect_only_on_ciso_approval,
    five_level_scheme_routes_applications,
    ciso_uploads_a_sheet_and_approves_what_it_changes,
    unreadable_policy_files_are_refused_at_the_field,
    several_instances_share_one_database,
    evidence_reaches_every_instance,
    class2_track_return_resubmit_approve,
    class2_rejection_and_who_may_decide,
    class2_track_through_html_forms,
    notification_email_reaches_the_applicant[Smtp],
    evidence_is_checked_and_kept,
    catalogue_answers_may_i_use_it,
    reuse_copies_an_approved_evaluation,
    contractor_submits_and_information_manager_verifies,
    every_api_route_is_in_the_document,
    api_routes_are_registered_with_their_operations,
    reminders_are_sent_once_as_the_clock_moves,
    reminder_email_goes_out_once_from_two_instances[Smtp],
    scope_is_shown_and_filtered,
    class1_procurement_is_checked_at_self_approval,
    evidence_items_need_a_file_or_a_reason,
    register_columns_follow_the_people,
    class1_administrator_changed_through_the_page,
    risks_are_shown_to_applicant_and_reviewer,
    citizen_facing_services_take_the_same_path,
    class2_termination_with_proof,
    highly_confidential_data_is_crypto_shredded,
    demo_hook_terminates_with_crypto_shredding,
    class1_retirement_closes_accounts,
    termination_through_html_pages,
    build_measures_are_recorded_before_operation,
    operation_rules_and_periodic_checks,
    measures_through_html_forms,
    each_trigger_opens_a_recheck,
    failed_recheck_corrective_action_and_suspension,
    check_order_over_a_provider,
    lists_are_paged_and_filtered_in_the_database,
    register_shows_each_reader_their_units,
    main_list_queries_use_an_index,
    lifecycle_lists_are_paged_and_filtered,
    japanese_search_finds_words_of_any_length,
    search_wildcards_are_literal,
    search_covers_applications_accounts_and_changes,
    search_uses_its_index,
    merging_the_search_index_keeps_what_it_finds,
    dashboard_counts_and_links,
    dates_follow_the_language_and_the_city_s_era_setting,
    service_timeline_is_paged,
    changes_through_one_instance_are_seen_by_another,
    ended_sessions_are_refused_at_once,
    responses_carry_the_security_headers,
    slow_and_idle_connections_are_closed,
    a_system_administrator_takes_no_business_action,
    repeated_wrong_passwords_are_throttled_then_locked,
    api_tokens_expire_and_are_revoked,
    idle_sessions_end,
    users_change_their_own_password,
    deactivated_users_are_shut_out_at_once,
    one_audit_event_is_bounded,
    a_privileged_user_cannot_finish_signing_in_without_totp,
    privileged_users_enrol_and_recover,
    every_demo_page_shows_messages_not_keys,
    refusals_keep_the_menu_and_link_to_what_to_fix,
    adding_a_role_preselects_nothing,
    histories_name_people,
    each_home_lists_what_waits_oldest_first,
    notices_are_shown_once_and_read_by_opening,
    a_refused_review_keeps_what_was_typed,
    approval_is_offered_once_the_sheet_is_met,
    a_ledger_file_is_checked_row_by_row,
    ismap_cross_check_flags_lapsed_and_unknown_registrations,
    ismap_list_mapped_and_bad_files_refused,
    a_ledger_file_is_imported_all_or_nothing_once,
    a_ledger_file_is_imported_from_the_page_and_the_api,
    the_ledger_and_register_come_back_the_same,
    official_accounts_are_imported_for_ledger_services,
    the_ism_imports_a_ledger_of_a_thousand_services,
    sso_signs_in_through_a_real_openid_provider[Oidc],
    a_request_reads_who_is_asking_in_one_query,
    policy_approved_on_one_instance_is_in_force_on_another,
    bench_seed_makes_every_state,
    approved_application_shows_its_sheet_read_only,
    sheet_form_names_every_field,
    problem_list_links_to_the_items,
    changes_between_rounds_are_shown,
    the_register_goes_out_as_excel_and_csv_with_its_filters,
    exports_write_era_dates_and_never_a_formula,
    lifecycle_lists_and_accounts_go_out_as_files,
);

/// Every test of the binary: (name, the database it starts, what it needs, the scenario).
fn tests() -> Vec<(String, Db, Vec<Need>, Scenario)> {
    let mut all = Vec::new();
    for (db, prefix, extra) in [
        (Db::Sqlite, "sqlite", None),
        (Db::Postgres, "postgres", Some(Need::Postgres)),
    ] {
        for (name, needs, scenario) in scenarios() {
            let needs = extra.into_iter().chain(needs).collect();
            all.push((format!("{prefix}::{name}"), db, needs, scenario));
        }
    }
    let class1: Scenario = |app| Box::pin(browser::class1_track_in_chromium(app));
    let a11y: Scenario = |app| Box::pin(browser::pages_pass_axe_core_in_chromium(app));
    for (name, scenario) in [
        ("browser::class1_track_in_chromium", class1),
        ("browser::pages_pass_axe_core_in_chromium", a11y),
    ] {
        all.push((name.into(), Db::Sqlite, vec![Need::Browser], scenario));
    }
    all
}

/// Runs one test in its own multi-threaded runtime, as `#[tokio::test(flavor =
/// "multi_thread", worker_threads = 2)]` would; a panic fails the test with its message.
fn run(db: Db, needs: &[Need], scenario: Scenario) {
    Here::get().check(needs);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(async {
            let app = TestApp::spawn(db).await.expect("the test's app");
            scenario(&app).await;
            app.cleanup().await;
        });
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let here = Here::get();
    let mut trials = Vec::new();
    let mut skipped = Vec::new();
    for (name, db, needs, scenario) in tests() {
        let missing: Vec<Need> = needs.iter().copied().filter(|n| here.skips(*n)).collect();
        trials.push(
            Trial::test(name.clone(), move || {
                run(db, &needs, scenario);
                Ok(())
            })
            .with_ignored_flag(!missing.is_empty()),
        );
        if !missing.is_empty() {
            skipped.push((name, missing));
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    report_skipped(&args, here, &skipped);
    conclusion.exit_code()
}

/// After the summary, one line per need that kept selected tests from running: which, why,
/// and how to run them.
fn report_skipped(args: &Arguments, here: &Here, skipped: &[(String, Vec<Need>)]) {
    let json = matches!(args.format, Some(FormatSetting::Json));
    if args.list || args.ignored || args.include_ignored || json {
        return;
    }
    for need in Need::ALL {
        let names: Vec<&str> = skipped
            .iter()
            .filter(|(name, missing)| missing.contains(&need) && selected(args, name))
            .map(|(name, _)| name.as_str())
            .collect();
        let Some(why) = here.why_missing(need).filter(|_| !names.is_empty()) else {
            continue;
        };
        let them = if names.len() == 1 { "it" } else { "them" };
        println!(
            "not run: {}: {why}; to run {them}, {}",
            describe(&names),
            need.how()
        );
    }
}

/// Whether the command line's filter and `--skip` select the test (as libtest-mimic decides).
fn selected(args: &Arguments, name: &str) -> bool {
    let matches = |pattern: &String| {
        if args.exact {
            name == pattern
        } else {
            name.contains(pattern.as_str())
        }
    };
    args.filter.as_ref().is_none_or(matches) && !args.skip.iter().any(matches)
}

/// `postgres::* (18 tests)` for many of one module, else the names.
fn describe(names: &[&str]) -> String {
    let module = names[0].split("::").next().unwrap_or("");
    if names.len() > 2 && names.iter().all(|n| n.starts_with(&format!("{module}::"))) {
        format!("{module}::* ({} tests)", names.len())
    } else {
        names.join(", ")
    }
}
