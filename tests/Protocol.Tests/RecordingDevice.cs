using VirtioForwarder.Platform;
using VirtioForwarder.Protocol;

namespace VirtioForwarder.Protocol.Tests;

/// <summary>A handler that records what it was asked, for checking the dispatcher; it owns the fds it receives.</summary>
internal sealed class RecordingDevice : IFrontendRequestHandler
{
    public readonly List<string> Calls = new();
    public readonly List<int> ReceivedFds = new();
    public ulong Features = 0x1_4000_0000;
    public bool RefuseVringNum;

    public int MaxQueues => 4;
    public ProtocolFeatures NegotiatedProtocolFeatures { get; private set; }

    public ulong GetFeatures() => Features;
    public void SetFeatures(ulong features) => Calls.Add($"SetFeatures {features:x}");
    public ulong GetProtocolFeatures() => (ulong)(ProtocolFeatures.ReplyAck | ProtocolFeatures.Mq);
    public void SetProtocolFeatures(ulong features) => NegotiatedProtocolFeatures = (ProtocolFeatures)features;
    public void SetOwner() => Calls.Add("SetOwner");
    public void ResetOwner() => Calls.Add("ResetOwner");

    public void SetMemTable(ReadOnlySpan<MemoryRegion> regions, ReadOnlySpan<int> fds)
    {
        Calls.Add($"SetMemTable {regions.Length} gpa0={regions[0].GuestPhysAddr:x} size0={regions[0].MemorySize:x}");
        ReceivedFds.AddRange(fds.ToArray());
    }

    public ulong GetMaxMemSlots() => 8;
    public void AddMemRegion(MemoryRegion region, int fd) => ReceivedFds.Add(fd);
    public void RemoveMemRegion(MemoryRegion region) => Calls.Add("RemoveMemRegion");
    public void SetLogBase(LogDescription log, int fd) { ReceivedFds.Add(fd); Calls.Add($"SetLogBase {log.MmapSize}"); }
    public void SetLogFd(int fd) => ReceivedFds.Add(fd);

    public void SetVringNum(uint index, uint num)
    {
        if (RefuseVringNum) throw new ProtocolException("refused");
        Calls.Add($"SetVringNum {index} {num}");
    }

    public void SetVringAddr(VringAddress address) => Calls.Add($"SetVringAddr {address.Index} {address.DescUser:x}");
    public void SetVringBase(uint index, uint num) => Calls.Add($"SetVringBase {index} {num}");
    public uint GetVringBase(uint index) => 42 + index;
    public void SetVringKick(uint index, int fd) { Calls.Add($"SetVringKick {index} {(fd < 0 ? "none" : "fd")}"); if (fd >= 0) ReceivedFds.Add(fd); }
    public void SetVringCall(uint index, int fd) { Calls.Add($"SetVringCall {index}"); if (fd >= 0) ReceivedFds.Add(fd); }
    public void SetVringErr(uint index, int fd) { if (fd >= 0) ReceivedFds.Add(fd); }
    public void SetVringEnable(uint index, bool enable) => Calls.Add($"SetVringEnable {index} {enable}");
    public ulong GetQueueNum() => 2;
    public void SendRarp(ReadOnlySpan<byte> mac) => Calls.Add($"SendRarp {Convert.ToHexString(mac)}");
    public void SetMtu(ulong mtu) => Calls.Add($"SetMtu {mtu}");
    public void SetBackendReqFd(int fd) => ReceivedFds.Add(fd);
    public void SetStatus(byte status) => Calls.Add($"SetStatus {status}");
    public byte GetStatus() => 0x0f;

    public void CloseFds()
    {
        foreach (int fd in ReceivedFds) Libc.Close(fd);
    }
}
