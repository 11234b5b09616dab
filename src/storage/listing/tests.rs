use super::human_bytes;

#[test]
fn human_sizes() {
    assert_eq!(human_bytes(0), "0 B");
    assert_eq!(human_bytes(1023), "1023 B");
    assert_eq!(human_bytes(1536), "1.50 KiB");
    assert_eq!(
        human_bytes(3 * 1024 * 1024 * 1024 + 256 * 1024 * 1024),
        "3.25 GiB"
    );
}
