namespace VirtioForwarder.Ports.Tests;

public class PortFactoryTests
{
    [Fact]
    public void OpensTheKindTheSpecNames()
    {
        using var port = PortFactory.Open(PortSpec.Parse("null:64"));
        var nullPort = Assert.IsType<NullPort>(port);
        Assert.Equal("null:64", nullPort.Name);
        Assert.Equal(64, nullPort.SourceFrameSize);
    }

    [Fact]
    public void ASourceFrameMustFitTheFrameCapacity()
    {
        using (PortFactory.Open(PortSpec.Parse("null:2304"))) { }
        var e = Assert.Throws<ArgumentException>(() => PortFactory.Open(PortSpec.Parse("null:9000")));
        Assert.Contains("port spec 'null:9000': frame size 9000 exceeds the frame capacity 2304", e.Message);
        using (PortFactory.Open(PortSpec.Parse("null:9000"), 9216)) { }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(1 << 20)]
    public void FrameCapacityMustBeSensible(int capacity)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PortFactory.Open(PortSpec.Parse("null"), capacity));
    }

    [Fact]
    public void SpecsBuiltWithoutParsingAreCheckedToo()
    {
        var size = Assert.Throws<ArgumentException>(() => PortFactory.Open(new PortSpec(PortKind.Null, "odd", SourceFrameSize: 5)));
        Assert.Contains("port spec 'odd': frame size 5 is outside 14..9216", size.Message);
        var name = Assert.Throws<ArgumentException>(() => PortFactory.Open(new PortSpec(PortKind.Tap, "odd", InterfaceName: "much-too-long-a-name")));
        Assert.Contains("port spec 'odd': interface name 'much-too-long-a-name' is longer than 15 bytes", name.Message);
        Assert.Throws<ArgumentException>(() => PortFactory.Open(new PortSpec((PortKind)99, "odd")));
    }
}
