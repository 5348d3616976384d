using System.Text.RegularExpressions;
using VirtioForwarder.Daemon.Options;

namespace VirtioForwarder.Daemon.Tests.Options;

public class UsageTextTests
{
    private static readonly string Usage = UsageText.For(DaemonOptionTable.All);
    private static readonly string[] Lines = Usage.Split('\n');

    [Fact]
    public void ListsEveryOptionInTheSynopsisAndOnItsOwnLine()
    {
        string synopsis = Usage.Split("Options:")[0];
        foreach (OptionSpec option in DaemonOptionTable.All)
        {
            Assert.Contains("--" + option.Long, synopsis);
            string start = option.Short is { } c ? $"  -{c}" : new string(' ', 15) + "--";
            Assert.Contains(Lines, l => l.StartsWith(start) && l.Contains("--" + option.Long));
        }
    }

    [Fact]
    public void SynopsisBracketsOptionalOptionsOnly()
    {
        Assert.StartsWith("USAGE: virtio-forwarder --cpus=<val> [--master-lcore=<val>] [--nodaemon[=<val>]]", Usage);
        Assert.Contains("[--ipc]", Usage);
    }

    [Theory]
    [InlineData("  -C<val>   or --cpus=<val>")]
    [InlineData("  -Z[<val>] or --zmq-port-control-ep[=<val>]")]
    [InlineData("  -J        or --enable-jumbo")]
    [InlineData("               --max-relays=<val>")]
    public void OptionLinesLookLikeUpstreams(string start) =>
        Assert.Contains(Lines, l => l.StartsWith(start + " "));

    [Fact]
    public void HelpStartsInOneColumnAndLinesStayNarrow()
    {
        Assert.All(Lines, l => Assert.True(l.Length <= 100, l));
        Assert.All(Lines.SkipWhile(l => l != "Options:").Skip(1).Where(l => l.Length > 0),
            l => Assert.True(l[45] == ' ' && l[46] != ' ', l));
    }

    [Fact]
    public void MentionsDefaults()
    {
        string flat = Regex.Replace(Usage, @"\s+", " ");
        Assert.Contains("(default: libvirt-qemu)", flat);
        Assert.Contains("(default: ipc:///var/run/virtio-forwarder/port_control)", flat);
    }
}
