using System.Text;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// Applies options one at a time, as upstream's per-option callbacks do (contract §8), then runs
/// the checks that need several options at once (pins against -C, ids against --max-relays).
/// </summary>
internal sealed class DaemonOptionsBuilder(ParserEnvironment environment)
{
    private const int MaxVhostPathBytes = 127;
    private const int MaxUnixSocketPathBytes = 107; // sun_path is 108 bytes with its NUL

    private readonly HashSet<OptionId> _seen = [];
    private readonly List<RelayPin> _pins = [];
    private readonly List<StaticPort> _ports = [];
    private DaemonOptions _options = new();
    private string? _controlSocket;

    public bool WasGiven(OptionId id) => _seen.Contains(id);

    /// <summary>Validates and records one option; errors name the option as the user spelled it.</summary>
    public void Apply(OptionOccurrence occurrence)
    {
        try
        {
            _options = With(occurrence.Option.Id, occurrence.Value);
            _seen.Add(occurrence.Option.Id);
        }
        catch (CommandLineException e)
        {
            throw new CommandLineException($"Error with option '{occurrence.Spelling}': {e.Message}");
        }
    }

    // Required values are never null: the scanner fails first when one is missing.
    private DaemonOptions With(OptionId id, string? value) => id switch
    {
        OptionId.Cpus => _options with { WorkerCpus = CpuSet.Parse(value!) },
        OptionId.MasterLcore => _options with { MainLcore = DecimalArgument.Parse(value!, 0, CpuAffinity.MaxCpus - 1, "main lcore") },
        // Upstream only ever clears its syslog flag, so "-n -nlog_syslog" still logs to stdout.
        OptionId.NoDaemon => _options with { Daemonize = false, LogToSyslog = _options.LogToSyslog && value == "log_syslog" },
        OptionId.LogLevel => _options with { LogLevel = (LogLevel)Math.Min(DecimalArgument.Parse(value!, 0, int.MaxValue, "log level"), (int)LogLevel.Debug) },
        OptionId.PidPath => _options with { PidDirectory = ExistingDirectory(value!) },
        OptionId.HugeDir => _options with { HugeDirectory = ExistingDirectory(value!) },
        OptionId.OvsdbSock => _options with { OvsdbSocket = value! },
        OptionId.ZmqConfigEp => _options with { ConfigEndpoint = Endpoint(value, _options.ConfigEndpoint, DaemonOptions.DefaultConfigEndpoint) },
        OptionId.ZmqPortControlEp => _options with { PortControlEndpoint = Endpoint(value, _options.PortControlEndpoint, DaemonOptions.DefaultPortControlEndpoint) },
        OptionId.ZmqStatsEp => _options with { StatsEndpoint = Endpoint(value, _options.StatsEndpoint, DaemonOptions.DefaultStatsEndpoint) },
        OptionId.ZmqCoreSchedEp => _options with
        {
            CoreSchedEndpoint = Endpoint(value, _options.CoreSchedEndpoint, DaemonOptions.DefaultCoreSchedEndpoint),
            StatsEndpoint = _options.StatsEndpoint ?? DaemonOptions.DefaultStatsEndpoint,
        },
        OptionId.Ipc => _options with { UseFileIpc = true },
        OptionId.VhostUsername => _options with { SocketUser = Owner(value) },
        OptionId.VhostGroupname => _options with { SocketGroup = Owner(value) },
        OptionId.VhostPath => _options with { VhostPath = VhostDirectory(value!) },
        OptionId.VhostSocket => _options with { SocketTemplate = SocketTemplate.Parse(value!) },
        OptionId.VirtioCpu => AddPins(value!),
        OptionId.EnableJumbo => _options with { Jumbo = true },
        OptionId.EnableMrgbuf => _options with { MergeableRxBuffers = true },
        OptionId.AddPciVf => AddPort(value!),
        OptionId.VfioVfToken => _options with { VfioVfToken = value switch { "" => null, "0" => DaemonOptions.DefaultVfioVfToken, _ => value } },
        OptionId.VhostuserClient => _options with { VhostUserClient = true },
        OptionId.ZeroCopy => _options with { ZeroCopy = true },
        OptionId.EnableTso => _options with { Tso = true },
        OptionId.DynamicSockets => _options with { DynamicSockets = true },
        OptionId.SameNuma => _options with { SameNuma = true },
        OptionId.Version => _options,
        OptionId.ControlSocket => SetControlSocket(value!),
        OptionId.MaxRelays => _options with { MaxRelays = DecimalArgument.Parse(value!, 1, DaemonOptions.MaxRelaysLimit, "relay count") },
        OptionId.PortDriver => _options with { PortDriver = Choice<PortDriver>(value!) },
        OptionId.Poll => _options with { Poll = Choice<PollMode>(value!) },
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "option without a handler"),
    };

    /// <summary>The finished options, after the checks that need all options (contract §8, rows -c and -P).</summary>
    public DaemonOptions Build()
    {
        int maxRelays = _options.MaxRelays;
        // Upstream accepts relay == MAX_RELAYS in -c (an off-by-one we keep, §8); a later pin replaces an earlier one.
        var pins = _pins.GroupBy(p => p.Relay).Select(g => g.Last()).OrderBy(p => p.Relay).ToArray();
        foreach (RelayPin pin in pins)
        {
            if (pin.Relay > maxRelays)
                throw new CommandLineException($"Error with option '-c': Invalid virtio {pin.Relay} specified, must be 0-{maxRelays}");
            CpuSet workers = _options.WorkerCpus;
            if (!workers.Contains(pin.VfToVmCpu) || !workers.Contains(pin.VmToVfCpu))
            {
                int cpu = workers.Contains(pin.VfToVmCpu) ? pin.VmToVfCpu : pin.VfToVmCpu;
                throw new CommandLineException($"Invalid CPU {cpu} specified for virtio {pin.Relay} (not in CPU worker list {workers})");
            }
        }
        if (_ports.Count > maxRelays)
            throw new CommandLineException($"Error with option '-P': at most {maxRelays} static ports may be given");
        if (_ports.FirstOrDefault(p => p.RelayId >= maxRelays) is { } port)
            throw new CommandLineException($"Error with option '-P': Invalid virtio ID {port.RelayId}, valid range is 0..{maxRelays - 1}");
        string controlSocket = _controlSocket ?? _options.PidDirectory + "/" + DaemonOptions.ControlSocketFileName;
        if (Encoding.UTF8.GetByteCount(controlSocket) > MaxUnixSocketPathBytes)
            throw new CommandLineException(
                $"Control socket path '{controlSocket}' is longer than {MaxUnixSocketPathBytes} bytes; choose another with --control-socket");
        return _options with { Pins = pins, StaticPorts = _ports.ToArray(), ControlSocket = controlSocket };
    }

    private DaemonOptions AddPins(string value)
    {
        _pins.AddRange(RelayPin.ParseList(value));
        return _options;
    }

    private DaemonOptions AddPort(string value)
    {
        _ports.Add(StaticPort.Parse(value, environment.SysfsRoot));
        return _options;
    }

    private DaemonOptions SetControlSocket(string value)
    {
        _controlSocket = value.Length > 0 ? value : throw new CommandLineException("The control socket path cannot be empty");
        return _options;
    }

    private static string ExistingDirectory(string path) =>
        Directory.Exists(path) ? path : throw new CommandLineException($"'{path}' is not an existing directory");

    private static string VhostDirectory(string path) =>
        path.Length > 0 && Encoding.UTF8.GetByteCount(path) <= MaxVhostPathBytes ? path
            : throw new CommandLineException($"The vhost-user socket directory must be 1-{MaxVhostPathBytes} bytes long");

    // No value keeps an endpoint set by an earlier occurrence, else the default (upstream only copies non-null values).
    private static string Endpoint(string? value, string? current, string fallback) => value switch
    {
        null => current ?? fallback,
        "" => throw new CommandLineException("An endpoint cannot be empty"),
        _ => value,
    };

    // "-u" and "--vhost-username=" both leave upstream's name empty, which means inherit (§9.2).
    private static OwnerSpec Owner(string? value) => string.IsNullOrEmpty(value) ? OwnerSpec.Inherit : OwnerSpec.Named(value);

    private static T Choice<T>(string value) where T : struct, Enum
    {
        foreach (T choice in Enum.GetValues<T>())
            if (choice.ToString().ToLowerInvariant() == value) return choice;
        string names = string.Join(", ", Enum.GetValues<T>().Select(c => c.ToString().ToLowerInvariant()));
        throw new CommandLineException($"Invalid value '{value}': expected one of {names}");
    }
}
