using System.Diagnostics;

namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>The outcome of a program that ran to its end.</summary>
public sealed record ProgramResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}; stdout: {Stdout}; stderr: {Stderr}";
}

/// <summary>
/// Runs the service scripts and the programs they start, with an environment made from scratch (a
/// plain PATH plus what the test sets) and, unless told otherwise, / as working directory, as systemd
/// gives them: nothing leaks in from the test runner's own environment.
/// </summary>
public static class ProgramRun
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static ProcessStartInfo StartInfo(
        string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory ?? "/",
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return start;
    }

    /// <summary>Runs <paramref name="program"/> to its end; a run past the limit is killed and fails the test.</summary>
    public static ProgramResult Run(
        string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        using var process = Process.Start(StartInfo(program, args, environment, workingDirectory))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill();
            Assert.Fail($"{program} did not finish within {Limit}");
        }
        process.WaitForExit();
        return new ProgramResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
