// Peak resident memory of this process and of its waited-for children (getrusage), in MiB.
#if canImport(Glibc)
import Glibc
#endif

enum ResourceUsage {
    /// Peak RSS of this process.
    static var selfPeakMiB: Double { peak(RUSAGE_SELF) }
    /// Peak RSS of the largest terminated, waited-for child (FFmpeg processes).
    static var childrenPeakMiB: Double { peak(RUSAGE_CHILDREN) }

    /// User + system CPU seconds of all terminated, waited-for children so far.
    static var childrenCPUSeconds: Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private static func peak(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports KiB
    }
}
