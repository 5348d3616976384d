using VirtioForwarder.Platform;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>Waits for the vhost-user socket a peer creates when it listens.</summary>
public static class SocketFile
{
    /// <summary>
    /// Waits until <paramref name="path"/> is a Unix socket. Throws, with <paramref name="creator"/>'s
    /// log, on timeout or if the creator exits first.
    /// </summary>
    public static void WaitFor(string path, ManagedProcess creator, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!FileType.IsSocket(path))
        {
            if (creator.HasExited)
                throw new InvalidOperationException($"exited ({creator.ExitCode}) before creating {path}; {creator.LogTail()}");
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"no socket {path} after {timeout}; {creator.LogTail()}");
            Thread.Sleep(50);
        }
    }
}
