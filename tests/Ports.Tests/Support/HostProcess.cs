using System.Diagnostics;

namespace VirtioForwarder.Ports.Tests.Support;

/// <summary>A command's exit status and everything it printed.</summary>
public sealed record CommandResult(string Command, int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"`{Command}` exited with {ExitCode}: {Output}";
}

/// <summary>
/// A command the test starts (ip, busybox ping), read as it runs so it never blocks on a full pipe.
/// Dispose stops it, by its own Process object, if it is still running.
/// </summary>
public sealed class HostProcess : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly Task<string> _stdout, _stderr;
    private readonly string _command;

    public HostProcess(params string[] commandLine)
    {
        _command = string.Join(' ', commandLine);
        var startInfo = new ProcessStartInfo(commandLine[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in commandLine[1..]) startInfo.ArgumentList.Add(argument);
        _process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start `{_command}`");
        _process.StandardInput.Close();
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>Runs a command to completion.</summary>
    public static CommandResult Run(params string[] commandLine)
    {
        using var process = new HostProcess(commandLine);
        return process.Wait();
    }

    /// <summary>Runs a command to completion and throws, with its output, unless it succeeds.</summary>
    public static CommandResult RunChecked(params string[] commandLine)
    {
        var result = Run(commandLine);
        return result.Succeeded ? result : throw new InvalidOperationException(result.ToString());
    }

    public CommandResult Wait(TimeSpan? timeout = null)
    {
        if (!_process.WaitForExit(timeout ?? DefaultTimeout))
            throw new TimeoutException($"`{_command}` did not finish within {timeout ?? DefaultTimeout}");
        _process.WaitForExit(); // and for its output to be read
        return new CommandResult(_command, _process.ExitCode, _stdout.Result + _stderr.Result);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
