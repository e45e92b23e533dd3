import FieldKitTestSupport
import Foundation
import Testing

@Suite("end to end: a field edition made with bundle embed")
struct EmbedEndToEndTests {
    /// Headquarters' keys, a packed bundle, and a field edition of the built binary carrying it.
    static func fieldEdition(_ folder: TemporaryFolder) throws -> (exe: String, root: String) {
        let hq = folder.appending("hq")
        for name in ["root", "signing"] {
            #expect(try Tools.fieldkit(["key", "generate", "--out", hq + "-" + name]).status == 0)
        }
        let trust = try Tools.fieldkit([
            "trust", "issue", "--root", hq + "-root.key", "--signing", hq + "-signing.pub", "--version", "1",
            "--expires", "2030-01-01", "--out", folder.appending("dist"),
        ])
        #expect(trust.status == 0, "\(trust.stderr)")
        let bundle = folder.appending("dist/bundle.tar.zst")
        let packed = try Tools.fieldkit([
            "bundle", "pack", Repository.path("Bundles"), "--key", hq + "-signing.key", "--trust",
            folder.appending("dist"), "--out", bundle,
        ])
        #expect(packed.status == 0, "\(packed.stderr)")
        let exe = folder.appending("fieldkit-field")
        let embedded = try Tools.fieldkit([
            "bundle", "embed", bundle, "--into", Tools.fieldkitBinary, "--out", exe, "--root", hq + "-root.pub",
        ])
        #expect(embedded.status == 0, "\(embedded.stderr)")
        return (exe, hq + "-root.pub")
    }

    @Test("a field edition pins the root it carries at init and reads its own bundle, not the development one")
    func fieldEditionWorks() throws {
        let folder = TemporaryFolder("embed")
        let (exe, _) = try Self.fieldEdition(folder)
        let data = folder.appending("device")
        let initialised = try Tools.run(exe, ["init", "--data-dir", data, "--device", "island-laptop"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        #expect(initialised.stdout.contains("Pinned the headquarters root carried by this fieldkit"))
        let list = try Tools.run(exe, ["guide", "list", "--data-dir", data])
        #expect(list.status == 0)
        #expect(list.stderr.contains("installed the bundle built into fieldkit"))
        #expect(!list.stderr.contains("development"))
        let version = try Tools.run(exe, ["--version"])
        #expect(version.stdout.contains("bundle 1 (field edition), trust statement 1\n"), "\(version.stdout)")
        let plain = try Tools.fieldkit(["--version"])
        #expect(plain.stdout.contains("(development content)") && plain.stdout.contains("(development root)"))

        // Embedding again replaces the payload rather than stacking a second one.
        let again = folder.appending("fieldkit-field-2")
        let bundle = folder.appending("dist/bundle.tar.zst")
        #expect(
            try Tools.fieldkit([
                "bundle", "embed", bundle, "--into", exe, "--out", again, "--root", folder.appending("hq-root.pub"),
            ]).status == 0)
        let sizes = try [exe, again].map { try FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }
        #expect(sizes[0] == sizes[1])
    }

    @Test("a damaged payload trailer or payload byte is exit 65 and installs nothing")
    func damagedPayload() throws {
        let folder = TemporaryFolder("embed-damaged")
        let (exe, root) = try Self.fieldEdition(folder)
        let original = try Data(contentsOf: URL(fileURLWithPath: exe))
        for (name, index) in [("trailer length", original.count - 10), ("payload byte", original.count - 40_000)] {
            var changed = original
            changed[index] ^= 0x20
            let copy = folder.appending("damaged")
            try changed.write(to: URL(fileURLWithPath: copy))
            chmod(copy, 0o755)
            let data = folder.appending("device-\(index)")
            let initialised = try Tools.run(copy, ["init", "--data-dir", data, "--device", "x", "--hq-root", root])
            #expect(initialised.status == 0)
            let list = try Tools.run(copy, ["guide", "list", "--data-dir", data])
            #expect(list.status == 65, "\(name): \(list.stderr)")
            #expect(list.stderr.hasPrefix("error: "), "\(name)")
            let status = try Tools.run(copy, ["status", "--json", "--data-dir", data])
            #expect(status.status == 0)
        }
    }
}
