using System.Diagnostics;

namespace VirtioForwarder.Control.Tests.Ovsdb;

/// <summary>
/// A real ovsdb-server (Debian openvswitch-common) on a vswitch database of its own, listening on
/// a unix socket in a temporary directory. Stopped by its PID; the directory goes on Dispose.
/// Rows are changed with ovs-vsctl --no-wait, which needs no ovs-vswitchd.
/// </summary>
public sealed class OvsdbServer : IDisposable
{
    private const string Schema = "/usr/share/openvswitch/vswitch.ovsschema";

    private readonly string _directory = Directory.CreateTempSubdirectory("vfwd-ovsdb-").FullName;
    private Process? _server;

    public OvsdbServer()
    {
        Run("ovsdb-tool", "create", DatabaseFile, Schema);
        Start();
        Vsctl("init");
    }

    public string SocketPath => Path.Combine(_directory, "db.sock");

    private string DatabaseFile => Path.Combine(_directory, "conf.db");

    public void Start()
    {
        var start = new ProcessStartInfo("ovsdb-server")
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            ArgumentList =
            {
                DatabaseFile, $"--remote=punix:{SocketPath}", $"--unixctl={Path.Combine(_directory, "ctl")}",
                "--no-chdir", "-vconsole:off",
            },
        };
        _server = Process.Start(start) ?? throw new InvalidOperationException("cannot start ovsdb-server");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(SocketPath))
        {
            if (_server.HasExited) throw new InvalidOperationException($"ovsdb-server exited: {_server.StandardError.ReadToEnd()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException("ovsdb-server made no socket");
            Thread.Sleep(20);
        }
    }

    /// <summary>Stops the server by its PID (SIGKILL, as a crash would) and waits for it.</summary>
    public void Stop()
    {
        if (_server is null) return;
        if (!_server.HasExited) _server.Kill();
        _server.WaitForExit();
        _server.Dispose();
        _server = null;
        File.Delete(SocketPath);
    }

    /// <summary>Adds a port with one Interface row of that name, with one external_ids key (on bridge br0, made on first use).</summary>
    public void AddPort(string netdev, string key, string value) =>
        Vsctl("--may-exist", "add-br", "br0", "--", "add-port", "br0", netdev, "--", "set", "Interface", netdev, $"external_ids:{key}={value}");

    public void DeletePort(string netdev) => Vsctl("del-port", "br0", netdev);

    public void Vsctl(params string[] args) => Run("ovs-vsctl", [$"--db=unix:{SocketPath}", "--no-wait", "--timeout=20", .. args]);

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)}: exit {p.ExitCode}: {error}");
    }

    public void Dispose()
    {
        Stop();
        Directory.Delete(_directory, recursive: true);
    }
}
