import FieldKitCore
import FieldKitStore
import Foundation

/// `people.json` in archives and receipts: `[{"id": …, "name": …}, …]` sorted by id, only
/// persons whose names are known.
enum PeopleList {
    static func encode(_ people: [Person]) throws(SignedFileFailure) -> Data {
        try SignedFile.canonicalJSON(
            people.compactMap { person in person.name.map { ["id": person.id, "name": $0] } }.sorted {
                ($0["id"] ?? "") < ($1["id"] ?? "")
            })
    }

    static func decode(_ data: Data, path: String) throws(SyncFailure) -> [Person] {
        guard let list = try? JSONDecoder().decode([[String: String]].self, from: data) else {
            throw .malformed(path: path, reason: "people.json is not a list of ids and names")
        }
        var people: [Person] = []
        for fields in list {
            guard let id = fields["id"], let name = fields["name"], fields.count == 2,
                let text = try? Text.normalised(name, field: "name")
            else { throw .malformed(path: path, reason: "people.json holds an entry that is not an id and a name") }
            people.append(Person(id: id, name: text))
        }
        return people
    }
}
