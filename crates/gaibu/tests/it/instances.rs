//! Several stateless instances on one database, under concurrent writes: sessions are shared
//! and the audit chain stays one chain.

use crate::harness::{TestApp, application_json};
use reqwest::StatusCode;

pub async fn several_instances_share_one_database(app: &TestApp) {
    let second = app.second_instance().await;

    // A session opened on one instance works on the other.
    let b = app.browser("im").await;
    let res = b
        .http
        .get(format!("{second}/api/v1/me"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::OK);

    // Concurrent writes through both instances.
    let im = app.api("im").await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let base = if i % 2 == 0 {
            app.base.clone()
        } else {
            second.clone()
        };
        let token = im.token.clone();
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/applications"))
                .bearer_auth(token)
                .json(&application_json(&format!("同時申請{i}"), "1"))
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    // `audit verify` while the writes go on: never a false alarm.
    for _ in 0..20 {
        match app.st.store.verify_audit().await.expect("verify") {
            gaibu_store::VerifyOutcome::Intact { .. } => {}
            broken => panic!("verify during writes: {broken:?}"),
        }
    }
    for t in tasks {
        assert_eq!(t.await.expect("join").expect("send"), StatusCode::CREATED);
    }
    match app.st.store.verify_audit().await.expect("verify") {
        gaibu_store::VerifyOutcome::Intact { events } => assert!(events > 24),
        broken => panic!("{broken:?}"),
    }
}
