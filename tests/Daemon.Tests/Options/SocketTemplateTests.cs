using VirtioForwarder.Daemon.Options;

namespace VirtioForwarder.Daemon.Tests.Options;

public class SocketTemplateTests
{
    [Fact]
    public void DefaultTemplate()
    {
        Assert.Equal("virtio-forwarder%u.sock", SocketTemplate.Default.Text);
        Assert.Equal(SocketTemplate.Default, SocketTemplate.Parse("virtio-forwarder%u.sock"));
        Assert.Equal("/tmp/virtio-forwarder5.sock", SocketTemplate.Default.PathFor("/tmp", 5));
    }

    [Theory]
    [InlineData("%u", "", "")]
    [InlineData("a%u", "a", "")]
    [InlineData("%u.sock", "", ".sock")]
    [InlineData("vm%u-x", "vm", "-x")]
    [InlineData("1%u", "1", "")]
    [InlineData("%%u", "%", "")]
    public void SplitsAroundThePlaceholder(string template, string prefix, string suffix)
    {
        SocketTemplate parsed = SocketTemplate.Parse(template);
        Assert.Equal((prefix, suffix), (parsed.Prefix, parsed.Suffix));
        Assert.Equal(template, parsed.Text);
        Assert.Equal(template, parsed.ToString());
    }

    [Fact]
    public void ThirtyOneBytesIsTheLimit()
    {
        string longest = "%u" + new string('s', 29);
        Assert.Equal(longest, SocketTemplate.Parse(longest).Text);
        Assert.Throws<CommandLineException>(() => SocketTemplate.Parse(longest + "s"));
        // Bytes, not characters: "é" is two bytes in the C daemon's buffer.
        Assert.Throws<CommandLineException>(() => SocketTemplate.Parse("%u" + new string('é', 15)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("nothing")]
    [InlineData("%d")]
    [InlineData("%u%u")]
    [InlineData("a%ub%u")]
    [InlineData("/%u")]
    [InlineData("%u/")]
    [InlineData("%u1")]
    [InlineData("x%u9.sock")]
    public void RuleBreakersFail(string template) =>
        Assert.Throws<CommandLineException>(() => SocketTemplate.Parse(template));

    [Fact]
    public void TrailingSlashOnTheDirectoryGivesDoubleSlash() =>
        Assert.Equal("/tmp//virtio-forwarder0.sock", SocketTemplate.Default.PathFor("/tmp/", 0));

    [Theory]
    [InlineData("/tmp/virtio-forwarder0.sock", 0)]
    [InlineData("/tmp/virtio-forwarder5.sock", 5)]
    [InlineData("/tmp/virtio-forwarder63.sock", 63)]
    [InlineData("/tmp/virtio-forwarder64.sock", null)]
    [InlineData("/tmp/virtio-forwarder05.sock", null)]
    [InlineData("/tmp/virtio-forwarder00.sock", null)]
    [InlineData("/tmp/virtio-forwarder.sock", null)]
    [InlineData("/tmp/virtio-forwarder-1.sock", null)]
    [InlineData("/tmp/virtio-forwarder+1.sock", null)]
    [InlineData("/tmp/virtio-forwarder1.socket", null)]
    [InlineData("/tmp//virtio-forwarder1.sock", null)]
    [InlineData("/var/virtio-forwarder1.sock", null)]
    [InlineData("/tmp/virtio-forwarder99999999999999999999.sock", null)]
    [InlineData("", null)]
    public void RelayFromPathMatchesOnlyExactSocketPaths(string path, int? relay) =>
        Assert.Equal(relay, SocketTemplate.Default.RelayFromPath("/tmp", path, 64));

    [Fact]
    public void RelayFromPathRoundTrips()
    {
        SocketTemplate template = SocketTemplate.Parse("vm%u");
        foreach (int relay in new[] { 0, 1, 9, 10, 4095 })
            Assert.Equal(relay, template.RelayFromPath("/run/", template.PathFor("/run/", relay), 4096));
        Assert.Null(template.RelayFromPath("/run/", "/run/vm", 4096));
    }
}
