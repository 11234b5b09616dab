use super::*;

#[derive(Default, Debug, PartialEq)]
struct N(u64);
impl Slot for N {
    fn reset(&mut self) {
        self.0 = 0;
    }
}

fn add(r: &mut Ring<N>, t: u64, n: u64) {
    r.advance(UnixTime::from_secs(t));
    r.current().0 += n;
}

fn total(r: &mut Ring<N>, t: u64) -> u64 {
    r.advance(UnixTime::from_secs(t));
    r.slots().iter().map(|s| s.0).sum()
}

#[test]
fn values_leave_one_window_length_later() {
    let mut r: Ring<N> = Ring::new(Duration::from_secs(10), 6); // 60 s window
    add(&mut r, 1000, 1);
    add(&mut r, 1030, 2);
    assert_eq!(total(&mut r, 1059), 3);
    assert_eq!(total(&mut r, 1060), 2);
    assert_eq!(total(&mut r, 1089), 2);
    assert_eq!(total(&mut r, 1090), 0);
}

#[test]
fn a_long_gap_empties_the_window() {
    let mut r: Ring<N> = Ring::new(Duration::from_secs(1), 300);
    (0..300).for_each(|t| add(&mut r, 5000 + t, 1));
    assert_eq!(total(&mut r, 5299), 300);
    assert_eq!(total(&mut r, 10_000_000), 0);
}

#[test]
fn a_clock_stepping_back_keeps_counting() {
    let mut r: Ring<N> = Ring::new(Duration::from_secs(1), 5);
    add(&mut r, 100, 1);
    add(&mut r, 90, 1);
    assert_eq!(total(&mut r, 100), 2);
    assert_eq!(total(&mut r, 105), 0);
}
