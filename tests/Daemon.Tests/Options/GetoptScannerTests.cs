using VirtioForwarder.Daemon.Options;
using static VirtioForwarder.Daemon.Options.ArgumentKind;

namespace VirtioForwarder.Daemon.Tests.Options;

public class GetoptScannerTests
{
    // A table shaped like the daemon's: required, optional and flag options, shared prefixes, an extension.
    private static readonly OptionSpec[] Table =
    [
        new(OptionId.Cpus, 'C', "cpus", Required, ""),
        new(OptionId.MasterLcore, 'M', "master-lcore", Required, ""),
        new(OptionId.ZmqPortControlEp, 'Z', "zmq-port-control-ep", Optional, ""),
        new(OptionId.ZmqStatsEp, 'z', "zmq-stats-ep", Optional, ""),
        new(OptionId.NoDaemon, 'n', "nodaemon", Optional, ""),
        new(OptionId.EnableJumbo, 'J', "enable-jumbo", None, ""),
        new(OptionId.EnableTso, 'T', "enable-tso", None, ""),
        new(OptionId.DynamicSockets, 'd', "dynamic-sockets", None, ""),
        new(OptionId.MaxRelays, null, "max-relays", Required, "", IsExtension: true),
    ];

    private static (List<(OptionId Id, string? Value)> Options, GetoptScanner Scanner) Scan(params string[] args)
    {
        var scanner = new GetoptScanner(args, Table);
        var options = scanner.Scan().Select(o => (o.Option.Id, o.Value)).ToList();
        return (options, scanner);
    }

    private static string ScanError(params string[] args) =>
        Assert.Throws<CommandLineException>(() => Scan(args)).Message;

    [Theory]
    [InlineData("-C1,2")]
    [InlineData("-C", "1,2")]
    [InlineData("--cpus=1,2")]
    [InlineData("--cpus", "1,2")]
    [InlineData("--cp=1,2")]
    [InlineData("--c", "1,2")]
    public void RequiredValueAttachedOrSeparateShortOrLong(params string[] args)
    {
        var (options, scanner) = Scan(args);
        Assert.Equal([(OptionId.Cpus, (string?)"1,2")], options);
        Assert.Empty(scanner.Operands);
    }

    [Fact]
    public void RequiredValueIsTheNextWordEvenIfItLooksLikeAnOption()
    {
        Assert.Equal([(OptionId.Cpus, (string?)"-d")], Scan("-C", "-d").Options);
        Assert.Equal([(OptionId.Cpus, (string?)"--")], Scan("--cpus", "--").Options);
    }

    [Fact]
    public void EmptyAttachedLongValueIsAValue() =>
        Assert.Equal([(OptionId.Cpus, (string?)"")], Scan("--cpus=").Options);

    [Fact]
    public void ShortFlagsCluster() =>
        Assert.Equal([(OptionId.DynamicSockets, (string?)null), (OptionId.EnableJumbo, null), (OptionId.Cpus, "3")],
            Scan("-dJC3").Options);

    [Fact]
    public void ClusterEndingInRequiredOptionTakesNextWord() =>
        Assert.Equal([(OptionId.EnableJumbo, (string?)null), (OptionId.Cpus, "3")], Scan("-JC", "3").Options);

    [Fact]
    public void OptionalValueMustBeAttached()
    {
        Assert.Equal([(OptionId.ZmqPortControlEp, (string?)"ipc:///x")], Scan("-Zipc:///x").Options);
        Assert.Equal([(OptionId.ZmqPortControlEp, (string?)"ipc:///x")], Scan("--zmq-port-control-ep=ipc:///x").Options);

        var (separate, scanner) = Scan("-Z", "ipc:///x");
        Assert.Equal([(OptionId.ZmqPortControlEp, (string?)null)], separate);
        Assert.Equal(["ipc:///x"], scanner.Operands);

        var (longSeparate, longScanner) = Scan("--zmq-port-control-ep", "ipc:///x");
        Assert.Equal([(OptionId.ZmqPortControlEp, (string?)null)], longSeparate);
        Assert.Equal(["ipc:///x"], longScanner.Operands);
    }

    [Fact]
    public void OptionalShortOptionSwallowsTheRestOfTheCluster() =>
        Assert.Equal([(OptionId.EnableJumbo, (string?)null), (OptionId.NoDaemon, "d")], Scan("-Jnd").Options);

    [Fact]
    public void OperandsDoNotStopTheScan()
    {
        var (options, scanner) = Scan("stray", "-J", "-", "-T");
        Assert.Equal([(OptionId.EnableJumbo, (string?)null), (OptionId.EnableTso, null)], options);
        Assert.Equal(["stray", "-"], scanner.Operands);
        Assert.False(scanner.SawDoubleDash);
    }

    [Fact]
    public void DoubleDashEndsOptions()
    {
        var (options, scanner) = Scan("-J", "--", "-T", "x");
        Assert.Equal([(OptionId.EnableJumbo, (string?)null)], options);
        Assert.Equal(["-T", "x"], scanner.Operands);
        Assert.True(scanner.SawDoubleDash);
    }

    [Fact]
    public void UniqueAbbreviationsAndExactNames()
    {
        Assert.Equal(OptionId.EnableJumbo, Scan("--enable-j").Options.Single().Id);
        Assert.Equal(OptionId.DynamicSockets, Scan("--d").Options.Single().Id);
        Assert.Equal(OptionId.ZmqStatsEp, Scan("--zmq-s=x").Options.Single().Id);
    }

    [Fact]
    public void AmbiguousAbbreviationFails()
    {
        Assert.Contains("'--enable' is ambiguous", ScanError("--enable"));
        Assert.Contains("--zmq-port-control-ep --zmq-stats-ep", ScanError("--zmq"));
    }

    [Fact]
    public void UpstreamOptionWinsAnAmbiguityWithAnExtension()
    {
        Assert.Equal(OptionId.MasterLcore, Scan("--m", "0").Options.Single().Id);
        Assert.Equal(OptionId.MasterLcore, Scan("--ma", "0").Options.Single().Id);
        Assert.Equal(OptionId.MaxRelays, Scan("--max", "8").Options.Single().Id);
    }

    [Theory]
    [InlineData("Unknown option '-x'", "-x")]
    [InlineData("Unknown option '-x'", "-Jx")]
    [InlineData("Unknown option '--bogus'", "--bogus")]
    [InlineData("Unknown option '--=1'", "--=1")]
    [InlineData("Missing argument for option '-C'", "-C")]
    [InlineData("Missing argument for option '--cpus'", "--cpus")]
    [InlineData("Missing argument for option '--cpus'", "--cp")]
    [InlineData("Option '--enable-jumbo' does not take a value", "--enable-jumbo=1")]
    public void SyntaxErrors(string message, params string[] args) =>
        Assert.Equal(message, ScanError(args));

    [Fact]
    public void OptionsBeforeAnErrorAreYieldedFirst()
    {
        var scanner = new GetoptScanner(["-J", "-x"], Table);
        using var options = scanner.Scan().GetEnumerator();
        Assert.True(options.MoveNext());
        Assert.Equal(OptionId.EnableJumbo, options.Current.Option.Id);
        Assert.Throws<CommandLineException>(() => options.MoveNext());
    }

    [Fact]
    public void SpellingIsWhatTheUserTyped()
    {
        var scanner = new GetoptScanner(["-C1", "--cp=2"], Table);
        Assert.Equal(["-C", "--cpus"], scanner.Scan().Select(o => o.Spelling));
    }
}
