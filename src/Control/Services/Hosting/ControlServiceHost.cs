using VirtioForwarder.Platform;

namespace VirtioForwarder.Control.Services.Hosting;

/// <summary>
/// The daemon's ZeroMQ services, each on its own thread (docs/control-contract.md §1). Start
/// returns once every service is bound, or throws <see cref="ServiceStartException"/> if one is
/// not within 2 s, after stopping those that did start. Dispose stops them all together.
/// </summary>
public sealed class ControlServiceHost : IDisposable
{
    /// <summary>Upstream's limit for a server thread to report itself ready.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(2);

    private readonly List<ServiceThread> _threads = [];

    private ControlServiceHost() { }

    /// <param name="services">Endpoint and service, in start order.</param>
    public static ControlServiceHost Start(IEnumerable<(string Endpoint, IControlService Service)> services)
    {
        var host = new ControlServiceHost();
        try
        {
            foreach (var (endpoint, service) in services)
            {
                var thread = new ServiceThread(endpoint, service);
                host._threads.Add(thread);
                thread.WaitReady(ReadyTimeout);
            }
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public IReadOnlyList<string> Endpoints => _threads.Select(t => t.Endpoint).ToArray();

    public void Dispose()
    {
        // Every thread first hears the request, so they wind down in parallel (about 1 s).
        foreach (var t in _threads) t.RequestStop();
        foreach (var t in _threads) t.Dispose();
        if (_threads.Count > 0) Log.Debug($"ZeroMQ services stopped: {string.Join(", ", Endpoints)}");
        _threads.Clear();
    }
}
