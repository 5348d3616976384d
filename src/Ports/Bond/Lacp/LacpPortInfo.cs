namespace VirtioForwarder.Ports.Bond.Lacp;

/// <summary>
/// One side's parameters as a LACPDU carries them in its Actor or Partner TLV (802.1AX §5.4.2.2):
/// the system (priority, MAC), the aggregation key, the port (priority, number) and the state octet.
/// </summary>
public readonly record struct LacpPortInfo(
    ushort SystemPriority, MacAddress System, ushort Key, ushort PortPriority, ushort Port, LacpState State)
{
    /// <summary>The state bits recordPDU and update_NTT compare (§5.4.9): the others report progress, not configuration.</summary>
    private const LacpState ConfigurationBits =
        LacpState.Activity | LacpState.ShortTimeout | LacpState.Synchronization | LacpState.Aggregation;

    /// <summary>Same system, key and port: the same link end, whatever its state.</summary>
    public bool SameEnd(in LacpPortInfo other) =>
        SystemPriority == other.SystemPriority && System == other.System && Key == other.Key &&
        PortPriority == other.PortPriority && Port == other.Port;

    /// <summary>Same end and the same aggregation bit: what update_Selected and recordPDU's sync test compare.</summary>
    public bool SameEndAndAggregation(in LacpPortInfo other) =>
        SameEnd(other) && (State & LacpState.Aggregation) == (other.State & LacpState.Aggregation);

    /// <summary>Same end and configuration bits: what update_NTT compares against the actor's view.</summary>
    public bool SameEndAndConfiguration(in LacpPortInfo other) =>
        SameEnd(other) && (State & ConfigurationBits) == (other.State & ConfigurationBits);

    /// <summary>Same system and key: links that may join one aggregator (§5.4.14 selection).</summary>
    public bool SameAggregation(in LacpPortInfo other) =>
        SystemPriority == other.SystemPriority && System == other.System && Key == other.Key;

    public bool Has(LacpState bits) => (State & bits) == bits;

    public LacpPortInfo With(LacpState bits, bool on) => this with { State = on ? State | bits : State & ~bits };
}
