using System.Net;
using System.Net.NetworkInformation;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Tests.Support;

/// <summary>
/// A TapPort whose interface has been moved into a namespace of the test's own and given
/// 198.18.0.1/24 there; the test plays the host at 198.18.0.2 through the port. Dispose closes
/// the port (removing the tap) and deletes the namespace.
/// </summary>
public sealed unsafe class TapInNamespace : IDisposable
{
    public static readonly IPAddress KernelAddress = IPAddress.Parse("198.18.0.1");
    public static readonly IPAddress PeerAddress = IPAddress.Parse("198.18.0.2");
    public static readonly byte[] PeerMac = [0x02, 0, 0, 0, 0, 0x02];

    private readonly Frame[] _frames = new Frame[32];

    private TapInNamespace(TestNamespace ns, TapPort port, byte[] kernelMac)
    {
        Namespace = ns;
        Port = port;
        KernelMac = kernelMac;
    }

    public TestNamespace Namespace { get; }
    public TapPort Port { get; }
    public string Interface => Port.InterfaceName;

    /// <summary>The MAC address of the namespace's end of the tap.</summary>
    public byte[] KernelMac { get; }

    public static TapInNamespace Create()
    {
        var ns = TestNamespace.Create();
        TapPort? port = null;
        try
        {
            port = (TapPort)PortFactory.Open(PortSpec.Parse("tap:" + UniqueName.New("vfwdp")));
            HostProcess.RunChecked("ip", "link", "set", port.InterfaceName, "netns", ns.Name);
            ns.Ip("addr", "add", KernelAddress + "/24", "dev", port.InterfaceName);
            ns.Ip("link", "set", port.InterfaceName, "up");
            var mac = PhysicalAddress.Parse(ns.ReadNetSysfs(port.InterfaceName, "address")).GetAddressBytes();
            return new TapInNamespace(ns, port, mac);
        }
        catch
        {
            port?.Dispose();
            ns.Dispose();
            throw;
        }
    }

    /// <summary>Receives, waiting on the port's readiness fd, until a frame matches; null after the timeout.</summary>
    public byte[]? WaitForFrame(Func<byte[], bool> wanted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var poll = new PollFd { Fd = Port.ReadinessFd, Events = Libc.POLLIN };
            Libc.Poll(&poll, 1, 100);
            int n = Port.Receive(_frames);
            for (int i = 0; i < n; i++)
            {
                var frame = _frames[i].Bytes.ToArray();
                if (wanted(frame)) return frame;
            }
        }
        return null;
    }

    /// <summary>Sends one frame through the port; returns what Transmit returned.</summary>
    public int Send(byte[] frame)
    {
        Assert.True(Port.AcquireTx(_frames.AsSpan(0, 1)) == 1);
        frame.CopyTo(new Span<byte>(_frames[0].Data, _frames[0].Capacity));
        _frames[0].Length = frame.Length;
        return Port.Transmit(_frames, 1);
    }

    public void Dispose()
    {
        Port.Dispose();
        Namespace.Dispose();
    }
}
