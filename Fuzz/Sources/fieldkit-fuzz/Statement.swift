import FieldKitArchive
import FieldKitCore
import Foundation
import FuzzSupport

/// The signed-statement parser (a trusted comment), the manifest and the trust statement on
/// any input; a statement that parses has canonical associated data.
func fuzzStatement(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Fuzz.data(start, count)
    if let statement = try? SignedFile.parseStatement(Fuzz.text(start, count)) {
        _ = try? SignedFile.associatedData(statement)
    }
    _ = try? JSONDecoder().decode(ArchiveManifest.self, from: data)
    _ = try? JSONDecoder().decode(TrustStatement.self, from: data)
    return 0
}
