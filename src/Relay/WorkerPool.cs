namespace VirtioForwarder.Relay;

/// <summary>
/// One <see cref="Worker"/> per worker CPU, as upstream runs one lcore per CPU of -C: each serves
/// the forwarders of every relay direction placed on its CPU. A worker starts the first time a
/// direction is placed on its CPU, so CPUs no relay uses cost no thread; it runs until the daemon stops.
/// </summary>
public sealed class WorkerPool(IReadOnlyList<int> workerCpus, PollMode mode) : IDisposable
{
    private readonly Dictionary<int, Worker?> _workers = workerCpus.ToDictionary(c => c, _ => (Worker?)null);
    private readonly Lock _gate = new();

    /// <summary>The worker of <paramref name="cpu"/>, started if it was not yet; null if the CPU is not a worker CPU.</summary>
    public Worker? For(int cpu)
    {
        lock (_gate)
        {
            if (!_workers.TryGetValue(cpu, out var worker)) return null;
            return worker ?? (_workers[cpu] = new Worker(cpu, mode, $"worker-cpu{cpu}"));
        }
    }

    /// <summary>The workers started so far.</summary>
    public IReadOnlyList<Worker> Started
    {
        get
        {
            lock (_gate) return _workers.Values.OfType<Worker>().ToArray();
        }
    }

    public void Dispose()
    {
        foreach (var worker in Started) worker.Dispose();
    }
}
