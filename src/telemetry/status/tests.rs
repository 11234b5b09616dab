use super::StatusClass as C;

#[test]
fn each_user_sees_the_classes_it_always_saw() {
    // Access-log lines: only 100–599 have a class.
    for (status, class) in [
        (None, C::Other),
        (Some(0), C::Other),
        (Some(99), C::Other),
        (Some(100), C::Informational),
        (Some(204), C::Success),
        (Some(304), C::Redirection),
        (Some(499), C::ClientError),
        (Some(599), C::ServerError),
        (Some(600), C::Other),
    ] {
        assert_eq!(C::of(status), class, "{status:?}");
    }
    // Mission Control: every code, clamped into 1xx–5xx.
    for (status, index) in [
        (0, 0),
        (100, 0),
        (204, 1),
        (304, 2),
        (404, 3),
        (499, 3),
        (503, 4),
    ] {
        assert_eq!(C::of_code(status).index(), index, "{status}");
    }
    assert_eq!(C::of_code(999), C::ServerError);
    // Operations and S3 calls: below 300 is success.
    for (status, class) in [(0, C::Success), (101, C::Success), (299, C::Success)] {
        assert_eq!(C::of_answer(status), class, "{status}");
    }
    for (status, index) in [(200, 0), (302, 1), (404, 2), (500, 3), (700, 3)] {
        assert_eq!(C::of_answer(status).answered_index(), index, "{status}");
    }
}

#[test]
fn positions_and_labels_agree() {
    for (i, c) in C::ALL.iter().enumerate() {
        assert_eq!(c.index(), i);
    }
    for (i, c) in C::ANSWERED.iter().enumerate() {
        assert_eq!(c.answered_index(), i);
    }
    let labels: Vec<&str> = C::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(labels, ["1xx", "2xx", "3xx", "4xx", "5xx", "other"]);
}
