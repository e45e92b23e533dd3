import CFuzzerDriver
import Foundation
import FuzzSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The six targets in one executable (one instrumented build), chosen by
/// `FIELDKIT_FUZZ_TARGET`: `make fuzz` and `make fuzz-smoke` set it for each in turn.
enum Targets {
    typealias Target = @Sendable (UnsafeRawPointer, Int) -> CInt

    static let all: [String: Target] = [
        "archive": fuzzArchive, "minisign": fuzzMinisign, "statement": fuzzStatement, "event": fuzzEvent,
        "receipt": fuzzReceipt, "unseal": fuzzUnseal,
    ]

    static let chosen: Target = {
        let name = ProcessInfo.processInfo.environment["FIELDKIT_FUZZ_TARGET"] ?? ""
        guard let target = all[name] else {
            let names = all.keys.sorted().joined(separator: ", ")
            FileHandle.standardError.write(Data("error: set FIELDKIT_FUZZ_TARGET to one of \(names)\n".utf8))
            exit(64)
        }
        return target
    }()
}

/// libFuzzer's entry: each input goes to the chosen target.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    Targets.chosen(start, count)
}

/// The process's `main`: SwiftPM links an executable target with `main` set to this name, and
/// it hands the arguments to libFuzzer's driver.
@_cdecl("fieldkit_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    // What the targets keep for the whole run (the chosen target, the fuzzing key) is made
    // before the first input, so libFuzzer's leak check never counts it against one.
    _ = Targets.chosen
    _ = Fuzz.sealingKey
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        guard let data else { return 0 }
        return fuzzOneInput(UnsafeRawPointer(data), size)
    }
}
