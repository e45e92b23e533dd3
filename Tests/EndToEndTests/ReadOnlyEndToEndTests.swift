import FieldKitTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A stick with its write-protect switch on, and a data folder that cannot be written. Folder
/// modes do not stop root, whom the tests may run as: then `fieldkit` runs as `nobody` through
/// util-linux's `setpriv`, on folders handed to that user.
@Suite("end to end: a folder that cannot be written is refused with a clear message, and nothing changes")
struct ReadOnlyEndToEndTests {
    static let nobody = "65534"

    /// Runs `fieldkit` as a user whom folder modes stop.
    func unprivileged(_ arguments: [String]) throws -> Tools.Outcome {
        guard geteuid() == 0 else { return try Tools.fieldkit(arguments) }
        return try Tools.run(
            "setpriv",
            ["--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", "--", Tools.fieldkitBinary]
                + arguments)
    }

    /// Hands `path` (and everything under it) to the user `unprivileged` runs as.
    func handOver(_ path: String) throws {
        guard geteuid() == 0 else { return }
        let owned = try Tools.run("chown", ["-R", "\(Self.nobody):\(Self.nobody)", path])
        try #require(owned.status == 0, "\(owned.stderr)")
    }

    /// Takes the write permission off `path` and everything under it (`chmod -R a-w`).
    func writeProtect(_ path: String) throws {
        let changed = try Tools.run("chmod", ["-R", "a-w", path])
        try #require(changed.status == 0, "\(changed.stderr)")
    }

    func listing(_ folder: String) -> [String] {
        (FileManager.default.subpaths(atPath: folder) ?? []).sorted()
    }

    func status(_ data: String) throws -> [String: Any] {
        let outcome = try unprivileged(["status", "--json", "--data-dir", data])
        try #require(outcome.status == 0, "\(outcome.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
    }

    /// The tour's laptop with one repair not yet delivered, and its stick, both handed over.
    func world(_ folder: TemporaryFolder) throws -> (laptop: String, stick: String) {
        let kept = folder.appending("kept")
        let tour = try Tools.fieldkit(["tour", "--keep", kept])
        try #require(tour.status == 0, "\(tour.stderr)")
        let laptop = kept + "/amsterdam"
        let repair = try Tools.fieldkit([
            "repair", "log", "LO-VN-000108", "--problem", "Peg slips", "--action", "Peg refitted", "--minutes", "15",
            "--outcome", "fixed", "--data-dir", laptop,
        ])
        try #require(repair.status == 0, "\(repair.stderr)")
        try handOver(kept)
        return (laptop, kept + "/stick")
    }

    @Test("sync to a write-protected stick: exit 73 naming the folder and why, the stick and the store unchanged")
    func protectedStick() throws {
        let folder = TemporaryFolder("e2e-read-only-stick")
        let (laptop, stick) = try world(folder)
        try writeProtect(stick)
        let before = try status(laptop)
        let files = listing(stick)
        #expect((before["undelivered"] as? Int ?? 0) > 0)

        let synced = try unprivileged(["sync", stick, "--data-dir", laptop])
        #expect(synced.status == 73, "\(synced.stdout) \(synced.stderr)")
        #expect(synced.stderr.hasPrefix("error: the sync folder \(stick)/fieldkit-sync/"), "\(synced.stderr)")
        #expect(synced.stderr.contains("cannot be used: Permission denied\n"), "\(synced.stderr)")
        #expect(synced.stderr.contains("write-protected"), "the hint names the switch: \(synced.stderr)")
        #expect(listing(stick) == files, "nothing written to the stick")
        let after = try status(laptop)
        #expect(after["events"] as? Int == before["events"] as? Int)
        #expect(after["undelivered"] as? Int == before["undelivered"] as? Int)
        #expect(after["lastReceipt"] as? Int == before["lastReceipt"] as? Int)
    }

    @Test("a repair logged into a data folder that cannot be written: a clear refusal, the log unchanged")
    func protectedDataFolder() throws {
        let folder = TemporaryFolder("e2e-read-only-data")
        let (laptop, _) = try world(folder)
        let before = try status(laptop)
        let files = listing(laptop)
        try writeProtect(laptop)

        let logged = try unprivileged([
            "repair", "log", "LO-VN-000001", "--problem", "Snaar", "--action", "Nieuwe snaar", "--minutes", "5",
            "--outcome", "fixed", "--data-dir", laptop,
        ])
        #expect(logged.status == 74 || logged.status == 73, "\(logged.stdout) \(logged.stderr)")
        #expect(logged.stderr.hasPrefix("error: "), "\(logged.stderr)")
        #expect(logged.stderr.contains(laptop), "the message names the folder: \(logged.stderr)")
        #expect(!logged.stderr.contains("SQLite"), "said in the technician's words: \(logged.stderr)")
        #expect(listing(laptop) == files)

        let writable = try Tools.run("chmod", ["-R", "u+w", laptop])
        try #require(writable.status == 0)
        let after = try status(laptop)
        #expect(after["events"] as? Int == before["events"] as? Int, "no event was half-recorded")
        let checked = try unprivileged(["doctor", "--data-dir", laptop])
        #expect(checked.status == 0, "\(checked.stdout)")
    }
}
