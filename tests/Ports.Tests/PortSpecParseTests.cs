namespace VirtioForwarder.Ports.Tests;

public class PortSpecParseTests
{
    [Fact]
    public void NullIsASink()
    {
        Assert.Equal(new PortSpec(PortKind.Null, "null"), PortSpec.Parse("null"));
    }

    [Theory]
    [InlineData("null:14", 14)]
    [InlineData("null:64", 64)]
    [InlineData("null:1518", 1518)]
    [InlineData("null:9216", 9216)]
    [InlineData("null:0064", 64)]
    public void NullWithSizeIsASource(string text, int size)
    {
        Assert.Equal(new PortSpec(PortKind.Null, text, SourceFrameSize: size), PortSpec.Parse(text));
    }

    [Theory]
    [InlineData("null:64/1", 64, 1)]
    [InlineData("null:64/2", 64, 2)]
    [InlineData("null:1518/32", 1518, 32)]
    public void NullWithSizeAndQueuesIsAMultiQueueSource(string text, int size, int queues)
    {
        Assert.Equal(new PortSpec(PortKind.Null, text, SourceFrameSize: size, Queues: queues), PortSpec.Parse(text));
    }

    [Theory]
    [InlineData("tap:vfwd0", "vfwd0")]
    [InlineData("tap:a", "a")]
    [InlineData("tap:fifteen-chars-x", "fifteen-chars-x")]
    [InlineData("tap:a=b", "a=b")]
    [InlineData("tap:tap%d", "tap%d")]
    public void TapNamesAnInterface(string text, string name)
    {
        Assert.Equal(new PortSpec(PortKind.Tap, text, InterfaceName: name), PortSpec.Parse(text));
    }

    [Theory]
    [InlineData("0000:05:08.2", "0000:05:08.2")]
    [InlineData("0000:05:1f.7", "0000:05:1f.7")]
    [InlineData("ABCD:EF:0A.0", "abcd:ef:0a.0")]
    [InlineData("05:08.2", "0000:05:08.2")]
    [InlineData("aF:1E.3", "0000:af:1e.3")]
    public void APciAddressNamesAFunctionAsSysfsSpellsIt(string text, string address)
    {
        Assert.Equal(new PortSpec(PortKind.Pci, text, PciAddress: address), PortSpec.Parse(text));
    }

    [Theory]
    [InlineData("netdev:eth0", "eth0")]
    [InlineData("netdev:enp5s0f1v2", "enp5s0f1v2")]
    public void NetdevNamesAKernelInterface(string text, string name)
    {
        Assert.Equal(new PortSpec(PortKind.Netdev, text, InterfaceName: name), PortSpec.Parse(text));
    }

    [Theory]
    [InlineData("", "unknown kind; expected null, null:<size>[/<queues>], tap:<ifname>, netdev:<ifname> or a PCI address (dddd:bb:ss.f)")]
    [InlineData("foo", "unknown kind; expected null, null:<size>[/<queues>], tap:<ifname>, netdev:<ifname> or a PCI address")]
    [InlineData("NULL", "unknown kind")]
    [InlineData(" null", "unknown kind")]
    [InlineData("foo:1", "unknown kind")]
    [InlineData("0000:05:08.8", "unknown kind")]
    [InlineData("0000:05:20.1", "unknown kind")]
    [InlineData("000:05:08.1", "unknown kind")]
    [InlineData("0000:5:08.1", "unknown kind")]
    [InlineData("0000:05:08.1 ", "unknown kind")]
    [InlineData("0000:05:08.1\n", "unknown kind")]
    [InlineData("0000:05:08", "unknown kind")]
    [InlineData("05:08", "unknown kind")]
    [InlineData("netdev", "missing interface name")]
    [InlineData("netdev:", "missing interface name; expected tap:<ifname> or netdev:<ifname>")]
    [InlineData("netdev:sixteen-chars-xy", "is longer than 15 bytes")]
    [InlineData("netdev:a/b", "interface name 'a/b' contains '/'")]
    [InlineData("null:", "missing frame size")]
    [InlineData("null:abc", "frame size 'abc' is not a decimal integer")]
    [InlineData("null:-64", "frame size '-64' is not a decimal integer")]
    [InlineData("null:+64", "frame size '+64' is not a decimal integer")]
    [InlineData("null: 64", "frame size ' 64' is not a decimal integer")]
    [InlineData("null:64 ", "frame size '64 ' is not a decimal integer")]
    [InlineData("null:6.4", "frame size '6.4' is not a decimal integer")]
    [InlineData("null:64:1", "frame size '64:1' is not a decimal integer")]
    [InlineData("null:0", "frame size 0 is outside 14..9216")]
    [InlineData("null:13", "frame size 13 is outside 14..9216")]
    [InlineData("null:9217", "frame size 9217 is outside 14..9216")]
    [InlineData("null:99999999999", "frame size 99999999999 is outside 14..9216")]
    [InlineData("null:/2", "missing frame size")]
    [InlineData("null:64/", "queue count '' is not a decimal integer")]
    [InlineData("null:64/x", "queue count 'x' is not a decimal integer")]
    [InlineData("null:64/2/2", "queue count '2/2' is not a decimal integer")]
    [InlineData("null:64/0", "queue count 0 is outside 1..32")]
    [InlineData("null:64/33", "queue count 33 is outside 1..32")]
    [InlineData("null:13/2", "frame size 13 is outside 14..9216")]
    [InlineData("tap", "missing interface name")]
    [InlineData("tap:", "missing interface name")]
    [InlineData("tap:sixteen-chars-xy", "interface name 'sixteen-chars-xy' is longer than 15 bytes")]
    [InlineData("tap:ééééééé-x", "is longer than 15 bytes")]
    [InlineData("tap:.", "interface name '.' is not allowed")]
    [InlineData("tap:..", "interface name '..' is not allowed")]
    [InlineData("tap:a/b", "interface name 'a/b' contains '/'")]
    [InlineData("tap:a:b", "interface name 'a:b' contains ':'")]
    [InlineData("tap:a b", "contains whitespace or a control character")]
    [InlineData("tap:a\tb", "contains whitespace or a control character")]
    [InlineData("tap:a\0b", "contains whitespace or a control character")]
    public void InvalidSpecsNameTheSpecAndTheProblem(string text, string problem)
    {
        var e = Assert.Throws<FormatException>(() => PortSpec.Parse(text));
        Assert.StartsWith($"port spec '{text}': ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void NullTextIsAnArgumentError()
    {
        Assert.Throws<ArgumentNullException>(() => PortSpec.Parse(null!));
    }
}
