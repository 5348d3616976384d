using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>ZeroMQ start-up failures end the daemon with 255 (contract §1, §8.3).</summary>
public sealed class ZmqStartupTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public void A_second_daemon_exits_255_and_leaves_the_live_daemons_endpoint_alone()
    {
        using var workDir = new TestWorkDir();
        var zmq = new ZmqEndpoints(workDir);
        using var first = DaemonProcess.Start(new DaemonConfig(workDir) { ExtraArguments = [$"-z{zmq.Stats}"] });

        // Its own pid directory, so only the endpoint is shared.
        using var otherDir = new TestWorkDir();
        var second = new DaemonConfig(otherDir) { ExtraArguments = [$"-z{zmq.Stats}"] };
        using var process = ManagedProcess.Start(new CommandLine(ProductPaths.Daemon, second.Arguments()), otherDir.File("second.log"));
        Assert.True(process.WaitForExit(ExitTimeout), "the second daemon did not exit");
        Assert.Equal(255, process.ExitCode);
        Assert.Contains(zmq.Stats, process.LogText);

        Assert.Equal(StatsResponse.Types.Status.Ok, ZmqEndpoints.Ask(zmq.Stats, new StatsRequest(), StatsResponse.Parser).Status);
        first.StopAndAssertCleanExit();
    }

    [Fact]
    public void An_endpoint_that_cannot_be_bound_exits_255_naming_it()
    {
        using var workDir = new TestWorkDir();
        string endpoint = $"ipc://{workDir.File("missing/port_control")}";
        var config = new DaemonConfig(workDir) { ExtraArguments = [$"-Z{endpoint}"] };
        using var process = ManagedProcess.Start(new CommandLine(ProductPaths.Daemon, config.Arguments()), workDir.File("daemon.log"));
        Assert.True(process.WaitForExit(ExitTimeout), "the daemon did not exit");
        Assert.Equal(255, process.ExitCode);
        Assert.Contains(endpoint, process.LogText);
    }
}
