using System.Runtime.InteropServices;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// Name → id lookups through libc (NSS), so that whatever source the host uses for users and groups
/// is honoured, as upstream's getpwnam_r/getgrnam_r calls do.
/// </summary>
internal static unsafe partial class UserDatabase
{
    // x86-64 glibc layouts: struct passwd { char* pw_name; char* pw_passwd; uid_t pw_uid; ... } and
    // struct group { char* gr_name; char* gr_passwd; gid_t gr_gid; ... }: the id sits at offset 16.
    private const int IdOffset = 16;

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial byte* GetPwNam(string name);

    [LibraryImport("libc", EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial byte* GetGrNam(string name);

    /// <summary>The uid of user <paramref name="name"/>, or null if there is no such user.</summary>
    public static int? UserId(string name) => IdAt(GetPwNam(name));

    /// <summary>The gid of group <paramref name="name"/>, or null if there is no such group.</summary>
    public static int? GroupId(string name) => IdAt(GetGrNam(name));

    // getpwnam/getgrnam return static storage: read the id before any other lookup can run.
    private static int? IdAt(byte* entry) => entry == null ? null : (int)*(uint*)(entry + IdOffset);
}
