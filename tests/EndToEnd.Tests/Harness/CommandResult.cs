namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>How a short-lived command ended: its exit status and its stdout plus stderr.</summary>
public sealed record CommandResult(CommandLine Command, int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"`{Command}` exited {ExitCode}:\n{Output}";
}
