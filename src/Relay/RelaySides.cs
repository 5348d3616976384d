using VirtioForwarder.Device;
using VirtioForwarder.Ports;

namespace VirtioForwarder.Relay;

/// <summary>
/// What a relay's two forwarders share: the connected VM's device and the attached port, either
/// of which may be absent. The control thread swaps them; workers read them once per pass.
/// </summary>
public sealed class RelaySides
{
    private VhostUserNetDevice? _device;
    private IPort? _port;

    public VhostUserNetDevice? Device
    {
        get => Volatile.Read(ref _device);
        set => Volatile.Write(ref _device, value);
    }

    public IPort? Port
    {
        get => Volatile.Read(ref _port);
        set => Volatile.Write(ref _port, value);
    }
}
