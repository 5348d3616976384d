using VirtioForwarder.Daemon.Options;

namespace VirtioForwarder.Daemon.Tests.Options;

public class CpuOptionTests : CommandLineTestBase
{
    [Theory]
    [InlineData("1,2", new[] { 1, 2 })]
    [InlineData("2,1,2", new[] { 1, 2 })]
    [InlineData(",1,,5,", new[] { 1, 5 })]
    [InlineData("0", new[] { 0 })]
    [InlineData("63", new[] { 63 })]
    [InlineData("0x6", new[] { 1, 2 })]
    [InlineData("0xA", new[] { 1, 3 })]
    [InlineData("0x8000000000000001", new[] { 0, 63 })]
    [InlineData("0x00000000000000000001", new[] { 0 })]
    public void CpusForms(string value, int[] cpus)
    {
        Assert.Equal(cpus, Ok("-C", value).WorkerCpus.Cpus);
        Assert.Equal(cpus, Ok("-C" + value).WorkerCpus.Cpus);
        Assert.Equal(cpus, Ok("--cpus=" + value).WorkerCpus.Cpus);
        Assert.Equal(cpus, Ok("--cpus", value).WorkerCpus.Cpus);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData(",,", "is empty")]
    [InlineData("0x", "is empty")]
    [InlineData("0x0", "is empty")]
    [InlineData("64", "must be 0-63")]
    [InlineData("1,64", "must be 0-63")]
    [InlineData("1-3", "Invalid comma separated list")]
    [InlineData(" 1", "Invalid comma separated list")]
    [InlineData("6x", "Invalid comma separated list")]
    [InlineData("0X6", "Invalid comma separated list")]
    [InlineData("0xg", "Invalid hex CPU bitmap")]
    [InlineData("0x-1", "Invalid hex CPU bitmap")]
    [InlineData("0x10000000000000000", "wider than 64 bits")]
    public void BadCpusFail(string value, string error)
    {
        string message = Fail("-C", value);
        Assert.StartsWith("Error with option '-C': ", message);
        Assert.Contains(error, message);
    }

    [Fact]
    public void CpusIsMandatory() =>
        Assert.Equal("The following mandatory options were omitted: -C --cpus", Fail("-J"));

    [Fact]
    public void EmptyCommandLineFails() =>
        Assert.Contains("mandatory", Fail());

    [Theory]
    [InlineData("3", 3)]
    [InlineData("0", 0)]
    [InlineData("1023", 1023)]
    public void MainLcore(string value, int expected)
    {
        Assert.Equal(expected, Ok("-C1", "-M", value).MainLcore);
        Assert.Equal(expected, Ok("-C1", "--master-lcore=" + value).MainLcore);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("-1")]
    [InlineData("2a")]
    [InlineData("1024")]
    public void BadMainLcoreFails(string value) =>
        Assert.StartsWith("Error with option '-M'", Fail("-C1", "-M", value));

    [Fact]
    public void PinWithOneCpuServesBothDirections() =>
        Assert.Equal([new RelayPin(3, 2, 2)], Ok("-C1,2", "-c", "3:2").Pins);

    [Fact]
    public void PinWithTwoCpusIsVfToVmThenVmToVf()
    {
        RelayPin pin = Ok("-C1,2", "-c3:1,2").Pins.Single();
        Assert.Equal(1, pin.VfToVmCpu);
        Assert.Equal(2, pin.VmToVfCpu);
    }

    [Fact]
    public void PinsAccumulateSortedBySemicolonsAndRepeats()
    {
        DaemonOptions o = Ok("-C0x1e", "--virtio-cpu=5:1;;0:2,3;", "-c", "7:4", "--virtio-cpu", "2:1");
        Assert.Equal([new RelayPin(0, 2, 3), new RelayPin(2, 1, 1), new RelayPin(5, 1, 1), new RelayPin(7, 4, 4)], o.Pins);
        Assert.Equal(new RelayPin(5, 1, 1), o.PinFor(5));
        Assert.Null(o.PinFor(1));
    }

    [Fact]
    public void LaterPinForTheSameRelayWins() =>
        Assert.Equal([new RelayPin(1, 2, 2)], Ok("-C1,2", "-c1:1", "-c1:2").Pins);

    [Fact]
    public void EmptyPinListIsAccepted() => Assert.Empty(Ok("-C1", "-c", "").Pins);

    [Fact]
    public void PinsMayComeBeforeCpus() =>
        Assert.Equal([new RelayPin(0, 5, 5)], Ok("-c0:5", "-C5").Pins);

    [Theory]
    [InlineData("-c0:3")]
    [InlineData("-c0:1,3")]
    [InlineData("-c0:3,1")]
    public void PinOutsideCpuMaskFails(string arg) =>
        Assert.Equal("Invalid CPU 3 specified for virtio 0 (not in CPU worker list 1,2)", Fail("-C1,2", arg));

    [Fact]
    public void PinRelayUpToMaxRelaysIsAcceptedAsUpstream()
    {
        Assert.Equal(64, Ok("-C1", "-c64:1").Pins.Single().Relay);
        Assert.Contains("Invalid virtio 65 specified, must be 0-64", Fail("-C1", "-c65:1"));
        Assert.Contains("must be 0-8", Fail("-C1", "--max-relays=8", "-c9:1"));
        Assert.Equal(8, Ok("-C1", "--max-relays=8", "-c8:1").Pins.Single().Relay);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1:")]
    [InlineData(":1")]
    [InlineData("1:2,")]
    [InlineData("1:2,3,4")]
    [InlineData("1:2:3")]
    [InlineData("a:1")]
    [InlineData("1:0x3")]
    [InlineData("1:64")]
    [InlineData("1:1,64")]
    [InlineData("0:1;bad")]
    public void BadPinsFail(string value) =>
        Assert.StartsWith("Error with option '-c'", Fail("-C0x3", "-c", value));
}
