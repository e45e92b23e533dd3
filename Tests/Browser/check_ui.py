#!/usr/bin/python3
"""Drives `fieldkit ui` in headless Chromium the way a technician does, and checks each result
through the CLI's --json views of the same data folder.

Run by UIEndToEndTests (make test), with Debian's chromium, chromium-driver and python3-selenium
(make install-test-deps). Starts `fieldkit ui` itself on a free loopback port, reads the address
it prints, and stops it with SIGINT at the end (it must exit 0). Prints one "ok: …" line per
scenario and "scenarios passed: N"; any problem is printed as "problem: …" and exits 1. Writes a
screenshot of each main page to --out.
"""

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import traceback
from urllib.parse import urlparse

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait


class Check:
    def __init__(self, args):
        self.args = args
        self.problems = []
        self.passed = []

    # --- the CLI, as the independent view of the store

    def cli(self, *arguments):
        outcome = subprocess.run(
            [self.args.fieldkit, *arguments, "--data-dir", self.args.data_dir, "--json"],
            capture_output=True, text=True, timeout=120)
        if outcome.returncode != 0:
            raise AssertionError("fieldkit %s failed: %s" % (" ".join(arguments), outcome.stderr))
        return json.loads(outcome.stdout)

    def expect(self, condition, message):
        if not condition:
            raise AssertionError(message)

    # --- the browser

    def page(self, path):
        self.driver.get(self.base + path)
        self.settle()

    def settle(self):
        WebDriverWait(self.driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def finds(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def text(self, selector):
        return self.find(selector).text

    def navigates(self, action):
        """Runs `action` and waits until the page it leads to has loaded."""
        # A mark on the old page's window: gone once the browser shows the new page.
        self.driver.execute_script("window.fieldkitOldPage = true")
        action()
        WebDriverWait(self.driver, 30, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return window.fieldkitOldPage === undefined && document.readyState"
                                       " === 'complete'"))

    def type_into(self, selector, value, enter=False):
        field = self.find(selector)
        field.clear()
        field.send_keys(value)
        if enter:
            self.navigates(lambda: field.send_keys(Keys.ENTER))

    def submit(self, selector="main form button[type=submit]"):
        button = self.find(selector)
        self.navigates(button.click)

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(self.args.out, name + ".png"))

    def page_is_sound(self, name):
        """Every field labelled, nothing wider than the window."""
        unlabelled = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))"
            ".filter(e => e.labels.length === 0).map(e => e.name)")
        self.expect(not unlabelled, "%s: fields without a label: %s" % (name, unlabelled))
        width = self.driver.execute_script("return document.documentElement.scrollWidth")
        window = self.driver.execute_script("return window.innerWidth")
        self.expect(width <= window, "%s: the page is %d px wide in a %d px window" % (name, width, window))

    def scenario(self, name, function):
        try:
            function()
            self.passed.append(name)
            print("ok: " + name, flush=True)
        except Exception as error:  # one failed scenario must not hide the others
            frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == __file__]
            where = " (line %d)" % frames[-1].lineno if frames else ""
            self.problems.append("%s%s: %s" % (name, where, str(error).split("\n")[0]))
            try:
                self.shot("failed-" + name.replace(" ", "-"))
            except Exception:
                pass

    # --- scenarios

    def refuses_without_key(self):
        netloc = urlparse(self.base).netloc
        host, port = netloc.rsplit(":", 1)

        def ask(method, path, headers=None, body=None):
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            connection.request(method, path, body=body, headers=headers or {})
            answer = connection.getresponse()
            answer.read()
            connection.close()
            ask.location = answer.getheader("Location")
            return answer.status

        form = {"Content-Type": "application/x-www-form-urlencoded"}
        self.expect(ask("GET", "/") == 403, "a request without the key was not refused")
        self.expect(ask("GET", "/?token=" + "0" * 64) == 403, "a wrong key was not refused")
        self.expect(ask("GET", "/?token=" + self.token, {"Host": "evil.example:" + port}) == 403,
                    "a request for another host name (DNS rebinding) was not refused")
        self.expect(ask("POST", "/repair", form, "tag=LO-VN-000430&problem=x") == 403,
                    "a post without the key was not refused")
        cookie = {"Cookie": "fieldkit-ui-%s=%s" % (port, self.token)}
        before = self.cli("status")["repairs"]
        posted = ask("POST", "/repair", dict(form, **cookie),
                     "token=wrong&tag=LO-VN-000430&problem=x&action=y&minutes=5&outcome=fixed")
        self.expect(posted == 403, "a form with the cookie but not the key answered %d" % posted)
        self.expect(ask("POST", "/repair", dict(form, Origin="http://evil.example", **cookie),
                        "token=%s&tag=LO-VN-000430&problem=x&action=y&minutes=5&outcome=fixed" % self.token) == 403,
                    "a post from another page was not refused")
        self.expect(self.cli("status")["repairs"] == before, "a refused post wrote a repair")
        # The language switcher returns only to a page of ours.
        switched = ask("POST", "/language", dict(form, **cookie), "token=%s&language=en&back=/%%5Cevil.example" % self.token)
        self.expect(switched == 303 and ask.location == "/", "the switcher redirected to %r" % ask.location)
        self.expect(ask("GET", "/ui.css") == 200, "the stylesheet of the refusal page is refused")
        self.expect(ask("GET", "//evil.example?token=" + self.token) == 303 and ask.location == "/",
                    "the key's redirect went to %r" % ask.location)

    def opens_with_key(self):
        self.driver.get(self.url)
        self.settle()
        self.expect(urlparse(self.driver.current_url).query == "", "the key stayed in the address bar")
        self.expect(self.find("h1").text == "Home", "the start page is not in English: %r" % self.find("h1").text)
        status = self.cli("status")
        self.expect(status["site"] in self.text("header .where"), "the header does not show the site")
        self.page_is_sound("home")
        self.shot("home")

    def search_and_read_guide(self):
        self.page("/guides")
        self.find("#q").send_keys("string")
        # Search as you type: the results change without a submit, matched words marked.
        WebDriverWait(self.driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results mark"))
        self.expect(self.finds("#results a[href='/guides/violin-string-change']"), "the search does not find the guide")
        self.page_is_sound("guides")
        self.shot("guides")
        self.navigates(self.find("#results a[href='/guides/violin-string-change']").click)
        shown = self.cli("guide", "show", "violin-string-change", "--lang", "en")
        self.expect(self.text("h1") == shown["text"]["title"], "the guide's title differs from the CLI's")
        steps = self.finds("ol.steps > li")
        self.expect(len(steps) == len(shown["text"]["steps"]), "%d steps shown, the CLI has %d"
                    % (len(steps), len(shown["text"]["steps"])))
        for heading in ["Tools", "Parts", "Safety", "Send it to the depot when"]:
            self.expect(heading in [h.text for h in self.finds("h2")], "the guide has no %s section" % heading)
        self.expect(shown["partNames"][0]["name"] in self.text("main"), "the parts are not named")
        self.page_is_sound("guide")
        self.shot("guide")
        # Families filter the list.
        self.page("/guides?family=brass")
        families = {g["id"]: g["family"] for g in self.cli("guide", "list", "--lang", "en")}
        listed = [a.get_attribute("href").rsplit("/", 1)[1] for a in self.finds("#results a")]
        self.expect(listed and all(families[g] == "brass" for g in listed), "the brass filter lists %s" % listed)

    def switch_language(self):
        self.page("/guides/violin-string-change")
        Select(self.find("#language")).select_by_value("pap")
        self.submit("header form button")
        self.expect(self.driver.current_url.endswith("/guides"), "the switch did not return to the section")
        self.page("/guides/violin-string-change")
        shown = self.cli("guide", "show", "violin-string-change", "--lang", "pap")
        self.expect(self.find("html").get_attribute("lang") == "pap", "the page is not marked as Papiamento")
        self.expect(self.text("h1") == shown["text"]["title"], "the guide is not shown in Papiamento")
        # A guide not written in Papiamento yet: shown in Dutch, and the page says so.
        fallback = [g for g in self.cli("guide", "list", "--lang", "pap") if g["language"] != "pap"][0]
        self.page("/guides/" + fallback["id"])
        self.expect(self.text("h1") == fallback["title"], "the fallback guide's title differs from the CLI's")
        self.expect("Nederlands" in self.text("p.notice"), "the fallback to Dutch is not said")
        self.shot("guide-pap")
        Select(self.find("#language")).select_by_value("nl")
        self.submit("header form button")
        self.expect(self.find("nav a[href='/guides']").text == "Handleidingen", "the interface did not switch to Dutch")
        Select(self.find("#language")).select_by_value("en")
        self.submit("header form button")
        self.expect(self.find("nav a[href='/guides']").text == "Guides", "the interface did not switch back")

    def look_up_scanned_tag(self):
        self.page("/")
        # A scanner types the tag and presses Enter; the tag is forgiving.
        self.type_into("#tag", "lo vn 430", enter=True)
        shown = self.cli("instrument", "show", "LO-VN-000430")
        self.expect(self.text("h1") == "LO-VN-000430", "the scanned tag did not open its page: %r" % self.text("h1"))
        facts = self.text("#facts")
        for value in [shown["site"], shown["status"], shown["serial"]]:
            self.expect(value in facts, "the instrument page does not show %s" % value)
        history = self.cli("instrument", "history", "LO-VN-000430")
        self.expect(len(self.finds("main table tbody tr")) == len(history), "the history differs from the CLI's")
        self.page_is_sound("instrument")
        self.shot("instrument")
        self.type_into("#tag", "LO-ZZ-999999", enter=True)
        self.expect("no instrument" in self.text("#tag-error"), "an unknown tag gives no message beside the field")

    def log_repair(self):
        self.page("/instrument?tag=LO-VN-000430")
        self.navigates(self.find("a[href='/repair?tag=LO-VN-000430']").click)
        self.expect(self.find("#tag").get_attribute("value") == "LO-VN-000430", "the repair form lost the tag")
        before = self.cli("status")
        # Missing and bad fields: messages beside them, nothing written.
        self.type_into("#minutes", "")
        self.submit()
        for field in ["problem", "action", "minutes", "outcome"]:
            self.expect(self.finds("#%s-error" % field), "no message beside %s" % field)
        self.expect(self.finds("p.problem[role=alert]"), "no 'nothing was saved' line")
        self.shot("repair-missing")
        self.type_into("#problem", "E string broken; bridge leaning — ‘snaar’ kapot\nPeg slips too")
        self.type_into("#action", "New E string, bridge straightened")
        self.type_into("#minutes", "25")
        Select(self.find("#outcome")).select_by_value("fixed")
        self.type_into("#parts", "nope")
        self.submit()
        self.expect('no part "nope"' in self.text("#parts-error"), "the CLI's refusal is not beside the parts field")
        self.expect(self.find("#problem").get_attribute("value").startswith("E string broken"), "the form lost its text")
        self.expect(not self.finds("#problem-error"), "the problem's line break was refused: %s"
                    % [e.text for e in self.finds("#problem-error")])
        after = self.cli("status")
        self.expect(after["repairs"] == before["repairs"] and after["events"] == before["events"],
                    "a refused repair wrote something")
        self.type_into("#parts", "string-set-violin-4-4")
        Select(self.find("#guide")).select_by_value("violin-string-change")
        Select(self.find("#conditionAfter")).select_by_value("good")
        self.shot("repair")
        self.submit()
        self.expect(self.text("h1") == "LO-VN-000430", "saving did not lead back to the instrument")
        self.expect("saved" in self.text("p.notice"), "no notice that the repair was saved")
        # The CLI's warning (the guide asks for a training this technician has not signed off) is shown once.
        self.expect(self.finds("p.warning") and "string-setup-check" in self.text("p.warning"),
                    "the command's warning is not shown")
        self.page("/instrument?tag=LO-VN-000430")
        self.expect(not self.finds("p.warning"), "the warning is shown again")
        repairs = [r for r in self.cli("repair", "list", "--instrument", "LO-VN-000430")]
        self.expect(len(repairs) == 1, "the CLI lists %d repairs of LO-VN-000430" % len(repairs))
        values = repairs[0]["values"]
        self.expect(repairs[0]["site"] == self.cli("status")["site"], "the repair is not at the current site")
        self.expect(values["problem"] == "E string broken; bridge leaning — ‘snaar’ kapot\nPeg slips too",
                    "the problem text differs: %r" % values["problem"])
        self.expect(values["minutes"] == 25 and values["outcome"] == "fixed", "minutes or outcome differ: %s" % values)
        self.expect(values["guides"] == ["violin-string-change"], "the guide followed differs")
        self.expect(values["parts"] == [{"id": "string-set-violin-4-4", "quantity": 1}], "the parts differ")
        self.expect(values["conditionAfter"] == "good", "the condition differs")
        self.expect(self.cli("instrument", "show", "LO-VN-000430")["condition"] == "good", "the condition was not set")
        # Text people typed is shown as text, never as markup: in a form shown again and in the history.
        markup = '<img src=x onerror="window.fieldkitInjected=true"><b>peg</b> & "slips"'
        self.page("/repair?tag=LO-VN-000430")
        self.type_into("#problem", markup)
        self.submit()
        self.expect(self.find("#problem").get_attribute("value") == markup, "the form lost the typed markup")
        self.expect(not self.finds("main img, main b"), "typed markup was rendered in the form")
        self.type_into("#action", "Peg refitted")
        self.type_into("#minutes", "10")
        Select(self.find("#outcome")).select_by_value("fixed")
        self.submit()
        self.expect(not self.finds("main table b, main table img"), "typed markup was rendered")
        self.expect(self.driver.execute_script("return window.fieldkitInjected === true") is False,
                    "typed markup ran a script")
        self.expect('<b>peg</b> & "slips"' in self.text("main table"), "typed text is not shown as typed")

    def record_training(self):
        self.page("/training")
        Select(self.find("#checklist")).select_by_value("string-setup-check")
        self.submit()
        before = len(self.cli("training", "list"))
        self.submit()
        self.expect(self.finds("#trainer-error") and self.finds("#trainees-error"), "no messages for the names")
        self.expect(len(self.cli("training", "list")) == before, "a refused training was written")
        self.type_into("#trainer", "Anne de Vries")
        self.type_into("#trainees", "Jan Jansen\nFemke Bos")
        boxes = self.finds("input[name='done[]']")
        ticked = [box.get_attribute("value") for box in boxes[:3]]
        for box in boxes[:3]:
            box.click()
        self.find("input[name=signedOff]").click()
        self.page_is_sound("training")
        self.shot("training")
        self.submit()
        self.expect("saved" in self.text("p.notice"), "no notice that the training was saved")
        trainings = self.cli("training", "list")
        self.expect(len(trainings) == before + 1, "the CLI lists %d trainings, expected %d" % (len(trainings), before + 1))
        values = trainings[0]["values"]
        self.expect(values["checklist"] == "string-setup-check", "the checklist differs")
        self.expect(sorted(values["done"]) == sorted(ticked), "done %s, ticked %s" % (values["done"], ticked))
        self.expect(values["signedOff"] is True and len(values["trainees"]) == 2, "sign-off or trainees differ")

    def audit_site(self):
        site = self.cli("status")["site"]
        expected = self.cli("audit", "--preview", "LO-ZZ-000000")["missing"]
        self.expect(len(expected) >= 3, "the site has fewer than three instruments to audit")
        events = self.cli("status")["events"]
        self.page("/audit")
        self.expect(Select(self.find("#site")).first_selected_option.get_attribute("value") == site,
                    "the audit does not start at the current site")
        for tag in [expected[0], expected[1], "LO-ZZ-999999", "LO-VN-000430"]:
            self.type_into("#tag", tag, enter=True)
        missing = self.text("#missing").split()
        self.expect(expected[0] not in missing and expected[1] not in missing and expected[2] in missing,
                    "the missing list does not follow the scans")
        self.expect("LO-ZZ-999999" in self.text("#unexpected"), "the unknown tag is not unexpected")
        self.expect("LO-VN-000430" in self.text("#wrong-site"), "the depot's violin is not at the wrong site")
        self.expect(self.cli("status")["events"] == events, "scanning recorded something before the finish")
        self.page_is_sound("audit")
        self.shot("audit")
        self.submit("button[value=finish]")
        self.expect("recorded" in self.text("p.notice") and "4 scanned" in self.text("p.notice"),
                    "no notice that the audit was recorded: %s" % self.text("main"))
        self.driver.refresh()
        self.settle()
        status = self.cli("status")
        self.expect(status["events"] == events + 1 and status["lastEvent"]["type"] == "audit.recorded",
                    "the audit was not recorded once (reload included): %s" % status["lastEvent"])

    def register_and_move(self):
        self.page("/register")
        self.submit()
        self.expect(self.finds("#type-error"), "no message beside the missing type")
        self.type_into("#type", "violin")
        self.type_into("#size", "3/4")
        self.type_into("#maker", "Stentor")
        self.submit()
        tag = self.text("h1")
        self.expect(tag.startswith("P-"), "no provisional tag after registering: %r" % tag)
        shown = self.cli("instrument", "show", tag)
        self.expect(shown["provisional"] and shown["maker"] == "Stentor", "the CLI does not show the registration")
        self.navigates(self.find("a[href^='/loan?tag=']").click)
        Select(self.find("#what")).select_by_value("move")
        Select(self.find("#to")).select_by_value("AMS-ZO-02")
        self.shot("loan")
        self.submit()
        self.expect(self.cli("instrument", "show", tag)["site"] == "AMS-ZO-02", "the move did not reach the store")

    def sync_to_folder(self):
        pending = self.cli("status")["undelivered"]
        self.page("/sync")
        self.expect(self.text("#pending") == str(pending), "pending %s, the CLI says %d" % (self.text("#pending"), pending))
        # A stick that is not mounted: the sync's own message beside the field, nothing written.
        self.type_into("#destination", self.args.stick)
        self.submit()
        self.expect("does not exist" in self.text("#destination-error"), "no message for a missing stick")
        self.expect(self.cli("status")["undelivered"] == pending, "a failed sync changed the backlog")
        self.type_into("#destination", "stick")
        self.submit()
        self.expect("whole path" in self.text("#destination-error"), "a relative path is not refused")
        os.makedirs(self.args.stick)
        self.type_into("#destination", self.args.stick)
        self.page_is_sound("sync")
        self.submit()
        self.expect("Synced" in self.text("p.notice"), "no notice that the sync ran: %s" % self.text("main"))
        self.shot("sync")
        sealed = [name for _, _, names in os.walk(self.args.stick) for name in names if name.endswith(".sealed")]
        self.expect(sealed, "no sealed archive on the stick")
        self.expect(self.text("#pending") == str(self.cli("status")["undelivered"]), "pending differs after the sync")
        self.type_into("#destination", "")
        self.submit()
        self.expect(self.finds("#destination-error"), "an empty destination gives no message")

    def keyboard_only(self):
        self.page("/repair")
        body = self.find("body")
        body.send_keys(Keys.TAB)
        first = self.driver.switch_to.active_element
        self.expect(first.get_attribute("class") == "skip", "the first Tab does not reach the skip link")
        first.send_keys(Keys.ENTER)
        reached = []
        outlined = True
        for _ in range(80):
            self.driver.switch_to.active_element.send_keys(Keys.TAB)
            active = self.driver.switch_to.active_element
            name = active.get_attribute("id") or active.get_attribute("name") or active.tag_name
            reached.append(name)
            if active.tag_name in ("input", "select", "textarea"):
                # A date field's inner parts take the focus in turn; the field itself is outlined.
                style = self.driver.execute_script(
                    "return arguments[0].matches(':focus') ? getComputedStyle(arguments[0]).outlineStyle : 'inner'",
                    active)
                outlined = outlined and style != "none"
            if active.tag_name == "button" and active.text == "Save":
                break
        fields = ["tag", "problem", "action", "guide", "parts", "minutes", "outcome", "conditionBefore",
                  "conditionAfter", "followUp", "date"]
        missing = [field for field in fields if field not in reached]
        self.expect(not missing, "Tab never reaches %s (reached %s)" % (missing, reached))
        self.expect(reached.index("tag") < reached.index("problem") < reached.index("date"),
                    "Tab goes through the form out of order: %s" % reached)
        self.expect(outlined, "a focused field shows no outline")

    def due_here(self):
        due = self.cli("due")
        self.page("/due")
        links = [a.text.split(" ")[0] for a in self.finds("main li a")]
        expected = [item["tag"] for item in due["followUps"]] + [item["tag"] for item in due["overdue"]]
        self.expect(expected, "nothing is due at the site: the check would prove nothing")
        self.expect(links == expected, "the due page lists %d instruments, the CLI %d" % (len(links), len(expected)))
        self.shot("due")

    def tablet(self):
        self.driver.set_window_size(800, 1280)
        for path, name in [("/", "home"), ("/guides/violin-string-change", "guide"), ("/repair", "repair")]:
            self.page(path)
            self.page_is_sound("tablet " + name)
        self.shot("tablet-repair")
        self.driver.set_window_size(1366, 768)

    def nothing_leaves(self):
        origin = urlparse(self.base).netloc
        assets = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                target = urlparse(message["params"]["request"]["url"])
                self.expect(target.scheme in ("data", "about") or target.netloc == origin,
                            "a request left the laptop: %s" % message["params"]["request"]["url"])
            elif message.get("method") == "Network.responseReceived":
                response = message["params"]["response"]
                if urlparse(response["url"]).path in ("/ui.css", "/ui.js"):
                    assets.append(response["status"])
        self.expect(assets and all(status == 200 for status in assets), "the stylesheet or script: %s" % assets)
        # Pages answering 403, 404 or 422 on purpose log a console error; the assets never may.
        severe = [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"
                  and ("the server responded with a status of 4" not in e["message"] or "/ui." in e["message"])]
        self.expect(not severe, "console errors: %s" % severe)

    # --- the run

    def run(self):
        environment = dict(os.environ, FIELDKIT_LANG="en")
        server = subprocess.Popen(
            [self.args.fieldkit, "ui", "--data-dir", self.args.data_dir, "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
        try:
            line = server.stdout.readline().strip()
            if not line.startswith("fieldkit ui: open http://127.0.0.1:"):
                print("problem: fieldkit ui printed %r; stderr: %s" % (line, server.stderr.read()))
                return 1
            self.url = line.split("open ", 1)[1]
            self.base = self.url.split("/?", 1)[0]
            self.token = self.url.split("token=", 1)[1]
            options = webdriver.ChromeOptions()
            options.binary_location = "/usr/bin/chromium"
            for flag in ["--headless=new", "--disable-gpu", "--window-size=1366,768", "--disable-dev-shm-usage"]:
                options.add_argument(flag)
            if os.geteuid() == 0:
                options.add_argument("--no-sandbox")
            options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
            self.driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
            try:
                for name, function in [
                    ("refuses without the key", self.refuses_without_key),
                    ("opens with the key", self.opens_with_key),
                    ("search and read a guide", self.search_and_read_guide),
                    ("switch the language", self.switch_language),
                    ("look up a scanned tag", self.look_up_scanned_tag),
                    ("log a repair", self.log_repair),
                    ("keyboard only", self.keyboard_only),
                    ("due here", self.due_here),
                    ("record a training session", self.record_training),
                    ("audit the site", self.audit_site),
                    ("register and move an instrument", self.register_and_move),
                    ("sync to a folder", self.sync_to_folder),
                    ("readable on a tablet", self.tablet),
                    ("nothing leaves the laptop", self.nothing_leaves),
                ]:
                    self.scenario(name, function)
            finally:
                self.driver.quit()
        finally:
            server.send_signal(signal.SIGINT)
            try:
                status = server.wait(timeout=15)
                if status != 0:
                    self.problems.append("fieldkit ui exited with %d after SIGINT" % status)
            except subprocess.TimeoutExpired:
                server.kill()
                self.problems.append("fieldkit ui did not stop within 15 s of SIGINT")
        for problem in self.problems:
            print("problem: " + problem)
        print("scenarios passed: %d of %d" % (len(self.passed), len(self.passed) + len(
            [p for p in self.problems if not p.startswith("fieldkit ui ")])))
        return 1 if self.problems else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fieldkit", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--stick", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    return Check(args).run()


if __name__ == "__main__":
    sys.exit(main())
