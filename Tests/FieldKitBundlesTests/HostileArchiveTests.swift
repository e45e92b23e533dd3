import FieldKitArchive
import FieldKitBundles
import FieldKitCore
import FieldKitCrypto
import FieldKitTestSupport
import Foundation
import Testing

/// Archives that are correctly signed but hostile inside: the reader must refuse each before
/// anything is written anywhere.
@Suite("hostile bundles")
struct HostileArchiveTests {
    static let good: [(String, Data)] = [("bundle.json", Data("{}".utf8))]

    /// Writes `entries` as a bundle signed under a test trust; returns the verification outcome.
    static func verify(_ entries: [HostileArchive.Entry]) throws -> (any Error)? {
        let folder = TemporaryFolder("hostile")
        let trust = try TestTrust(folder: folder.appending("hq"))
        let path = folder.appending("bundle.tar.zst")
        try HostileArchive.write(entries, to: path)
        _ = try SignedFile.sign(
            path, key: trust.signing,
            statement: [
                "kind": .string("bundle"), "format": .int(1), "version": .int(1), "created": .string("2026-11-20"),
                "expires": .string("2030-01-01"),
            ])
        let (json, signature) = try trust.trustFiles()
        try json.write(to: URL(fileURLWithPath: folder.appending("trust.json")))
        try signature.write(to: URL(fileURLWithPath: folder.appending("trust.json.minisig")))
        let before = FileLayer.list(folder.path)
        defer { #expect(FileLayer.list(folder.path) == before, "nothing may be written beside the bundle") }
        do {
            _ = try BundleParts.read(path).verify(root: trust.root.publicKey)
            return nil
        } catch {
            return error
        }
    }

    static func manifestEntry(_ files: [(String, Data)], extra: [(String, Int, String)] = []) -> HostileArchive.Entry {
        .init(name: "manifest.json", kind: .file(HostileArchive.manifest(files, extra: extra)))
    }

    @Test(
        "unsafe names are refused",
        arguments: ["../evil.json", "/etc/evil.json", "guides/../../evil.json", "a//b.json", "./bundle.json"])
    func unsafeNames(_ name: String) throws {
        let error = try Self.verify([
            Self.manifestEntry(Self.good), .init(name: name, kind: .file(Data("x".utf8))),
        ])
        #expect(error as? ArchiveFailure == .unsafeName(name))
    }

    @Test(
        "links, devices, FIFOs and folders are refused",
        arguments: [
            ("link", HostileArchive.Kind.symlink("/etc/passwd"), "symbolic link"),
            ("hard", .hardlink("bundle.json"), "hard link"), ("dev", .device, "device node"),
            ("fifo", .fifo, "FIFO"), ("dir", .folder, "folder"),
        ])
    func specialEntries(name: String, kind: HostileArchive.Kind, label: String) throws {
        let error = try Self.verify([Self.manifestEntry(Self.good), .init(name: name, kind: kind)])
        #expect(error as? ArchiveFailure == .forbiddenEntryType(name: name, kind: label))
    }

    @Test("a duplicate name is refused")
    func duplicate() throws {
        let error = try Self.verify([
            Self.manifestEntry(Self.good), .init(name: "bundle.json", kind: .file(Data("{}".utf8))),
            .init(name: "bundle.json", kind: .file(Data("{}".utf8))),
        ])
        #expect(error as? ArchiveFailure == .duplicateEntry("bundle.json"))
    }

    @Test("an entry the manifest does not list, and a listed entry that is missing, are refused")
    func manifestMismatch() throws {
        let extra = try Self.verify([
            Self.manifestEntry(Self.good), .init(name: "bundle.json", kind: .file(Data("{}".utf8))),
            .init(name: "smuggled.json", kind: .file(Data("{}".utf8))),
        ])
        #expect(extra as? ArchiveFailure == .notInManifest("smuggled.json"))
        let missing = try Self.verify([
            Self.manifestEntry(Self.good, extra: [("guides.json", 2, String(repeating: "0", count: 64))]),
            .init(name: "bundle.json", kind: .file(Data("{}".utf8))),
        ])
        #expect(missing as? ArchiveFailure == .missingEntry("guides.json"))
    }

    @Test("an entry whose bytes differ from the manifest's hash is refused")
    func hashMismatch() throws {
        let error = try Self.verify([
            Self.manifestEntry(Self.good), .init(name: "bundle.json", kind: .file(Data("[]".utf8))),
        ])
        #expect(error as? ArchiveFailure == .hashMismatch("bundle.json"))
    }

    @Test("100,000 entries are refused at the entry cap")
    func tooManyEntries() throws {
        let files = (0..<100_000).map { ("e\($0)", Data()) }
        var entries = [Self.manifestEntry(files)]
        entries += files.map { HostileArchive.Entry(name: $0.0, kind: .file($0.1)) }
        let listed = try Self.verify(entries)
        #expect(listed as? ArchiveFailure == .limitExceeded("the manifest lists more than 16 entries"))
        entries[0] = Self.manifestEntry(Self.good)
        let unlisted = try Self.verify(entries)
        #expect(unlisted as? ArchiveFailure == .notInManifest("e0"))
    }

    @Test("a decompression bomb is refused before it is unpacked")
    func bomb() throws {
        let size = 200 << 20
        let error = try Self.verify([
            Self.manifestEntry(Self.good, extra: [("inventory.jsonl", size, String(repeating: "0", count: 64))]),
            .init(name: "inventory.jsonl", kind: .zeros(size)),
        ])
        #expect(
            error as? ArchiveFailure
                == .limitExceeded("inventory.jsonl is larger than \(BundleFile.limits.maximumEntrySize) bytes"))
    }

    @Test("a name that is not UTF-8 is refused")
    func invalidUTF8Name() throws {
        let raw: [CChar] = [0x62, -1, -2, 0x2e, 0x6a, 0]
        let error = try Self.verify([
            Self.manifestEntry(Self.good), .init(name: "", kind: .file(Data("{}".utf8)), rawName: raw),
        ])
        guard case .unsafeName = error as? ArchiveFailure else {
            Issue.record("expected an unsafe name, got \(String(describing: error))")
            return
        }
    }

    @Test("deeply nested JSON and invalid UTF-8 inside an entry are refused as invalid content")
    func hostileJSON() throws {
        let nested = Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        let invalid = Data([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])
        for data in [nested, invalid] {
            let files = BundleFileNames.all.map { ($0, $0 == "guides.json" ? data : Data("[]".utf8)) }
            let error = try Self.verify(
                [Self.manifestEntry(files)] + files.map { HostileArchive.Entry(name: $0.0, kind: .file($0.1)) })
            guard case .content = error as? BundleFailure else {
                Issue.record("expected invalid content, got \(String(describing: error))")
                continue
            }
        }
    }
}

extension HostileArchiveTests {
    @Test("a bundle whose manifest lists an entry a bundle does not have is refused")
    func strangerEntry() throws {
        let files = (BundleFileNames.all + ["extra.json"]).map { ($0, Data("[]".utf8)) }
        let error = try Self.verify(
            [Self.manifestEntry(files)] + files.map { HostileArchive.Entry(name: $0.0, kind: .file($0.1)) })
        #expect(error as? BundleFailure == .content("it holds extra.json, which is not part of a bundle"))
    }

    @Test("a manifest that is not the first entry is refused, and so is an archive with no manifest")
    func manifestNotFirst() throws {
        let late = try Self.verify([
            .init(name: "bundle.json", kind: .file(Data("{}".utf8))), Self.manifestEntry(Self.good),
        ])
        #expect(late as? ArchiveFailure == .badManifest("manifest.json is not the first entry"))
        let none = try Self.verify([.init(name: "bundle.json", kind: .file(Data("{}".utf8)))])
        #expect(none as? ArchiveFailure == .badManifest("manifest.json is not the first entry"))
    }
}

enum BundleFileNames {
    static let all = [
        "bundle.json", "guides.json", "checklists.json", "parts.json", "sites.json", "instruments.json",
        "glossary.json", "inventory.jsonl",
    ]
}
