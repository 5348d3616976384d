using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>
/// A long-running program the test started (the daemon, or a service script that becomes it),
/// with its output collected. Signals go to its pid only; Dispose kills it if it still runs.
/// </summary>
public sealed partial class RunningProgram : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public RunningProgram(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        _process = new Process { StartInfo = ProgramRun.StartInfo(program, args, environment) };
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>stdout and stderr so far, for assertion messages.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public void Terminate() => Assert.Equal(0, Kill(_process.Id, SigTerm));

    /// <summary>The exit code, or a failed test when the program is still running after <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        Assert.True(_process.WaitForExit(timeout), $"still running after {timeout}: {Output}");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
