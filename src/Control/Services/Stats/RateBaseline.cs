using System.Diagnostics;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Control.Services.Stats;

/// <summary>
/// A relay's counters at one instant, from which the next report's rates are measured
/// (docs/control-contract.md §4.1 step 3). Rates are single precision, as upstream computes them.
/// </summary>
internal readonly record struct RateBaseline(long Timestamp, CountersSnapshot VfToVm, CountersSnapshot VmToVf)
{
    public static RateBaseline Now(Model.RelayStatus status) =>
        new(Stopwatch.GetTimestamp(), status.VfToVm, status.VmToVf);

    /// <summary>Seconds since this baseline, as the float upstream divides by; never zero.</summary>
    public float SecondsUntil(RateBaseline later) =>
        Math.Max((float)Stopwatch.GetElapsedTime(Timestamp, later.Timestamp).TotalSeconds, float.Epsilon);

    public static float Rate(long now, long then, float seconds) => (now - then) / seconds;
}
