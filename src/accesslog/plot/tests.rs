use super::*;

#[test]
fn the_chart_is_a_png_of_the_expected_size_with_ink_in_it() {
    let bars = vec![
        ("203.0.113.7".to_string(), 120),
        ("2001:db8::1".to_string(), 30),
    ];
    let png = bar_chart("Top IPs", &bars).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (WIDTH, height(2)));
    let px = &buf[..info.buffer_size()];
    let bar = px.chunks(3).filter(|p| *p == BAR).count();
    let inked = px.chunks(3).filter(|p| p[0] < 128 && p[1] < 128).count();
    // The longest bar fills its room, the second a quarter of it, each ROW - 8 tall.
    let room = (WIDTH - LABEL_W - VALUE_W - 16) as usize;
    let want = (room + room / 4) * (ROW as usize - 8);
    assert!(
        (bar as i64 - want as i64).abs() < 100,
        "{bar} bar pixels, want ~{want}"
    );
    assert!(inked > 500, "text was drawn: {inked} dark pixels");
    assert!(bar_chart("empty", &[]).is_ok());
}

#[test]
fn long_labels_are_clipped_to_their_column() {
    assert_eq!(clip("203.0.113.7", MAX_LABEL_CHARS), "203.0.113.7");
    let long = "é".repeat(60_000);
    let cut = clip(&long, MAX_LABEL_CHARS);
    assert_eq!(cut.chars().count(), MAX_LABEL_CHARS);
    assert!(cut.ends_with('…'));
    let v6 = "1111:2222:3333:4444:5555:6666:7777:8888";
    assert_eq!(
        clip(v6, MAX_LABEL_CHARS),
        v6,
        "every address is drawn whole"
    );
}
