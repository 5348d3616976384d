namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// What the guest's /init does, passed on the kernel command line (see Assets/guest/init.sh):
/// set <see cref="Cidr"/> on eth0, ping <see cref="Peer"/> <see cref="Count"/> times and print
/// GUEST-PING-OK or GUEST-PING-FAIL; optionally stay up <see cref="WaitSeconds"/> s
/// (GUEST-WAITING) and ping again (GUEST-PING2-OK/FAIL); then power off.
/// </summary>
public sealed record GuestConfig
{
    public string Cidr { get; init; } = TestAddresses.GuestCidr;

    public string Peer { get; init; } = TestAddresses.HostIp;

    public int Count { get; init; } = 3;

    /// <summary>Queue pairs the guest enables with ethtool; Linux enables only min(vCPUs, queues) by itself.</summary>
    public int? Queues { get; init; }

    public int WaitSeconds { get; init; }

    public bool PingAgain { get; init; }

    /// <summary>
    /// After the first round the guest sends <see cref="TcpKiB"/> KiB of random bytes to
    /// Peer:TcpPort, then reads Peer:TcpPort+1 to its end (GUEST-TCP-UP, GUEST-TCP-DOWN with md5 and size).
    /// </summary>
    public int? TcpPort { get; init; }

    public int TcpKiB { get; init; } = 1024;

    // Quiet, fast TCG boot: no KASLR or mitigations, trust the TSC, skip crypto self-tests and
    // the absent PS/2 controller. panic=-1 + QEMU's -no-reboot turn a panic into an exit.
    private const string BootOptions =
        "console=ttyS0 panic=-1 quiet mitigations=off nokaslr tsc=reliable no_timer_check " +
        "cryptomgr.notests i8042.noaux i8042.nokbd i8042.nopnp";

    public string KernelCommandLine()
    {
        var options = new List<string>
        {
            BootOptions,
            $"vfwd.ip={TestAddresses.Require(Cidr)}",
            $"vfwd.peer={TestAddresses.Require(Peer)}",
            $"vfwd.count={Count}",
            $"vfwd.wait={WaitSeconds}",
        };
        if (Queues is { } queues)
            options.Add($"vfwd.queues={queues}");
        if (PingAgain)
            options.Add("vfwd.ping2=1");
        if (TcpPort is { } port)
            options.Add($"vfwd.tcp={port} vfwd.tcpkb={TcpKiB}");
        return string.Join(' ', options);
    }
}
