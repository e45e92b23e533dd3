import FieldKitCore
import Foundation

/// Generates the inventory snapshot deterministically: the same seed, count, instrument
/// types and sites always give the same instruments, byte for byte.
public enum InventoryGenerator {
    static let statuses = [("in-use", 76), ("at-depot", 14), ("in-repair", 7), ("retired", 3)]
    static let conditions = [("good", 55), ("fair", 30), ("poor", 12), ("unplayable", 3)]
    static let modelSuffixes = ["Student", "Student II", "Standard", "Advance", "Classic", "100", "200", "300"]

    /// Makes `settings.count` instruments over `types` and `sites`; `created` (`YYYY-MM-DD`)
    /// bounds the last service dates.
    public static func generate(
        settings: BundleSource.InventorySettings, types: [InstrumentType], sites: [Site], created: String
    ) throws(BundleFailure) -> [InventoryItem] {
        let schools = sites.filter { $0.kind != "depot" }.map(\.code)
        guard let depot = sites.first(where: { $0.kind == "depot" })?.code, !schools.isEmpty, !types.isEmpty else {
            throw .source(path: "sites.yaml", reason: "the generator needs a depot site and at least one school")
        }
        let createdDay: Int64
        do { createdDay = try EventTime.days(of: created) } catch {
            throw .source(path: "VERSION", reason: "created is not a YYYY-MM-DD date")
        }
        var random = SeededRandom(seed: settings.seed)
        var numbers: [String: Int] = [:]
        var items: [InventoryItem] = []
        items.reserveCapacity(settings.count)
        let typeChoices = types.map { ($0, $0.share) }
        for _ in 0..<settings.count {
            guard let type = random.weighted(typeChoices) else { break }
            let number = (numbers[type.id] ?? 0) + 1
            numbers[type.id] = number
            let size = random.weighted(type.sizes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            let maker = type.makers.isEmpty ? "Unknown" : type.makers[random.below(type.makers.count)]
            let status = random.weighted(statuses) ?? "in-use"
            let site = status == "in-use" ? schools[random.below(schools.count)] : depot
            let condition = status == "retired" ? "unplayable" : (random.weighted(conditions) ?? "good")
            let serialLetters = String(
                decoding: [UInt8(65 + random.below(26)), UInt8(65 + random.below(26))], as: UTF8.self)
            let serviceDay = createdDay - 1 - Int64(random.below(900))
            let service = EventTime.civil(fromDays: serviceDay)
            items.append(
                InventoryItem(
                    tag: String(format: "%@-%@-%06d", settings.tagPrefix, type.code, number),
                    type: type.id, size: size, maker: maker,
                    model: "\(maker) \(modelSuffixes[random.below(modelSuffixes.count)])",
                    serial: serialLetters + String(format: "%07d", random.below(10_000_000)),
                    site: site, status: status, condition: condition,
                    lastService: String(format: "%04lld-%02lld-%02lld", service.year, service.month, service.day)))
        }
        return items
    }
}
