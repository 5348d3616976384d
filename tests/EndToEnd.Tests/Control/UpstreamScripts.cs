using System.Diagnostics;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>
/// Upstream's Python clients (scripts/python3, contract §7), run with Debian's python and the
/// module ./build generates under out/lib/virtio-forwarder. The scripts are not part of this
/// repository: VFWD_UPSTREAM_SCRIPTS names a directory holding them, e.g. after
/// <c>git -C &lt;upstream&gt; archive HEAD scripts/python3 | tar -x -C /var/tmp/vfwd-upstream</c>
/// it is /var/tmp/vfwd-upstream/scripts/python3.
/// </summary>
public sealed class UpstreamScripts(string directory, ITestOutputHelper output)
{
    public const string Variable = "VFWD_UPSTREAM_SCRIPTS";

    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    // ./build puts protobuf/virtioforwarder/virtioforwarder_pb2.py here, as upstream's meson install does.
    private static string ModuleRoot =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ProductPaths.Daemon)!, "..", "lib", "virtio-forwarder"));

    /// <summary>The scripts, or null (having said so) when VFWD_UPSTREAM_SCRIPTS is not set.</summary>
    public static UpstreamScripts? Find(ITestOutputHelper output)
    {
        string? directory = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(directory))
            return new UpstreamScripts(directory, output);
        output.WriteLine($"{Variable} is not set: upstream's Python clients were not run");
        return null;
    }

    /// <summary>A long-running script (scheduler, monitor), unbuffered so its output arrives line by line.</summary>
    public CommandLine Command(string name, params string[] arguments) =>
        new CommandLine(Python, ["-u", Path.Combine(directory, name), .. arguments]).WithEnvironment([$"PYTHONPATH={ModuleRoot}"]);

    /// <summary>Runs one script to its end; returns rc and trimmed stdout.</summary>
    public (int, string) Run(string name, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(directory, name));
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["PYTHONPATH"] = ModuleRoot;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill();
            throw new TimeoutException($"{name} did not finish within {Limit}");
        }
        output.WriteLine($"$ {name} {string.Join(' ', arguments)} → {process.ExitCode}\n{stdout.Result}{stderr.Result}");
        return (process.ExitCode, stdout.Result.TrimEnd().Replace("\r", ""));
    }
}
