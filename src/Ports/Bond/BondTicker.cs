using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// One thread for every bond in the process that runs each bond's link monitoring and LACP
/// machines every <see cref="Period"/>. Not the relay's workers: a worker calls Transmit only when
/// the VM sends and Receive only when the guest has room, yet LACPDUs and failover must happen on
/// time with no traffic at all (DPDK runs these from an EAL alarm for the same reason). Not a
/// thread per bond either: one 10 ms tick costs nothing next to a worker, and it sleeps while no
/// bond exists.
/// </summary>
internal static class BondTicker
{
    /// <summary>DPDK's default link-status polling interval for members without link interrupts.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);

    private static readonly object Gate = new();
    private static BondPort[] _bonds = [];
    private static Thread? _thread;

    public static void Add(BondPort bond)
    {
        lock (Gate)
        {
            _bonds = [.. _bonds, bond];
            if (_thread is null)
            {
                _thread = new Thread(Run) { Name = "bond-tick", IsBackground = true };
                _thread.Start();
            }
            Monitor.PulseAll(Gate);
        }
    }

    /// <summary>Stops ticking the bond; a tick already running for it finishes first (the bond's own lock orders them).</summary>
    public static void Remove(BondPort bond)
    {
        lock (Gate) _bonds = _bonds.Where(b => b != bond).ToArray();
    }

    private static void Run()
    {
        while (true)
        {
            BondPort[] bonds;
            lock (Gate)
            {
                while (_bonds.Length == 0) Monitor.Wait(Gate);
                bonds = _bonds;
            }
            foreach (var bond in bonds)
            {
                try { bond.Tick(); }
                catch (Exception e) { Log.Error($"bond {bond.Name}: monitoring failed: {e.Message}"); }
            }
            Thread.Sleep(Period);
        }
    }
}
