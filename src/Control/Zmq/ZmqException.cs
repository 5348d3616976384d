using System.Runtime.InteropServices;

namespace VirtioForwarder.Control.Zmq;

/// <summary>A libzmq call failed; the message names the call, what it acted on and zmq_strerror's text.</summary>
public sealed class ZmqException(string call, string subject, int errno)
    : Exception($"{call}({subject}) failed: {Marshal.PtrToStringUTF8(LibZmq.zmq_strerror(errno))} (errno {errno})")
{
    public int Errno { get; } = errno;

    internal static ZmqException FromLastError(string call, string subject) =>
        new(call, subject, Marshal.GetLastPInvokeError());
}
