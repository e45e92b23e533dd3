import FieldKitTestSupport
import Foundation
import Testing

/// The README's walk through a season, run as written: every `$ ` line of its console blocks
/// between the walkthrough markers, in order, in one shell, on the built binary.
@Suite("end to end: the README's walk-through runs as written")
struct ReadmeWalkthroughTests {
    /// One command of the walk-through and the output lines the README shows for it.
    struct Shown {
        var command: String
        var output: [String]
    }

    /// The commands and outputs between `<!-- walkthrough: begin -->` and `<!-- walkthrough: end -->`.
    static func walkthrough(_ readme: String) throws -> [Shown] {
        let begin = try #require(readme.range(of: "<!-- walkthrough: begin -->"), "the README marks its walk-through")
        let end = try #require(readme.range(of: "<!-- walkthrough: end -->"))
        var shown: [Shown] = []
        var inConsole = false
        var continuing = false
        for line in readme[begin.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false) {
            let text = String(line)
            if text.hasPrefix("```") {
                inConsole = text == "```console"
                continue
            }
            guard inConsole else { continue }
            if continuing, var last = shown.popLast() {
                last.command += "\n" + text
                shown.append(last)
                continuing = text.hasSuffix("\\")
            } else if text.hasPrefix("$ ") {
                shown.append(Shown(command: String(text.dropFirst(2)), output: []))
                continuing = text.hasSuffix("\\")
            } else if !text.isEmpty, var last = shown.popLast() {
                last.output.append(text)
                shown.append(last)
            }
        }
        return shown
    }

    /// Whether `actual` is `expected` with each `…` standing for any text.
    static func matches(_ expected: String, _ actual: String) -> Bool {
        let parts = expected.components(separatedBy: "…")
        guard parts.count > 1 else { return expected == actual }
        guard let first = parts.first, let last = parts.last, actual.hasPrefix(first), actual.hasSuffix(last) else {
            return false
        }
        var rest = actual.dropFirst(first.count).dropLast(last.count)
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let found = rest.range(of: part) else { return false }
            rest = rest[found.upperBound...]
        }
        return actual.count >= first.count + last.count
    }

    @Test("the matcher: … stands for any text, everything else must be equal")
    func matcher() {
        #expect(ReadmeWalkthroughTests.matches("Device id:   …", "Device id:   4950e0a7e8908664"))
        #expect(ReadmeWalkthroughTests.matches("a … b … c", "a x b y c"))
        #expect(!ReadmeWalkthroughTests.matches("a … b … c", "a x c y b"))
        #expect(!ReadmeWalkthroughTests.matches("seq 1–5", "seq 1–6"))
        #expect(!ReadmeWalkthroughTests.matches("ab…ba", "aba"))
    }

    @Test("every command exits 0 and prints the lines the README shows, in order")
    func walkThrough() throws {
        let readme = try String(contentsOfFile: Repository.path("README.md"), encoding: .utf8)
        let steps = try ReadmeWalkthroughTests.walkthrough(readme)
        #expect(steps.count >= 20, "the walk-through has its commands")
        let home = TemporaryFolder("e2e-readme")
        let results = home.appending(".results")
        try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        // pipefail: in `fieldkit due | sed -n 1,3p` fieldkit's failure counts, not sed's success.
        var script = "set -u -o pipefail\ncd \"$HOME\"\n"
        for (index, step) in steps.enumerated() {
            script +=
                "{\n\(step.command)\n} > \(results)/\(index).out 2>&1 < /dev/null\necho $? > \(results)/\(index).status\n"
        }
        let binaries = URL(fileURLWithPath: Tools.fieldkitBinary).deletingLastPathComponent().path
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["PATH"] = binaries + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["FIELDKIT_HOME"] = nil
        let ran = try Tools.run("bash", ["-c", script], environment: environment)
        #expect(ran.status == 0, "\(ran.stderr)")

        for (index, step) in steps.enumerated() {
            let status = try String(contentsOfFile: "\(results)/\(index).status", encoding: .utf8)
            let output = try String(contentsOfFile: "\(results)/\(index).out", encoding: .utf8)
            #expect(
                status.trimmingCharacters(in: .whitespacesAndNewlines) == "0",
                "$ \(step.command)\n\(output)")
            var lines = output.split(separator: "\n").map(String.init)[...]
            for expected in step.output {
                guard let at = lines.firstIndex(where: { ReadmeWalkthroughTests.matches(expected, $0) }) else {
                    Issue.record(
                        "$ \(step.command)\nthe README shows: \(expected)\nbut the command printed:\n\(output)")
                    break
                }
                lines = lines[(at + 1)...]
            }
        }
    }
}
