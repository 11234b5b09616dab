use super::*;

/// Every `/static/…` reference in the pages and modules names an embedded file, and
/// nothing refers to another host.
#[test]
fn references_resolve_and_stay_on_this_server() {
    let texts = ASSETS
        .iter()
        .chain([&DASHBOARD, &ADMIN])
        .filter(|a| !a.name.ends_with(".svg"))
        .map(|a| (a.name, std::str::from_utf8(a.body).unwrap()));
    for (name, text) in texts {
        for part in text.split("/static/").skip(1) {
            let file: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                .collect();
            assert!(asset(&file).is_some(), "{name} refers to {file}");
        }
        let banned = [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "href=\"//",
            "url(",
            "@import",
            "fetch('http",
            "from 'http",
            "<style",
            "style=\"",
            "onclick",
            "onload",
        ];
        for banned in banned {
            assert!(!text.contains(banned), "{name} contains {banned}");
        }
        if name.ends_with(".html") {
            assert!(!text.contains("<script>"), "{name} has an inline script");
        }
    }
}
