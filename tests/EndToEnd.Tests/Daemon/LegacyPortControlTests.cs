using VirtioForwarder.Control.Tests.Ovsdb;
using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// Upstream's port control without -Z (contract §8.4), with our generalised mapping: the daemon
/// runs in a namespace with veth netdevs and attaches <c>netdev:&lt;veth&gt;</c> to the relay an
/// OVSDB Interface row (external_ids:virtio_forwarder_relay) or a file-IPC command names, and
/// detaches it again when the row goes or del_port comes. Seen through vfwdctl's stats.
/// </summary>
public sealed class LegacyPortControlTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static (string A, string B) AddVeths(NetNamespace netns)
    {
        var (a, b) = (UniqueName.New(), UniqueName.New());
        netns.AddVethPair(a, b);
        netns.SetUp(a);
        netns.SetUp(b);
        return (a, b);
    }

    private static void WaitForDevice(DaemonProcess daemon, int relay, string? device) =>
        daemon.WaitForStats(s => s.Relay(relay).Port == device, Patience, $"relay {relay} holding {device ?? "nothing"}");

    /// <summary>Writes one command and waits until the daemon has taken it (it deletes the file after reading).</summary>
    private static void Send(string commandFile, string command)
    {
        File.WriteAllText(commandFile, command + "\n");
        var deadline = DateTime.UtcNow + Patience;
        while (File.Exists(commandFile))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{command}' was not taken from {commandFile}");
            Thread.Sleep(50);
        }
    }

    [Fact]
    public void OvsdbRowsAttachAndDetachNetdevsAcrossAnOvsdbServerRestart()
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        using var ovsdb = new OvsdbServer();
        var (a, b) = AddVeths(netns);
        ovsdb.AddPort(a, "virtio_forwarder_relay", "2");
        ovsdb.AddPort("vfwdt-notours", "other", "1");
        var config = new DaemonConfig(workDir) { MaxRelays = 4, ExtraArguments = [$"-O{ovsdb.SocketPath}"] };
        using var daemon = DaemonProcess.Start(config, netns);

        // A row there before the daemon started: taken from the monitor's initial reply.
        WaitForDevice(daemon, 2, $"netdev:{a}");

        ovsdb.Stop();
        ovsdb.Start();
        ovsdb.AddPort(b, "virtio_forwarder_relay", "3");
        WaitForDevice(daemon, 3, $"netdev:{b}");
        Assert.Equal($"netdev:{a}", daemon.Stats().Relay(2).Port);

        ovsdb.DeletePort(a);
        WaitForDevice(daemon, 2, null);
        ovsdb.Vsctl("set", "Interface", b, "external_ids:virtio_forwarder_relay=1");
        WaitForDevice(daemon, 1, $"netdev:{b}");
        Assert.Null(daemon.Stats().Relay(3).Port);
        Assert.Null(daemon.Stats().Relay(0).Port);
        daemon.StopAndAssertCleanExit();
    }

    [Fact]
    public void FileIpcCommandsAttachAndDetachANetdev()
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        var (a, _) = AddVeths(netns);
        string commandFile = workDir.File("vio_cmd");
        var config = new DaemonConfig(workDir)
        {
            MaxRelays = 2,
            ExtraArguments = ["-I"],
            Environment = [$"VIRTIOFWD_IPC_FILE={commandFile}"],
        };
        using var daemon = DaemonProcess.Start(config, netns);

        Send(commandFile, $"add_port {a} 1");
        WaitForDevice(daemon, 1, $"netdev:{a}");

        // A netdev that does not exist: refused, logged, nothing changes, the next command works.
        Send(commandFile, "add_port vfwdt-nosuch 0");
        Send(commandFile, $"del_port {a}");
        WaitForDevice(daemon, 1, null);
        Assert.Null(daemon.Stats().Relay(0).Port);
        daemon.StopAndAssertCleanExit();
    }
}
