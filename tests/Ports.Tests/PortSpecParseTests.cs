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
    [InlineData("", "unknown kind; expected null, null:<size> or tap:<ifname>")]
    [InlineData("foo", "unknown kind; expected null, null:<size> or tap:<ifname>")]
    [InlineData("NULL", "unknown kind")]
    [InlineData(" null", "unknown kind")]
    [InlineData("foo:1", "unknown kind")]
    [InlineData("0000:05:08.1", "unknown kind")]
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
