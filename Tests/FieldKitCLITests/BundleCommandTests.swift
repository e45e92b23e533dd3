import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@Suite("fieldkit trust and bundle")
struct BundleCommandTests {
    let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000))  // 2026-11-18
    let ids = CountingIDs()
    var fieldkit: CLIHarness { CLIHarness(environment: .test(clock: clock, ids: ids)) }

    /// Headquarters' keys and a bundle packed through the CLI, version `version`.
    func headquarters(_ folder: TemporaryFolder, version: Int = 1) throws -> (bundle: String, root: String) {
        let hq = folder.appending("hq")
        #expect(fieldkit("key", "generate", "--out", hq + "-root").status == 0)
        #expect(fieldkit("key", "generate", "--out", hq + "-signing").status == 0)
        let issued = fieldkit(
            "trust", "issue", "--root", hq + "-root.key", "--signing", hq + "-signing.pub", "--version", "1",
            "--expires", "2030-12-31", "--out", hq + "-trust")
        #expect(issued.status == 0, "\(issued.stderr)")
        let bundle = try pack(folder, version: version, hq: hq)
        return (bundle, hq + "-root.pub")
    }

    func pack(_ folder: TemporaryFolder, version: Int, hq: String, expires: String = "2027-11-20") throws -> String {
        let sources = folder.appending("sources-\(version)")
        try FileManager.default.copyItem(atPath: Repository.path("Bundles"), toPath: sources)
        try Data("version: \(version)\ncreated: 2026-11-20\nexpires: \(expires)\n".utf8).write(
            to: URL(fileURLWithPath: sources + "/VERSION"))
        let out = folder.appending("dist-\(version)")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let packed = fieldkit(
            "bundle", "pack", sources, "--key", hq + "-signing.key", "--trust", hq + "-trust", "--out",
            out + "/bundle.tar.zst")
        #expect(packed.status == 0, "\(packed.stderr)")
        return out + "/bundle.tar.zst"
    }

    /// Headquarters' bundle and a device pinned to its root: the bundle, its folder and the
    /// device's data folder.
    func deviceAndBundle(_ folder: TemporaryFolder) throws -> (bundle: String, dist: String, data: String) {
        let (bundle, root) = try headquarters(folder)
        let data = folder.appending("device")
        #expect(fieldkit("init", "--data-dir", data, "--device", "x", "--hq-root", root).status == 0)
        return (bundle, (bundle as NSString).deletingLastPathComponent, data)
    }

    @Test("pack, verify and info agree, and install puts the bundle in force on a device pinned to the root")
    func packVerifyInstall() throws {
        let folder = TemporaryFolder("bundle-cli")
        let (bundle, root) = try headquarters(folder)
        let verified = fieldkit("bundle", "verify", bundle, "--root", root, "--json")
        #expect(verified.status == 0, "\(verified.stderr)")
        let summary = try verified.json()
        #expect(summary["version"] as? Int == 1)
        #expect((summary["instruments"] as? Int ?? 0) >= 12_000)
        #expect(summary["development"] as? Bool == false)
        #expect(fieldkit("bundle", "info", bundle, "--root", root).stdout.contains("Guides by family:"))

        let data = folder.appending("device")
        #expect(fieldkit("init", "--data-dir", data, "--device", "x", "--hq-root", root).status == 0)
        let installed = fieldkit("bundle", "install", bundle, "--data-dir", data)
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(fieldkit("bundle", "verify", bundle, "--data-dir", data).status == 0)
        let guides = fieldkit("guide", "list", "--json", "--data-dir", data)
        #expect(guides.status == 0)
        #expect(!guides.stderr.contains("development"))
    }

    @Test("a device refuses an older bundle from the same root and warns about an expired one")
    func versionsOnlyGoUp() throws {
        let folder = TemporaryFolder("bundle-versions")
        let (second, root) = try headquarters(folder, version: 2)
        let first = try pack(folder, version: 1, hq: folder.appending("hq"))
        let expired = try pack(folder, version: 3, hq: folder.appending("hq"), expires: "2026-11-01")
        let data = folder.appending("device")
        #expect(fieldkit("init", "--data-dir", data, "--device", "x", "--hq-root", root).status == 0)
        #expect(fieldkit("bundle", "install", second, "--data-dir", data).status == 0)
        let before = try storeState(data)
        let older = fieldkit("bundle", "install", first, "--data-dir", data)
        #expect(older.status == 65)
        #expect(
            older.stderr == """
                error: the bundle is version 1, older than the installed version 2 from the same root
                hint: install the newest bundle from headquarters; an older one cannot replace it
                """)
        #expect(try storeState(data) == before)
        let late = fieldkit("bundle", "install", expired, "--data-dir", data)
        #expect(late.status == 0)
        #expect(late.stderr.contains("warning: this bundle expired on 2026-11-01; installed anyway"))
    }

    @Test("a flipped byte in the bundle, its signature or the trust statement is exit 65 and installs nothing")
    func tamperedInstall() throws {
        let folder = TemporaryFolder("bundle-tamper")
        let (bundle, dist, data) = try deviceAndBundle(folder)
        for (file, message) in [
            ("bundle.tar.zst", "error: the trust check failed: the signature does not match the file"),
            ("trust.json", "error: the trust check failed: the signature does not match the file"),
            ("bundle.tar.zst.minisig", "error: the "),
        ] {
            let path = dist + "/" + file
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            var changed = original
            changed[changed.count / 3] ^= 0x04
            try changed.write(to: URL(fileURLWithPath: path))
            let before = try storeState(data)
            let result = fieldkit("bundle", "install", bundle, "--data-dir", data)
            #expect(result.status == 65, "\(file)")
            #expect(result.stderr.hasPrefix(message), "\(file): \(result.stderr)")
            #expect(try storeState(data) == before)
            try original.write(to: URL(fileURLWithPath: path))
        }
        #expect(fieldkit("bundle", "install", bundle, "--data-dir", data).status == 0)
    }

    @Test(
        "a bundle without trust.json beside it, and a bundle, trust statement or signature over its cap, install nothing"
    )
    func missingTrustAndCaps() throws {
        let folder = TemporaryFolder("bundle-caps")
        let (bundle, dist, data) = try deviceAndBundle(folder)
        let before = try storeState(data)

        try FileManager.default.moveItem(atPath: dist + "/trust.json", toPath: folder.appending("trust.json"))
        let missing = fieldkit("bundle", "install", bundle, "--data-dir", data)
        #expect(missing.status == 66)
        #expect(
            missing.stderr == """
                error: \(dist)/trust.json is missing: the trust statement must travel beside the file
                hint: copy trust.json and trust.json.minisig from the same source into the same folder
                """)
        try FileManager.default.moveItem(atPath: folder.appending("trust.json"), toPath: dist + "/trust.json")

        // Each file grown one byte past its cap (sparse: nothing is written but the size).
        for (file, cap) in [
            ("bundle.tar.zst", 48 << 20), ("trust.json", 64 << 10), ("bundle.tar.zst.minisig", 8 << 10),
        ] {
            let path = dist + "/" + file
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: UInt64(cap + 1))
            try handle.close()
            let result = fieldkit("bundle", "install", bundle, "--data-dir", data)
            #expect(result.status == 65, "\(file): \(result.stderr)")
            #expect(
                result.stderr == """
                    error: \(path) is larger than the \(cap)-byte limit for its kind
                    hint: this is not a file fieldkit wrote; do not use it
                    """, "\(file)")
            #expect(try storeState(data) == before, "\(file)")
            try original.write(to: URL(fileURLWithPath: path))
        }
        #expect(fieldkit("bundle", "install", bundle, "--data-dir", data).status == 0)
    }

    @Test("a bundle under another root, and a device with no pinned root, are refused")
    func wrongRoot() throws {
        let folder = TemporaryFolder("bundle-root")
        let (bundle, _) = try headquarters(folder)
        #expect(fieldkit("key", "generate", "--out", folder.appending("other")).status == 0)
        let data = folder.appending("device")
        #expect(
            fieldkit("init", "--data-dir", data, "--device", "x", "--hq-root", folder.appending("other.pub")).status
                == 0)
        let result = fieldkit("bundle", "install", bundle, "--data-dir", data)
        #expect(result.status == 65)
        #expect(result.stderr.contains("not by the pinned root"))
        let bare = folder.appending("bare")
        #expect(fieldkit("init", "--data-dir", bare, "--device", "y").status == 0)
        let unpinned = fieldkit("bundle", "install", bundle, "--data-dir", bare)
        #expect(unpinned.status == 65)
        #expect(unpinned.stderr.contains("has no headquarters root pinned"))
    }

    @Test("pack refuses sources that fail the lint, naming each problem")
    func lintRefusal() throws {
        let folder = TemporaryFolder("bundle-lint")
        _ = try headquarters(folder)
        let sources = folder.appending("sources-1")
        let guide = sources + "/guides/brass-valve-oil/nl.md"
        let text = try String(contentsOfFile: guide, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "title: Ventielen oliën", with: "title: De pomp oliën").utf8).write(
            to: URL(fileURLWithPath: guide))
        let hq = folder.appending("hq")
        let result = fieldkit(
            "bundle", "pack", sources, "--key", hq + "-signing.key", "--trust", hq + "-trust", "--out",
            folder.appending("x.tar.zst"))
        #expect(result.status == 65)
        #expect(result.stderr.contains("guide brass-valve-oil (nl): uses \"pomp\""))
        #expect(!FileLayer.exists(folder.appending("x.tar.zst")))
    }
}

@Suite("fieldkit trust rules on devices")
struct TrustRuleTests {
    let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000))
    let ids = CountingIDs()
    var fieldkit: CLIHarness { CLIHarness(environment: .test(clock: clock, ids: ids)) }

    @Test("init refuses to pin the development root, whose secret key is published")
    func developmentRootRefused() {
        let folder = TemporaryFolder("dev-root")
        let result = fieldkit(
            "init", "--data-dir", folder.appending("d"), "--device", "x", "--hq-root",
            Repository.path("Sync/dev/dev-root.pub"))
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("error: the development root cannot be pinned: its secret key is published"))
        #expect(!FileLayer.exists(folder.appending("d/fieldkit.sqlite")))
    }

    /// Keys, a trust statement of `trustVersion` (development or not) and a bundle of `version`.
    func publish(_ folder: TemporaryFolder, version: Int, trustVersion: Int, development: Bool = false) throws -> String
    {
        let hq = folder.appending("hq")
        if !FileLayer.exists(hq + "-root.key") {
            #expect(fieldkit("key", "generate", "--out", hq + "-root").status == 0)
            #expect(fieldkit("key", "generate", "--out", hq + "-signing").status == 0)
        }
        let out = folder.appending("dist-\(version)")
        var issue = [
            "trust", "issue", "--root", hq + "-root.key", "--signing", hq + "-signing.pub", "--version",
            "\(trustVersion)",
            "--expires", "2030-12-31", "--out", out,
        ]
        if development { issue.append("--development") }
        #expect(fieldkit.run(issue).status == 0)
        let sources = folder.appending("sources-\(version)")
        try FileManager.default.copyItem(atPath: Repository.path("Bundles"), toPath: sources)
        try Data("version: \(version)\ncreated: 2026-11-20\nexpires: 2027-11-20\n".utf8).write(
            to: URL(fileURLWithPath: sources + "/VERSION"))
        let packed = fieldkit(
            "bundle", "pack", sources, "--key", hq + "-signing.key", "--trust", out, "--out", out + "/bundle.tar.zst")
        #expect(packed.status == 0, "\(packed.stderr)")
        return out + "/bundle.tar.zst"
    }

    @Test("a bundle under an older trust statement than the installed one is refused")
    func olderTrustRefused() throws {
        let folder = TemporaryFolder("trust-older")
        let newer = try publish(folder, version: 2, trustVersion: 2)
        let stale = try publish(folder, version: 3, trustVersion: 1)
        let data = folder.appending("device")
        #expect(
            fieldkit("init", "--data-dir", data, "--device", "x", "--hq-root", folder.appending("hq-root.pub")).status
                == 0)
        #expect(fieldkit("bundle", "install", newer, "--data-dir", data).status == 0)
        let before = try storeState(data)
        let result = fieldkit("bundle", "install", stale, "--data-dir", data)
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("error: the trust statement is version 1, older than the installed version 2"))
        #expect(try storeState(data) == before)
    }

    @Test("a device refuses a bundle vouched for by a development trust statement")
    func developmentTrustRefused() throws {
        let folder = TemporaryFolder("trust-dev")
        let bundle = try publish(folder, version: 1, trustVersion: 1, development: true)
        let data = folder.appending("device")
        #expect(
            fieldkit("init", "--data-dir", data, "--device", "x", "--hq-root", folder.appending("hq-root.pub")).status
                == 0)
        let result = fieldkit("bundle", "install", bundle, "--data-dir", data)
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("error: the bundle is vouched for by a development trust statement"))
    }
}
