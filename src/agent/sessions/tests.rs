use super::*;

fn fp(n: u8) -> TenantKey {
    [n; 32]
}

fn remembering(bucket: &str) -> Memory {
    Memory {
        last_bucket: Some(bucket.into()),
        turns: VecDeque::new(),
    }
}

#[test]
fn sessions_are_per_tenant_bounded_and_expire() {
    let s = Sessions::new(2, Duration::from_secs(60));
    let t0 = Instant::now();
    s.put(fp(1), "chat", remembering("a"), t0);
    assert_eq!(s.get(fp(1), "chat", t0).last_bucket.as_deref(), Some("a"));
    // Another tenant, same id: nothing.
    assert_eq!(s.get(fp(2), "chat", t0), Memory::default());
    // Expired after the TTL.
    assert_eq!(
        s.get(fp(1), "chat", t0 + Duration::from_secs(61)),
        Memory::default()
    );
    assert!(s.is_empty());
    // Least recently used goes first at capacity.
    s.put(fp(1), "x", remembering("x"), t0);
    s.put(fp(1), "y", remembering("y"), t0 + Duration::from_secs(1));
    s.put(fp(1), "z", remembering("z"), t0 + Duration::from_secs(2));
    assert_eq!(s.len(), 2);
    assert_eq!(
        s.get(fp(1), "x", t0 + Duration::from_secs(3)),
        Memory::default()
    );
    assert!(
        s.get(fp(1), "z", t0 + Duration::from_secs(3))
            .last_bucket
            .is_some()
    );
}

#[test]
fn turns_and_ids_are_bounded() {
    let mut m = Memory::default();
    for i in 0..10 {
        m.push_turn(&format!("q{i}"), &"é".repeat(5000));
    }
    assert_eq!(m.turns.len(), MAX_TURNS);
    assert_eq!(m.turns[0].0, "q6");
    assert!(m.turns[0].1.len() <= MAX_TURN_TEXT + 3);
    assert!(valid_session_id("abc-123_x.y:z"));
    assert!(!valid_session_id(""));
    assert!(!valid_session_id("has space"));
    assert!(!valid_session_id(&"a".repeat(129)));
}
