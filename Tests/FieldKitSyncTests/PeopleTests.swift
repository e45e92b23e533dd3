import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitTestSupport
import Foundation
import Testing

@testable import FieldKitSync

@Suite("sync: erasing a person's name at headquarters reaches every device and never comes back")
struct PeopleTests {
    static let trainee = Person(id: "p-00000000000000aa", name: "Jaïr Rosalia")

    @Test(
        "erasure reaches the devices in their next receipt and survives re-imports and late archives naming the person")
    func erasure() throws {
        let world = try SyncWorld("people-erase")
        let a = try world.device("laptop-a", site: "CUR-01")
        let b = try world.device("laptop-b", site: "CUR-01")
        try a.repair("LO-VC-000002", by: Self.trainee)
        try b.repair("LO-VN-000001")
        let stick = try world.stick()
        try a.sync(stick)
        let kept = world.folder.appending("kept")
        try FileManager.default.copyItem(atPath: stick.outbound(a.id), toPath: kept)
        try b.sync(stick)
        try world.importAt([stick.folder])
        try b.sync(stick)
        #expect(try b.store.person(Self.trainee.id)?.name == "Jaïr Rosalia", "b learnt the name from its receipt")
        #expect(try world.hubStore.person(Self.trainee.id)?.name == "Jaïr Rosalia")
        let events = try world.hubStore.counts().events
        let digest = try world.hubStore.stateDigest()

        #expect(try world.hubStore.erasePerson(Self.trainee.id))
        #expect(try world.hubStore.erasePerson(Self.trainee.id) == false, "erased already")
        #expect(try world.hubStore.person(Self.trainee.id)?.name == nil)
        #expect(try world.hubStore.counts().events == events, "no event changes")
        #expect(try world.hubStore.stateDigest() == digest)
        #expect(try world.hubStore.logFindings().isEmpty)

        // The old archive imported again, and a laptop that has not heard of the erasure sending
        // the name again with a new event: the name stays erased.
        #expect(try world.importAt([kept]).archives.map(\.outcome) == ["already imported"])
        try a.repair("LO-VC-000002", by: Self.trainee)
        try a.sync(stick)
        let late = try world.importAt([stick.folder])
        #expect(late.archives.map(\.outcome) == ["accepted"])
        #expect(try world.hubStore.person(Self.trainee.id)?.name == nil)
        #expect(try world.hubStore.erasedPeople() == [Self.trainee.id])

        // Both laptops erase it with their next receipt.
        for device in [a, b] {
            try device.sync(stick)
            #expect(try device.store.person(Self.trainee.id)?.name == nil, "\(device.id) erased the name")
            #expect(try device.store.erasedPeople() == [Self.trainee.id])
        }
        // A laptop that never knew the person keeps the id as erased, so no later name is stored.
        let c = try world.device("laptop-c", site: "AMS-01")
        try c.repair("LO-VN-000001")
        try c.sync(stick)
        try world.importAt([stick.folder])
        try c.sync(stick)
        #expect(try c.store.erasedPeople() == [Self.trainee.id])
    }

    @Test("the access record holds every event that names the person, as author or in the payload, and nothing else")
    func accessRecord() throws {
        let world = try SyncWorld("people-export")
        let a = try world.device("laptop-a", site: "CUR-01")
        let b = try world.device("laptop-b", site: "AMS-01")
        let other = Person(id: "p-00000000000000bb", name: "Anne de Vries")
        let named = [
            try a.repair("LO-VN-000002", by: Self.trainee), try b.repair("LO-VN-000001", by: Self.trainee),
        ]
        try a.repair("LO-VN-000002", by: other)
        try b.move("LO-VN-000003", to: "CUR-01")
        let stick = try world.stick()
        for device in [a, b] { try device.sync(stick) }
        try world.importAt([stick.folder])
        let record = try world.hubStore.personRecord(Self.trainee.id)
        #expect(record.name == "Jaïr Rosalia")
        #expect(Set(record.events.map(\.event.id)) == Set(named.map(\.event.id)))
        #expect(try world.hubStore.findPeople("jair").map(\.id) == [Self.trainee.id], "case and accents ignored")
        #expect(throws: StoreFailure.noSuchPerson("p-nobody")) { try world.hubStore.personRecord("p-nobody") }
    }
}
