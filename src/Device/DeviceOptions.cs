namespace VirtioForwarder.Device;

/// <summary>How a relay's vhost-user net devices present themselves; the same for every connection of a daemon.</summary>
public sealed record DeviceOptions
{
    /// <summary>Most queue pairs a guest may use (upstream: 32).</summary>
    public int MaxQueuePairs { get; init; } = 32;

    /// <summary>Offer MRG_RXBUF (upstream turns it off unless --enable-mrgbuf).</summary>
    public bool MergeableRxBuffers { get; init; }
}
