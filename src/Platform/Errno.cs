using System.Runtime.InteropServices;

namespace VirtioForwarder.Platform;

/// <summary>errno values the project reacts to, and the exception for a failed system call.</summary>
public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
        EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EINVAL = 22, EPIPE = 32, ENOTSUP = 95,
        EADDRINUSE = 98, ECONNRESET = 104, ETIMEDOUT = 110, ECONNREFUSED = 111, EINPROGRESS = 115;

    public static int Last => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    /// <summary>Throws <see cref="SystemCallException"/> when <paramref name="result"/> is negative.</summary>
    public static long Check(long result, string what)
    {
        if (result < 0) throw new SystemCallException(what, Last);
        return result;
    }
}

public sealed class SystemCallException(string call, int errno)
    : Exception($"{call} failed: {Errno.Describe(errno)}")
{
    public int ErrorNumber { get; } = errno;
}
