using VirtioForwarder.Memory.Tests.Support;

namespace VirtioForwarder.Memory.Tests;

/// <summary>Two adjacent regions, each its own memfd: translation edges and bounds.</summary>
public sealed unsafe class GuestMemoryTranslationTests : IDisposable
{
    private const ulong Size = 0x10000;
    private const ulong Gpa0 = 0, Gpa1 = Size;
    private const ulong Uva0 = 0x7f00_0000_0000, Uva1 = 0x7f80_0000_0000;

    private readonly SharedFile _file0 = new(Size), _file1 = new(Size);
    private readonly GuestMemory _memory;

    public GuestMemoryTranslationTests()
    {
        _memory = GuestMemory.Map(
            [new RegionDescriptor(Gpa0, Size, Uva0, 0), new RegionDescriptor(Gpa1, Size, Uva1, 0)],
            [_file0.Dup(), _file1.Dup()]);
    }

    public void Dispose()
    {
        _memory.Dispose();
        _file0.Dispose();
        _file1.Dispose();
    }

    [Fact]
    public void Regions_are_reported_as_given()
    {
        Assert.Equal(2, _memory.Regions.Count);
        Assert.Equal(new RegionDescriptor(Gpa1, Size, Uva1, 0), _memory.Regions[1]);
    }

    [Fact]
    public void First_and_last_byte_of_each_region_translate_to_the_right_file()
    {
        _file0.View[0] = 0xA0;
        _file0.View[Size - 1] = 0xA1;
        _file1.View[0] = 0xB0;
        _file1.View[Size - 1] = 0xB1;

        Assert.Equal(0xA0, *_memory.GpaToHost(Gpa0, 1));
        Assert.Equal(0xA1, *_memory.GpaToHost(Gpa0 + Size - 1, 1));
        Assert.Equal(0xB0, *_memory.GpaToHost(Gpa1, 1));
        Assert.Equal(0xB1, *_memory.GpaToHost(Gpa1 + Size - 1, 1));
        Assert.Equal(0xB0, *_memory.UvaToHost(Uva1, 1));
        Assert.Equal(0xA1, *_memory.UvaToHost(Uva0 + Size - 1, 1));
    }

    [Fact]
    public void A_whole_region_translates()
    {
        Assert.True(_memory.GpaToHost(Gpa0, Size) != null);
        Assert.True(_memory.UvaToHost(Uva1, Size) != null);
    }

    [Fact]
    public void A_range_one_byte_past_the_end_does_not_translate()
    {
        Assert.True(_memory.GpaToHost(Gpa1, Size + 1) == null);
        Assert.True(_memory.GpaToHost(Gpa1 + Size - 1, 2) == null);
        Assert.True(_memory.UvaToHost(Uva0 + 1, Size) == null);
    }

    [Fact]
    public void A_range_straddling_two_adjacent_regions_does_not_translate()
    {
        Assert.True(_memory.GpaToHost(Gpa1 - 4, 8) == null);
        Assert.True(_memory.GpaToHost(Gpa1 - 4, 4) != null);
        Assert.True(_memory.GpaToHost(Gpa1, 4) != null);
    }

    [Fact]
    public void Addresses_outside_every_region_do_not_translate()
    {
        Assert.True(_memory.GpaToHost(2 * Size, 1) == null);
        Assert.True(_memory.UvaToHost(Uva0 - 1, 1) == null);
        Assert.True(_memory.UvaToHost(Gpa0, 1) == null);
        Assert.True(_memory.GpaToHost(Uva0, 1) == null);
    }

    [Fact]
    public void Lengths_that_wrap_the_address_space_do_not_translate()
    {
        Assert.True(_memory.GpaToHost(Gpa0 + 16, ulong.MaxValue) == null);
        Assert.True(_memory.GpaToHost(Gpa1, ulong.MaxValue - Gpa1 + 2) == null);
        Assert.True(_memory.UvaToHost(Uva0 + 8, ulong.MaxValue - 7) == null);
        Assert.True(_memory.GpaToHost(ulong.MaxValue, 2) == null);
    }

    [Fact]
    public void Length_zero_translates_only_inside_a_region()
    {
        Assert.True(_memory.GpaToHost(Gpa0, 0) != null);
        Assert.True(_memory.GpaToHost(Gpa1 + Size - 1, 0) != null);
        Assert.True(_memory.GpaToHost(Gpa1 + Size, 0) == null);
    }

    [Fact]
    public void Read_and_write_copy_through_translation()
    {
        byte[] data = [1, 2, 3, 4, 5];
        Assert.True(_memory.Write(Gpa1 + 100, data));
        Assert.Equal(data, _file1.Bytes(100, 5).ToArray());

        var back = new byte[5];
        Assert.True(_memory.Read(Gpa1 + 100, back));
        Assert.Equal(data, back);
    }

    [Fact]
    public void Read_and_write_refuse_ranges_that_do_not_translate()
    {
        _file0.View[Size - 2] = 7;
        Assert.False(_memory.Write(Gpa1 - 2, [9, 9, 9, 9]));
        Assert.Equal(7, _file0.View[Size - 2]);
        Assert.Equal(0, _file1.View[0]);
        Assert.False(_memory.Read(2 * Size, new byte[1]));
    }

    [Fact]
    public void Dispose_unmaps_and_may_be_repeated()
    {
        _memory.Dispose();
        Assert.True(_memory.GpaToHost(Gpa0, 1) == null);
        Assert.False(_memory.Write(Gpa0, [1]));
        _memory.Dispose();
    }
}
