use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::*;

fn v4(n: u32) -> IpAddr {
    IpAddr::V4(std::net::Ipv4Addr::from(n))
}

#[test]
fn burst_then_refill() {
    let l = RateLimiter::new(2.0, 3);
    let ip: IpAddr = "10.0.0.1".parse().unwrap();
    let t0 = Instant::now();
    assert!((0..3).all(|_| l.check(ip, t0).is_ok()));
    let wait = l.check(ip, t0).unwrap_err();
    assert!((wait.as_secs_f64() - 0.5).abs() < 1e-9);
    assert!(l.check(ip, t0 + Duration::from_millis(500)).is_ok());
    assert!(
        l.check("10.0.0.2".parse().unwrap(), t0).is_ok(),
        "other clients are separate"
    );
}

#[test]
fn zero_rate_is_off() {
    let l = RateLimiter::new(0.0, 1);
    let ip: IpAddr = "10.0.0.1".parse().unwrap();
    assert!((0..1000).all(|_| l.check(ip, Instant::now()).is_ok()));
}

#[test]
fn peeking_takes_nothing() {
    let l = RateLimiter::new(1.0, 1);
    let ip = v4(7);
    let t0 = Instant::now();
    assert!((0..5).all(|_| l.peek(ip, t0).is_ok()));
    assert!(l.check(ip, t0).is_ok());
    assert!(l.peek(ip, t0).is_err());
}

#[test]
fn idle_clients_are_swept_and_busy_tables_are_not_rescanned() {
    let l = RateLimiter::new(1.0, 2);
    let t0 = Instant::now();
    // 10,000 clients that each used a token: none is idle at t0.
    for n in 0..SWEEP_AT as u32 {
        l.check(v4(n), t0).unwrap();
    }
    l.check(v4(1_000_000), t0).unwrap();
    assert_eq!(l.len(), SWEEP_AT + 1, "nothing idle to sweep");
    assert_eq!(l.table.lock().sweep_at, 2 * SWEEP_AT, "next sweep doubled");
    // A second later every bucket has refilled: the next sweep empties the table.
    let t1 = t0 + Duration::from_secs(5);
    for n in 0..(SWEEP_AT as u32) {
        l.check(v4(2_000_000 + n), t1).unwrap();
    }
    assert!(l.len() <= SWEEP_AT + 1, "swept: {}", l.len());
}

#[test]
fn past_the_cap_new_clients_share_one_bucket() {
    let l = RateLimiter::new(0.001, 1);
    let t0 = Instant::now();
    for n in 0..MAX_CLIENTS as u32 {
        l.check(v4(n), t0).unwrap();
    }
    assert_eq!(l.len(), MAX_CLIENTS);
    // Two newcomers: the first takes the shared token, the second is refused.
    assert!(l.check(v4(u32::MAX - 1), t0).is_ok());
    assert!(l.check(v4(u32::MAX - 2), t0).is_err());
    assert!(l.len() <= MAX_CLIENTS + 1, "memory stays bounded");
}
