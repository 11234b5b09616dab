use super::*;

fn fp(n: u8) -> Fingerprint {
    Fingerprint([n; 8])
}

#[test]
fn a_tenant_gets_its_share_and_the_server_its_total() {
    let jobs = Jobs::new(3, 2, WAIT);
    let a1 = jobs.try_start(fp(1), 10).unwrap();
    let _a2 = jobs.try_start(fp(1), 10).unwrap();
    assert_eq!(jobs.try_start(fp(1), 10).unwrap_err(), Busy::Tenant);
    let _b1 = jobs.try_start(fp(2), 10).unwrap();
    assert_eq!(jobs.try_start(fp(3), 10).unwrap_err(), Busy::Server);
    drop(a1);
    assert_eq!(jobs.running(), 2);
    assert!(jobs.try_start(fp(3), 10).is_ok());
}

#[test]
fn dropping_the_job_stops_its_work_and_the_slot_waits_for_the_work() {
    let jobs = Jobs::new(1, 1, WAIT);
    let job = jobs.try_start(fp(1), 10).unwrap();
    let work = job.handle();
    assert!(!work.stopped());
    drop(job);
    assert!(work.stopped());
    assert_eq!(jobs.running(), 1, "the work still holds the slot");
    assert_eq!(jobs.try_start(fp(2), 10).unwrap_err(), Busy::Server);
    drop(work);
    assert_eq!(jobs.running(), 0);
}

#[test]
fn a_job_holds_no_more_than_its_budget() {
    let jobs = Jobs::new(1, 1, WAIT);
    let w = jobs.try_start(fp(1), 100).unwrap().handle();
    assert!(w.charge(60) && !w.charge(41) && w.charge(40));
    assert_eq!(w.used(), 100);
    w.uncharge(70);
    assert!(w.charge(70) && !w.charge(1));
}

#[tokio::test]
async fn a_job_waits_a_moment_for_a_slot_and_no_longer() {
    let wait = std::time::Duration::from_millis(300);
    let jobs = Jobs::new(1, 1, wait);
    let first = jobs.try_start(fp(1), 10).unwrap();
    let started = std::time::Instant::now();
    assert_eq!(jobs.start(fp(2), 10).await.unwrap_err(), Busy::Server);
    let waited = started.elapsed();
    assert!(
        waited >= wait && waited < 10 * wait,
        "waited {waited:?}, then refused"
    );
    let freed = async {
        tokio::time::sleep(wait / 3).await;
        drop(first);
    };
    let started = std::time::Instant::now();
    let (job, ()) = tokio::join!(jobs.start(fp(2), 10), freed);
    assert!(job.is_ok(), "the slot given back within the wait is taken");
    assert!(
        started.elapsed() < wait,
        "taken when given back, not at the end"
    );
}
