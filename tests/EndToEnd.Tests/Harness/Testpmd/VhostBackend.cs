namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// testpmd with net_vhost (DPDK lib/vhost): the reference vhost-user backend, port 0, with an
/// optional host-side port 1 for io forwarding.
/// </summary>
public sealed record VhostBackend(string SocketPath) : TestpmdConfig
{
    /// <summary>FrontendListens: client=1; testpmd retries every second until the frontend listens.</summary>
    public VhostSocketRole Role { get; init; } = VhostSocketRole.BackendListens;

    public BackendHostPort HostPort { get; init; } = BackendHostPort.None;

    /// <summary>
    /// The tap of <see cref="BackendHostPort.Tap"/>. net_tap creates it in testpmd's own
    /// namespace: start this testpmd inside the test namespace, not the tap moved in.
    /// </summary>
    public string TapName { get; init; } = "vfwdtap0";

    public override ForwardMode Forward { get; init; } = ForwardMode.RxOnly;

    public override string Lcores { get; init; } = "0@0,1@1";

    protected override IEnumerable<string> Vdevs()
    {
        yield return $"net_vhost0,iface={SocketPath},queues={Queues}"
                     + (Role == VhostSocketRole.FrontendListens ? ",client=1" : "");
        switch (HostPort)
        {
            case BackendHostPort.Null:
                yield return "net_null0";
                break;
            case BackendHostPort.Tap:
                yield return $"net_tap0,iface={TapName}";
                break;
        }
    }
}
