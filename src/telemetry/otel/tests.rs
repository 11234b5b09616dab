use super::*;

#[test]
fn the_resource_names_the_service_and_this_instance() {
    let mut s = OtelSettings::disabled();
    s.instance_id = Some("replica-7".into());
    s.resource = vec![("team".into(), "ops".into())];
    let attrs = resource_attributes(&s);
    let has = |k: &str, v: &str| {
        attrs
            .iter()
            .any(|kv| kv.key.as_str() == k && kv.value.as_str() == v)
    };
    assert!(has("service.name", "spacewatch"));
    assert!(has("service.instance.id", "replica-7"));
    assert!(has("team", "ops"));
}
