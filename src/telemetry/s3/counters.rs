//! The S3 call families (CloudWatch request metrics in Prometheus form), as plain
//! counters under the recorder's lock.
//!
//! | CloudWatch          | Prometheus                                                       |
//! |---------------------|------------------------------------------------------------------|
//! | AllRequests         | `sum(spacewatch_s3_requests_total)`                              |
//! | GetRequests …       | `spacewatch_s3_requests_total{api="GetObject"}` (Put, Head, Delete, List) |
//! | 4xxErrors, 5xxErrors| `spacewatch_s3_requests_total{status_class="4xx"}` / `"5xx"`     |
//! | FirstByteLatency    | `spacewatch_s3_first_byte_latency_seconds`                       |
//! | TotalRequestLatency | `spacewatch_s3_total_request_latency_seconds`                    |
//! | BytesDownloaded/Uploaded | `spacewatch_s3_downloaded_bytes_total` / `_uploaded_`       |

use prometheus::core::Desc;
use prometheus::proto::MetricFamily;

use super::call::{CallClass, S3Api, S3Call};
use crate::telemetry::prom::MetricName as N;
use crate::telemetry::prom::encode::{Hist, counters, desc, histograms, labels};

const APIS: usize = S3Api::COUNT;
const CLASSES: usize = CallClass::COUNT;

/// Counters of every S3 call.
#[derive(Debug, Clone, Default)]
pub struct S3Counters {
    requests: [[u64; CLASSES]; APIS],
    first_byte: [Hist; APIS],
    total: [Hist; APIS],
    downloaded: [u64; APIS],
    uploaded: [u64; APIS],
}

impl S3Counters {
    #[inline]
    pub fn record(&mut self, c: &S3Call) {
        let a = c.api.index();
        self.requests[a][c.class().index()] += 1;
        if let Some(fb) = c.first_byte {
            self.first_byte[a].observe(fb.as_secs_f64());
        }
        self.total[a].observe(c.total.as_secs_f64());
        self.downloaded[a] += c.bytes_down;
        self.uploaded[a] += c.bytes_up;
    }

    pub fn descs() -> Vec<Desc> {
        vec![
            desc(N::S3RequestsTotal, &["api", "status_class"]),
            desc(N::S3FirstByteLatencySeconds, &["api"]),
            desc(N::S3TotalRequestLatencySeconds, &["api"]),
            desc(N::S3DownloadedBytesTotal, &["api"]),
            desc(N::S3UploadedBytesTotal, &["api"]),
        ]
    }

    /// Every family; each (api, status class) series exists from the first scrape.
    pub fn families(&self) -> Vec<MetricFamily> {
        let api = |i: usize| S3Api::ALL[i].as_str();
        let per_api = |name, v: &[u64; APIS]| {
            counters(
                name,
                (0..APIS)
                    .map(|i| (labels(&[("api", api(i))]), v[i]))
                    .collect(),
            )
        };
        let hist = |name, h: &[Hist; APIS]| {
            histograms(
                name,
                (0..APIS)
                    .map(|i| (labels(&[("api", api(i))]), h[i]))
                    .collect(),
            )
        };
        let requests = (0..APIS)
            .flat_map(|i| (0..CLASSES).map(move |c| (i, c)))
            .map(|(i, c)| {
                let l = labels(&[
                    ("api", api(i)),
                    ("status_class", CallClass::ALL[c].as_str()),
                ]);
                (l, self.requests[i][c])
            })
            .collect();
        vec![
            counters(N::S3RequestsTotal, requests),
            hist(N::S3FirstByteLatencySeconds, &self.first_byte),
            hist(N::S3TotalRequestLatencySeconds, &self.total),
            per_api(N::S3DownloadedBytesTotal, &self.downloaded),
            per_api(N::S3UploadedBytesTotal, &self.uploaded),
        ]
    }
}
