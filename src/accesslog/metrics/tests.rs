use super::LogOp;

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
