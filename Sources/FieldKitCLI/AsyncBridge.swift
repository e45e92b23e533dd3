import Foundation
import Synchronization

/// Runs async work (the HTTP client, the hub server) from a synchronous command and waits for
/// it. The command runs on the main thread, outside Swift's cooperative pool, so waiting here
/// blocks no task the work needs.
func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await work()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    guard let result = outcome.withLock({ $0 }) else {
        throw CLIFailure.internalError("async work ended without a result")
    }
    return try result.get()
}
