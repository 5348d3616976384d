using VirtioForwarder.Daemon.Tests.Options;

namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>
/// packaging/install run on a stand-in publish folder in a temporary directory: the two programs
/// are <see cref="ArgvRecorder"/>s (so an installed script that starts one shows the exact command
/// line) and a library beside them, as the real publish folder has.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class StagedInstall
{
    public const string LibDir = "/usr/lib/virtio-forwarder";
    public const string UnitDir = "/lib/systemd/system";
    public const string ConfigFile = "/etc/default/virtioforwarder";

    /// <summary>Runs the installer (DESTDIR=<paramref name="destDir"/> unless null), which must succeed.</summary>
    public static ProgramResult Run(TempDirectory temp, string? destDir, params string[] args)
    {
        string from = Path.Combine(temp.Path, "publish");
        if (!Directory.Exists(from))
        {
            Directory.CreateDirectory(from);
            foreach (string program in new[] { "virtio-forwarder", "vfwdctl" })
                File.Move(ArgvRecorder.Create(from), Path.Combine(from, program));
            File.WriteAllText(Path.Combine(from, "support.dll"), "");
        }
        var environment = new Dictionary<string, string>();
        if (destDir is not null) environment["DESTDIR"] = destDir;
        ProgramResult result = ProgramRun.Run(RepositoryPaths.Installer, [$"--from={from}", .. args], environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>The values of the unit settings named <paramref name="keys"/>, in file order.</summary>
    public static string[] Values(string[] unitLines, params string[] keys) =>
        unitLines.Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2 && keys.Contains(kv[0])).Select(kv => kv[1]).ToArray();
}
