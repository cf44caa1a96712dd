"""A browser's User-Agent said the way a person recognises it: `Chrome · Android`, not 120 characters."""

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", Android also says "Linux".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("SamsungBrowser/", "Samsung Internet"),
             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"), ("curl/", "curl"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def browser_summary(agent: str | None) -> str:
    """`Chrome · Linux`; the raw text, cut short, when nothing is recognised; `""` when there is none."""
    if not agent:
        return ""
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    if "Headless" in agent and browser:
        browser += " (headless)"
    summary = " · ".join(part for part in (browser, system) if part)
    return summary or agent[:40]
