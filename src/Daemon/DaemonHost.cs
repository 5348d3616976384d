using System.Diagnostics;
using System.Runtime.InteropServices;
using VirtioForwarder.Control.Admin;
using VirtioForwarder.Control.LegacyPorts;
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

    // Frames per busy poll of an AF_XDP socket with --poll=busy: DPDK's af_xdp default (busy_budget).
    private const int BusyPollBudget = 64;

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
                var control = CreateControl(table);
                AttachStaticPorts(control);
                if (!_o.DynamicSockets) OpenStaticSockets(control);
                using var admin = OpenAdminServer(table);
                // Last, as upstream starts its servers once the sockets exist (contract §8.2 step 7).
                using var zmq = ZmqServices.Start(_o, control);
                using var legacyPorts = StartLegacyPortControl(control);
                WaitForStopSignal(() => Log.Notice($"virtio-forwarder ready: {table.Count} relays, worker CPUs {_o.WorkerCpus}, " +
                    $"{(_o.VhostUserClient ? "client" : "server")} mode, control socket {_o.ControlSocket}"));
                Log.Notice("stopping");
                SystemdNotify.Send(SystemdNotify.Stopping);
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
        var placement = new CpuPlacement(_o.WorkerCpus.Cpus, NumaTopology.Read());
        var pins = _o.Pins.ToDictionary(p => p.Relay, p => new CpuPair(p.VfToVmCpu, p.VmToVfCpu));
        var device = new DeviceOptions { MergeableRxBuffers = _o.MergeableRxBuffers };
        return new RelayTable(_o.MaxRelays, loop, device, placement, pins, _o.Poll);
    }

    private AdminServer OpenAdminServer(RelayTable table)
    {
        try { return new AdminServer(_o.ControlSocket, table.Snapshot, () => table.Workers.Select(w => w.Load).ToArray()); }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot create the control socket {_o.ControlSocket}: {e.Message}");
        }
    }

    /// <summary>Without -Z, ports come from file IPC with -I, else from the OVSDB monitor (contract §8.4).</summary>
    private IDisposable? StartLegacyPortControl(RelayControl control) => _o.PortControlSource switch
    {
        PortControlSource.FileIpc => LegacyPortSources.StartFileIpc(control),
        PortControlSource.Ovsdb => LegacyPortSources.StartOvsdb(control, _o.OvsdbSocket),
        _ => null,
    };

    /// <summary>What the control services act through; sockets it opens at run time follow the daemon's mode and owner.</summary>
    private RelayControl CreateControl(RelayTable table)
    {
        var mode = _o.VhostUserClient ? SocketMode.Client : SocketMode.Server;
        // Client mode neither chowns nor cleans up: QEMU owns those files (contract §10.6).
        var ownership = mode == SocketMode.Server ? ResolveOwnership() : SocketOwnership.Inherit;
        var pins = _o.Pins.Select(p => new Control.Model.RelayPin(p.Relay, p.VfToVmCpu, p.VmToVfCpu)).ToArray();
        // PCI and netdev ports, of -P and of the control services alike, open with the driver --port-driver names.
        var portOptions = new PortOpenOptions { Driver = _o.PortDriver, BusyPollBudget = _o.Poll == PollMode.Busy ? BusyPollBudget : 0 };
        return new RelayControl(table, pins, mode, ownership) { PortOptions = portOptions };
    }

    /// <summary>Upstream adds -P VFs before any socket exists and only logs a failure (contract §8); RelayControl logs it.</summary>
    private void AttachStaticPorts(RelayControl control)
    {
        foreach (var p in _o.StaticPorts) control.AttachDevice(p.RelayId, Control.Model.DeviceRequest.Single(p.Spec));
    }

    /// <summary>All sockets of the template at start-up; any failure is fatal (contract §10.2).</summary>
    private void OpenStaticSockets(RelayControl control)
    {
        if (!control.ClientMode && !Directory.Exists(_o.VhostPath)) CreateSocketDirectory(control.SocketOwnership);
        for (int i = 0; i < control.RelayCount; i++)
        {
            if (control.OpenSocket(i, _o.SocketPath(i)) != Control.Model.SocketResult.Ok)
                throw new StartupException($"start-up failed: relay {i} has no socket {_o.SocketPath(i)}");
        }
    }

    /// <summary>
    /// Sockets are chowned only where the wanted owner differs from the process's (contract §9.2).
    /// A user or group that does not exist is fatal with static sockets and ignored with dynamic ones.
    /// </summary>
    private SocketOwnership ResolveOwnership()
    {
        int? uid = Resolve(() => OwnerResolver.ResolveUser(_o.SocketUser));
        int? gid = Resolve(() => OwnerResolver.ResolveGroup(_o.SocketGroup));
        return new SocketOwnership(uid != Libc.GetEuid() ? uid : null, gid != Libc.GetEgid() ? gid : null);
    }

    private int? Resolve(Func<int> lookup)
    {
        try { return lookup(); }
        catch (StartupException e) when (_o.DynamicSockets)
        {
            Log.Warning(e.Message);
            return null;
        }
    }

    private void CreateSocketDirectory(SocketOwnership ownership)
    {
        Directory.CreateDirectory(_o.VhostPath);
        if (ownership.Uid is not null || ownership.Gid is not null)
            Libc.Chown(_o.VhostPath, ownership.Uid ?? -1, ownership.Gid ?? -1);
    }

    /// <summary>
    /// Announces readiness (the log line tests and operators wait for, and READY=1) only once the
    /// SIGTERM/SIGINT handlers exist: whoever saw either may send SIGTERM at once.
    /// </summary>
    private static void WaitForStopSignal(Action announceReady)
    {
        using var stop = new ManualResetEventSlim();
        void OnSignal(PosixSignalContext c) { c.Cancel = true; stop.Set(); }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        announceReady();
        SystemdNotify.Send(SystemdNotify.Ready);
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
