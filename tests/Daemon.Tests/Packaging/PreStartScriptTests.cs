using VirtioForwarder.Platform;

namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>packaging/libexec/vio4wd-pre-start.sh (contract §9.3), every path inside a temporary directory.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PreStartScriptTests : IDisposable
{
    private readonly ServiceConfig _config = new();

    private string Root => _config.Temp.Path;

    [Fact]
    public void CreatesTheDirectoryOfEveryIpcEndpoint()
    {
        Pass(
            $"VIRTIOFWD_ZMQ_CONFIG_EP=ipc://{Root}/run/config/sock",
            $"VIRTIOFWD_ZMQ_PORT_CONTROL_EP=ipc://{Root}/run/port_control/",
            "VIRTIOFWD_ZMQ_STATS_EP=tcp://127.0.0.1:5999",
            $"VIRTIOFWD_ZMQ_CORE_SCHED_EP=ipc://{Root}/run/deep/er/core_sched");
        Assert.True(Directory.Exists($"{Root}/run/config"));
        Assert.False(Path.Exists($"{Root}/run/config/sock"));
        Assert.True(Directory.Exists($"{Root}/run/port_control"));
        Assert.True(Directory.Exists($"{Root}/run/deep/er"));
        Assert.False(Path.Exists($"{Root}/run/deep/er/core_sched"));
    }

    [Fact]
    public void OtherTransportsAndBareNamesCreateNothing()
    {
        Pass("VIRTIOFWD_ZMQ_CONFIG_EP=tcp://127.0.0.1:5999", "VIRTIOFWD_ZMQ_PORT_CONTROL_EP=ipc://bare",
             "VIRTIOFWD_ZMQ_STATS_EP=", "VIRTIOFWD_ZMQ_CORE_SCHED_EP=inproc://x/y");
        Assert.Equal(["sockets", "virtioforwarder"],
            Directory.EnumerateFileSystemEntries(Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SocketDirectoryGetsItsOwnerAndGroup()
    {
        // Root can hand the directory to nobody; anyone else can only give it to themselves.
        (string uid, string gid) = Libc.GetEuid() == 0 ? ("65534", "65534") : (Output("id", "-u"), Output("id", "-g"));
        Pass($"VIRTIOFWD_SOCKET_OWNER={uid}", $"VIRTIOFWD_SOCKET_GROUP={gid}");
        Assert.Equal($"{uid}:{gid}", Output("stat", "-c", "%u:%g", $"{Root}/sockets"));
    }

    [Fact]
    public void RemovesTheDaemonsPidFile()
    {
        string pidDir = _config.Temp.Create("pid");
        File.WriteAllText($"{pidDir}/virtio-forwarder.pid", "4242\n");
        File.WriteAllText($"{pidDir}/other.pid", "1\n");
        Pass($"VIRTIOFWD_PID_DIR={pidDir}");
        Assert.False(File.Exists($"{pidDir}/virtio-forwarder.pid"));
        Assert.True(File.Exists($"{pidDir}/other.pid"));
    }

    [Fact]
    public void VfioBindListIsIgnoredWithANote()
    {
        ProgramResult result = Pass("VIRTIOFWD_BIND_VFIO_PCI=ens3,0000:01:02.3,ens4:16");
        Assert.Contains("VIRTIOFWD_BIND_VFIO_PCI=ens3,0000:01:02.3,ens4:16 is ignored", result.Stderr);
    }

    [Fact]
    public void UncreatableSocketDirectoryFails()
    {
        File.WriteAllText($"{Root}/file", "");
        ProgramResult result = Run($"VIRTIOFWD_SOCKET_DIR={Root}/file/sockets");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot create {Root}/file/sockets", result.Stderr);
    }

    /// <summary>Runs the script with the sockets and pid file under the temporary directory, plus <paramref name="overrides"/>.</summary>
    private ProgramResult Run(params string[] overrides)
    {
        _config.Write([
            $"VIRTIOFWD_ZMQ_PORT_CONTROL_EP=ipc://{Root}/record/port_control",
            $"VIRTIOFWD_ZMQ_STATS_EP=ipc://{Root}/record/stats",
            $"VIRTIOFWD_ZMQ_CORE_SCHED_EP=ipc://{Root}/record/core_sched",
            $"VIRTIOFWD_SOCKET_DIR={Root}/sockets", $"VIRTIOFWD_PID_DIR={Root}", .. overrides]);
        return _config.RunScript("vio4wd-pre-start.sh");
    }

    private ProgramResult Pass(params string[] overrides)
    {
        ProgramResult result = Run(overrides);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static string Output(string program, params string[] args)
    {
        ProgramResult result = ProgramRun.Run(program, args, new Dictionary<string, string>());
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Trim();
    }

    public void Dispose() => _config.Dispose();
}
