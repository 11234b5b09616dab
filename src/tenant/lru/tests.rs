use super::*;

#[test]
fn bounded_and_the_least_recently_used_goes_first() {
    let mut m = Lru::new(2);
    m.insert("a", 1);
    m.insert("b", 2);
    assert_eq!(m.get_mut("a"), Some(&mut 1)); // a is now the most recent
    m.insert("c", 3); // evicts b
    assert_eq!(m.len(), 2);
    assert!(m.get_mut("b").is_none());
    m.insert("a", 10); // an existing key evicts nothing
    assert_eq!(m.get_mut("a"), Some(&mut 10));
    assert_eq!(m.len(), 2);
    m.remove("a");
    assert_eq!(m.len(), 1);
}
