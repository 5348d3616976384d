using VirtioForwarder.Control.Model;
using VirtioForwarder.Control.Services;
using VirtioForwarder.Control.Services.Config;
using VirtioForwarder.Control.Services.CoreSched;
using VirtioForwarder.Control.Services.Hosting;
using VirtioForwarder.Control.Services.PortControl;
using VirtioForwarder.Control.Services.Stats;
using VirtioForwarder.Daemon.Options;

namespace VirtioForwarder.Daemon;

/// <summary>
/// The ZeroMQ services the command line enables (contract §8: -Y config, -z stats, -Z port
/// control, -s core scheduler and, through the option parser, stats too), started in upstream's
/// order (§8.2 step 7): config, stats, port control, then the core scheduler.
/// </summary>
internal static class ZmqServices
{
    /// <summary>Null when no service is enabled; throws <see cref="StartupException"/> (exit 255) when one cannot bind.</summary>
    public static ControlServiceHost? Start(DaemonOptions o, IRelayControl relays)
    {
        var services = new List<(string, IControlService)>();
        if (o.ConfigEndpoint is { } config) services.Add((config, new ConfigService(relays)));
        if (o.StatsEndpoint is { } stats) services.Add((stats, new StatsService(relays)));
        if (o.PortControlEndpoint is { } portControl) services.Add((portControl, new PortControlService(relays)));
        if (o.CoreSchedEndpoint is { } coreSched) services.Add((coreSched, new CoreSchedService(relays)));
        if (services.Count == 0) return null;
        try
        {
            return ControlServiceHost.Start(services);
        }
        catch (ServiceStartException e)
        {
            throw new StartupException(e.Message);
        }
    }
}
