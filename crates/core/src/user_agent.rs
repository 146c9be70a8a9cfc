//! Browser and operating system in words ("Firefox on Windows") from a `User-Agent` header, for
//! the sessions page. A small table of the families people use, checked in the order that
//! matters (Edge and Opera say "Chrome", Chrome says "Safari"); anything else is named by what is
//! known, never shown raw.

/// "Firefox on Windows", "Safari on iPhone", "curl", or "Unknown device".
pub fn describe(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or("").trim();
    match (browser(ua), os(ua)) {
        (Some(b), Some(o)) => format!("{b} on {o}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(o)) => format!("A browser on {o}"),
        (None, None) => "Unknown device".to_owned(),
    }
}

fn browser(ua: &str) -> Option<&'static str> {
    const BROWSERS: &[(&str, &str)] = &[
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("OPR/", "Opera"),
        ("Vivaldi/", "Vivaldi"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("YaBrowser/", "Yandex Browser"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("MSIE ", "Internet Explorer"),
        ("Trident/", "Internet Explorer"),
        ("curl/", "curl"),
        ("Wget/", "Wget"),
        ("python-requests/", "Python requests"),
        ("reqwest", "A program (reqwest)"),
        ("PostmanRuntime/", "Postman"),
        ("okhttp/", "An Android app"),
    ];
    BROWSERS.iter().find(|(needle, _)| ua.contains(needle)).map(|(_, name)| *name)
}

fn os(ua: &str) -> Option<&'static str> {
    const SYSTEMS: &[(&str, &str)] = &[
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Macintosh", "macOS"),
        ("Mac OS X", "macOS"),
        ("Ubuntu", "Ubuntu"),
        ("Fedora", "Fedora"),
        ("Linux", "Linux"),
        ("FreeBSD", "FreeBSD"),
    ];
    SYSTEMS.iter().find(|(needle, _)| ua.contains(needle)).map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn common_browsers_are_named_with_their_system() {
        let cases = [
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Windows"),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on Windows",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
                "Opera on Linux",
            ),
            ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Ubuntu"),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
                "Headless Chrome on Linux",
            ),
            ("curl/8.5.0", "curl"),
        ];
        for (ua, words) in cases {
            assert_eq!(describe(Some(ua)), words, "{ua}");
        }
    }

    #[test]
    fn unknown_or_missing_agents_are_never_shown_raw() {
        assert_eq!(describe(None), "Unknown device");
        assert_eq!(describe(Some("")), "Unknown device");
        assert_eq!(describe(Some("<script>alert(1)</script>")), "Unknown device");
        assert_eq!(describe(Some("SomethingNew/1.0 (Windows NT 10.0)")), "A browser on Windows");
    }
}
