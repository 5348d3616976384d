namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// testpmd with net_virtio_user: DPDK's vhost-user frontend, a VM-less traffic source or sink
/// on port 0. Null options leave virtio_user's defaults (mrg_rxbuf=1, in_order=1).
/// </summary>
public sealed record VirtioUserFrontend(string SocketPath) : TestpmdConfig
{
    /// <summary>FrontendListens: server=1, for a backend in client mode; start this side first.</summary>
    public VhostSocketRole Role { get; init; } = VhostSocketRole.BackendListens;

    public bool PackedRing { get; init; }

    public bool? MergeableRxBuffers { get; init; }

    public bool? InOrder { get; init; }

    public override ForwardMode Forward { get; init; } = ForwardMode.TxOnly;

    public override string Lcores { get; init; } = "0@1,1@0";

    protected override IEnumerable<string> Vdevs()
    {
        var vdev = $"net_virtio_user0,path={SocketPath},queues={Queues}";
        if (Role == VhostSocketRole.FrontendListens)
            vdev += ",server=1";
        if (PackedRing)
            vdev += ",packed_vq=1";
        if (MergeableRxBuffers is { } mergeable)
            vdev += $",mrg_rxbuf={(mergeable ? 1 : 0)}";
        if (InOrder is { } inOrder)
            vdev += $",in_order={(inOrder ? 1 : 0)}";
        return [vdev];
    }
}
