use super::*;

#[test]
fn delivery_time_and_source_come_from_the_key() {
    let o = LogObject::new(
        "logs/2024-03-05-10-00-07-ABCDEF0123456789".into(),
        1,
        "e".into(),
        None,
    );
    assert_eq!(o.delivered, Some(1_709_632_807));
    assert_eq!(o.source, None);
    let p = LogObject::new(
        "p/123456789012/us-east-1/my-bucket/2024/03/05/2024-03-05-00-00-00-XYZ.gz".into(),
        1,
        "e".into(),
        None,
    );
    assert_eq!(p.source.as_deref(), Some("my-bucket"));
    assert_eq!(p.delivered, Some(1_709_596_800));
    assert!(p.may_be_of(Some("my-bucket")) && !p.may_be_of(Some("other")));
    assert!(p.may_be_of(None));
    let bare = LogObject::new("weird-name.log".into(), 1, "e".into(), None);
    assert_eq!((bare.delivered, bare.source), (None, None));
    let invalid = LogObject::new("x/2024-13-40-99-00-00-A".into(), 1, "e".into(), None);
    assert_eq!(invalid.delivered, None);
}

#[test]
fn windows_contain_and_prune() {
    let now = 1_709_632_807; // 2024-03-05T10:00:07Z
    let day = Window::parse(Some("2024-03-05"), None, now).unwrap();
    assert!(day.contains(1_709_596_800) && !day.contains(1_709_596_800 + DAY));
    assert!(
        day.may_hold(Some(1_709_596_800 + DAY + 3600)),
        "late delivery"
    );
    assert!(
        !day.may_hold(Some(1_709_596_799)),
        "delivered before the day"
    );
    assert!(!day.may_hold(Some(1_709_596_800 + DAY + DELIVERY_LAG)));
    assert!(day.may_hold(None));
    let h = Window::parse(None, Some("2"), now).unwrap();
    assert_eq!(
        h,
        Window::Hours {
            start: 1_709_629_200, // 09:00, the hour before the current one
            hours: 2
        }
    );
    assert!(h.contains(1_709_629_200) && !h.contains(1_709_629_199));
    for bad in [
        (Some("2024-3-5"), None),
        (None, Some("0")),
        (None, Some("x")),
    ] {
        assert!(Window::parse(bad.0, bad.1, now).is_err(), "{bad:?}");
    }
    assert!(Window::parse(Some("2024-03-05"), Some("1"), now).is_err());
    assert_eq!(Window::parse(None, None, now).unwrap(), Window::All);
}
