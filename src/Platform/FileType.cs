using System.Runtime.InteropServices;

namespace VirtioForwarder.Platform;

/// <summary>What kind of file a path names (lstat's S_IFMT), which .NET's file APIs do not tell.</summary>
public static unsafe partial class FileType
{
    private const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000;
    // struct stat is 144 bytes on x86-64; st_mode sits at offset 24.
    private const int StatSize = 144, ModeOffset = 24;

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Lstat(string path, byte* buf);

    /// <summary>True if <paramref name="path"/> exists and is a Unix socket.</summary>
    public static bool IsSocket(string path)
    {
        byte* buf = stackalloc byte[StatSize];
        return Lstat(path, buf) == 0 && (*(uint*)(buf + ModeOffset) & S_IFMT) == S_IFSOCK;
    }
}
