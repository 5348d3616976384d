using System.Runtime.InteropServices;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// kill(2) for the processes the harness started. Process.Kill only sends SIGKILL, but testpmd
/// prints its totals on SIGINT and the daemon must shut down cleanly on SIGTERM.
/// </summary>
internal static partial class NativeSignals
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static void Send(int pid, int signal)
    {
        const int NoSuchProcess = 3;
        // ESRCH: the process exited between our HasExited check and the kill; nothing to stop.
        if (Kill(pid, signal) != 0 && Marshal.GetLastPInvokeError() != NoSuchProcess)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
