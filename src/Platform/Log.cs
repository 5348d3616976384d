using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace VirtioForwarder.Platform;

/// <summary>Syslog severities, 0 (emergency) to 7 (debug), as upstream's -l option counts them.</summary>
public enum LogLevel { Emergency, Alert, Critical, Error, Warning, Notice, Info, Debug }

/// <summary>
/// The daemon's log, in upstream's two shapes: on stdout (<c>-n</c>) each line reads
/// <c>Mon DD HH:MM:SS file:line(func) C message</c> with C one of <c>x ! ^ * # - ? .</c> for
/// levels 0–7; otherwise lines go to syslog (facility LOCAL0, ident virtio-forwarder, with the PID).
/// Control paths only: the fast path counts, it does not log.
/// </summary>
public static class Log
{
    private const string LevelChars = "x!^*#-?.";
    private const int FacilityLocal0 = 16;
    private static readonly Lock Gate = new();
    private static Socket? _syslog;
    private static TextWriter _console = Console.Out;

    public static LogLevel Threshold { get; set; } = LogLevel.Info;

    public static bool IsEnabled(LogLevel level) => level <= Threshold;

    /// <summary>Sends later lines to syslog through /dev/log; falls back to stdout if it is absent.</summary>
    public static void UseSyslog()
    {
        try
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            s.Connect(new UnixDomainSocketEndPoint("/dev/log"));
            lock (Gate) _syslog = s;
        }
        catch (SocketException)
        {
            Write(LogLevel.Warning, "/dev/log unavailable, logging to stdout", "Log.cs", 0, nameof(UseSyslog));
        }
    }

    /// <summary>Redirects console lines (tests capture them).</summary>
    public static void UseConsole(TextWriter writer)
    {
        lock (Gate) { _console = writer; _syslog = null; }
    }

    public static void Error(string message, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string func = "")
        => Write(LogLevel.Error, message, file, line, func);

    public static void Warning(string message, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string func = "")
        => Write(LogLevel.Warning, message, file, line, func);

    public static void Notice(string message, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string func = "")
        => Write(LogLevel.Notice, message, file, line, func);

    public static void Info(string message, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string func = "")
        => Write(LogLevel.Info, message, file, line, func);

    public static void Debug(string message, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string func = "")
        => Write(LogLevel.Debug, message, file, line, func);

    public static void Write(LogLevel level, string message, string file, int line, string func)
    {
        if (!IsEnabled(level)) return;
        string where = $"{Path.GetFileNameWithoutExtension(file)}:{line}({func})";
        lock (Gate)
        {
            if (_syslog is { } s)
            {
                // RFC 3164 shape, as syslog(3) writes it to /dev/log.
                string msg = $"<{FacilityLocal0 * 8 + (int)level}>{DateTime.Now:MMM dd HH:mm:ss} virtio-forwarder[{Environment.ProcessId}]: {where} {message}";
                try { s.Send(Encoding.UTF8.GetBytes(msg)); return; } catch (SocketException) { }
            }
            _console.WriteLine($"{DateTime.Now:MMM dd HH:mm:ss} {where} {LevelChars[(int)level]} {message}");
            _console.Flush();
        }
    }
}
