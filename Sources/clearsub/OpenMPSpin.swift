// The OpenMP runtime's idle spinning, set before it starts. oneDNN (Debian's libdnnl) runs on GNU
// OpenMP, and so do the engine's Swift loops (ClearTensor.parallelFor). libgomp reads
// GOMP_SPINCOUNT once, when it is loaded (before `main`); by default a worker that runs out of work
// spins 300 000 times before it sleeps. In `clearsub remove` the engine's serial steps leave that
// worker spinning on a core that x264 and the decoders need. With 3 000 spins, end to end on a
// 720p clip of 384 frames is 7.6 % faster (7 alternating pairs, 31.0 → 28.8 s) and uses 15 % less
// CPU, while the engine alone keeps its rate (BENCHMARKS.md). The only way to set it for this
// process is the environment at exec time, so clearsub runs itself once more with it set, unless
// the user chose a policy (GOMP_SPINCOUNT or OMP_WAIT_POLICY already set).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum OpenMPSpin {
    static let spinCount = "3000"

    /// Re-executes this binary with GOMP_SPINCOUNT set, once; returns only when it does not (the
    /// variable or OMP_WAIT_POLICY is already set, or the exec failed: the run goes on as it is).
    static func relaunchIfUnset() {
        let env = ProcessInfo.processInfo.environment
        guard env["GOMP_SPINCOUNT"] == nil, env["OMP_WAIT_POLICY"] == nil else { return }
        // the binary's own path (exec'ing the /proc/self/exe link itself would rename the process "exe")
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return }
        setenv("GOMP_SPINCOUNT", spinCount, 1)
        execv(path, CommandLine.unsafeArgv)
        // exec failed: carry on with libgomp's default, and do not pass the setting on
        unsetenv("GOMP_SPINCOUNT")
    }
}
