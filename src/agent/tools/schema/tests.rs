use super::*;

#[test]
fn every_schema_is_an_object_whose_required_are_properties() {
    for t in ToolId::ALL {
        let s = parameters(t);
        assert_eq!(s["type"], "object", "{}", t.name());
        for r in s["required"].as_array().unwrap() {
            assert!(
                s["properties"].get(r.as_str().unwrap()).is_some(),
                "{}: {r}",
                t.name()
            );
        }
        assert!(!description(t).is_empty());
    }
    let names: std::collections::HashSet<_> = ToolId::ALL.iter().map(|t| t.name()).collect();
    assert_eq!(names.len(), ToolId::ALL.len());
    assert!(ToolId::offered(false).all(|t| !t.writes()));
    assert_eq!(ToolId::find("take_snapshot", false), None);
    assert_eq!(
        ToolId::find("take_snapshot", true),
        Some(ToolId::TakeSnapshot)
    );
}
