using VirtioForwarder.Memory;
using VirtioForwarder.Platform;
using VirtioForwarder.Protocol;

namespace VirtioForwarder.Device;

/// <summary>Guest memory and the dirty log: SET_MEM_TABLE, SET_LOG_BASE and friends.</summary>
public sealed partial class VhostUserNetDevice
{
    public void SetMemTable(ReadOnlySpan<MemoryRegion> regions, ReadOnlySpan<int> fds)
    {
        var descriptors = new RegionDescriptor[regions.Length];
        for (int i = 0; i < regions.Length; i++)
        {
            var r = regions[i];
            descriptors[i] = new RegionDescriptor(r.GuestPhysAddr, r.MemorySize, r.UserAddr, r.MmapOffset);
        }
        GuestMemory mapped;
        try { mapped = GuestMemory.Map(descriptors, fds); }
        catch (Exception e) when (e is SystemCallException or ArgumentException)
        {
            throw new ProtocolException($"SET_MEM_TABLE: {e.Message}");
        }
        mapped.DirtyLog = _dirtyLog;
        // Rings point into the old mapping: hold every queue while the memory changes under them.
        var held = HoldAllQueues();
        try
        {
            var old = _memory;
            _memory = mapped;
            foreach (var q in held) AttachIfConfigured(q);
            old?.Dispose();
        }
        finally
        {
            foreach (var q in held) q.Exit();
        }
        Log.Info($"{Name}: guest memory mapped, {regions.Length} region(s)");
        PublishLiveQueues();
    }

    public ulong GetMaxMemSlots() => throw new ProtocolException("CONFIGURE_MEM_SLOTS was not offered");

    public void AddMemRegion(MemoryRegion region, int fd)
    {
        Libc.Close(fd);
        throw new ProtocolException("ADD_MEM_REG: CONFIGURE_MEM_SLOTS was not offered");
    }

    public void RemoveMemRegion(MemoryRegion region) =>
        throw new ProtocolException("REM_MEM_REG: CONFIGURE_MEM_SLOTS was not offered");

    public void SetLogBase(LogDescription log, int fd)
    {
        DirtyLog mapped;
        try { mapped = DirtyLog.Map(fd, log.MmapSize, log.MmapOffset); }
        catch (Exception e) when (e is SystemCallException or ArgumentException)
        {
            throw new ProtocolException($"SET_LOG_BASE: {e.Message}");
        }
        var held = HoldAllQueues();
        try
        {
            var old = _dirtyLog;
            _dirtyLog = mapped;
            if (_memory is not null) _memory.DirtyLog = mapped;
            old?.Dispose();
        }
        finally
        {
            foreach (var q in held) q.Exit();
        }
        Log.Info($"{Name}: dirty log mapped, {log.MmapSize} bytes");
    }

    /// <summary>The log's eventfd is only for the frontend to learn the log changed; nothing to do with it here.</summary>
    public void SetLogFd(int fd) => Libc.Close(fd);

    private List<Virtqueue.GuestQueue> HoldAllQueues()
    {
        var held = new List<Virtqueue.GuestQueue>();
        foreach (var q in _queues)
        {
            if (q is null) continue;
            q.EnterExclusive();
            held.Add(q);
        }
        return held;
    }
}
