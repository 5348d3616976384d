namespace VirtioForwarder.Relay;

/// <summary>
/// One direction of a relay and the worker that runs its forwarder while that side is up. The
/// forwarder never runs on two workers at once: it leaves a worker, that worker finishes the pass
/// that may still hold it, and only then does another worker get it. Called under the relay's lock.
/// </summary>
internal sealed class PlacedDirection(Direction direction, Forwarder forwarder, CpuPlacement placement, WorkerPool workers)
{
    public Forwarder Forwarder => forwarder;

    /// <summary>The worker serving this direction, null while its side is down.</summary>
    public Worker? Worker { get; private set; }

    /// <summary>Places the direction (its side came up): on the pinned CPU, else by load and NUMA node.</summary>
    public void Start(int? pinnedCpu, int numaNode)
    {
        if (Worker is not null) return;
        // Pins are checked against -C at start-up; one that is not a worker CPU falls back to the load rule.
        int? pin = pinnedCpu is { } p && placement.IsWorkerCpu(p) ? p : null;
        int cpu = placement.Choose(direction, pin, numaNode);
        Worker = workers.For(cpu)!;
        Worker.Add(forwarder);
    }

    /// <summary>Takes the direction off its worker (its side went away); false if the worker did not let go in time.</summary>
    public bool Stop(TimeSpan timeout)
    {
        if (Worker is not { } worker) return true;
        Worker = null;
        worker.Remove(forwarder);
        placement.Release(direction, worker.Cpu);
        return worker.WaitForPass(timeout);
    }

    /// <summary>Moves the running direction to the worker of <paramref name="cpu"/>; false if it is not running or the CPU has no worker.</summary>
    public bool MoveTo(int cpu, TimeSpan timeout)
    {
        if (Worker is not { } from) return false;
        if (from.Cpu == cpu) return true;
        if (!placement.IsWorkerCpu(cpu)) return false;
        from.Remove(forwarder);
        if (!from.WaitForPass(timeout))
        {
            from.Add(forwarder);
            return false;
        }
        var to = workers.For(cpu)!;
        placement.Move(direction, from.Cpu, cpu);
        to.Add(forwarder);
        Worker = to;
        return true;
    }

    public void Wake() => Worker?.Wake();
}
