namespace VirtioForwarder.Relay.Tests;

/// <summary><see cref="EvictionTuner"/> driven by a simulated clock and traffic.</summary>
public sealed class EvictionTunerTests
{
    private const long Window = 1000;
    private const int Hold = 10;

    /// <summary>
    /// Feeds bursts of 32 frames every <c>32 / rate</c> ticks for <paramref name="windows"/>
    /// windows, the rate depending on the tuner's mode as it goes.
    /// </summary>
    private static void Run(EvictionTuner tuner, ref long now, int windows, Func<bool, double> framesPerTick)
    {
        long end = now + windows * Window;
        while (now < end)
        {
            now += (long)Math.Ceiling(32 / framesPerTick(tuner.Evicting));
            tuner.Record(32, now);
        }
    }

    /// <summary>Frames per tick with eviction on and off, one phase of 100 windows each.</summary>
    public static TheoryData<double[], bool, int> Phases => new()
    {
        // The guest sends more while evicting: kept.
        { [3.0, 2.0], true, 1 },
        // Then eviction costs frames: dropped again.
        { [3.0, 2.0, 1.5, 2.0], false, 2 },
        // A difference within the margin changes nothing.
        { [2.08, 2.0, 2.08, 2.0], false, 0 },
        // Light traffic (under MinFramesPerWindow a window): no window counts, no trial starts.
        { [0.9, 0.5, 0.9, 0.5], false, 0 },
    };

    [Theory]
    [MemberData(nameof(Phases))]
    public void Keeps_the_mode_that_moves_more_frames(double[] rates, bool evicting, int switches)
    {
        var tuner = new EvictionTuner(Window, Hold);
        long now = 0;
        for (int i = 0; i < rates.Length; i += 2)
        {
            double on = rates[i], off = rates[i + 1];
            Run(tuner, ref now, 100, e => e ? on : off);
        }
        Assert.Equal(evicting, tuner.Evicting);
        Assert.Equal(switches, tuner.Switches);
    }

    [Fact]
    public void A_pause_during_the_trial_voids_it()
    {
        var tuner = new EvictionTuner(Window, Hold);
        long now = 0;
        // Through the hold, the baseline and the settling window: the trial in the other mode has begun.
        Run(tuner, ref now, Hold + EvictionTuner.MeasuredWindows + 2, _ => 2.0);
        Assert.True(tuner.Evicting);
        // The traffic stops for ten windows (the worker lost its CPU, or the guest paused): the
        // window that spans it is void, and so is the trial, whatever came after.
        now += 10 * Window;
        tuner.Record(32, now);
        Run(tuner, ref now, 3, evicting => evicting ? 4.0 : 2.0);
        Assert.False(tuner.Evicting);
        Assert.Equal(0, tuner.Switches);
    }
}
