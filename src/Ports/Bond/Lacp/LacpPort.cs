namespace VirtioForwarder.Ports.Bond.Lacp;

/// <summary>
/// The per-link LACP machines of 802.1AX-2008 §5.4: receive (§5.4.12), periodic transmission
/// (§5.4.13), mux with independent collecting/distributing control (§5.4.15) and transmit
/// (§5.4.16). Selection (§5.4.14) is the group's, which sets <see cref="Selected"/>. Time is a
/// <see cref="System.Diagnostics.Stopwatch"/> timestamp passed in, so tests drive the clock.
/// The owner serialises every call (one lock per bond): receipt runs on the receiving thread,
/// <see cref="Run"/> and <see cref="TryTakeTransmit"/> on the bond's tick.
/// </summary>
public sealed class LacpPort
{
    // Timers are deadlines; NotRunning never expires.
    private const long NotRunning = long.MaxValue;

    private long _currentWhile = NotRunning, _periodicDue = NotRunning, _waitWhile = NotRunning;
    private long _txWindowStart;
    private int _txInWindow;
    private bool _enabled;
    private bool _ntt;

    public LacpPort(LacpActorConfig config)
    {
        var state = LacpState.Aggregation
            | (config.Active ? LacpState.Activity : 0)
            | (config.ShortTimeout ? LacpState.ShortTimeout : 0);
        Actor = new LacpPortInfo(config.SystemPriority, config.System, config.Key, config.PortPriority, config.Port, state);
        // INITIALIZE (§5.4.12), then PORT_DISABLED until the first Run sees the link up.
        RecordDefault();
        EnterDetached();
    }

    /// <summary>This end's operational information, as sent in the Actor TLV.</summary>
    public LacpPortInfo Actor { get; private set; }

    /// <summary>The partner as last recorded (or the default while Defaulted), as sent in the Partner TLV.</summary>
    public LacpPortInfo Partner { get; private set; }

    public LacpReceiveState ReceiveState { get; private set; } = LacpReceiveState.PortDisabled;
    public LacpMuxState MuxState { get; private set; } = LacpMuxState.Detached;
    public LacpSelection Selected { get; internal set; }

    /// <summary>Frames received on this link may go up to the VM.</summary>
    public bool Collecting => Actor.Has(LacpState.Collecting);

    /// <summary>Frames may be sent on this link.</summary>
    public bool Distributing => Actor.Has(LacpState.Distributing);

    /// <summary>A LACPDU arrived on this link (the receive machine's "LACPDU received" event).</summary>
    public void Receive(in Lacpdu pdu, long now)
    {
        if (!_enabled) return;
        // CURRENT: update_Selected, update_NTT, recordPDU, restart current_while.
        if (!pdu.Actor.SameEndAndAggregation(Partner)) Selected = LacpSelection.Unselected;
        if (!pdu.Partner.SameEndAndConfiguration(Actor)) _ntt = true;
        bool partnerWasShort = Partner.Has(LacpState.ShortTimeout);
        Partner = pdu.Actor.With(LacpState.Synchronization, PartnerInSync(pdu));
        ReceiveState = LacpReceiveState.Current;
        _currentWhile = now + (Actor.Has(LacpState.ShortTimeout) ? LacpTimes.ShortTimeout : LacpTimes.LongTimeout);
        Actor = Actor.With(LacpState.Expired, false).With(LacpState.Defaulted, false);
        // §5.4.13: a partner newly asking for short timeouts gets a LACPDU at once, not after 30 s.
        if (!partnerWasShort && Partner.Has(LacpState.ShortTimeout)) _periodicDue = now;
        RunMux(now);
    }

    /// <summary>Advances the timers and machines; <paramref name="enabled"/> is the link's state (port_enabled).</summary>
    public void Run(long now, bool enabled)
    {
        if (enabled != _enabled)
        {
            _enabled = enabled;
            if (!enabled)
            {
                // PORT_DISABLED; the link also leaves the aggregator, as DPDK deactivates a member whose link is down.
                Partner = Partner.With(LacpState.Synchronization, false);
                ReceiveState = LacpReceiveState.PortDisabled;
                Selected = LacpSelection.Unselected;
                _currentWhile = _periodicDue = NotRunning;
            }
            else EnterExpired(now);
        }
        if (_enabled && now >= _currentWhile)
        {
            if (ReceiveState == LacpReceiveState.Current) EnterExpired(now);
            else if (ReceiveState == LacpReceiveState.Expired) EnterDefaulted();
        }
        RunPeriodic(now);
        RunMux(now);
    }

    /// <summary>True when a LACPDU is due (need-to-transmit and under the rate limit); the caller sends <paramref name="pdu"/>.</summary>
    public bool TryTakeTransmit(long now, out Lacpdu pdu)
    {
        pdu = default;
        // §5.4.16: nothing is sent while the periodic machine is in NO_PERIODIC (disabled, or both ends passive).
        if (!_ntt || _periodicDue == NotRunning) return false;
        if (now - _txWindowStart >= LacpTimes.FastPeriodic)
        {
            _txWindowStart = now;
            _txInWindow = 0;
        }
        if (_txInWindow >= LacpTimes.MaxTransmitsPerFastPeriodic) return false;
        _txInWindow++;
        _ntt = false;
        pdu = new Lacpdu(Actor, Partner);
        return true;
    }

    /// <summary>recordPDU's Partner.Synchronization (§5.4.9): the partner sees us as we are and says it is in sync, or it is an individual link in sync.</summary>
    private bool PartnerInSync(in Lacpdu pdu) =>
        pdu.Actor.Has(LacpState.Synchronization) &&
        (pdu.Partner.SameEndAndAggregation(Actor) || !pdu.Actor.Has(LacpState.Aggregation));

    /// <summary>The partner's administrative default: nobody, passive, long timeout, not in sync (DPDK's record_default keeps the same zeros).</summary>
    private void RecordDefault()
    {
        Partner = default;
        Actor = Actor.With(LacpState.Defaulted, true);
    }

    private void EnterExpired(long now)
    {
        ReceiveState = LacpReceiveState.Expired;
        Partner = Partner.With(LacpState.Synchronization, false).With(LacpState.ShortTimeout, true);
        _currentWhile = now + LacpTimes.ShortTimeout;
        Actor = Actor.With(LacpState.Expired, true);
        if (_periodicDue == NotRunning || _periodicDue > now + LacpTimes.FastPeriodic) _periodicDue = now;
    }

    private void EnterDefaulted()
    {
        ReceiveState = LacpReceiveState.Defaulted;
        // update_Default_Selected: the default partner is someone else, so the link leaves its aggregator.
        if (!Partner.SameEndAndAggregation(default)) Selected = LacpSelection.Unselected;
        RecordDefault();
        _currentWhile = NotRunning;
        Actor = Actor.With(LacpState.Expired, false);
    }

    /// <summary>§5.4.13: NO_PERIODIC when disabled or both ends passive; else a LACPDU every 1 s or 30 s, as the partner's timeout asks.</summary>
    private void RunPeriodic(long now)
    {
        bool periodic = _enabled && (Actor.Has(LacpState.Activity) || Partner.Has(LacpState.Activity));
        if (!periodic)
        {
            _periodicDue = NotRunning;
            return;
        }
        long interval = Partner.Has(LacpState.ShortTimeout) ? LacpTimes.FastPeriodic : LacpTimes.SlowPeriodic;
        if (_periodicDue == NotRunning) _periodicDue = now;
        if (now < _periodicDue) return;
        _ntt = true;
        _periodicDue = now + interval;
    }

    /// <summary>The mux machine (§5.4.15, independent control): runs transitions until none applies.</summary>
    private void RunMux(long now)
    {
        while (true)
        {
            bool selected = Selected == LacpSelection.Selected;
            bool partnerSync = Partner.Has(LacpState.Synchronization);
            var next = MuxState switch
            {
                LacpMuxState.Detached when selected => LacpMuxState.Waiting,
                LacpMuxState.Waiting when !selected => LacpMuxState.Detached,
                LacpMuxState.Waiting when selected && now >= _waitWhile => LacpMuxState.Attached,
                LacpMuxState.Attached when !selected => LacpMuxState.Detached,
                LacpMuxState.Attached when partnerSync => LacpMuxState.Collecting,
                LacpMuxState.Collecting when !selected || !partnerSync => LacpMuxState.Attached,
                LacpMuxState.Collecting when Partner.Has(LacpState.Collecting) => LacpMuxState.Distributing,
                LacpMuxState.Distributing when !selected || !partnerSync || !Partner.Has(LacpState.Collecting) => LacpMuxState.Collecting,
                _ => MuxState,
            };
            if (next == MuxState) return;
            MuxState = next;
            switch (next)
            {
                case LacpMuxState.Detached: EnterDetached(); break;
                case LacpMuxState.Waiting: _waitWhile = now + LacpTimes.AggregateWait; break;
                case LacpMuxState.Attached: SetActorProgress(sync: true, collecting: false, distributing: false); break;
                case LacpMuxState.Collecting: SetActorProgress(sync: true, collecting: true, distributing: false); break;
                case LacpMuxState.Distributing: SetActorProgress(sync: true, collecting: true, distributing: true); break;
            }
        }
    }

    private void EnterDetached()
    {
        _waitWhile = NotRunning;
        SetActorProgress(sync: false, collecting: false, distributing: false);
    }

    private void SetActorProgress(bool sync, bool collecting, bool distributing)
    {
        Actor = Actor.With(LacpState.Synchronization, sync).With(LacpState.Collecting, collecting).With(LacpState.Distributing, distributing);
        // DISTRIBUTING sets no NTT in the standard; the partner learns it from the next periodic LACPDU.
        if (!distributing) _ntt = true;
    }
}
