using System.Diagnostics;
using System.Runtime.InteropServices;
using VirtioForwarder.Control.Admin;
using VirtioForwarder.Daemon.Options;
using VirtioForwarder.Device;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Daemon;

/// <summary>
/// Start-up, the wait for SIGINT/SIGTERM, and shutdown, in upstream's order (contract §8.2):
/// pid lock, ports of -P, then the sockets, then the services. Exit codes as upstream's (§8.3):
/// 1 for option and pid-file failures, 255 for socket and service start-up failures, 0 after a
/// clean shutdown.
/// </summary>
public sealed class DaemonHost
{
    public const int ExitOk = 0, ExitUsage = 1, ExitStartup = 255;

    private readonly DaemonOptions _o;

    public DaemonHost(DaemonOptions options) => _o = options;

    public int Run()
    {
        Log.Threshold = _o.LogLevel;
        if (_o.LogToSyslog) Log.UseSyslog();
        if (CheckCpus() is { } cpuError)
        {
            Log.Error(cpuError);
            return ExitStartup;
        }

        PidFile pid;
        try { pid = PidFile.Acquire(_o.PidDirectory); }
        catch (StartupException e)
        {
            Log.Error(e.Message);
            return ExitUsage;
        }

        using (pid)
        using (var loop = new EventLoop())
        {
            loop.Start();
            var table = CreateRelays(loop);
            try
            {
                AttachStaticPorts(table);
                if (!_o.DynamicSockets) OpenStaticSockets(table);
                using var admin = OpenAdminServer(table);
                Log.Notice($"virtio-forwarder ready: {table.Count} relays, worker CPUs {_o.WorkerCpus}, " +
                           $"{(_o.VhostUserClient ? "client" : "server")} mode, control socket {_o.ControlSocket}");
                WaitForStopSignal();
                Log.Notice("stopping");
            }
            catch (StartupException e)
            {
                Log.Error(e.Message);
                return ExitStartup;
            }
            finally
            {
                table.Dispose();
            }
        }
        return ExitOk;
    }

    /// <summary>
    /// Upstream's EAL refuses worker CPUs this process may not run on, and a main lcore inside
    /// the worker mask (contract §8, -C): both end start-up with exit 255.
    /// </summary>
    private string? CheckCpus()
    {
        var usable = CpuAffinity.Get();
        var missing = _o.WorkerCpus.Cpus.Where(c => !usable.Contains(c)).ToArray();
        if (missing.Length > 0)
            return $"worker CPU(s) {string.Join(",", missing)} not available (usable: {string.Join(",", usable)})";
        if (_o.WorkerCpus.Contains(_o.MainLcore))
            return $"the main lcore {_o.MainLcore} (-M) must not be one of the worker CPUs {_o.WorkerCpus}";
        return null;
    }

    private RelayTable CreateRelays(EventLoop loop)
    {
        var placement = new CpuPlacement(_o.WorkerCpus.Cpus);
        var pins = _o.Pins.ToDictionary(p => p.Relay, p => new CpuPair(p.VfToVmCpu, p.VmToVfCpu));
        var device = new DeviceOptions { MergeableRxBuffers = _o.MergeableRxBuffers };
        return new RelayTable(_o.MaxRelays, loop, device, placement, pins, _o.Poll);
    }

    private AdminServer OpenAdminServer(RelayTable table)
    {
        try { return new AdminServer(_o.ControlSocket, table.Snapshot); }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot create the control socket {_o.ControlSocket}: {e.Message}");
        }
    }

    /// <summary>Upstream adds -P VFs before any socket exists and only logs a failure (contract §8).</summary>
    private void AttachStaticPorts(RelayTable table)
    {
        foreach (var p in _o.StaticPorts)
        {
            try { table.AttachPort(p.RelayId, PortSpec.Parse(p.Spec)); }
            catch (Exception e) when (e is FormatException or ArgumentException or SystemCallException or IOException or NotSupportedException)
            {
                Log.Error($"relay {p.RelayId}: cannot attach port {p.Spec}: {e.Message}");
            }
        }
    }

    private void OpenStaticSockets(RelayTable table)
    {
        var mode = _o.VhostUserClient ? SocketMode.Client : SocketMode.Server;
        // Client mode neither chowns nor cleans up: QEMU owns those files (contract §10.6).
        var ownership = mode == SocketMode.Server ? ResolveOwnership() : SocketOwnership.Inherit;
        if (mode == SocketMode.Server && !Directory.Exists(_o.VhostPath)) CreateSocketDirectory(ownership);
        for (int i = 0; i < table.Count; i++)
        {
            try { table.OpenSocket(i, _o.SocketPath(i), mode, ownership); }
            catch (Exception e)
            {
                throw new StartupException($"relay {i}: cannot create socket {_o.SocketPath(i)}: {e.Message}");
            }
        }
    }

    /// <summary>Sockets are chowned only where the wanted owner differs from the process's (contract §9.2).</summary>
    private SocketOwnership ResolveOwnership()
    {
        int uid = OwnerResolver.ResolveUser(_o.SocketUser);
        int gid = OwnerResolver.ResolveGroup(_o.SocketGroup);
        return new SocketOwnership(uid != Libc.GetEuid() ? uid : null, gid != Libc.GetEgid() ? gid : null);
    }

    private void CreateSocketDirectory(SocketOwnership ownership)
    {
        Directory.CreateDirectory(_o.VhostPath);
        if (ownership.Uid is not null || ownership.Gid is not null)
            Libc.Chown(_o.VhostPath, ownership.Uid ?? -1, ownership.Gid ?? -1);
    }

    private static void WaitForStopSignal()
    {
        using var stop = new ManualResetEventSlim();
        void OnSignal(PosixSignalContext c) { c.Cancel = true; stop.Set(); }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        stop.Wait();
    }

    /// <summary>
    /// Without -n upstream calls daemon(3). A .NET process cannot fork safely once its runtime runs,
    /// so it starts itself again in a new session, in the foreground with syslog logging, and exits.
    /// </summary>
    public static int Detach(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Environment.ProcessPath ?? "virtio-forwarder");
        foreach (var a in args) start.ArgumentList.Add(a);
        start.ArgumentList.Add("--nodaemon=log_syslog");
        using var child = Process.Start(start) ?? throw new InvalidOperationException("cannot start the daemon process");
        return ExitOk;
    }
}
