namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>packaging/libexec/vio4wd-core-sched-start.sh, with vfwdctl replaced by <see cref="ArgvRecorder"/> (contract §9.3).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CoreSchedulerScriptTests : IDisposable
{
    private readonly ServiceConfig _config = new();
    private readonly string _recorder;

    public CoreSchedulerScriptTests() => _recorder = ArgvRecorder.Create(_config.Temp.Path);

    private string Root => _config.Temp.Path;

    [Fact]
    public void ShippedSettingsGiveEndpointsAndLogLevel()
    {
        Assert.Equal(["sched", $"--stats-ep=ipc://{Root}/run/stats", $"--sched-ep=ipc://{Root}/sched/core_sched", "--loglevel=6"], Run());
        Assert.True(Directory.Exists($"{Root}/run"));
        Assert.True(Directory.Exists($"{Root}/sched"));
    }

    [Fact]
    public void EverySettingIsPassedIncludingGlobalNumaOptimisation()
    {
        Assert.Equal(
            ["sched", $"--stats-ep=ipc://{Root}/run/stats", $"--sched-ep=ipc://{Root}/sched/core_sched",
             "--sensitivity=0.5", "--poll-interval=3", "--loglevel=4", "--global-numa-opt"],
            Run("VIO4WD_CORE_SCHED_SENSITIVITY=0.5", "VIO4WD_CORE_SCHED_POLL_INTERVAL=3",
                "VIO4WD_CORE_SCHED_LOG_LEVEL=4", "VIO4WD_CORE_SCHED_GLOBAL_NUMA_OPT=y"));
    }

    [Theory]
    [InlineData("false")]
    [InlineData("")]
    [InlineData("yes")]
    public void DisabledSchedulerEndsAtOnce(string enable)
    {
        ProgramResult result = RunScript($"VIO4WD_CORE_SCHED_ENABLE={enable}");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("VIO4WD_CORE_SCHED_ENABLE is not 'true'", result.Stderr);
    }

    private string[] Run(params string[] overrides)
    {
        ProgramResult result = RunScript(overrides);
        Assert.True(result.ExitCode == 0, result.ToString());
        return ArgvRecorder.Read(result.Stdout);
    }

    private ProgramResult RunScript(params string[] overrides)
    {
        _config.Write([
            $"VIRTIOFWD_ZMQ_STATS_EP=ipc://{Root}/run/stats", $"VIRTIOFWD_ZMQ_CORE_SCHED_EP=ipc://{Root}/sched/core_sched",
            $"VIO4WD_CORE_SCHED_BINARY={_recorder}", .. overrides]);
        return _config.RunScript("vio4wd-core-sched-start.sh");
    }

    public void Dispose() => _config.Dispose();
}
