using System.Diagnostics;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>A program and its arguments, passed to exec without a shell.</summary>
public sealed record CommandLine(string Program, IReadOnlyList<string> Arguments)
{
    public CommandLine(string program, params string[] arguments)
        : this(program, (IReadOnlyList<string>)arguments)
    {
    }

    /// <summary>
    /// Runs the command inside <paramref name="netns"/>. "ip netns exec" execs the program, so
    /// the PID of the started process is the program's own and signals reach it directly.
    /// </summary>
    public CommandLine InNamespace(NetNamespace netns) =>
        new("ip", ["netns", "exec", netns.Name, Program, .. Arguments]);

    /// <summary>
    /// Makes a stdio program flush stdout at every newline. Into a pipe, testpmd's printf output
    /// (the per-second stats) would otherwise arrive in 4 KiB blocks, long after the fact.
    /// stdbuf execs the program too, keeping the PID.
    /// </summary>
    public CommandLine WithLineBufferedStdout() => new("stdbuf", ["-oL", Program, .. Arguments]);

    /// <summary>Sets NAME=value variables for the program only; env(1) execs it, keeping the PID.</summary>
    public CommandLine WithEnvironment(IReadOnlyList<string> assignments) =>
        assignments.Count == 0 ? this : new("env", [.. assignments, Program, .. Arguments]);

    /// <summary>How to start it with all three standard streams redirected to the test.</summary>
    public ProcessStartInfo ToRedirectedStartInfo()
    {
        var startInfo = new ProcessStartInfo(Program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in Arguments) startInfo.ArgumentList.Add(argument);
        return startInfo;
    }

    public override string ToString() => string.Join(' ', Arguments.Prepend(Program));
}
