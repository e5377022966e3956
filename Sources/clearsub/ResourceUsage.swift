// Peak resident memory of this process and of its waited-for children (getrusage), in MiB.
#if canImport(Glibc)
import Glibc
#endif

enum ResourceUsage {
    /// Peak RSS of this process.
    static var selfPeakMiB: Double { peak(RUSAGE_SELF) }
    /// Peak RSS of the largest terminated, waited-for child (FFmpeg processes).
    static var childrenPeakMiB: Double { peak(RUSAGE_CHILDREN) }

    private static func peak(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports KiB
    }
}
