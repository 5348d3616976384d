using System.Diagnostics;
using System.Text.RegularExpressions;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// A long-running peer (testpmd, QEMU, the daemon). Its stdout and stderr go, line by line, to a
/// log file and to memory, where <see cref="WaitForOutput"/> looks for them. It is only ever
/// stopped by its own PID.
/// </summary>
public sealed class ManagedProcess : IDisposable
{
    private static readonly TimeSpan EscalationWait = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly List<string> _lines = [];
    private readonly CountdownEvent _streamsOpen = new(2);
    private bool _logClosed;

    private ManagedProcess(CommandLine command, string logPath, bool keepStdinOpen)
    {
        Command = command;
        LogPath = logPath;
        _log = new StreamWriter(logPath) { AutoFlush = true };
        _process = new Process { StartInfo = command.ToRedirectedStartInfo() };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // A closed pipe reads as EOF, like < /dev/null. Kept open, it is what non-interactive
        // testpmd without --stats-period needs to keep running ("Press enter to exit").
        if (!keepStdinOpen)
            _process.StandardInput.Close();
    }

    public CommandLine Command { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit status; 128 + N when signal N ended the process.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Number of output lines so far: pass it to <see cref="WaitForOutput"/> to match only newer lines.</summary>
    public int LineCount
    {
        get { lock (_lines) return _lines.Count; }
    }

    public string LogText
    {
        get { lock (_lines) return string.Join('\n', _lines); }
    }

    /// <summary>Starts <paramref name="command"/>, logging its output to <paramref name="logPath"/>.</summary>
    public static ManagedProcess Start(CommandLine command, string logPath, bool keepStdinOpen = false) =>
        new(command, logPath, keepStdinOpen);

    /// <summary>The last lines of output, with the command line, for assertion messages.</summary>
    public string LogTail(int lines = 40)
    {
        lock (_lines)
            return $"`{Command}` (log {LogPath}), last lines:\n" + string.Join('\n', _lines.TakeLast(lines));
    }

    /// <summary>Writes a line to the process's stdin (only if started with keepStdinOpen).</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>
    /// Waits for an output line (from line <paramref name="fromLine"/> on) matching
    /// <paramref name="pattern"/>. Throws, with the log tail, on timeout or when the process has
    /// ended without printing it.
    /// </summary>
    public Match WaitForOutput(Regex pattern, TimeSpan timeout, int fromLine = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        var next = fromLine;
        while (true)
        {
            lock (_lines)
            {
                for (; next < _lines.Count; next++)
                {
                    var match = pattern.Match(_lines[next]);
                    if (match.Success)
                        return match;
                }
                // Both pipes at EOF: no more lines will come.
                if (_streamsOpen.IsSet)
                    throw new InvalidOperationException($"process ended without printing /{pattern}/; {LogTail()}");
                if (DateTime.UtcNow >= deadline)
                    throw new TimeoutException($"no /{pattern}/ within {timeout}; {LogTail()}");
                Monitor.Wait(_lines, PollInterval);
            }
        }
    }

    public void Signal(int signal)
    {
        if (!_process.HasExited)
            NativeSignals.Send(_process.Id, signal);
    }

    /// <summary>Waits for the exit and for the last output line; false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        if (!_process.WaitForExit(timeout))
            return false;
        // A grandchild could hold the pipes open; then the last lines are given up on.
        var left = deadline - DateTime.UtcNow;
        _streamsOpen.Wait(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        return true;
    }

    /// <summary>
    /// Stops the process: <paramref name="firstSignal"/> (SIGINT: testpmd prints its totals),
    /// after <paramref name="grace"/> SIGTERM, then SIGKILL. Returns the exit status.
    /// </summary>
    public int Stop(int firstSignal = NativeSignals.SigInt, TimeSpan? grace = null)
    {
        foreach (var (signal, wait) in new[]
                 {
                     (firstSignal, grace ?? TimeSpan.FromSeconds(5)),
                     (NativeSignals.SigTerm, EscalationWait),
                     (NativeSignals.SigKill, EscalationWait),
                 })
        {
            if (_process.HasExited)
                break;
            Signal(signal);
            WaitForExit(wait);
        }
        if (!WaitForExit(EscalationWait))
            throw new InvalidOperationException($"PID {Pid} survived SIGKILL; {LogTail()}");
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
        // Under the lock: a grandchild that kept the pipes open may still deliver lines.
        lock (_lines)
        {
            _log.Dispose();
            _logClosed = true;
        }
    }

    private void Append(string? line)
    {
        lock (_lines)
        {
            if (line is null)
                _streamsOpen.Signal();
            else
            {
                _lines.Add(line);
                if (!_logClosed)
                    _log.WriteLine(line);
            }
            Monitor.PulseAll(_lines);
        }
    }
}
