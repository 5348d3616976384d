namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>How to start a <see cref="QemuGuest"/>: one virtio-net-pci NIC on a vhost-user socket.</summary>
public sealed record QemuGuestOptions(string SocketPath)
{
    public GuestConfig Guest { get; init; } = new();

    /// <summary>BackendListens: QEMU connects. FrontendListens: QEMU listens (server=on) for the backend.</summary>
    public VhostSocketRole Role { get; init; } = VhostSocketRole.BackendListens;

    /// <summary>
    /// QEMU as the client retries every second instead of exiting when the socket is missing or
    /// the backend goes away (backend restart tests).
    /// </summary>
    public bool Reconnect { get; init; }

    /// <summary>Queue pairs; above 1 the device gets mq=on. Set Guest.Queues too, or use as many CPUs.</summary>
    public int Queues { get; init; } = 1;

    public int Cpus { get; init; } = 1;

    public int MemoryMiB { get; init; } = 256;

    /// <summary>Guest RAM on hugetlbfs (/dev/hugepages, enough free 2 MiB pages) instead of a memfd.</summary>
    public bool HugepageMemory { get; init; }

    /// <summary>Extra virtio-net-pci properties, e.g. "packed=on" or "rx_queue_size=1024".</summary>
    public string? DeviceOptions { get; init; }

    public string Mac { get; init; } = "52:54:00:12:34:56";
}
