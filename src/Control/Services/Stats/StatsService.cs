using Google.Protobuf;
using VirtioForwarder.Control.Model;
using VirtioForwarder.Control.Protobuf;
using Status = VirtioForwarder.Control.Protobuf.StatsResponse.Types.Status;

namespace VirtioForwarder.Control.Services.Stats;

/// <summary>
/// Upstream's stats service (docs/control-contract.md §4): StatsRequest → StatsResponse.
/// Undecodable → EBADR; more ids than relays → E2BIG; otherwise OK with the selected relays, whose
/// rates cover this request's own delay window.
/// </summary>
public sealed class StatsService(IRelayControl relays) : ProtobufService<StatsRequest>(StatsRequest.Parser)
{
    /// <summary>Upstream's MAX_RELAYS: a longer id list is E2BIG even when we run more relays.</summary>
    private const int UpstreamMaxRelays = 64;

    public override string Name => "stats";

    protected override IMessage Undecodable { get; } = new StatsResponse { Status = Status.Ebadr };

    protected override IMessage Answer(StatsRequest r, CancellationToken stopping)
    {
        if (r.Relay.Count > Math.Max(UpstreamMaxRelays, relays.RelayCount))
            return new StatsResponse { Status = Status.E2Big };

        // §4.1 step 3: a baseline for every relay, then the delay inside this thread, then each
        // reported relay is measured against its baseline, which it then replaces (so a relay
        // listed twice gets a near-empty window the second time, as upstream's does).
        var baselines = new RateBaseline[relays.RelayCount];
        for (int i = 0; i < baselines.Length; i++) baselines[i] = RateBaseline.Now(relays.Status(i));
        if (r.Delay > 0) stopping.WaitHandle.WaitOne((int)Math.Min(r.Delay, int.MaxValue));

        var reply = new StatsResponse { Status = Status.Ok };
        // proto2 getter: include_inactive is true when absent (§4.1 step 2).
        bool includeInactive = r.IncludeInactive;
        foreach (int id in Selection(r))
        {
            var status = relays.Status(id);
            var now = RateBaseline.Now(status);
            var then = baselines[id];
            baselines[id] = now;
            if (includeInactive || status.Active)
                reply.Relay.Add(RelayStateBuilder.Build(status, then, now));
        }
        return reply;
    }

    /// <summary>All relays ascending, or the listed ids in order: unknown ids dropped, duplicates kept (§4.1 step 4).</summary>
    private IEnumerable<int> Selection(StatsRequest r) => r.Relay.Count == 0
        ? Enumerable.Range(0, relays.RelayCount)
        : r.Relay.Where(id => id < relays.RelayCount).Select(id => (int)id);
}
