using VirtioForwarder.Platform;
using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests;

/// <summary>What the control thread does to a queue: size, features, attaching rings, liveness, hand-off, disposal.</summary>
public sealed class QueueConfigurationTests : QueueFixture
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(65535)]
    [InlineData(49152)]
    public void Sizes_other_than_powers_of_two_up_to_32768_are_refused(int size)
    {
        var q = new SplitQueue(4);
        var e = Assert.Throws<ArgumentException>(() => q.Size = (ushort)size);
        Assert.Contains("queue 4", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(256)]
    [InlineData(32768)]
    public void Powers_of_two_up_to_32768_are_sizes(int size)
    {
        var q = new SplitQueue(0) { Size = (ushort)size };
        Assert.Equal(size, q.Size);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(13)]
    public void Impossible_header_lengths_are_refused(int length)
    {
        var q = new SplitQueue(0);
        Assert.Throws<ArgumentException>(() => q.Features = Plain with { NetHeaderLength = length });
    }

    [Fact]
    public void A_ring_without_a_size_does_not_attach()
    {
        var q = new SplitQueue(0) { Addresses = Driver.Addresses() };
        Assert.False(q.Attach(Ram.Memory, out string? error));
        Assert.Contains("size", error);
        Assert.False(q.IsLive);
    }

    [Theory]
    [InlineData("descriptor table")]
    [InlineData("avail ring")]
    [InlineData("used ring")]
    public void A_ring_part_outside_guest_memory_does_not_attach(string part)
    {
        var a = Driver.Addresses();
        ulong outside = GuestRam.Region1Uva + GuestRam.Region1Size;
        a = part switch
        {
            "descriptor table" => a with { DescUser = outside },
            "avail ring" => a with { AvailUser = outside },
            _ => a with { UsedUser = outside },
        };
        var q = new SplitQueue(0) { Size = RingSize, Addresses = a, Enabled = true };
        Assert.False(q.Attach(Ram.Memory, out string? error));
        Assert.Contains($"{part} at 0x{outside:x}", error);
        Assert.False(q.IsLive);
    }

    [Fact]
    public void A_ring_running_off_the_end_of_its_region_does_not_attach()
    {
        // avail_event would be in region 1's first bytes: adjacent in guest-physical
        // space, but the ring is addressed in the frontend's, where the regions are far apart.
        ulong used = GuestRam.Region0Uva + GuestRam.Region0Size - (6 + 8ul * RingSize) + 2;
        Assert.Equal(0ul, used % 4);
        var q = new SplitQueue(0) { Size = RingSize, Addresses = Driver.Addresses() with { UsedUser = used } };
        Assert.False(q.Attach(Ram.Memory, out string? error));
        Assert.Contains($"used ring at 0x{used:x} (134 bytes) is not in guest memory", error);
    }

    [Theory]
    [InlineData(8ul, 0ul, 0ul, "descriptor table")]
    [InlineData(0ul, 1ul, 0ul, "avail ring")]
    [InlineData(0ul, 0ul, 2ul, "used ring")]
    public void Misaligned_rings_do_not_attach(ulong descShift, ulong availShift, ulong usedShift, string part)
    {
        var a = Driver.Addresses();
        a = a with { DescUser = a.DescUser + descShift, AvailUser = a.AvailUser + availShift, UsedUser = a.UsedUser + usedShift };
        var q = new SplitQueue(0) { Size = RingSize, Addresses = a };
        Assert.False(q.Attach(Ram.Memory, out string? error));
        Assert.Contains($"{part} at", error);
        Assert.Contains("aligned", error);
    }

    [Fact]
    public void Live_means_attached_and_enabled()
    {
        var q = Queue();
        Assert.True(q.IsLive);
        q.Enabled = false;
        Assert.False(q.IsLive);
        q.Enabled = true;
        q.Detach();
        Assert.False(q.IsLive);
        Assert.True(q.Attach(Ram.Memory, out _));
        Assert.True(q.IsLive);
    }

    [Fact]
    public void New_addresses_or_a_new_size_detach_the_ring()
    {
        var q = Queue();
        q.Addresses = q.Addresses;
        Assert.True(q.IsLive);
        q.Addresses = q.Addresses with { LogGuestAddr = 0x1000 };
        Assert.False(q.IsLive);

        Assert.True(q.Attach(Ram.Memory, out _));
        q.Size = RingSize / 2;
        Assert.False(q.IsLive);
    }

    [Fact]
    public void Attaching_continues_from_the_used_index_in_the_ring()
    {
        Driver.UsedIdx = 7;
        Driver.AvailIdx = 7;
        var q = Queue();
        Driver.PostTx(Header, Patterns.Frame(60));
        Assert.Equal(1, q.Dequeue(Frames(1)));
        Assert.Equal(8, Driver.UsedIdx);
        Assert.Equal((0u, 0u), Driver.Used(7));
    }

    [Fact]
    public void Available_entries_count_from_next_avail()
    {
        var q = Queue();
        for (int i = 0; i < 3; i++) Driver.PostTx(Header, Patterns.Frame(60));
        Assert.Equal(3, q.AvailableEntries);
        q.NextAvail = 2;
        Assert.Equal(1, q.AvailableEntries);
        Assert.Equal(0, new SplitQueue(0).AvailableEntries);
    }

    [Fact]
    public void Only_one_side_is_inside_at_a_time()
    {
        var q = new SplitQueue(0);
        Assert.True(q.TryEnter());
        Assert.False(q.TryEnter());
        q.Exit();
        Assert.True(q.TryEnter());
        q.Exit();
    }

    [Fact]
    public void Exclusive_entry_waits_for_the_running_burst()
    {
        var q = new SplitQueue(0);
        Assert.True(q.TryEnter());
        var control = Task.Run(() =>
        {
            q.EnterExclusive();
            q.Exit();
        });
        Assert.False(control.Wait(100));
        q.Exit();
        Assert.True(control.Wait(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Exclusive_entry_keeps_the_worker_out_until_exit()
    {
        var q = new SplitQueue(0);
        q.EnterExclusive();
        Assert.False(q.TryEnter());
        q.Exit();
        Assert.True(q.TryEnter());
    }

    [Fact]
    public void Dispose_detaches_and_closes_kick_and_call()
    {
        var q = Queue();
        var kick = EventFd.Create();
        var call = EventFd.Create();
        q.Kick = kick;
        q.Call = call;

        q.Dispose();
        Assert.False(q.IsLive);
        Assert.Null(q.Kick);
        Assert.Null(q.Call);
        Assert.Equal(-1, kick.Fd);
        Assert.Equal(-1, call.Fd);
        q.Dispose();
    }
}
