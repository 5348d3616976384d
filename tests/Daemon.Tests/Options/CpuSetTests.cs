using VirtioForwarder.Daemon.Options;

namespace VirtioForwarder.Daemon.Tests.Options;

public class CpuSetTests
{
    [Fact]
    public void Helpers()
    {
        CpuSet set = CpuSet.Of(5, 1, 63);
        Assert.Equal((1UL << 1) | (1UL << 5) | (1UL << 63), set.Mask);
        Assert.Equal([1, 5, 63], set.Cpus);
        Assert.Equal(3, set.Count);
        Assert.False(set.IsEmpty);
        Assert.True(set.Contains(5));
        Assert.False(set.Contains(2));
        Assert.False(set.Contains(-1));
        Assert.False(set.Contains(64));
        Assert.Equal("1,5,63", set.ToString());
        Assert.Equal("0x8000000000000022", set.ToHex());
        Assert.True(default(CpuSet).IsEmpty);
    }

    [Fact]
    public void ListAndHexFormsAgree() =>
        Assert.Equal(CpuSet.Parse("0xff00000000000000"), CpuSet.Parse(string.Join(",", Enumerable.Range(56, 8))));

    [Fact]
    public void ParseRoundTripsItsOwnForms()
    {
        CpuSet set = CpuSet.Of(0, 2, 40);
        Assert.Equal(set, CpuSet.Parse(set.ToString()));
        Assert.Equal(set, CpuSet.Parse(set.ToHex()));
    }

    [Fact]
    public void OfRejectsCpusOutsideTheMask() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuSet.Of(64));
}
