use super::*;

fn fp(n: u8) -> Fingerprint {
    Fingerprint([n; 8])
}

#[test]
fn a_tenant_gets_its_share_and_the_server_its_total() {
    let jobs = Jobs::new(3, 2);
    let a1 = jobs.start(fp(1), 10).unwrap();
    let _a2 = jobs.start(fp(1), 10).unwrap();
    assert_eq!(jobs.start(fp(1), 10).unwrap_err(), Busy::Tenant);
    let _b1 = jobs.start(fp(2), 10).unwrap();
    assert_eq!(jobs.start(fp(3), 10).unwrap_err(), Busy::Server);
    drop(a1);
    assert_eq!(jobs.running(), 2);
    assert!(jobs.start(fp(3), 10).is_ok());
}

#[test]
fn dropping_the_job_stops_its_work_and_the_slot_waits_for_the_work() {
    let jobs = Jobs::new(1, 1);
    let job = jobs.start(fp(1), 10).unwrap();
    let work = job.handle();
    assert!(!work.stopped());
    drop(job);
    assert!(work.stopped());
    assert_eq!(jobs.running(), 1, "the work still holds the slot");
    assert_eq!(jobs.start(fp(2), 10).unwrap_err(), Busy::Server);
    drop(work);
    assert_eq!(jobs.running(), 0);
}

#[test]
fn a_job_holds_no_more_than_its_budget() {
    let jobs = Jobs::new(1, 1);
    let w = jobs.start(fp(1), 100).unwrap().handle();
    assert!(w.charge(60) && !w.charge(41) && w.charge(40));
    assert_eq!(w.used(), 100);
    w.uncharge(70);
    assert!(w.charge(70) && !w.charge(1));
}
