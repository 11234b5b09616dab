use super::*;

#[test]
fn health_thresholds_follow_the_spec() {
    assert_eq!(Health::of(0.0), Health::Healthy);
    assert_eq!(Health::of(4.99), Health::Healthy);
    assert_eq!(Health::of(5.0), Health::Degraded);
    assert_eq!(Health::of(10.0), Health::Degraded);
    assert_eq!(Health::of(10.01), Health::Unhealthy);
}
