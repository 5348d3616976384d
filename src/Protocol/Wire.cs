using System.Runtime.InteropServices;

namespace VirtioForwarder.Protocol;

/// <summary>The 12-byte header in front of every message (vhost-user spec, "Message format").</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct MessageHeader
{
    public const int Size = 12;
    public const uint VersionMask = 0x3, Version = 0x1, ReplyFlag = 0x4, NeedReplyFlag = 0x8;

    public FrontendRequest Request;
    public uint Flags;
    public uint PayloadSize;

    public readonly bool NeedsReply => (Flags & NeedReplyFlag) != 0;
}

/// <summary>A vring state description: SET_VRING_NUM/BASE, GET_VRING_BASE, SET_VRING_ENABLE.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct VringState
{
    public uint Index;
    public uint Num;
}

/// <summary>A vring address description: SET_VRING_ADDR. Addresses are in the frontend's virtual address space.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct VringAddress
{
    public const uint LogFlag = 0x1;

    public uint Index;
    public uint Flags;
    public ulong DescUser;
    public ulong UsedUser;
    public ulong AvailUser;
    public ulong LogGuestAddr;
}

/// <summary>One memory region description of SET_MEM_TABLE / ADD_MEM_REG / REM_MEM_REG.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct MemoryRegion
{
    public const int Size = 32;

    public ulong GuestPhysAddr;
    public ulong MemorySize;
    public ulong UserAddr;
    public ulong MmapOffset;
}

/// <summary>The log description of SET_LOG_BASE.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct LogDescription
{
    public ulong MmapSize;
    public ulong MmapOffset;
}

/// <summary>The front of a device config space message (GET/SET_CONFIG); the config bytes follow.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct ConfigHeader
{
    public const int Size = 12;

    public uint Offset;
    public uint ConfigSize;
    public uint Flags;
}

/// <summary>Payload rules for the u64 payload of SET_VRING_KICK/CALL/ERR.</summary>
public static class VringFdPayload
{
    /// <summary>Bit 8 set: no fd is attached (polling mode for KICK).</summary>
    public const ulong NoFdFlag = 0x100;
    public const ulong IndexMask = 0xff;
}
