using VirtioForwarder.Control.Model;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Control.LegacyPorts;

/// <summary>
/// Upstream's conditional add and remove (<c>virtio_forwarder_add_vf2/remove_vf2</c> with
/// conditional set, contract §3.2), driven by netdev names from OVSDB or file IPC. An add onto a
/// relay that already holds the same device is a no-op; a remove of a relay that holds nothing is a
/// no-op, and one that holds another device changes nothing. Outcomes are logged, never thrown:
/// a bad row or command must not stop the monitor that delivers the next one.
/// </summary>
public sealed class LegacyPortControl(IRelayControl relays, NetdevResolver resolver)
{
    // What each netdev was attached as, so that a remove still finds it after the netdev (and
    // with it its bus-info and sysfs entry) is gone, as when a VF is unplugged before its row.
    private readonly Dictionary<string, ResolvedPort> _attached = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>
    /// Carries out one change for a monitor thread. Whatever fails is logged here: an exception
    /// escaping a monitor's thread would end the daemon, and the next row or command must still work.
    /// </summary>
    public void Apply(PortChange change)
    {
        try
        {
            if (change.IsAdd) Add(change.Intent);
            else Remove(change.Intent);
        }
        catch (Exception e)
        {
            Log.Error($"{change}: {e.GetType().Name}: {e.Message}");
        }
    }

    public void Add(PortIntent intent)
    {
        lock (_lock)
        {
            if (Resolve(intent) is not { } port) return;
            var result = relays.AttachDevice(port.Relay, DeviceRequest.Single(port.DeviceKey));
            if (result == AttachResult.Occupied && relays.Status(port.Relay).Device == port.DeviceKey)
                result = AttachResult.Ok;
            if (result == AttachResult.Ok)
            {
                _attached[intent.Netdev] = port;
                Log.Info($"netdev {intent.Netdev}: {port.DeviceKey} on relay {port.Relay}");
            }
            else
                Log.Warning($"netdev {intent.Netdev}: cannot attach {port.DeviceKey} to relay {port.Relay}: {Describe(result, port.Relay)}");
        }
    }

    public void Remove(PortIntent intent)
    {
        lock (_lock)
        {
            if (_attached.Remove(intent.Netdev, out var remembered))
                Detach(intent.Netdev, remembered);
            else if (Resolve(intent) is { } port)
                Detach(intent.Netdev, port);
        }
    }

    private void Detach(string netdev, ResolvedPort port)
    {
        string? held = relays.Status(port.Relay).Device;
        if (held is null) return;
        if (held != port.DeviceKey)
        {
            Log.Warning($"netdev {netdev}: relay {port.Relay} holds {held}, not {port.DeviceKey}; left as it is");
            return;
        }
        var result = relays.DetachDevice(port.Relay);
        if (result is DetachResult.Ok or DetachResult.NotAttached)
            Log.Info($"netdev {netdev}: {port.DeviceKey} removed from relay {port.Relay}");
        else
            Log.Warning($"netdev {netdev}: cannot remove {port.DeviceKey} from relay {port.Relay}: {result}");
    }

    private ResolvedPort? Resolve(PortIntent intent)
    {
        var port = resolver.Resolve(intent, out string problem);
        if (port is null)
            Log.Warning(problem);
        else if (port.Relay < 0 || port.Relay >= relays.RelayCount)
        {
            Log.Warning($"netdev {intent.Netdev}: relay {port.Relay} does not exist (0..{relays.RelayCount - 1})");
            return null;
        }
        return port;
    }

    private string Describe(AttachResult result, int relay) => result switch
    {
        AttachResult.Occupied => $"it holds {relays.Status(relay).Device}",
        AttachResult.NotFound => "no such device",
        _ => result.ToString(),
    };
}
