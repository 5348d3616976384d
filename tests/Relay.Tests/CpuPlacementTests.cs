using VirtioForwarder.Relay;

namespace VirtioForwarder.Relay.Tests;

public sealed class CpuPlacementTests
{
    [Fact]
    public void A_pin_wins_over_load()
    {
        var p = new CpuPlacement([1, 2]);
        Assert.Equal(2, p.Choose(Direction.VfToVm, pinned: 2));
        Assert.Equal(2, p.Choose(Direction.VmToVf, pinned: 2));
        Assert.Equal(22, p.LoadOf(2));
    }

    [Fact]
    public void Unpinned_directions_go_to_the_least_loaded_cpu_lowest_first()
    {
        var p = new CpuPlacement([1, 2, 3]);
        Assert.Equal(1, p.Choose(Direction.VfToVm, null)); // 1:12
        Assert.Equal(2, p.Choose(Direction.VmToVf, null)); // 2:10
        Assert.Equal(3, p.Choose(Direction.VfToVm, null)); // 3:12
        Assert.Equal(2, p.Choose(Direction.VmToVf, null)); // 2 has 10 < 12
        Assert.Equal(1, p.Choose(Direction.VfToVm, null)); // 1:12, 2:20, 3:12 -> 1
    }

    [Fact]
    public void Released_load_is_available_again()
    {
        var p = new CpuPlacement([1, 2]);
        int a = p.Choose(Direction.VfToVm, null);
        p.Choose(Direction.VmToVf, null);
        p.Release(Direction.VfToVm, a);
        Assert.Equal(0, p.LoadOf(a));
        Assert.Equal(a, p.Choose(Direction.VmToVf, null));
    }
}
