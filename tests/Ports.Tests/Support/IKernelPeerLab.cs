using System.Net;

namespace VirtioForwarder.Ports.Tests.Support;

/// <summary>
/// A port whose other side is a test namespace's kernel at <see cref="KernelAddress"/>, while the
/// test plays the host at <see cref="PeerAddress"/> (MAC <see cref="PeerMac"/>) through the port.
/// </summary>
public interface IKernelPeerLab : IDisposable
{
    public static readonly IPAddress KernelAddress = IPAddress.Parse("198.18.0.1");
    public static readonly IPAddress PeerAddress = IPAddress.Parse("198.18.0.2");
    public static readonly byte[] PeerMac = [0x02, 0, 0, 0, 0, 0x02];

    IPort Port { get; }

    TestNamespace Namespace { get; }

    /// <summary>The namespace's interface: where its kernel counts what the port sent.</summary>
    string KernelInterface { get; }

    /// <summary>The MAC address of <see cref="KernelInterface"/>.</summary>
    byte[] KernelMac { get; }

    /// <summary>Receives, waiting on the port's readiness fd, until a frame matches; null after the timeout.</summary>
    byte[]? WaitForFrame(Func<byte[], bool> wanted, TimeSpan timeout);

    /// <summary>Sends one frame through the port; returns what Transmit returned.</summary>
    int Send(byte[] frame);
}
