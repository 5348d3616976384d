namespace VirtioForwarder.Ports.Bond.Lacp;

/// <summary>The Actor_State / Partner_State octet of a LACPDU (IEEE 802.1AX-2008 §5.4.2.2, item s).</summary>
[Flags]
public enum LacpState : byte
{
    None = 0,
    /// <summary>Active LACP (sends LACPDUs on its own); clear: passive.</summary>
    Activity = 1 << 0,
    /// <summary>Short timeout (the peer is asked for fast periodic LACPDUs); clear: long.</summary>
    ShortTimeout = 1 << 1,
    /// <summary>The link may be aggregated; clear: an individual link.</summary>
    Aggregation = 1 << 2,
    /// <summary>The link is attached to the right aggregator ("in sync").</summary>
    Synchronization = 1 << 3,
    Collecting = 1 << 4,
    Distributing = 1 << 5,
    /// <summary>The partner information in use is the administrative default, not learnt from a LACPDU.</summary>
    Defaulted = 1 << 6,
    /// <summary>The receive machine is in EXPIRED.</summary>
    Expired = 1 << 7,
}
