import FieldKitTestSupport
import Foundation
import Testing

@Suite("end to end: a donated violin registered in the field, confirmed or mapped at headquarters, in a new snapshot")
struct MasterDataEndToEndTests {
    func json(_ outcome: Tools.Outcome) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome)")
    }

    @Test(
        "the laptop shows the depot tag, finds the violin by either tag, and its history shows the repair once",
        arguments: ["confirm", "map"])
    func donatedViolin(decision: String) throws {
        let setting = try LifecycleEndToEndTests.Setting("e2e-master-\(decision)")
        let laptop = setting.laptop
        let registered = try json(
            try Tools.fieldkit(
                ["instrument", "register", "--type", "violin", "--maker", "Onbekend", "--json"] + laptop))
        let provisional = try #require(registered["tag"] as? String)
        let repair = try Tools.fieldkit(
            [
                "repair", "log", provisional, "--problem", "Kam gebroken", "--action", "Nieuwe kam gezet", "--minutes",
                "20", "--outcome", "fixed",
            ] + laptop)
        #expect(repair.status == 0, "\(repair.stderr)")
        try setting.roundTrip()

        let decided =
            decision == "confirm"
            ? try Tools.fieldkit(["hub", "instrument", "confirm", provisional, "--json"] + setting.hq)
            : try Tools.fieldkit(
                ["hub", "instrument", "map", provisional, "--to", "LO-VN-000007", "--json"] + setting.hq)
        #expect(decided.status == 0, "\(decided.stderr)")
        let tag = try #require(try json(decided)["tag"] as? String)
        #expect(decision == "map" ? tag == "LO-VN-000007" : tag.hasPrefix("LO-VN-"))
        let twice = try Tools.fieldkit(["hub", "instrument", "confirm", provisional] + setting.hq)
        #expect(twice.status == 64, "a provisional tag is decided once")
        #expect(twice.stderr.contains("already"), "\(twice.stderr)")

        // A new snapshot, packed into a bundle and published.
        let snapshot = setting.folder.appending("snapshot")
        let made = try json(try Tools.fieldkit(["hub", "snapshot", "--out", snapshot, "--json"] + setting.hq))
        #expect((made["watermarks"] as? [String: Any])?.isEmpty == false, "\(made)")
        let bundle = setting.folder.appending("release/fieldkit-bundle.tar.zst")
        let packed = try Tools.fieldkit(
            [
                "bundle", "pack", Repository.path("Bundles"), "--key", setting.folder.appending("hq/keys/device.key"),
                "--trust", setting.folder.appending("hq/trust"), "--snapshot", snapshot, "--out", bundle,
            ])
        #expect(packed.status == 0, "\(packed.stderr)")
        #expect(try Tools.fieldkit(["hub", "publish", bundle] + setting.hq).status == 0)
        #expect(try Tools.fieldkit(["loan", "move", "LO-VN-004123", "--to", "CUR-01"] + laptop).status == 0)
        let back = try json(try setting.roundTrip())
        #expect((back["bundleResult"] as? [String: Any])?["outcome"] as? String == "installed", "\(back)")

        for typed in [provisional, tag] {
            let shown = try json(try Tools.fieldkit(["instrument", "show", typed, "--json"] + laptop))
            #expect(shown["tag"] as? String == tag, "\(typed) shows the depot tag")
            #expect((shown["aliases"] as? [String])?.contains(provisional) == true, "\(shown)")
            #expect(shown["provisional"] as? Bool == false)
            let found = try Tools.fieldkit(["instrument", "find", typed] + laptop)
            #expect(found.stdout.contains(tag), "\(typed) finds \(tag): \(found.stdout)")
            let history = try Tools.fieldkit(["instrument", "history", typed] + laptop)
            #expect(
                history.stdout.split(separator: "\n").filter { $0.contains("repair.logged") }.count == 1,
                "the repair once: \(history.stdout)")
        }
        let hub = try json(try Tools.fieldkit(["hub", "status", "--json"] + setting.hq))
        #expect(hub["stateDigest"] as? String != nil)
    }
}
