//! The same tools and gateway against a second, independent S3 implementation — moto's
//! server mode — so nothing is tuned to one server's quirks. Calls are counted by
//! construction here (moto keeps no count of its own).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use spacewatch::config::Settings;
use spacewatch::telemetry::SystemClock;

use crate::gateway::{data, gateway_client};
use crate::support::{Server, metric_sum, parse_metrics, tenant_with};

/// A `moto_server` on a free port, killed when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Moto {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let args = ["-H", "127.0.0.1", "-p", &port.to_string()];
        let spawn = |cmd: &mut Command| {
            cmd.args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
        };
        // The console script, or the module when no shim is on PATH.
        let child = spawn(&mut Command::new("moto_server"))
            .or_else(|_| spawn(Command::new("python3").args(["-m", "moto.server"])))
            .expect("moto runs (pip install 'moto[server]')");
        let endpoint = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, endpoint }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn direct(endpoint: &str) -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            "motokey",
            "motosecret",
            None,
            None,
            "test",
        ))
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

async fn get(s: &Server, path: &str) -> (u16, Value) {
    let r = s.get(path, tenant_with("motokey", "motosecret")).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs moto (pip install 'moto[server]')"]
async fn tools_and_gateway_against_moto() {
    let moto = Moto::start();
    let c = direct(&moto.endpoint);
    c.create_bucket()
        .bucket("moto-bucket")
        .send()
        .await
        .unwrap();
    let sizes: Vec<usize> = (0..30).map(|i| 1000 + i * 37).collect();
    for (i, n) in sizes.iter().enumerate() {
        c.put_object()
            .bucket("moto-bucket")
            .key(format!("k/{i:02}"))
            .body(vec![7; *n].into())
            .send()
            .await
            .unwrap();
    }
    let mut settings = Settings::for_tests();
    settings.endpoint = Some(moto.endpoint.clone());
    settings.region = "us-east-1".into();
    settings.knobs.rate_limit_rps = 0.0;
    let s = Server::start(settings, Arc::new(SystemClock)).await;

    // Tools: 1 ListBuckets, 4 ListObjectsV2, 1 HeadBucket.
    let (status, v) = get(&s, "/tools/buckets").await;
    assert_eq!(status, 200);
    assert!(
        v["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["name"] == "moto-bucket")
    );
    let (_, v) = get(&s, "/tools/list-all?bucket=moto-bucket").await;
    assert_eq!(v["count"], 30);
    assert_eq!(v["total_bytes"], sizes.iter().sum::<usize>());
    let (_, v) = get(&s, "/tools/storage-summary?bucket=moto-bucket&prefix=k/1").await;
    assert_eq!(v["object_count"], 10);
    let (_, v) = get(&s, "/tools/top-largest?bucket=moto-bucket&limit=3").await;
    let top: Vec<u64> = v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["size"].as_u64().unwrap())
        .collect();
    assert_eq!(top, [2073, 2036, 1999]);
    let (_, v) = get(&s, "/tools/recent-objects?bucket=moto-bucket&limit=5").await;
    assert_eq!(v["objects"].as_array().unwrap().len(), 5);
    let (status, v) = get(&s, "/tools/list-all?bucket=not-in-moto").await;
    assert_eq!(
        (status, v["detail"].as_str()),
        (404, Some("Bucket not found"))
    );

    // Gateway: 2 PutObject, 3 GetObject (one a Range, one missing), 1 HeadObject,
    // 4 ListObjectsV2 pages, 1 DeleteObject.
    let g = gateway_client(&s, "motokey", "motosecret");
    let body = data(2 * 1024 * 1024 + 3, 11);
    g.put_object()
        .bucket("moto-bucket")
        .key("big/one.bin")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    g.put_object()
        .bucket("moto-bucket")
        .key("big/two.bin")
        .body(b"two".to_vec().into())
        .send()
        .await
        .unwrap();
    let got = g
        .get_object()
        .bucket("moto-bucket")
        .key("big/one.bin")
        .send()
        .await
        .unwrap();
    assert!(got.body.collect().await.unwrap().into_bytes()[..] == body[..]);
    let part = g
        .get_object()
        .bucket("moto-bucket")
        .key("big/one.bin")
        .range("bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(
        part.content_range(),
        Some(&*format!("bytes 10-19/{}", body.len()))
    );
    assert!(part.body.collect().await.unwrap().into_bytes()[..] == body[10..20]);
    let head = g
        .head_object()
        .bucket("moto-bucket")
        .key("big/two.bin")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(3));
    let mut pages = 0;
    let mut token = None;
    loop {
        let p = g
            .list_objects_v2()
            .bucket("moto-bucket")
            .max_keys(10)
            .set_continuation_token(token.take())
            .send()
            .await
            .unwrap();
        pages += 1;
        match p.next_continuation_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 4, "32 objects, 10 a page");
    g.delete_object()
        .bucket("moto-bucket")
        .key("big/two.bin")
        .send()
        .await
        .unwrap();
    let missing = g
        .get_object()
        .bucket("moto-bucket")
        .key("big/two.bin")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_s3::error::ProvideErrorMetadata::code(&missing),
        Some("NoSuchKey")
    );

    s.state.recorder.flush().await;
    let text = s
        .get("/metrics", Default::default())
        .await
        .text()
        .await
        .unwrap();
    let m = parse_metrics(&text);
    let calls = |api: &str| metric_sum(&m, "spacewatch_s3_requests_total", &[("api", api)]) as u64;
    assert_eq!(calls("ListBuckets"), 1);
    assert_eq!(calls("HeadBucket"), 1);
    assert_eq!(calls("ListObjectsV2"), 4 + 4);
    assert_eq!(calls("PutObject"), 2);
    assert_eq!(calls("GetObject"), 3);
    assert_eq!(calls("HeadObject"), 1);
    assert_eq!(calls("DeleteObject"), 1);
    let errors = metric_sum(
        &m,
        "spacewatch_s3_requests_total",
        &[("status_class", "4xx")],
    ) as u64;
    assert_eq!(errors, 2, "the HeadBucket probe and the missing GetObject");
    let up = metric_sum(
        &m,
        "spacewatch_s3_uploaded_bytes_total",
        &[("api", "PutObject")],
    ) as u64;
    assert_eq!(up, body.len() as u64 + 3);
}

/// CopyObject through the gateway against moto: the copy holds the source's bytes and
/// the replaced metadata, and survives the source's deletion (`aws s3 mv`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs moto (pip install 'moto[server]')"]
async fn copy_and_move_through_the_gateway_against_moto() {
    let moto = Moto::start();
    let c = direct(&moto.endpoint);
    c.create_bucket().bucket("moto-copy").send().await.unwrap();
    let mut settings = Settings::for_tests();
    settings.endpoint = Some(moto.endpoint.clone());
    settings.region = "us-east-1".into();
    settings.knobs.rate_limit_rps = 0.0;
    let s = Server::start(settings, Arc::new(SystemClock)).await;
    let g = gateway_client(&s, "motokey", "motosecret");
    let body = data(700_001, 12);
    g.put_object()
        .bucket("moto-copy")
        .key("from.bin")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    g.copy_object()
        .bucket("moto-copy")
        .key("to.bin")
        .copy_source("moto-copy/from.bin")
        .metadata_directive(aws_sdk_s3::types::MetadataDirective::Replace)
        .metadata("moved", "yes")
        .send()
        .await
        .unwrap();
    g.delete_object()
        .bucket("moto-copy")
        .key("from.bin")
        .send()
        .await
        .unwrap();
    let got = c
        .get_object()
        .bucket("moto-copy")
        .key("to.bin")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.metadata()
            .and_then(|m| m.get("moved"))
            .map(String::as_str),
        Some("yes")
    );
    let bytes = got.body.collect().await.unwrap().into_bytes();
    assert!(
        bytes[..] == body[..],
        "{} bytes, not {}",
        bytes.len(),
        body.len()
    );
}

/// A file upload (aws-chunked with a CRC32 trailer) through the gateway reaches moto with
/// its trailer: moto keeps the checksum the client computed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs moto (pip install 'moto[server]')"]
async fn a_checksum_trailer_reaches_moto() {
    use aws_sdk_s3::primitives::ByteStream;
    use base64::Engine;
    let moto = Moto::start();
    direct(&moto.endpoint)
        .create_bucket()
        .bucket("moto-trailer")
        .send()
        .await
        .unwrap();
    let mut settings = Settings::for_tests();
    settings.endpoint = Some(moto.endpoint.clone());
    settings.region = "us-east-1".into();
    let s = Server::start(settings, Arc::new(SystemClock)).await;
    let g = gateway_client(&s, "motokey", "motosecret");
    let file = tempfile::NamedTempFile::new().unwrap();
    let body = data(300_001, 13);
    std::fs::write(file.path(), &body).unwrap();
    g.put_object()
        .bucket("moto-trailer")
        .key("f.bin")
        .body(ByteStream::from_path(file.path()).await.unwrap())
        .send()
        .await
        .unwrap();
    let head = direct(&moto.endpoint)
        .head_object()
        .bucket("moto-trailer")
        .key("f.bin")
        .checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    let want =
        base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(&body).to_be_bytes());
    assert_eq!(head.checksum_crc32(), Some(want.as_str()));
    assert_eq!(head.content_length(), Some(body.len() as i64));
}
