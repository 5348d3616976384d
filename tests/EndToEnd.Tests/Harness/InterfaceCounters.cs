namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>The kernel's packet counters of one network interface.</summary>
public sealed record InterfaceCounters(
    long RxPackets, long RxBytes, long RxDropped, long TxPackets, long TxBytes, long TxDropped);
