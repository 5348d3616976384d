namespace VirtioForwarder.Ports.Xdp;

/// <summary>How an AF_XDP port binds to its interface.</summary>
public sealed record XdpPortOptions
{
    /// <summary>The interface's first RX/TX queue the port binds to.</summary>
    public int Queue { get; init; }

    /// <summary>How many queues from <see cref="Queue"/> on get a socket each (<see cref="XdpPort.Queues"/>).</summary>
    public int QueueCount { get; init; } = 1;

    /// <summary>Where the redirect program runs; null: natively if the driver can, else on the generic skb path.</summary>
    public XdpAttachMode? Mode { get; init; }

    /// <summary>
    /// Packets the kernel may process per busy-poll (SO_BUSY_POLL_BUDGET with SO_PREFER_BUSY_POLL);
    /// 0 leaves busy polling off, so the device works from its interrupts.
    /// </summary>
    public int BusyPollBudget { get; init; }

    /// <summary>UMEM frames, a power of two: half are RX buffers, half TX buffers. Several queues share them out, at least 1024 each.</summary>
    public int FrameCount { get; init; } = 4096;
}
