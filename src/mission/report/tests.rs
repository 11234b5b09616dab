use super::*;

#[test]
fn series_params_are_validated() {
    assert_eq!(series_params(None, None), Ok((60, 1)));
    assert_eq!(series_params(Some("2h"), Some("5m")), Ok((120, 5)));
    assert_eq!(series_params(Some("15m"), Some("15m")), Ok((15, 15)));
    let malformed = SeriesError::Malformed("window");
    for w in ["60", "m", "-5m", "1.5h", "60s", "6é", "99999999m", " 60m"] {
        assert_eq!(series_params(Some(w), None), Err(malformed.clone()), "{w}");
    }
    assert_eq!(
        series_params(None, Some("x")),
        Err(SeriesError::Malformed("resolution"))
    );
    assert_eq!(
        series_params(Some("0m"), None),
        Err(SeriesError::WindowRange)
    );
    assert_eq!(
        series_params(Some("3h"), None),
        Err(SeriesError::WindowRange)
    );
    assert_eq!(
        series_params(Some("10m"), Some("0m")),
        Err(SeriesError::ResolutionRange)
    );
    assert_eq!(
        series_params(Some("10m"), Some("20m")),
        Err(SeriesError::ResolutionRange)
    );
    assert_eq!(
        series_params(Some("10m"), Some("3m")),
        Err(SeriesError::NotMultiple)
    );
}
