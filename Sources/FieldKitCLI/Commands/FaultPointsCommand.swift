import ArgumentParser
import FieldKitCore

/// `fieldkit fault-points` (hidden): the named points where a test build stops dead when
/// `FIELDKIT_FAULT=NAME:N` says so (docs/threat-model.md, "Faults").
struct FaultPointsCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "fault-points",
        abstract: "List the fault points a test build honours (FIELDKIT_FAULT=NAME:N stops at the N-th).",
        shouldDisplay: false)

    @OptionGroup var global: GlobalOptions

    struct Output: Encodable {
        struct Point: Encodable {
            var name: String
            var summary: String
        }

        var honoured: Bool
        var exitStatus: Int32
        var points: [Point]
        /// The calls `FIELDKIT_IO_FAULT=KIND:N` can make fail.
        var ioFaults: [String]
    }

    func run(in context: CommandContext) throws {
        let output = Output(
            honoured: FaultPoint.isCompiledIn, exitStatus: FaultPoint.exitStatus,
            points: FaultPoint.allCases.map { .init(name: $0.rawValue, summary: $0.summary) },
            ioFaults: IOFault.allCases.map(\.rawValue))
        if global.json { return try context.printJSON(output) }
        for point in output.points { context.console.out("\(point.name)  \(point.summary)") }
        context.console.out(
            "FIELDKIT_IO_FAULT=KIND:N fails the N-th call of: \(output.ioFaults.joined(separator: ", "))")
        context.console.err(
            output.honoured
                ? "this build stops at FIELDKIT_FAULT=NAME:N with exit status \(output.exitStatus)"
                : "this build ignores FIELDKIT_FAULT (fault points are compiled into debug builds only)")
    }
}
