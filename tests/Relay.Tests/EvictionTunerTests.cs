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

    [Fact]
    public void Keeps_evicting_when_the_guest_then_sends_more()
    {
        var tuner = new EvictionTuner(Window, Hold);
        long now = 0;
        Run(tuner, ref now, 100, evicting => evicting ? 3.0 : 2.0);
        Assert.True(tuner.Evicting);
        Assert.Equal(1, tuner.Switches);
    }

    [Fact]
    public void Stops_evicting_when_it_costs_frames()
    {
        var tuner = new EvictionTuner(Window, Hold);
        long now = 0;
        Run(tuner, ref now, 100, evicting => evicting ? 3.0 : 2.0);
        Run(tuner, ref now, 100, evicting => evicting ? 1.5 : 2.0);
        Assert.False(tuner.Evicting);
        Assert.Equal(2, tuner.Switches);
    }

    [Fact]
    public void A_difference_within_the_margin_changes_nothing()
    {
        var tuner = new EvictionTuner(Window, Hold);
        long now = 0;
        Run(tuner, ref now, 200, evicting => evicting ? 2.08 : 2.0);
        Assert.False(tuner.Evicting);
        Assert.Equal(0, tuner.Switches);
    }

    [Fact]
    public void Light_traffic_never_starts_a_trial()
    {
        var tuner = new EvictionTuner(Window, Hold);
        long now = 0;
        // Under MinFramesPerWindow a window: no window counts, and the better rate is never tried.
        Run(tuner, ref now, 200, evicting => evicting ? 0.9 : 0.5);
        Assert.False(tuner.Evicting);
        Assert.Equal(0, tuner.Switches);
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
