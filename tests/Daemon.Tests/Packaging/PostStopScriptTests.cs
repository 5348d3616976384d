using System.Diagnostics;

namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>packaging/libexec/vio4wd-post-stop.sh: waits up to 10 s for the pid file's process (contract §9.3).</summary>
public sealed class PostStopScriptTests : IDisposable
{
    private readonly ServiceConfig _config = new();
    private readonly string _pidFile;

    public PostStopScriptTests()
    {
        _config.Write($"VIRTIOFWD_PID_DIR={_config.Temp.Path}");
        _pidFile = Path.Combine(_config.Temp.Path, "virtio-forwarder.pid");
    }

    [Fact]
    public void NoPidFileMeansNothingToWaitFor()
    {
        Assert.Equal(0, _config.RunScript("vio4wd-post-stop.sh").ExitCode);
    }

    [Fact]
    public void ReturnsOnceTheProcessHasExited()
    {
        using Process sleeper = StartSleeper();
        var postStop = Task.Run(() => _config.RunScript("vio4wd-post-stop.sh"));
        // While the process lives the script keeps waiting.
        Assert.False(postStop.Wait(TimeSpan.FromSeconds(1)), "post-stop returned while the process still ran");
        sleeper.Kill();
        Assert.True(postStop.Wait(TimeSpan.FromSeconds(30)), "post-stop did not notice the exit");
        Assert.Equal(0, postStop.Result.ExitCode);
    }

    [Fact]
    public void GivesUpAfterTenSeconds()
    {
        using Process sleeper = StartSleeper();
        var clock = Stopwatch.StartNew();
        ProgramResult result = _config.RunScript("vio4wd-post-stop.sh");
        sleeper.Kill();
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"(pid {sleeper.Id}) has not exited after 10 s", result.Stderr);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(9.5), TimeSpan.FromSeconds(40));
    }

    [Fact]
    public void GarbageInThePidFileFails()
    {
        File.WriteAllText(_pidFile, "not a pid\n");
        ProgramResult result = _config.RunScript("vio4wd-post-stop.sh");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not hold a process id", result.Stderr);
    }

    /// <summary>A process of ours whose pid goes into the pid file, as the daemon's would.</summary>
    private Process StartSleeper()
    {
        var sleeper = Process.Start(ProgramRun.StartInfo("sleep", ["60"], new Dictionary<string, string>()))!;
        File.WriteAllText(_pidFile, $"{sleeper.Id}\n");
        return sleeper;
    }

    public void Dispose() => _config.Dispose();
}
