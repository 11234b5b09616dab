use super::{Counted, LogOp, ObjectId};

#[test]
fn the_counted_set_forgets_the_oldest_beyond_its_cap() {
    let id = |k: &str| ObjectId::new("e", "b", k, "etag");
    let mut c = Counted::new(2);
    assert!(c.insert(id("a")) && c.insert(id("b")) && !c.insert(id("a")));
    assert!(c.insert(id("c")));
    assert_eq!((c.set.len(), c.order.len()), (2, 2));
    assert!(!c.insert(id("c")) && !c.insert(id("b")));
    assert!(c.insert(id("a")), "the oldest was forgotten");
}

#[test]
fn operation_names_fold_into_a_closed_set() {
    for (name, op) in [
        ("REST.GET.OBJECT", LogOp::GetObject),
        ("WEBSITE.GET.OBJECT", LogOp::GetObject),
        ("REST.HEAD.OBJECT", LogOp::HeadObject),
        ("REST.PUT.OBJECT", LogOp::PutObject),
        ("REST.POST.OBJECT", LogOp::PutObject),
        ("REST.DELETE.OBJECT", LogOp::DeleteObject),
        ("BATCH.DELETE.OBJECT", LogOp::DeleteObject),
        ("REST.POST.MULTI_OBJECT_DELETE", LogOp::DeleteObject),
        ("REST.COPY.OBJECT", LogOp::CopyObject),
        ("REST.COPY.OBJECT_GET", LogOp::CopyObject),
        ("REST.GET.BUCKET", LogOp::ListObjects),
        ("REST.POST.UPLOADS", LogOp::Multipart),
        ("REST.PUT.PART", LogOp::Multipart),
        ("REST.GET.ACL", LogOp::Other),
        ("-", LogOp::Other),
        ("garbage", LogOp::Other),
    ] {
        assert_eq!(LogOp::of(name), op, "{name}");
    }
}
