using VirtioForwarder.Platform;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// Turns <c>-u</c>/<c>-g</c> into ids for chown. A name that does not resolve is fatal at startup
/// in static-socket mode and ignored in dynamic mode (contract §9.2); that choice is the caller's.
/// </summary>
public static class OwnerResolver
{
    // getpwnam and getgrnam return static storage that the next lookup overwrites: one at a time.
    private static readonly Lock Gate = new();

    /// <summary>The uid for <paramref name="user"/>: the named user's, or this process's effective uid.</summary>
    public static int ResolveUser(OwnerSpec user)
    {
        if (user.Name is not { } name) return Libc.GetEuid();
        lock (Gate)
            return UserDatabase.UserId(name) ?? throw new StartupException($"Could not get uid for user '{name}'");
    }

    /// <summary>The gid for <paramref name="group"/>: the named group's, or this process's effective gid.</summary>
    public static int ResolveGroup(OwnerSpec group)
    {
        if (group.Name is not { } name) return Libc.GetEgid();
        lock (Gate)
            return UserDatabase.GroupId(name) ?? throw new StartupException($"Could not get gid for group '{name}'");
    }
}
