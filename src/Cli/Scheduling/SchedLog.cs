using System.Net.Sockets;
using System.Text;

namespace VirtioForwarder.Cli.Scheduling;

/// <summary>
/// The scheduler's log: syslog (ident vio4wd_core_scheduler, facility user, with the PID, as
/// upstream's, docs/control-contract.md §7.5) or, in the foreground, stdout. Levels are syslog's
/// 0 (emergency) to 7 (debug); lines above the threshold are dropped.
/// </summary>
internal sealed class SchedLog : IDisposable
{
    public const int Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7;

    private const string Ident = "vio4wd_core_scheduler";
    private const int FacilityUser = 1;
    private readonly Socket? _syslog;
    private readonly TextWriter _console;

    private SchedLog(Socket? syslog, TextWriter console, int threshold)
    {
        _syslog = syslog;
        _console = console;
        Threshold = threshold;
    }

    public int Threshold { get; set; }

    public static SchedLog ToConsole(TextWriter writer, int threshold = Debug) => new(null, writer, threshold);

    /// <summary>Logs to /dev/log; to stdout if there is no syslog daemon listening.</summary>
    public static SchedLog ToSyslog(int threshold = Debug)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint("/dev/log"));
            return new SchedLog(socket, Console.Out, threshold);
        }
        catch (SocketException)
        {
            socket.Dispose();
            var log = ToConsole(Console.Out, threshold);
            log.Write(Warning, "/dev/log unavailable, logging to stdout");
            return log;
        }
    }

    public void Write(int level, string message)
    {
        if (level > Threshold)
            return;
        if (_syslog is not null)
        {
            // RFC 3164, as syslog(3) sends it.
            string line = $"<{FacilityUser * 8 + level}>{DateTime.Now:MMM dd HH:mm:ss} {Ident}[{Environment.ProcessId}]: {message}";
            try
            {
                _syslog.Send(Encoding.UTF8.GetBytes(line));
                return;
            }
            catch (SocketException)
            {
                // The syslog daemon went away: the line still goes somewhere.
            }
        }
        _console.WriteLine($"{DateTime.Now:MMM dd HH:mm:ss} {Ident}: {message}");
        _console.Flush();
    }

    public void Dispose() => _syslog?.Dispose();
}
