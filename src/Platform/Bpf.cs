using System.Runtime.InteropServices;
using System.Text;

namespace VirtioForwarder.Platform;

/// <summary>
/// The bpf(2) commands that build and attach an XDP program without libbpf: create a map, load
/// a program, set a map element, link a program to an interface (linux/bpf.h, union bpf_attr).
/// Every fd the kernel returns is already close-on-exec.
/// </summary>
public static unsafe partial class Bpf
{
    public const uint MapTypeXskMap = 17, ProgramTypeXdp = 6, AttachTypeXdp = 37;

    private const int CmdMapCreate = 0, CmdMapUpdateElem = 2, CmdProgLoad = 5, CmdLinkCreate = 28;
    private const int ObjectNameLength = 16, VerifierLogSize = 1 << 16;
    private const uint VerifierLogLevel = 1;

    // union bpf_attr as this kernel generation declares it; the kernel accepts a shorter or longer
    // one as long as the bytes it does not know are zero, so one zeroed size fits every command.
    private const int AttrSize = 144;

    [StructLayout(LayoutKind.Explicit, Size = AttrSize)]
    private struct MapCreateAttr
    {
        [FieldOffset(0)] public uint MapType;
        [FieldOffset(4)] public uint KeySize;
        [FieldOffset(8)] public uint ValueSize;
        [FieldOffset(12)] public uint MaxEntries;
        [FieldOffset(28)] public fixed byte Name[ObjectNameLength];
    }

    [StructLayout(LayoutKind.Explicit, Size = AttrSize)]
    private struct MapElemAttr
    {
        [FieldOffset(0)] public uint MapFd;
        [FieldOffset(8)] public ulong Key;
        [FieldOffset(16)] public ulong Value;
        [FieldOffset(24)] public ulong Flags;
    }

    [StructLayout(LayoutKind.Explicit, Size = AttrSize)]
    private struct ProgLoadAttr
    {
        [FieldOffset(0)] public uint ProgramType;
        [FieldOffset(4)] public uint InstructionCount;
        [FieldOffset(8)] public ulong Instructions;
        [FieldOffset(16)] public ulong License;
        [FieldOffset(24)] public uint LogLevel;
        [FieldOffset(28)] public uint LogSize;
        [FieldOffset(32)] public ulong LogBuffer;
        [FieldOffset(48)] public fixed byte Name[ObjectNameLength];
        [FieldOffset(68)] public uint ExpectedAttachType;
    }

    [StructLayout(LayoutKind.Explicit, Size = AttrSize)]
    private struct LinkCreateAttr
    {
        [FieldOffset(0)] public uint ProgramFd;
        [FieldOffset(4)] public uint TargetIfindex;
        [FieldOffset(8)] public uint AttachType;
        [FieldOffset(12)] public uint Flags;
    }

    /// <summary>BPF_MAP_CREATE; returns the map's fd.</summary>
    public static int CreateMap(uint mapType, uint keySize, uint valueSize, uint maxEntries, string name)
    {
        var attr = new MapCreateAttr { MapType = mapType, KeySize = keySize, ValueSize = valueSize, MaxEntries = maxEntries };
        CopyName(name, attr.Name);
        return Call(CmdMapCreate, &attr, "BPF_MAP_CREATE");
    }

    /// <summary>BPF_MAP_UPDATE_ELEM (BPF_ANY) for a map of 32-bit keys and values.</summary>
    public static void UpdateMapElement(int mapFd, uint key, uint value)
    {
        var attr = new MapElemAttr { MapFd = (uint)mapFd, Key = (ulong)&key, Value = (ulong)&value };
        Call(CmdMapUpdateElem, &attr, "BPF_MAP_UPDATE_ELEM");
    }

    /// <summary>
    /// BPF_PROG_LOAD of <paramref name="instructions"/> (8 bytes each); returns the program's fd.
    /// When the verifier refuses, loads again with its log on so the exception says why.
    /// </summary>
    public static int LoadProgram(uint programType, uint expectedAttachType, ReadOnlySpan<ulong> instructions, string name)
    {
        fixed (ulong* code = instructions)
        fixed (byte* license = "GPL\0"u8)
        {
            var attr = new ProgLoadAttr
            {
                ProgramType = programType,
                InstructionCount = (uint)instructions.Length,
                Instructions = (ulong)code,
                License = (ulong)license,
                ExpectedAttachType = expectedAttachType,
            };
            CopyName(name, attr.Name);
            int fd = (int)Syscall(CmdProgLoad, &attr);
            if (fd >= 0) return fd;
            int errno = Errno.Last;
            byte[] log = new byte[VerifierLogSize];
            fixed (byte* logBuffer = log)
            {
                attr.LogLevel = VerifierLogLevel;
                attr.LogSize = VerifierLogSize;
                attr.LogBuffer = (ulong)logBuffer;
                fd = (int)Syscall(CmdProgLoad, &attr);
                if (fd >= 0) return fd;
            }
            string verifier = Encoding.UTF8.GetString(log.AsSpan(0, Math.Max(0, log.AsSpan().IndexOf((byte)0)))).Trim();
            throw new SystemCallException(verifier.Length == 0 ? "BPF_PROG_LOAD" : $"BPF_PROG_LOAD (verifier: {verifier})", errno);
        }
    }

    /// <summary>BPF_LINK_CREATE: attaches a program to interface <paramref name="ifindex"/>; closing the returned fd detaches it.</summary>
    public static int CreateLink(int programFd, int ifindex, uint attachType, uint flags)
    {
        var attr = new LinkCreateAttr { ProgramFd = (uint)programFd, TargetIfindex = (uint)ifindex, AttachType = attachType, Flags = flags };
        return Call(CmdLinkCreate, &attr, "BPF_LINK_CREATE");
    }

    private static int Call<T>(int command, T* attr, string what) where T : unmanaged =>
        (int)Errno.Check(Syscall(command, attr), "bpf " + what);

    private static long Syscall<T>(int command, T* attr) where T : unmanaged =>
        SyscallBpf(BpfSyscallNumber, command, attr, (uint)sizeof(T));

    private static void CopyName(string name, byte* destination) =>
        Encoding.ASCII.GetBytes(name, new Span<byte>(destination, ObjectNameLength - 1));

    private static long BpfSyscallNumber => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        Architecture.Arm64 => 280,
        var other => throw new PlatformNotSupportedException($"bpf(2) syscall number unknown for {other}"),
    };

    // glibc's syscall(2) is variadic; on the supported ABIs integer arguments pass in the same
    // registers either way, so a fixed signature is safe.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallBpf(long number, int command, void* attr, uint size);
}
