use std::time::Duration;

use super::*;

#[test]
fn statuses_fall_into_their_class() {
    let mut c = Cell::default();
    for status in [100, 204, 304, 404, 499, 503, 999] {
        c.add(status, Duration::from_millis(1), 0);
    }
    assert_eq!(c.by_class, [1, 1, 1, 2, 2]);
    assert_eq!((c.errors_4xx(), c.errors_5xx()), (2, 2));
}
