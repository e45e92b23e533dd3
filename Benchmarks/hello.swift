// The start-up baseline (Benchmarks/README.md): a Swift hello-world that links Foundation, as
// fieldkit does, built with `swiftc -O`.
import Foundation

print("hello, " + ProcessInfo.processInfo.processName)
