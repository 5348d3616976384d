namespace VirtioForwarder.Ports.Bond.Lacp;

/// <summary>Receive machine states (802.1AX-2008 §5.4.12).</summary>
public enum LacpReceiveState { PortDisabled, Expired, Defaulted, Current }

/// <summary>Mux machine states, independent control (§5.4.15, figure 5-15), as DPDK's mode 4 implements it.</summary>
public enum LacpMuxState { Detached, Waiting, Attached, Collecting, Distributing }

/// <summary>The Selected variable (§5.4.8): whether selection logic put the link in the bond's aggregator (no STANDBY: one aggregator takes every matching link).</summary>
public enum LacpSelection { Unselected, Selected }

/// <summary>What an actor is configured as (the administrative values of §5.4.7).</summary>
public sealed record LacpActorConfig(
    MacAddress System, ushort Port, ushort Key = 1, ushort SystemPriority = 0xFFFF, ushort PortPriority = 0xFF,
    bool Active = true, bool ShortTimeout = true);
