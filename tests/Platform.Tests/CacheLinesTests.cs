using System.Runtime.InteropServices;

namespace VirtioForwarder.Platform.Tests;

public sealed unsafe class CacheLinesTests
{
    [Fact]
    public void An_x86_64_machine_has_the_instruction()
    {
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64) Assert.True(CacheLines.Supported);
    }

    [Fact]
    public void Evicting_keeps_the_contents_of_every_line_and_touches_nothing_else()
    {
        // Unaligned start and end: the partly covered first and last lines are evicted whole.
        var buffer = (byte*)NativeMemory.AlignedAlloc(4 * CacheLines.Size, CacheLines.Size);
        try
        {
            for (int i = 0; i < 4 * CacheLines.Size; i++) buffer[i] = (byte)i;
            CacheLines.Evict(buffer + 10, 2 * CacheLines.Size);
            CacheLines.Evict(buffer, 0);
            for (int i = 0; i < 4 * CacheLines.Size; i++) Assert.Equal((byte)i, buffer[i]);
        }
        finally { NativeMemory.AlignedFree(buffer); }
    }
}
