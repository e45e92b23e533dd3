import Foundation

/// A JSON value without fractions: what an event payload may hold.
///
/// Numbers must be whole (`1.5` is refused; `1.0` reads as 1); fieldkit never writes a fraction.
///
/// Integers only, so the same value always has the same bytes; text is NFC-normalised when
/// it is made through `Text.normalised`.
public enum JSONValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Each kind that does not match costs a thrown error, so the kinds go by how often a
        // payload holds them: text, then the payload object, lists, numbers, flags. The kinds
        // never overlap (the decoder converts nothing), so the order changes no value.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a JSON value without fractions")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, when this is one.
    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The member `key` of an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}

extension JSONValue {
    /// Every string inside, at any depth (object keys excluded): where person ids may hide.
    public var nestedStrings: [String] {
        switch self {
        case .string(let text): [text]
        case .array(let items): items.flatMap(\.nestedStrings)
        case .object(let fields): fields.values.flatMap(\.nestedStrings)
        default: []
        }
    }
}
