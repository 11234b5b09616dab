//! Building an aws-sdk-s3 client for one tenant's credentials.

use std::time::Duration;

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Region, RequestChecksumCalculation, ResponseChecksumValidation,
    SharedHttpClient,
};
use aws_smithy_http_client::tls;

use super::Account;
use super::calls::RecordCalls;

/// One HTTP client (and connection pool) shared by every tenant's SDK client.
pub fn shared_http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .build_https()
}

/// A client signing with the tenant's credentials against the tenant's endpoint.
///
/// Path-style addressing works with Spaces and with every local S3 server. Checksums
/// are only sent when an operation requires them: not every S3-compatible service
/// accepts the SDK's newer default checksum headers. `calls`, when given, records every
/// attempt as an S3 call.
pub fn build_client(
    account: Account<'_>,
    http: SharedHttpClient,
    timeout: Duration,
    calls: Option<RecordCalls>,
) -> aws_sdk_s3::Client {
    let credentials = aws_sdk_s3::config::Credentials::new(
        account.key.to_string(),
        account.secret.expose().to_string(),
        None,
        None,
        "spacewatch-tenant",
    );
    let timeouts = TimeoutConfig::builder()
        .operation_timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build();
    let mut config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(account.region.to_string()))
        .endpoint_url(account.endpoint)
        .credentials_provider(credentials)
        .force_path_style(true)
        .http_client(http)
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
    if let Some(calls) = calls {
        config = config.interceptor(calls);
    }
    aws_sdk_s3::Client::from_conf(config.build())
}
