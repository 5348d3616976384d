namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// The command line both testpmd roles share: no PCI, no hugepages (EAL then backs its memory
/// with a memfd, which virtio_user can share), one forwarding lcore and a stats line per port
/// every second. --stats-period also keeps non-interactive testpmd running with stdin at EOF,
/// until SIGINT, on which it prints its forward totals.
/// </summary>
public abstract record TestpmdConfig
{
    public int Queues { get; init; } = 1;

    public abstract ForwardMode Forward { get; init; }

    /// <summary>Frame size for <see cref="ForwardMode.TxOnly"/> (--txpkts).</summary>
    public int TxPacketSize { get; init; } = 64;

    /// <summary>
    /// --no-flush-rx. Before forwarding starts testpmd drains its RX queues and then zeroes its
    /// forward totals, so frames a backend delivered early go uncounted; set this to count them.
    /// </summary>
    public bool NoFlushRx { get; init; }

    /// <summary>
    /// Commands on stdin (-i) instead of running at once: forwarding begins with
    /// <see cref="TestpmdProcess.StartForwarding"/> and ends with
    /// <see cref="TestpmdProcess.StopForwarding"/>, which leaves the port up, so the peer can
    /// still take what was sent before testpmd disables the rings on quit.
    /// </summary>
    public bool Interactive { get; init; }

    /// <summary>
    /// lcore@CPU map: main lcore 0, forwarding lcore 1. On two CPUs the frontend and backend
    /// defaults are crossed, so each process's polling lcore gets a CPU of its own.
    /// </summary>
    public abstract string Lcores { get; init; }

    /// <summary>The --vdev arguments: the vhost-user port first (port 0), then any other.</summary>
    protected abstract IEnumerable<string> Vdevs();

    public CommandLine ToCommandLine(string filePrefix)
    {
        var arguments = new List<string> { "--lcores", Lcores, "--no-pci", "--no-huge", "-m", "512", $"--file-prefix={filePrefix}" };
        foreach (var vdev in Vdevs())
            arguments.AddRange(["--vdev", vdev]);
        arguments.AddRange(
        [
            "--",
            "--nb-cores=1", $"--rxq={Queues}", $"--txq={Queues}",
            // The default pool (155456 mbufs) does not fit in -m 512 without hugepages.
            "--total-num-mbufs=32768",
            $"--forward-mode={Forward.ToString().ToLowerInvariant()}",
        ]);
        arguments.AddRange(Interactive ? ["-i"] : ["--stats-period", "1"]);
        if (Forward == ForwardMode.TxOnly)
            arguments.Add($"--txpkts={TxPacketSize}");
        if (NoFlushRx)
            arguments.Add("--no-flush-rx");
        return new CommandLine("dpdk-testpmd", arguments).WithLineBufferedStdout();
    }
}
