//! The audit trail's names and its chain.

#[test]
fn every_action_name_is_unique_and_parses_back() {
    let mut seen = std::collections::HashSet::new();
    for a in super::Action::ALL {
        assert!(seen.insert(a.as_str()), "duplicate {}", a.as_str());
        assert_eq!(super::Action::parse(a.as_str()), Some(a));
        assert!(a.as_str().contains('.'));
    }
}

use super::*;

fn chain(n: i64) -> Vec<AuditEvent> {
    let mut prev = GENESIS.to_string();
    (1..=n)
        .map(|seq| {
            let mut e = AuditEvent {
                seq,
                at_ms: 1000 * seq,
                actor_id: Some(1),
                actor_login: "im".into(),
                action: "application.created".into(),
                entity: "application".into(),
                entity_id: Some(seq),
                service_id: None,
                before: None,
                after: Some(format!("{{\"n\":{seq}}}")),
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = event_hash(&e);
            prev = e.hash.clone();
            e
        })
        .collect()
}

fn head(c: &[AuditEvent]) -> (i64, &str) {
    c.last()
        .map(|e| (e.seq, e.hash.as_str()))
        .unwrap_or((0, GENESIS))
}

#[test]
fn an_intact_chain_verifies() {
    let c = chain(5);
    assert_eq!(verify(&c, head(&c)), Ok(5));
    assert_eq!(verify(&[], (0, GENESIS)), Ok(0));
}

#[test]
fn edits_deletions_and_reordering_are_detected() {
    let c = chain(5);
    let h = head(&c);
    let mut edited = c.clone();
    edited[2].after = Some("{\"n\":99}".into());
    assert_eq!(verify(&edited, h), Err(ChainError::Hash { seq: 3 }));

    let mut deleted = c.clone();
    deleted.remove(1);
    assert_eq!(
        verify(&deleted, h),
        Err(ChainError::Gap {
            seq: 3,
            expected: 2
        })
    );

    let mut swapped = c.clone();
    swapped.swap(1, 2);
    (swapped[1].seq, swapped[2].seq) = (2, 3);
    assert_eq!(verify(&swapped, h), Err(ChainError::Link { seq: 2 }));

    let truncated = &c[..4];
    assert_eq!(
        verify(truncated, h),
        Err(ChainError::Head { last: 4, head: 5 })
    );
}
