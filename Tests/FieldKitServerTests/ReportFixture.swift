import FieldKitCore
import FieldKitStore
import FieldKitSync
import FieldKitTestSupport
import Foundation

/// A deterministic season at two sites in two regions (Noord-Holland, Curaçao): repairs with
/// outcomes, minutes, parts and follow-ups, amendments, trainings with sign-offs, moves and a
/// concurrent move left as a conflict, synced through headquarters every twelve steps. The same
/// seed always gives the same headquarters, so its report is compared with a committed CSV.
enum ReportFixture {
    static let seed: UInt64 = 20_261_127
    /// The day the report is measured from, and the instant clock anomalies are judged at.
    static let asOf = "2026-08-15"
    static let now = Date(timeIntervalSince1970: 1_786_788_000)  // 2026-08-15T10:00:00Z
    static let tags = ["LO-VN-000001", "LO-VN-000002", "LO-VN-000003", "LO-VC-000002"]
    static let people = (1...6).map { Person(id: "person-\($0)", name: "Leerling \($0)") }

    /// Builds the season in `world` (whose headquarters then holds it).
    static func season(in world: SyncWorld) throws {
        var random = SeededRandom(seed: seed)
        let ams = try world.device("ams", site: "AMS-01")
        let cur = try world.device("cur", site: "CUR-01")
        let stick = try world.stick()
        var repairs: [String: [String]] = [:]
        for step in 1...48 {
            world.clock.advance(Double(Int.random(in: 1...4, using: &random)) * 86_400)
            let device = Bool.random(using: &random) ? ams : cur
            let site = device.id == ams.id ? "AMS-01" : "CUR-01"
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                var payload: [String: JSONValue] = [
                    "tag": .string(tags[Int.random(in: 0..<tags.count, using: &random)]),
                    "problem": .string("loose bridge"),
                    "outcome": .string(
                        ["fixed", "fixed", "needs-depot", "beyond-repair"][Int.random(in: 0..<4, using: &random)]),
                    "minutes": .int(Int64(Int.random(in: 5...120, using: &random))),
                ]
                if Bool.random(using: &random) {
                    payload["parts"] = .array([
                        .object([
                            "id": .string("string-a"), "quantity": .int(Int64(Int.random(in: 1...3, using: &random))),
                        ])
                    ])
                }
                if Int.random(in: 0..<3, using: &random) == 0 {
                    let due = EventTime.localDate(world.clock.now.addingTimeInterval(20 * 86_400), offsetMinutes: 0)
                    payload["followUp"] = .string(due)
                }
                let tag = payload["tag"]?.stringValue ?? ""
                device.clock.advance(30)
                let stored = try device.store.record(
                    EventDraft(type: EventType.repairLogged, payload: .object(payload), site: site),
                    environment: device.environment, tags: [tag])
                repairs[device.id, default: []].append(stored.event.id)
            case 5..<7:
                let trainees = people.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random))
                device.clock.advance(30)
                try device.store.record(
                    EventDraft(
                        type: EventType.trainingRecorded,
                        payload: .object([
                            "checklist": .string(Bool.random(using: &random) ? "violin-basics" : "bow-care"),
                            "trainer": .string("trainer-1"), "trainees": .array(trainees.map { .string($0.id) }),
                            "done": .array([]), "notApplicable": .array([]),
                            "signedOff": .bool(Bool.random(using: &random)),
                        ]), site: site),
                    environment: device.environment,
                    people: [Person(id: "trainer-1", name: "Docent")] + Array(trainees))
            case 7:
                guard let record = repairs[device.id]?.last, let tag = try device.store.record(id: record)?.tag else {
                    continue
                }
                device.clock.advance(30)
                try device.store.record(
                    EventDraft(
                        type: EventType.repairAmended,
                        payload: .object([
                            "record": .string(record), "tag": .string(tag),
                            "changes": .object(["minutes": .int(Int64(Int.random(in: 5...120, using: &random)))]),
                        ]), site: site, basis: [record]),
                    environment: device.environment, tags: [tag])
            default:
                try device.move(
                    tags[Int.random(in: 0..<tags.count, using: &random)],
                    to: ["AMS-01", "CUR-02"].randomElement(using: &random) ?? "DEPOT")
            }
            if step % 12 == 0 {
                if step == 36 {
                    // The same violin moved on both laptops before either hears of the other.
                    try ams.move("LO-VN-000003", to: "AMS-01")
                    try cur.move("LO-VN-000003", to: "CUR-02")
                }
                for device in [ams, cur] { try device.sync(stick) }
                try world.importAt([stick.folder])
                for device in [ams, cur] { try device.sync(stick) }
            }
        }
    }
}
