import FieldKitCLI
import FieldKitCore
import FieldKitTestSupport
import Foundation

/// Runs commands in-process through `parse` + `run(in:)`, as the binary does.
struct CLIHarness {
    let environment: FieldKitEnvironment

    init(environment: FieldKitEnvironment = .test()) {
        self.environment = environment
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Decodes stdout as JSON.
        func json() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] ?? [:]
        }
    }

    @discardableResult
    func callAsFunction(_ arguments: String...) -> Result {
        run(arguments)
    }

    func run(_ arguments: [String]) -> Result {
        let console = RecordingConsole()
        let status = FieldKitCommand.run(
            arguments: arguments, context: CommandContext(environment: environment, console: console))
        return Result(status: status, stdout: console.output, stderr: console.errors)
    }
}

/// The bytes of every file under `folder`, by relative path, to prove "nothing changed".
func snapshot(of folder: String) -> [String: Data] {
    var result: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(atPath: folder)
    while let name = enumerator?.nextObject() as? String {
        let path = folder + "/" + name
        if name.hasSuffix(".lock") || FileLayer.isFolder(path) { continue }
        result[name] = FileManager.default.contents(atPath: path)
    }
    return result
}
