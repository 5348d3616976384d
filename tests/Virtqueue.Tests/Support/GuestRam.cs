using VirtioForwarder.Memory;
using VirtioForwarder.Memory.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests.Support;

/// <summary>
/// A guest's RAM: two memfd regions, adjacent in guest-physical space but far apart in the
/// frontend's, mapped by the code under test (<see cref="Memory"/>) and, separately, by the test
/// itself (<see cref="At"/>), which plays the guest.
/// </summary>
public sealed unsafe class GuestRam : IDisposable
{
    public const ulong Region0Gpa = 0, Region0Size = 0x100000, Region0Uva = 0x7f00_0000_0000;
    public const ulong Region1Gpa = Region0Gpa + Region0Size, Region1Size = 0x10000, Region1Uva = 0x7f80_0000_0000;
    public const ulong End = Region1Gpa + Region1Size;

    private readonly SharedFile _region0 = new(Region0Size, "region0"), _region1 = new(Region1Size, "region1");

    public GuestRam()
    {
        Memory = GuestMemory.Map(
            [new RegionDescriptor(Region0Gpa, Region0Size, Region0Uva, 0), new RegionDescriptor(Region1Gpa, Region1Size, Region1Uva, 0)],
            [_region0.Dup(), _region1.Dup()]);
    }

    public GuestMemory Memory { get; }

    /// <summary>The guest's own pointer to guest-physical <paramref name="gpa"/>.</summary>
    public byte* At(ulong gpa) =>
        gpa >= Region1Gpa ? _region1.View + (gpa - Region1Gpa) : _region0.View + (gpa - Region0Gpa);

    public ulong Uva(ulong gpa) => gpa >= Region1Gpa ? Region1Uva + (gpa - Region1Gpa) : Region0Uva + (gpa - Region0Gpa);

    public Span<byte> Bytes(ulong gpa, int length) => new(At(gpa), length);

    public void Dispose()
    {
        Memory.Dispose();
        _region0.Dispose();
        _region1.Dispose();
    }
}
