using System.Diagnostics;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>Runs short-lived setup commands (ip, ping, ...) to completion.</summary>
public static class HostCommand
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static CommandResult Run(CommandLine command, TimeSpan? timeout = null)
    {
        using var process = Process.Start(command.ToRedirectedStartInfo())
            ?? throw new InvalidOperationException($"could not start `{command}`");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? DefaultTimeout))
        {
            // Our own child, by its PID.
            process.Kill();
            process.WaitForExit();
            throw new TimeoutException($"`{command}` did not finish within {timeout ?? DefaultTimeout}");
        }
        process.WaitForExit();
        return new CommandResult(command, process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Runs the command and throws, with its output, unless it exits with status 0.</summary>
    public static CommandResult RunChecked(CommandLine command, TimeSpan? timeout = null)
    {
        var result = Run(command, timeout);
        if (!result.Succeeded)
            throw new InvalidOperationException(result.ToString());
        return result;
    }
}
