use std::time::Duration;

use super::*;
use crate::storage::client::shared_http_client;
use crate::tenant::{ClientCache, Credentials};

fn opened(key: &str, expires: SystemTime) -> OpenedTenant {
    let clients = ClientCache::new(8, shared_http_client(), Duration::from_secs(5), None);
    let creds = Credentials {
        key: key.into(),
        secret: Secret::new("secret"),
        region: "nyc3".into(),
        endpoint: "https://nyc3.digitaloceanspaces.com".into(),
        log_bucket: None,
        metrics_bucket: None,
        log_prefix: crate::storage::KeyPrefix::default(),
        metrics_prefix: crate::storage::KeyPrefix::default(),
    };
    OpenedTenant {
        tenant: Tenant::new(creds, &clients),
        gateway_secret: Secret::new("gateway-secret"),
        expires,
    }
}

#[test]
fn a_token_is_found_only_with_its_own_key_and_until_it_expires() {
    let now = SystemTime::now();
    let tokens = OpenedTokens::new(8);
    assert!(tokens.get("SWGWA", "token-a", now).unwrap().is_none());
    tokens.put(
        "SWGWA",
        "token-a",
        opened("DOA", now + Duration::from_secs(60)),
    );
    let got = tokens.get("SWGWA", "token-a", now).unwrap().unwrap();
    assert_eq!(got.tenant.creds.key, "DOA");
    // The same token under another access key id is not the remembered credential.
    assert!(tokens.get("SWGWB", "token-a", now).unwrap().is_none());
    // Expired: refused, then forgotten.
    let later = now + Duration::from_secs(60);
    assert_eq!(tokens.get("SWGWA", "token-a", later).unwrap_err(), Expired);
    assert!(tokens.is_empty());
}

#[test]
fn bounded_and_least_recently_used_goes_first() {
    let now = SystemTime::now();
    let until = now + Duration::from_secs(60);
    let tokens = OpenedTokens::new(2);
    tokens.put("K", "a", opened("DOA", until));
    tokens.put("K", "b", opened("DOB", until));
    assert!(tokens.get("K", "a", now).unwrap().is_some()); // a is now the most recent
    tokens.put("K", "c", opened("DOC", until)); // evicts b
    assert_eq!(tokens.len(), 2);
    assert!(tokens.get("K", "b", now).unwrap().is_none());
    assert!(tokens.get("K", "a", now).unwrap().is_some());
    assert!(tokens.get("K", "c", now).unwrap().is_some());
}
