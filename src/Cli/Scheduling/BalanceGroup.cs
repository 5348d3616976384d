using VirtioForwarder.Control.Protobuf;
using RelayCPU = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.RelayCPU;

namespace VirtioForwarder.Cli.Scheduling;

/// <summary>
/// The relays balanced together over one set of workers: those of one NUMA node, or with
/// --global-numa-opt all of them (<see cref="Node"/> -1), as upstream groups them (§7.5).
/// </summary>
internal sealed record BalanceGroup(int Node, IReadOnlyList<uint> Workers, IReadOnlyList<RelayLoad> Loads, IReadOnlyList<RelayCPU> Current)
{
    public const int AllNodes = -1;

    /// <summary>
    /// Groups the active <paramref name="relays"/> by their socket_id. A relay whose socket_id is
    /// not one of <paramref name="nodes"/> (4294967295, "unknown", included) is left out and
    /// reported through <paramref name="skipped"/>. Nodes without workers, and groups without
    /// relays, are not returned.
    /// </summary>
    public static IReadOnlyList<BalanceGroup> Build(
        IEnumerable<RelayState> relays, IReadOnlyDictionary<int, IReadOnlySet<uint>> nodes, IReadOnlyList<uint> workers,
        bool global, Action<RelayState> skipped)
    {
        var groups = nodes
            .Select(node => (Node: node.Key, Workers: workers.Where(node.Value.Contains).Order().ToList()))
            .Where(node => node.Workers.Count > 0)
            .ToDictionary(node => node.Node, node => (node.Workers, Loads: new List<RelayLoad>(), Current: new List<RelayCPU>()));
        foreach (RelayState relay in relays)
        {
            if (relay.SocketId > int.MaxValue || !groups.TryGetValue((int)relay.SocketId, out var group))
            {
                skipped(relay);
                continue;
            }
            group.Loads.Add(RelayLoad.Estimate(relay));
            group.Current.Add(new RelayCPU
            {
                RelayNumber = (int)relay.Id,
                Virtio2VfCpu = relay.Cpu?.VmToVf ?? 0,
                Vf2VirtioCpu = relay.Cpu?.VfToVm ?? 0,
            });
        }
        var result = global
            ? [new BalanceGroup(AllNodes, workers.Distinct().Order().ToList(),
                groups.Values.SelectMany(g => g.Loads).ToList(), groups.Values.SelectMany(g => g.Current).ToList())]
            : groups.Select(g => new BalanceGroup(g.Key, g.Value.Workers, g.Value.Loads, g.Value.Current)).ToList();
        return result.Where(group => group.Loads.Count > 0 && group.Workers.Count > 0).ToList();
    }
}
