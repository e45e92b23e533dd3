#!/usr/bin/python3
"""Opens fieldkit's dashboard in headless Chromium and checks it against `hub report --format json`.

Run by ReportTests/dashboardInChromium (make test), with Debian's chromium, chromium-driver and
python3-selenium (make install-test-deps). Fails (exit 1) when a request fails or leaves the
server, the console shows an error, the page is wider than 1366 px, or any number in the page
differs from the JSON's. Writes a screenshot either way.
"""

import argparse
import json
import os
import sys
from urllib.parse import urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def expected_numbers(report):
    """The `data-key` → text map the page must show: the rows of ReportTable, built from the JSON."""
    numbers = {}

    def add(section, region, site, month, group, measures):
        for measure, value in measures:
            numbers["|".join([section, region, site, month, group, measure])] = value

    for row in report["repairs"]:
        add("repairs", row["region"], row["site"], row["month"], row["family"], [
            ("count", str(row["count"])), ("fixed", str(row["fixed"])),
            ("needs-depot", str(row["needsDepot"])), ("beyond-repair", str(row["beyondRepair"])),
            ("minutes", str(row["minutes"])), ("parts", str(row["parts"]))])
    for row in report["instruments"]:
        add("instruments", row["region"], "", "", row["status"] + "/" + row["condition"], [("count", str(row["count"]))])
    overdue = {}
    for item in report["overdue"]:
        overdue[item["region"]] = overdue.get(item["region"], 0) + 1
    for region, count in overdue.items():
        add("overdue", region, "", "", "follow-ups", [("count", str(count))])
    for row in report["training"]:
        add("training", row["region"], "", "", row["checklist"], [
            ("sessions", str(row["sessions"])), ("trainees", str(row["trainees"])),
            ("competencies", str(row["competencies"]))])
    names = {}
    for row in report["devices"]:
        names[row["name"]] = names.get(row["name"], 0) + 1
    for row in report["devices"]:
        days = row.get("daysSinceSync")
        group = row["name"] if names[row["name"]] == 1 else "%s (%s)" % (row["name"], row["device"])
        add("devices", row["region"], "", "", group, [
            ("days-since-sync", "" if days is None else str(days)), ("gaps", str(row["gaps"])),
            ("open-conflicts", str(row["openConflicts"])), ("clock-anomalies", str(row["clockAnomalies"]))])
    return numbers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--screenshot", required=True)
    args = parser.parse_args()

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--disable-gpu", "--window-size=1366,768", "--disable-dev-shm-usage"]:
        options.add_argument(flag)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    problems = []
    try:
        driver.get(args.url)
        if driver.execute_script("return document.readyState") != "complete":
            problems.append("the page did not finish loading")
        origin = urlparse(args.url).netloc
        requests = 0
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method"), message.get("params", {})
            if method == "Network.requestWillBeSent":
                requests += 1
                target = urlparse(params["request"]["url"])
                if target.scheme not in ("data", "about") and target.netloc != origin:
                    problems.append("a request left the server: " + params["request"]["url"])
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                problems.append("a request failed: " + params.get("errorText", "?"))
            elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
                problems.append("%s answered %d" % (params["response"]["url"], params["response"]["status"]))
        for entry in driver.get_log("browser"):
            if entry["level"] == "SEVERE":
                problems.append("console: " + entry["message"])
        width = driver.execute_script("return document.documentElement.scrollWidth")
        if width > 1366:
            problems.append("the page is %d px wide, more than 1366" % width)
        if driver.execute_script("return document.querySelectorAll('svg rect.bar').length") == 0:
            problems.append("the page has no chart bars")
        shown = dict(driver.execute_script(
            "return Array.from(document.querySelectorAll('[data-key]')).map(e => [e.dataset.key, e.textContent])"))
        with open(args.json, encoding="utf-8") as handle:
            expected = expected_numbers(json.load(handle))
        for key in sorted(set(expected) | set(shown)):
            if expected.get(key) != shown.get(key):
                problems.append("%s: page shows %r, JSON says %r" % (key, shown.get(key), expected.get(key)))
        driver.save_screenshot(args.screenshot)
        print("requests: %d; numbers checked: %d; width: %d px" % (requests, len(expected), width))
    finally:
        driver.quit()
    for problem in problems:
        print("problem: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
