using VirtioForwarder.Device;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Device.Tests;

/// <summary>A control loop and a temp directory for sockets; records the devices that connect.</summary>
internal sealed class SocketFixture : IDisposable
{
    public readonly EventLoop Loop = new();
    public readonly string Directory = Path.Combine(Path.GetTempPath(), "vfwd-dev-" + Guid.NewGuid().ToString("N")[..8]);
    public readonly List<VhostUserNetDevice> Connected = new();
    public readonly List<VhostUserNetDevice> Disconnected = new();
    private readonly List<VhostUserSocket> _sockets = new();

    public SocketFixture()
    {
        System.IO.Directory.CreateDirectory(Directory);
        Loop.Start("test-control");
    }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public VhostUserSocket Open(string name, SocketMode mode, DeviceOptions? options = null)
    {
        VhostUserSocket socket = null!;
        Loop.Invoke(() =>
        {
            socket = new VhostUserSocket(PathOf(name), mode, Loop, options ?? new DeviceOptions(), SocketOwnership.Inherit);
            socket.Connected += d => { lock (Connected) Connected.Add(d); };
            socket.Disconnected += d => { lock (Disconnected) Disconnected.Add(d); };
            socket.Open();
        });
        _sockets.Add(socket);
        return socket;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, checking on the control thread.</summary>
    public void WaitFor(Func<bool> condition, string what, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (Environment.TickCount64 < deadline)
        {
            bool ok = false;
            Loop.Invoke(() => ok = condition());
            if (ok) return;
            Thread.Sleep(20);
        }
        Assert.Fail($"timed out waiting for {what}");
    }

    public void Dispose()
    {
        Loop.Invoke(() => { foreach (var s in _sockets) s.Dispose(); });
        Loop.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
