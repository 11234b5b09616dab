use super::*;

#[test]
fn statuses_fall_into_their_class() {
    for (status, class) in [(100, 0), (204, 1), (304, 2), (404, 3), (499, 3), (503, 4)] {
        assert_eq!(class_index(status), class, "{status}");
    }
    assert_eq!(class_index(999), 4);
}
