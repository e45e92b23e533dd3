import Foundation
import Synchronization

/// Where a command's words go: results to `out` (stdout), everything else to `err` (stderr).
public protocol Console: Sendable {
    /// Writes a result line (or a JSON document) to standard output.
    func out(_ text: String)
    /// Writes progress, warnings and errors to standard error.
    func err(_ text: String)
    /// Whether standard input is a terminal a person can answer prompts on.
    var isInteractive: Bool { get }
}

/// The process's real standard output and error.
public struct LiveConsole: Console {
    /// Makes the live console.
    public init() {}

    public func out(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

    public func err(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    public var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }
}

/// A console that keeps what was written, for tests.
public final class RecordingConsole: Console {
    private let lines = Mutex<(out: [String], err: [String])>(([], []))

    /// Makes an empty recording.
    public init() {}

    public func out(_ text: String) { lines.withLock { $0.out.append(text) } }

    public func err(_ text: String) { lines.withLock { $0.err.append(text) } }

    public var isInteractive: Bool { false }

    /// Everything written to standard output, joined by newlines.
    public var output: String { lines.withLock { $0.out.joined(separator: "\n") } }

    /// Everything written to standard error, joined by newlines.
    public var errors: String { lines.withLock { $0.err.joined(separator: "\n") } }
}
