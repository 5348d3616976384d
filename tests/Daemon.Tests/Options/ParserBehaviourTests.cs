using System.Runtime.InteropServices;
using VirtioForwarder.Daemon.Options;

namespace VirtioForwarder.Daemon.Tests.Options;

public class ParserBehaviourTests : CommandLineTestBase
{
    [Theory]
    [InlineData("-v")]
    [InlineData("--version")]
    [InlineData("--vers")]
    public void VersionNeedsNoCpus(string arg)
    {
        ParseResult result = Parse(arg);
        Assert.Equal(ParseOutcome.ShowVersion, result.Outcome);
        Assert.Equal(0, result.ExitCode);
        Assert.Null(result.Options);
        Assert.Equal(VersionBanner.Current, result.Message);
    }

    [Fact]
    public void VersionSkipsChecksAcrossOptions() =>
        Assert.Equal(ParseOutcome.ShowVersion, Parse("-C1", "-c0:5", "-v").Outcome);

    [Fact]
    public void VersionStillFailsOnBadOptionsAndStrayArguments()
    {
        Assert.StartsWith("Error with option '-C'", Fail("-v", "-C", "x"));
        Assert.Equal("Unknown option '-X'", Fail("-v", "-X"));
        Assert.Equal("Unhandled extra option 'extra'", Fail("-v", "extra"));
    }

    [Fact]
    public void VersionBannerShape()
    {
        Assert.Equal("Virtio-forwarder version 1.2.3 (.NET 10.0.1)", VersionBanner.Format("1.2.3", ".NET 10.0.1"));
        Assert.Equal($"Virtio-forwarder version {VersionBanner.ProductVersion} ({RuntimeInformation.FrameworkDescription})", VersionBanner.Current);
        Assert.DoesNotContain("+", VersionBanner.ProductVersion);
    }

    [Fact]
    public void StrayArgumentFails()
    {
        Assert.Equal("Unhandled extra option 'b=2'", Fail("-C1", "-Pnull=1", "b=2"));
        Assert.Equal("Unhandled extra option 'first'", Fail("first", "-C1", "second"));
    }

    [Fact]
    public void OperandsAfterDoubleDashAreIgnoredAsUpstream()
    {
        DaemonOptions o = Ok("-C1", "--", "-J", "whatever");
        Assert.False(o.Jumbo);
        Assert.Equal(ParseOutcome.Run, Parse("before", "-C1", "--", "after").Outcome);
    }

    [Fact]
    public void DoubleDashAsAValueIsNotAnEndMarker() =>
        Assert.Equal("Unhandled extra option 'x'", Fail("-C1", "-O", "--", "x"));

    [Theory]
    [InlineData("Unknown option '-h'", "-h")]
    [InlineData("Unknown option '--help'", "--help")]
    [InlineData("Unknown option '-x'", "-Jx")]
    [InlineData("Missing argument for option '-C'", "-C")]
    [InlineData("Missing argument for option '--cpus'", "--cpus")]
    public void SyntaxErrorsFailWithUsage(string message, params string[] args) =>
        Assert.Equal(message, Fail(args));

    [Fact]
    public void FirstErrorOnTheCommandLineIsReported() =>
        Assert.StartsWith("Error with option '-M'", Fail("-C1", "-Mx", "-X"));

    [Theory]
    [InlineData("--c", "0x3")]   // cpus: --control-socket is ours and must not make it ambiguous
    [InlineData("--cpu", "0x3")]
    [InlineData("--cpus", "0x3")]
    public void CpusAbbreviations(string option, string value) =>
        Assert.Equal(CpuSet.Of(0, 1), Ok(option, value).WorkerCpus);

    [Fact]
    public void LongAbbreviationsAgainstTheRealTable()
    {
        Assert.Equal(5, Ok("-C1", "--m=5").MainLcore);             // master-lcore beats our max-relays
        Assert.Equal(9, Ok("-C1", "--max=9").MaxRelays);
        Assert.Equal(Temp.Path, Ok("-C1", "--p", Temp.Path).PidDirectory); // pid-path beats port-driver and poll
        Assert.True(Ok("-C1", "--vhostu").VhostUserClient);
        Assert.Equal("/v", Ok("-C1", "--vhost-p=/v").VhostPath);
        Assert.Contains("ambiguous", Fail("-C1", "--po=busy"));         // two extensions
        Assert.Contains("--vhost-username --vhost-groupname --vhost-path --vhost-socket", Fail("-C1", "--vhost-"));
        Assert.Contains("ambiguous", Fail("-C1", "--zmq-c"));           // config and core-sched
    }

    [Fact]
    public void WriteToPrintsFailuresOnStderr()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Parse("-X").WriteTo(stdout, stderr);
        Assert.Empty(stdout.ToString());
        Assert.StartsWith("Unknown option '-X'\nUSAGE: virtio-forwarder ", stderr.ToString());
    }

    [Fact]
    public void WriteToPrintsTheVersionOnStdout()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Parse("-v").WriteTo(stdout, stderr);
        Assert.Equal(VersionBanner.Current + Environment.NewLine, stdout.ToString());
        Assert.Empty(stderr.ToString());
    }

    [Fact]
    public void WriteToPrintsNothingForRun()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Parse("-C1").WriteTo(stdout, stderr);
        Assert.Empty(stdout.ToString() + stderr.ToString());
    }

    [Fact]
    public void SysfsRootComesFromTheEnvironmentVariableByDefault() =>
        Assert.Equal(Environment.GetEnvironmentVariable(ParserEnvironment.SysfsRootVariable) is { Length: > 0 } root ? root : "/sys",
            ParserEnvironment.FromProcess().SysfsRoot);
}
