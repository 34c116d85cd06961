//! Integration tests: the real app on a random port, over SQLite and (when
//! `GAIBU_TEST_POSTGRES_URL` is set) PostgreSQL. One test binary for link time's sake.

mod harness;

mod api_routes;
mod api_track;
mod audit_chain;
mod bad_input;
mod browser;
mod class2_track;
mod contractors;
mod evidence;
mod html_track;
mod instances;
mod mail;
mod policy;
mod reuse;

/// Declares each scenario once per backend: `sqlite::name` and `postgres::name`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = crate::harness::TestApp::spawn(crate::harness::Db::Sqlite).await;
                    crate::scenarios::$name(&app.expect("sqlite app")).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = crate::harness::TestApp::spawn(crate::harness::Db::Postgres).await else {
                        eprintln!("postgres suite skipped: GAIBU_TEST_POSTGRES_URL is not set");
                        return;
                    };
                    crate::scenarios::$name(&app).await;
                    app.cleanup().await;
                }
            )*
        }
    };
}

mod scenarios {
    pub use crate::api_track::*;
    pub use crate::audit_chain::*;
    pub use crate::bad_input::*;
    pub use crate::class2_track::*;
    pub use crate::contractors::*;
    pub use crate::evidence::*;
    pub use crate::html_track::*;
    pub use crate::instances::*;
    pub use crate::mail::*;
    pub use crate::policy::*;
    pub use crate::reuse::*;
}

on_both_backends!(
    class1_track_through_the_api,
    class1_track_through_html_forms,
    transitions_the_state_does_not_allow,
    bad_input_is_answered_clearly,
    concurrent_saves_conflict,
    csrf_and_origin_are_enforced,
    tampering_with_the_audit_chain_is_detected,
    policy_takes_effect_only_on_ciso_approval,
    five_level_scheme_routes_applications,
    several_instances_share_one_database,
    class2_track_return_resubmit_approve,
    class2_rejection_and_who_may_decide,
    class2_track_through_html_forms,
    notification_email_reaches_the_applicant,
    evidence_is_checked_and_kept,
    catalogue_answers_may_i_use_it,
    reuse_copies_an_approved_evaluation,
    contractor_submits_and_information_manager_verifies,
);
