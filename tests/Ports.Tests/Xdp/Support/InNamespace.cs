using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Tests.Xdp.Support;

/// <summary>
/// Runs code inside a test's network namespace: on a fresh thread that setns(2)es into it, so
/// the sockets, BPF links and interface look-ups that code makes belong to the namespace and
/// keep working from any thread afterwards. The test process itself stays where it is.
/// </summary>
public static unsafe partial class InNamespace
{
    private const int CLONE_NEWNET = 0x40000000;

    public static T Run<T>(string netns, Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                int fd = (int)Errno.Check(Libc.Open("/run/netns/" + netns, Libc.O_RDONLY | Libc.O_CLOEXEC, 0), "open netns " + netns);
                try { Errno.Check(SetNs(fd, CLONE_NEWNET), "setns " + netns); }
                finally { Libc.Close(fd); }
                result = work();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        });
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
