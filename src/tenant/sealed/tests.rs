use super::*;

fn tenant(expires_in: u64) -> Sealed {
    Sealed {
        key: "DO00TENANTKEY".into(),
        secret: Secret::new("tenant-secret"),
        endpoint: "https://nyc3.digitaloceanspaces.com".into(),
        region: "nyc3".into(),
        expires: UNIX_EPOCH + Duration::from_secs(1_800_000_000 + expires_in),
    }
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
}

fn keys(hex_keys: &[&str]) -> SealKeys {
    SealKeys::new(&hex_keys.iter().map(|k| Secret::new(*k)).collect::<Vec<_>>()).unwrap()
}

const K1: &str = "0101010101010101010101010101010101010101010101010101010101010101";
const K2: &str = "0202020202020202020202020202020202020202020202020202020202020202";

#[test]
fn a_token_opens_to_what_was_sealed_and_the_secret_is_derived_again() {
    let k = keys(&[K1]);
    let issued = k.issue(&tenant(3600));
    assert!(issued.access_key_id.starts_with(KEY_PREFIX));
    assert_eq!(issued.access_key_id.len(), 20);
    assert!(
        issued
            .access_key_id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    );
    assert_eq!(issued.secret_access_key.expose().len(), 40);
    let opened = k
        .open(&issued.access_key_id, &issued.session_token, at(10))
        .unwrap();
    assert_eq!(opened.tenant, tenant(3600));
    assert_eq!(
        opened.gateway_secret.expose(),
        issued.secret_access_key.expose()
    );
    // Nothing of the tenant's secret shows in what the client holds.
    assert!(!issued.session_token.contains("tenant-secret"));
    assert!(!issued.secret_access_key.expose().contains("tenant"));
}

#[test]
fn expired_tampered_rebound_and_foreign_tokens_are_refused() {
    let k = keys(&[K1]);
    let issued = k.issue(&tenant(3600));
    let (id, token) = (&issued.access_key_id, &issued.session_token);
    assert_eq!(k.open(id, token, at(3600)).unwrap_err(), SealError::Expired);
    // Another access key id: the token is bound to its own.
    let other = k.issue(&tenant(3600));
    assert_eq!(
        k.open(&other.access_key_id, token, at(1)).unwrap_err(),
        SealError::Invalid
    );
    // A flipped byte anywhere.
    let raw = URL_SAFE_NO_PAD.decode(token).unwrap();
    for i in [0, 3, 10, raw.len() / 2, raw.len() - 1] {
        let mut bad = raw.clone();
        bad[i] ^= 1;
        let bad = URL_SAFE_NO_PAD.encode(bad);
        assert_eq!(
            k.open(id, &bad, at(1)).unwrap_err(),
            SealError::Invalid,
            "byte {i}"
        );
    }
    // Sealed under a key this server does not hold.
    assert_eq!(
        keys(&[K2]).open(id, token, at(1)).unwrap_err(),
        SealError::Invalid
    );
    for junk in ["", "!!!", &"A".repeat(5000), "AQ"] {
        assert_eq!(k.open(id, junk, at(1)).unwrap_err(), SealError::Invalid);
    }
    assert_eq!(
        k.open("AKIAOTHER", token, at(1)).unwrap_err(),
        SealError::Invalid
    );
}

#[test]
fn keys_rotate_the_first_seals_and_all_open() {
    let old = keys(&[K1]).issue(&tenant(3600));
    let rotated = keys(&[K2, K1]);
    let opened = rotated
        .open(&old.access_key_id, &old.session_token, at(1))
        .unwrap();
    assert_eq!(
        opened.gateway_secret.expose(),
        old.secret_access_key.expose()
    );
    let new = rotated.issue(&tenant(3600));
    assert!(
        keys(&[K2])
            .open(&new.access_key_id, &new.session_token, at(1))
            .is_ok()
    );
    assert!(
        keys(&[K1])
            .open(&new.access_key_id, &new.session_token, at(1))
            .is_err()
    );
}

#[test]
fn seal_keys_are_32_bytes_in_hex_or_base64() {
    assert!(parse_key(K1).is_ok());
    let b64 = STANDARD_NO_PAD.encode([7u8; 32]);
    assert_eq!(*parse_key(&b64).unwrap(), [7u8; 32]);
    assert_eq!(*parse_key(&format!("{b64}=")).unwrap(), [7u8; 32]);
    for bad in [
        "",
        "abcd",
        &"0".repeat(62),
        "not a key at all, really not one",
    ] {
        assert_eq!(parse_key(bad).unwrap_err(), SealError::BadKey, "{bad}");
    }
    assert!(SealKeys::new(&[Secret::new("short")]).is_err());
    assert!(SealKeys::new(&[]).unwrap().ephemeral);
    assert_eq!(new_key_hex().len(), 64);
    assert!(parse_key(&new_key_hex()).is_ok());
}

#[test]
fn base32_is_rfc_4648() {
    assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    assert_eq!(base32(b"f"), "MY");
    assert_eq!(base32(&[0u8; 10]).len(), 16);
}
