//! The S3 call families (CloudWatch request metrics in Prometheus form), as plain
//! counters under the recorder's lock.
//!
//! | CloudWatch          | Prometheus                                                       |
//! |---------------------|------------------------------------------------------------------|
//! | AllRequests         | `sum(spacewatch_s3_requests_total)`                              |
//! | GetRequests …       | `sum(spacewatch_s3_requests_total{family="GetRequests"})` (Put, Delete, Head, Post, Select, List) |
//! | 4xxErrors, 5xxErrors| `spacewatch_s3_requests_total{status_class="4xx"}` / `"5xx"`     |
//! | FirstByteLatency    | `spacewatch_s3_first_byte_latency_seconds`                       |
//! | TotalRequestLatency | `spacewatch_s3_total_request_latency_seconds`                    |
//! | BytesDownloaded/Uploaded | `spacewatch_s3_downloaded_bytes_total` / `_uploaded_`       |

use prometheus::core::Desc;
use prometheus::proto::MetricFamily;

use super::call::{CallClass, S3Api, S3Call};
use super::per_api::PerApi;
use crate::telemetry::prom::MetricName as N;
use crate::telemetry::prom::encode::{Hist, counters, desc, histograms, labels};

const CLASSES: usize = CallClass::COUNT;

/// The APIs whose series exist from the first scrape (the ones the SDK tools call);
/// the others appear once called.
const ALWAYS: &[S3Api] = &[
    S3Api::ListBuckets,
    S3Api::ListObjectsV2,
    S3Api::GetObject,
    S3Api::PutObject,
    S3Api::HeadObject,
    S3Api::DeleteObject,
    S3Api::HeadBucket,
    S3Api::CreateBucket,
    S3Api::Other,
];

/// One API's counters.
#[derive(Debug, Clone, Default)]
struct ApiCounters {
    requests: [u64; CLASSES],
    first_byte: Hist,
    total: Hist,
    downloaded: u64,
    uploaded: u64,
}

/// Counters of every S3 call.
#[derive(Debug, Clone)]
pub struct S3Counters {
    apis: PerApi<ApiCounters>,
}

impl Default for S3Counters {
    fn default() -> Self {
        Self {
            apis: PerApi::with(ALWAYS),
        }
    }
}

impl S3Counters {
    #[inline]
    pub fn record(&mut self, c: &S3Call) {
        let a = self.apis.entry(c.api);
        a.requests[c.class().index()] += 1;
        if let Some(fb) = c.first_byte {
            a.first_byte.observe(fb.as_secs_f64());
        }
        a.total.observe(c.total.as_secs_f64());
        a.downloaded += c.bytes_down;
        a.uploaded += c.bytes_up;
    }

    pub fn descs() -> Vec<Desc> {
        vec![
            desc(N::S3RequestsTotal, &["api", "family", "status_class"]),
            desc(N::S3FirstByteLatencySeconds, &["api"]),
            desc(N::S3TotalRequestLatencySeconds, &["api"]),
            desc(N::S3DownloadedBytesTotal, &["api"]),
            desc(N::S3UploadedBytesTotal, &["api"]),
        ]
    }

    /// Every family: each (api, status class) series of an API exists from the first
    /// scrape (for `ALWAYS`) or from its first call; `family` is the API's CloudWatch
    /// request family (`sum by (family)` gives GetRequests, PutRequests, …).
    pub fn families(&self) -> Vec<MetricFamily> {
        let apis = self.apis.sorted();
        let api = |a: S3Api| labels(&[("api", a.as_str())]);
        let per_api = |name, f: fn(&ApiCounters) -> u64| {
            counters(name, apis.iter().map(|(a, c)| (api(*a), f(c))).collect())
        };
        let hist = |name, f: fn(&ApiCounters) -> Hist| {
            histograms(name, apis.iter().map(|(a, c)| (api(*a), f(c))).collect())
        };
        let requests = apis
            .iter()
            .flat_map(|(a, c)| (0..CLASSES).map(move |i| (*a, i, c.requests[i])))
            .map(|(a, i, n)| {
                let l = labels(&[
                    ("api", a.as_str()),
                    ("family", a.family().as_str()),
                    ("status_class", CallClass::ALL[i].as_str()),
                ]);
                (l, n)
            })
            .collect();
        vec![
            counters(N::S3RequestsTotal, requests),
            hist(N::S3FirstByteLatencySeconds, |c| c.first_byte),
            hist(N::S3TotalRequestLatencySeconds, |c| c.total),
            per_api(N::S3DownloadedBytesTotal, |c| c.downloaded),
            per_api(N::S3UploadedBytesTotal, |c| c.uploaded),
        ]
    }
}
