using VirtioForwarder.Daemon.Tests.Options;
using Xunit.Abstractions;

namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>packaging/install: every file lands where the units and scripts look for it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InstallerTests(ITestOutputHelper output) : IDisposable
{
    private const string LibDir = StagedInstall.LibDir;
    private const string UnitDir = StagedInstall.UnitDir;
    private static readonly string[] Units = ["virtio-forwarder.service", "vio4wd_core_scheduler.service"];

    private readonly TempDirectory _temp = new();

    private string DestDir => Path.Combine(_temp.Path, "dest");

    [Fact]
    public void EveryPathTheUnitsNameExistsUnderDestDir()
    {
        StagedInstall.Run(_temp, DestDir);
        foreach (string unit in Units)
        {
            string[] lines = File.ReadAllLines($"{DestDir}{UnitDir}/{unit}");
            foreach (string program in StagedInstall.Values(lines, "ExecStartPre", "ExecStart", "ExecStopPost"))
                AssertExecutable(DestDir + program.Split(' ')[0]);
            Assert.Equal(["/etc/default/virtioforwarder"], StagedInstall.Values(lines, "EnvironmentFile"));
            Assert.Equal(["VIRTIOFWD_CONFIG_FILE=/etc/default/virtioforwarder"], StagedInstall.Values(lines, "Environment"));
        }
        Assert.Equal(File.ReadAllText(RepositoryPaths.ShippedConfig), File.ReadAllText($"{DestDir}/etc/default/virtioforwarder"));
    }

    [Fact]
    public void ScriptsFindTheProgramsNextToThem()
    {
        StagedInstall.Run(_temp, DestDir);
        AssertExecutable($"{DestDir}{LibDir}/bin/virtio-forwarder");
        AssertExecutable($"{DestDir}{LibDir}/bin/vfwdctl");
        Assert.True(File.Exists($"{DestDir}{LibDir}/bin/support.dll"), "the rest of the publish folder was not copied");
        Assert.True(File.Exists($"{DestDir}{LibDir}/vio4wd-functions.sh"));
        Assert.Equal($"{LibDir}/bin/virtio-forwarder", new FileInfo($"{DestDir}/usr/bin/virtio-forwarder").LinkTarget);
        Assert.Equal($"{LibDir}/bin/vfwdctl", new FileInfo($"{DestDir}/usr/bin/vfwdctl").LinkTarget);
    }

    [Fact]
    public void UpstreamsPythonModuleLandsWhereTheirScriptsImportIt()
    {
        string module = _temp.Create("lib/virtio-forwarder/protobuf/virtioforwarder");
        File.WriteAllText(Path.Combine(module, "virtioforwarder_pb2.py"), "# generated\n");
        StagedInstall.Run(_temp, DestDir);
        Assert.True(File.Exists($"{DestDir}{LibDir}/protobuf/virtioforwarder/virtioforwarder_pb2.py"));
    }

    [Fact]
    public void AnEditedConfigIsKept()
    {
        StagedInstall.Run(_temp, DestDir);
        File.AppendAllText($"{DestDir}/etc/default/virtioforwarder", "VIRTIOFWD_CPU_MASK=3\n");
        ProgramResult again = StagedInstall.Run(_temp, DestDir);
        Assert.EndsWith("VIRTIOFWD_CPU_MASK=3\n", File.ReadAllText($"{DestDir}/etc/default/virtioforwarder"));
        Assert.Equal(File.ReadAllText(RepositoryPaths.ShippedConfig), File.ReadAllText($"{DestDir}/etc/default/virtioforwarder.dist"));
        Assert.Contains("kept /etc/default/virtioforwarder", again.Stdout);
    }

    [Fact]
    public void OtherDirectoriesAreWrittenIntoTheUnits()
    {
        string root = _temp.Path;
        StagedInstall.Run(_temp, null, $"--libdir={root}/lib", $"--bindir={root}/bin", $"--confdir={root}/etc", $"--unitdir={root}/units");
        string[] lines = File.ReadAllLines($"{root}/units/virtio-forwarder.service");
        Assert.Equal([$"{root}/lib/vio4wd-pre-start.sh", $"{root}/lib/vio4wd-start.sh", $"{root}/lib/vio4wd-post-stop.sh"],
            StagedInstall.Values(lines, "ExecStartPre", "ExecStart", "ExecStopPost"));
        Assert.Equal([$"{root}/etc/virtioforwarder"], StagedInstall.Values(lines, "EnvironmentFile"));
        Assert.Equal([$"VIRTIOFWD_CONFIG_FILE={root}/etc/virtioforwarder"], StagedInstall.Values(lines, "Environment"));
        VerifyWithSystemd(Units.Select(u => $"{root}/units/{u}").ToArray());
    }

    [Fact]
    public void RefusesWithoutPublishedPrograms()
    {
        ProgramResult result = ProgramRun.Run(RepositoryPaths.Installer, [$"--from={_temp.Path}"],
            new Dictionary<string, string> { ["DESTDIR"] = DestDir });
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("run ./build first", result.Stderr);
        Assert.False(Directory.Exists(DestDir));
    }

    [Fact]
    public void RefusesUnknownArguments()
    {
        Assert.Equal(2, ProgramRun.Run(RepositoryPaths.Installer, ["--prefix=/x"], new Dictionary<string, string>()).ExitCode);
    }

    /// <summary>
    /// systemd's own check of the units (syntax, known settings, executables present). The package
    /// systemd brings systemd-analyze; where it is missing the check is reported as not done.
    /// </summary>
    private void VerifyWithSystemd(string[] units)
    {
        const string analyze = "/usr/bin/systemd-analyze";
        if (!File.Exists(analyze))
        {
            output.WriteLine($"NOT CHECKED: {analyze} is missing (Debian package systemd), the units were not verified by systemd");
            return;
        }
        ProgramResult result = ProgramRun.Run(analyze, ["verify", .. units], new Dictionary<string, string>());
        Assert.True(result.ExitCode == 0 && result.Stdout == "" && result.Stderr == "", result.ToString());
    }

    private static void AssertExecutable(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing");
        Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), $"{path} is not executable");
    }

    public void Dispose() => _temp.Dispose();
}
