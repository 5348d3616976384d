using VirtioForwarder.Platform;

namespace VirtioForwarder.Memory.Tests.Support;

/// <summary>Whether an fd number is open. Tests using it run outside the parallel collections so no other test reuses the number meanwhile.</summary>
public static class FdCheck
{
    private const int F_GETFD = 1;

    public static bool IsOpen(int fd) => Libc.Fcntl(fd, F_GETFD, 0) >= 0;
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FdCollection
{
    public const string Name = "fd numbers";
}
