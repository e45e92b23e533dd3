/// The pieces every page of the technicians' interface is made of: escaping, the page frame
/// with its navigation, form fields with their messages, and the one stylesheet and script.
enum UIHTML {
    /// `text` safe inside an element or a quoted attribute.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `text` for a URL's query or path segment.
    static func component(_ text: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        var encoded = ""
        for byte in text.utf8 {
            if allowed.contains(byte) {
                encoded.append(Character(Unicode.Scalar(byte)))
            } else {
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }

    /// What a page needs to know about the request it answers.
    struct Frame: Sendable {
        var text: UIText
        /// The form key that proves a post came from a page of ours.
        var token: String
        /// The navigation entry to mark as current.
        var section: String
        var site: String?
        var device: String?
        var pending: Int?
        /// The newest receipt applied (nil: none yet).
        var lastReceipt: Int64?
        /// Warnings the last command printed, shown once.
        var warnings: [String] = []

        /// Where the language switcher returns to: the current section's page.
        var back: String { UIHTML.sections.first { $0.1 == section }?.0 ?? "/" }
    }

    /// The navigation: each section's page and the key of its name.
    static let sections = [
        ("/", "home"), ("/guides", "guides"), ("/instrument", "instruments"), ("/due", "due"),
        ("/repair", "repair"), ("/training", "training"), ("/loan", "loan"), ("/register", "register"),
        ("/audit", "audit"), ("/sync", "sync"),
    ]

    /// The pages the language switcher may return to.
    static let sectionPaths = Set(sections.map(\.0))

    /// A whole page: head, skip link, navigation, the language switcher, `main` with `body`.
    static func page(title: String, body: String, frame: Frame, notice: String? = nil) -> String {
        let text = frame.text
        let navigation = sections.map { path, key in
            let current = key == frame.section ? " aria-current=\"page\"" : ""
            return "<li><a href=\"\(path)\"\(current)>\(escape(text[key]))</a></li>"
        }
        .concatenated
        let languages = UIText.languages.map { code in
            let selected = code == text.language ? " selected" : ""
            return "<option value=\"\(code)\"\(selected)>\(escape(UIText.languageNames[code] ?? code))</option>"
        }
        .concatenated
        var status = "\(escape(text["site"])): <strong>\(escape(frame.site ?? text["no-site"]))</strong>"
        if let device = frame.device { status += " · \(escape(text["device"])): \(escape(device))" }
        if let pending = frame.pending { status += " · \(pending) \(escape(text["pending-short"]))" }
        let banner =
            (notice.map { "<p class=\"notice\" role=\"status\">\(escape($0))</p>" } ?? "")
            + frame.warnings.map { "<p class=\"warning\" role=\"status\">\(escape($0))</p>" }.concatenated
        return """
            <!doctype html>
            <html lang="\(text.language)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · FieldKit</title>
            <link rel="stylesheet" href="/ui.css">
            <script src="/ui.js" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">\(escape(text["skip"]))</a>
            <header>
            <p class="brand">FieldKit</p>
            <nav aria-label="FieldKit"><ul>\(navigation)</ul></nav>
            <p class="where">\(status)</p>
            <form method="post" action="/language" class="language">
            <input type="hidden" name="token" value="\(escape(frame.token))">
            <input type="hidden" name="back" value="\(escape(frame.back))">
            <label for="language">\(escape(text["language"]))</label>
            <select id="language" name="language">\(languages)</select>
            <button type="submit">\(escape(text["change"]))</button>
            </form>
            </header>
            <main id="main">
            \(banner)
            <h1>\(escape(title))</h1>
            \(body)
            </main>
            </body>
            </html>
            """
    }

    /// A labelled field with its message beside it (and tied to it for screen readers).
    static func field(
        _ name: String, label: String, value: String = "", kind: String = "text", message: String? = nil,
        hint: String? = nil, attributes: String = ""
    ) -> String {
        let described = [hint.map { _ in "\(name)-hint" }, message.map { _ in "\(name)-error" }].compactMap { $0 }
        let aria =
            (described.isEmpty ? "" : " aria-describedby=\"\(described.joined(separator: " "))\"")
            + (message == nil ? "" : " aria-invalid=\"true\"")
        let input =
            kind == "textarea"
            ? "<textarea id=\"\(name)\" name=\"\(name)\" rows=\"3\"\(aria)\(attributes)>\(escape(value))</textarea>"
            : "<input id=\"\(name)\" name=\"\(name)\" type=\"\(kind)\" value=\"\(escape(value))\"\(aria)\(attributes)>"
        return """
            <div class="field\(message == nil ? "" : " invalid")">
            <label for="\(name)">\(escape(label))</label>
            \(input)
            \(hint.map { "<p class=\"hint\" id=\"\(name)-hint\">\(escape($0))</p>" } ?? "")
            \(message.map { "<p class=\"error\" id=\"\(name)-error\">\(escape($0))</p>" } ?? "")
            </div>
            """
    }

    /// A labelled drop-down; `options` are (value, shown) pairs, the first usually "not given".
    static func select(
        _ name: String, label: String, options: [(String, String)], selected: String?, message: String? = nil,
        multiple: Bool = false, chosen: [String] = []
    ) -> String {
        let items = options.map { value, shown in
            let isChosen = multiple ? chosen.contains(value) : value == (selected ?? "")
            return "<option value=\"\(escape(value))\"\(isChosen ? " selected" : "")>\(escape(shown))</option>"
        }
        .concatenated
        let aria = message == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"\(name)-error\""
        return """
            <div class="field\(message == nil ? "" : " invalid")">
            <label for="\(name)">\(escape(label))</label>
            <select id="\(name)" name="\(multiple ? name + "[]" : name)"\(multiple ? " multiple size=\"6\"" : "")\(aria)>\(items)</select>
            \(message.map { "<p class=\"error\" id=\"\(name)-error\">\(escape($0))</p>" } ?? "")
            </div>
            """
    }

    /// The hidden key every form carries.
    static func tokenField(_ frame: Frame) -> String {
        "<input type=\"hidden\" name=\"token\" value=\"\(escape(frame.token))\">"
    }

    /// A list of `items`, or the "none" line.
    static func list(_ items: [String], text: UIText, ordered: Bool = false) -> String {
        guard !items.isEmpty else { return "<p>\(escape(text["none"]))</p>" }
        let tag = ordered ? "ol" : "ul"
        return "<\(tag)>" + items.map { "<li>\(escape($0))</li>" }.concatenated + "</\(tag)>"
    }

    /// The stylesheet: readable at 1366×768 and on a tablet, printable, no web fonts.
    static let css = """
        :root { --ink: #1d2327; --muted: #50575e; --line: #c3c4c7; --accent: #0a5c8a; --bad: #a4161a; --good: #1e6b32; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 17px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
          color: var(--ink); background: #fff; }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #f0b400; outline-offset: 1px; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px; z-index: 2; }
        header { background: #f0f4f7; border-bottom: 1px solid var(--line); padding: 8px 16px; display: flex;
          flex-wrap: wrap; gap: 6px 18px; align-items: center; }
        .brand { font-weight: 700; margin: 0; }
        nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 12px; }
        nav a[aria-current] { font-weight: 700; text-decoration-thickness: 3px; }
        .where { margin: 0; color: var(--muted); font-size: 15px; }
        .language { margin-left: auto; display: flex; gap: 6px; align-items: center; font-size: 15px; }
        main { max-width: 980px; margin: 0 auto; padding: 12px 16px 48px; }
        h1 { font-size: 1.6em; margin: 0.4em 0; }
        h2 { font-size: 1.2em; margin-top: 1.4em; }
        .field { margin: 12px 0; }
        .field label { display: block; font-weight: 600; margin-bottom: 4px; }
        input[type=text], input[type=search], input[type=number], input[type=date], select, textarea {
          font: inherit; padding: 7px 9px; border: 1px solid #8c8f94; border-radius: 4px; width: 100%; max-width: 36em; }
        select[multiple] { max-width: 36em; }
        textarea { min-height: 4.5em; }
        button { font: inherit; padding: 8px 16px; border-radius: 4px; border: 1px solid var(--accent);
          background: var(--accent); color: #fff; cursor: pointer; }
        .language button, .inline button { padding: 4px 10px; }
        .invalid input, .invalid select, .invalid textarea { border: 2px solid var(--bad); }
        .error { color: var(--bad); font-weight: 600; margin: 4px 0; }
        .hint { color: var(--muted); margin: 4px 0; font-size: 15px; }
        .notice { background: #e7f4ea; border-left: 5px solid var(--good); padding: 8px 12px; }
        .warning { background: #fff4d6; border-left: 5px solid #b7791f; padding: 8px 12px; }
        .problem { background: #fbeaea; border-left: 5px solid var(--bad); padding: 8px 12px; }
        .inline { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; }
        .inline .field { margin: 0; flex: 1 1 16em; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
        dl.facts dt { font-weight: 600; }
        dl.facts dd { margin: 0; }
        .results li { margin: 6px 0; }
        .snippet { color: var(--muted); font-size: 15px; }
        .steps li { margin: 10px 0; }
        .steps .check { color: var(--good); }
        .steps .caution, .warn { color: var(--bad); }
        fieldset { border: 1px solid var(--line); margin: 12px 0; }
        fieldset label { font-weight: normal; display: block; margin: 4px 0; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(14em, 1fr)); gap: 12px; }
        @media print { header, .noprint, form { display: none; } main { max-width: none; } a { color: inherit; } }
        """

    /// Progressive enhancement only: search as you type, and "syncing…" while a sync runs.
    /// Every form works without it.
    static let script = """
        "use strict";
        document.addEventListener("DOMContentLoaded", function () {
          var search = document.getElementById("q");
          var results = document.getElementById("results");
          if (search && results) {
            var timer = null;
            var asked = 0;
            var form = search.form;
            var update = function () {
              var query = new URLSearchParams(new FormData(form));
              query.set("fragment", "1");
              var number = ++asked;
              fetch(form.action + "?" + query.toString(), { credentials: "same-origin" })
                .then(function (answer) { return answer.ok ? answer.text() : null; })
                .then(function (html) {
                  // An older answer arriving late never replaces a newer one.
                  if (html !== null && number === asked) { results.innerHTML = html; }
                });
            };
            search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 150); });
            var family = document.getElementById("family");
            if (family) { family.addEventListener("change", update); }
          }
          document.querySelectorAll("form[data-busy]").forEach(function (form) {
            form.addEventListener("submit", function () {
              var button = form.querySelector("button[type=submit]");
              if (button) { button.disabled = true; }
              var status = document.getElementById(form.dataset.busy);
              if (status) { status.hidden = false; }
            });
          });
          document.querySelectorAll("button[data-print]").forEach(function (button) {
            button.hidden = false;
            button.addEventListener("click", function () { window.print(); });
          });
        });
        """
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension UIText {
    /// The text for `key` with each `%@` replaced by the next of `values`.
    func format(_ key: String, _ values: String...) -> String {
        var result = ""
        var remaining = values[...]
        var rest = Substring(self[key])
        while let range = rest.range(of: "%@") {
            result += rest[..<range.lowerBound]
            result += remaining.popFirst() ?? ""
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension Array where Element == String {
    /// The pieces of a page, one after the other. (Not `joined()`: GRDB's SQL is expressible by
    /// string interpolation too, and would otherwise be chosen for a `map` of interpolations.)
    var concatenated: String { joined() }
}
