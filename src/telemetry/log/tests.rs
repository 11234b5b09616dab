//! The JSON line, byte for byte: the keys in their order, nulls where a field is absent,
//! control characters of outside text replaced — what log shippers have parsed so far.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::{LogFormat, LogSink};
use crate::telemetry::clock::{ManualClock, UnixTime};
use crate::telemetry::operation::{Fingerprint, Operation, RequestId, TraceId};
use crate::telemetry::{HttpMethod, OperationType};

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn sink() -> (LogSink, Buf) {
    let buf = Buf::default();
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(1_700_000_000)));
    (
        LogSink::new(LogFormat::Json, Box::new(buf.clone()), clock),
        buf,
    )
}

fn op(status: u16, error: Option<&str>) -> Operation {
    Operation {
        started_at: UnixTime::from_secs(1_700_000_000),
        operation: OperationType::GetObject,
        method: HttpMethod::Get,
        route: "/s3/{bucket}/{*key}",
        bucket: error.is_none().then(|| Arc::from("demo-assets")),
        tenant: error.is_none().then_some(Fingerprint([0xab; 8])),
        status,
        duration: Duration::from_micros(12_345_678),
        bytes_in: 0,
        bytes_out: 4096,
        first_byte: None,
        error: error.map(Arc::from),
        s3_api: None,
        named_bucket: None,
        request_id: RequestId::new("req-1").unwrap(),
        trace_id: TraceId([0x11; 16]),
    }
}

fn lines(buf: &Buf) -> Vec<String> {
    String::from_utf8(buf.0.lock().clone())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn an_operation_line_has_its_fields_in_order() {
    let (sink, buf) = sink();
    sink.operation(&op(200, None), 10_000.0);
    sink.operation(&op(503, Some("slow\ndown")), 20_000.0);
    let fp = "abababababababab";
    let trace = "11111111111111111111111111111111";
    assert_eq!(
        lines(&buf),
        [
            format!(
                r#"{{"timestamp":"2023-11-14T22:13:32.345Z","level":"INFO","event":"STORAGE_OP","message":"STORAGE_OP: GET_OBJECT | GET /s3/{{bucket}}/{{*key}} | status=200 | duration=12345.68ms | bytes=4096 | bucket=demo-assets","operation_type":"GET_OBJECT","method":"GET","endpoint":"/s3/{{bucket}}/{{*key}}","status_code":200,"duration_ms":12345.678,"bytes":4096,"bucket":"demo-assets","tenant":"{fp}","request_id":"req-1","trace_id":"{trace}","error":null}}"#
            ),
            format!(
                r#"{{"timestamp":"2023-11-14T22:13:32.345Z","level":"WARNING","event":"SLOW_OPERATION","message":"SLOW_OPERATION: GET_OBJECT - 12345.68ms - bucket=demo-assets status=200","operation_type":"GET_OBJECT","method":"GET","endpoint":"/s3/{{bucket}}/{{*key}}","status_code":200,"duration_ms":12345.678,"bytes":4096,"bucket":"demo-assets","tenant":"{fp}","request_id":"req-1","trace_id":"{trace}","error":null}}"#
            ),
            format!(
                r#"{{"timestamp":"2023-11-14T22:13:32.345Z","level":"ERROR","event":"STORAGE_OP_ERROR","message":"STORAGE_OP_ERROR: GET_OBJECT | GET /s3/{{bucket}}/{{*key}} | duration=12345.68ms | error=slow down","operation_type":"GET_OBJECT","method":"GET","endpoint":"/s3/{{bucket}}/{{*key}}","status_code":503,"duration_ms":12345.678,"bytes":4096,"bucket":null,"tenant":null,"request_id":"req-1","trace_id":"{trace}","error":"slow down"}}"#
            ),
        ]
    );
}

#[test]
fn a_plain_event_has_the_common_fields_only() {
    let (sink, buf) = sink();
    sink.warn("listening on \"0.0.0.0:8000\"");
    assert_eq!(
        lines(&buf),
        [
            r#"{"timestamp":"2023-11-14T22:13:20.000Z","level":"WARNING","event":"MESSAGE","message":"listening on \"0.0.0.0:8000\""}"#
        ]
    );
}
