use super::*;

#[test]
fn vectors_scalars_and_special_values() {
    let body = br#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"instance":"a:1","job":"spacewatch"},"value":[1700000000.5,"42"]},
            {"metric":{},"value":[1700000000.5,"NaN"]},
            {"metric":{"le":"+Inf"},"value":[1700000000.5,"+Inf"]}]},"warnings":["w"]}"#;
    let a = parse_vector(body).unwrap();
    assert_eq!(a.result.len(), 3);
    assert_eq!(a.result[0].labels["instance"], "a:1");
    assert_eq!(a.result[0].value, 42.0);
    assert_eq!(a.result[0].time, 1_700_000_000.5);
    assert!(a.result[1].value.is_nan());
    assert_eq!(a.result[2].value, f64::INFINITY);
    assert_eq!(a.warnings, ["w"]);
    let scalar = br#"{"status":"success","data":{"resultType":"scalar","result":[1,"-Inf"]}}"#;
    assert_eq!(
        parse_vector(scalar).unwrap().result[0].value,
        f64::NEG_INFINITY
    );
}

#[test]
fn matrices() {
    let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"instance":"b"},"values":[[10,"1"],[20,"2.5"]]}]}}"#;
    let a = parse_matrix(body).unwrap();
    assert_eq!(a.result[0].points, [(10.0, 1.0), (20.0, 2.5)]);
    assert!(matches!(parse_vector(body), Err(WireError::Shape(_))));
}

#[test]
fn errors_and_garbage() {
    let body = br#"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#;
    assert_eq!(
        parse_vector(body),
        Err(WireError::Engine {
            error_type: "bad_data".into(),
            message: "parse error at char 3".into()
        })
    );
    assert!(
        matches!(parse_vector(b"<html>502 Bad Gateway</html>"), Err(WireError::Shape(m)) if m.contains("502 Bad Gateway"))
    );
    let bad_value = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}"#;
    assert!(matches!(parse_vector(bad_value), Err(WireError::Shape(_))));
    assert!(matches!(
        parse_vector(br#"{"status":"success"}"#),
        Err(WireError::Shape(_))
    ));
}
