namespace VirtioForwarder.Ports.Bond.Lacp;

/// <summary>
/// One bond's LACP: an actor system with a port per member link and the one aggregator they may
/// join. Selection (802.1AX-2008 §5.4.14) is kept to what a bond needs: the aggregator takes the
/// partner (system and key) of the first link selected into it, and every link whose partner
/// matches joins; a link that sees some other partner stays unselected, carrying nothing, until
/// the aggregator empties and selection starts over (DPDK selects the same way).
/// </summary>
public sealed class LacpGroup
{
    private readonly LacpPort[] _ports;
    private LacpPortInfo? _aggregatorPartner;

    public LacpGroup(MacAddress system, int links, bool shortTimeout = true, bool active = true)
    {
        System = system;
        _ports = new LacpPort[links];
        for (int i = 0; i < links; i++)
            _ports[i] = new LacpPort(new LacpActorConfig(system, (ushort)(i + 1), Active: active, ShortTimeout: shortTimeout));
    }

    public MacAddress System { get; }

    public IReadOnlyList<LacpPort> Ports => _ports;

    /// <summary>Runs selection and every link's machines; <paramref name="enabled"/> holds each link's state.</summary>
    public void Run(long now, ReadOnlySpan<bool> enabled)
    {
        Select();
        for (int i = 0; i < _ports.Length; i++) _ports[i].Run(now, enabled[i]);
    }

    private void Select()
    {
        bool anySelected = false;
        foreach (var p in _ports) anySelected |= p.Selected == LacpSelection.Selected;
        if (!anySelected) _aggregatorPartner = null;
        foreach (var p in _ports)
        {
            // A link is (re)selected once its partner is known and it has left any aggregator it was in.
            if (p.Selected != LacpSelection.Unselected || p.ReceiveState != LacpReceiveState.Current || p.MuxState != LacpMuxState.Detached)
                continue;
            if (!p.Partner.Has(LacpState.Aggregation)) continue;
            _aggregatorPartner ??= p.Partner;
            if (p.Partner.SameAggregation(_aggregatorPartner.Value)) p.Selected = LacpSelection.Selected;
        }
    }
}
