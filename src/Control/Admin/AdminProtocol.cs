using VirtioForwarder.Relay;

namespace VirtioForwarder.Control.Admin;

/// <summary>
/// The local admin channel between the daemon and vfwdctl: one JSON request line, one JSON reply
/// line, over a Unix stream socket (default &lt;pid dir&gt;/virtio-forwarder.ctl). It carries what
/// upstream's protobuf services have no field for, such as drops by reason. The JSON: AdminJson.
/// </summary>
public static class AdminProtocol
{
    /// <summary>The socket's file name in the pid directory, unless --control-socket names another.</summary>
    public const string FileName = "virtio-forwarder.ctl";

    public static string DefaultPath(string pidDirectory) => Path.Combine(pidDirectory, FileName);
}

public sealed record AdminRequest(string Command);

public sealed record AdminReply(bool Ok, string? Error = null, StatsReply? Stats = null);

/// <summary>The stats reply: every relay, the daemon's GC counts, and each worker's time by what it did (<see cref="Worker.Load"/>).</summary>
public sealed record StatsReply(IReadOnlyList<RelaySnapshot> Relays, GcCounters? Gc = null, IReadOnlyList<WorkerLoad>? Workers = null);
