use super::*;
use http_body_util::BodyExt;

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

#[tokio::test]
async fn a_matching_body_passes_and_a_wrong_one_fails_before_its_end() {
    let data = b"hello world".to_vec();
    // With its declared length, and streamed without one.
    for length in [Some(11), None] {
        let ok = sha256_checked(Body::from(data.clone()), &sha(&data), length).unwrap();
        assert_eq!(ok.collect().await.unwrap().to_bytes(), &data[..]);
        let bad = sha256_checked(Body::from(data.clone()), &sha(b"other"), length).unwrap();
        let err = bad.collect().await.unwrap_err();
        assert!(err.to_string().contains("x-amz-content-sha256"), "{err}");
    }
    assert!(sha256_checked(Body::empty(), "zz", Some(0)).is_none());
}
