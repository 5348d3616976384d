using VirtioForwarder.Platform;

namespace VirtioForwarder.Platform.Tests;

public sealed class EventLoopTests : IDisposable
{
    private readonly EventLoop _loop = new();

    public EventLoopTests() => _loop.Start("test");

    public void Dispose() => _loop.Dispose();

    [Fact]
    public void Posted_work_and_readable_fds_run_on_the_loop_thread()
    {
        using var fd = EventFd.Create();
        using var seen = new ManualResetEventSlim();
        bool onLoop = false;
        _loop.Invoke(() => _loop.Add(fd.Fd, () => { fd.Drain(); onLoop = _loop.IsLoopThread; seen.Set(); }));
        fd.Signal();
        Assert.True(seen.Wait(TimeSpan.FromSeconds(2)));
        Assert.True(onLoop);
    }

    [Fact]
    public void Timers_fire_after_their_delay_in_order()
    {
        var order = new List<int>();
        using var done = new CountdownEvent(2);
        long start = Environment.TickCount64;
        _loop.After(TimeSpan.FromMilliseconds(150), () => { order.Add(2); done.Signal(); });
        _loop.After(TimeSpan.FromMilliseconds(50), () => { order.Add(1); done.Signal(); });
        Assert.True(done.Wait(TimeSpan.FromSeconds(2)));
        Assert.Equal([1, 2], order);
        Assert.True(Environment.TickCount64 - start >= 140);
    }

    [Fact]
    public void A_failing_handler_does_not_stop_the_loop()
    {
        _loop.Post(() => throw new InvalidOperationException("boom"));
        int value = 0;
        _loop.Invoke(() => value = 42);
        Assert.Equal(42, value);
    }

    [Fact]
    public void Invoke_returns_the_handler_exception_to_the_caller()
    {
        var e = Assert.Throws<InvalidOperationException>(() => _loop.Invoke(() => throw new IOException("no such socket")));
        Assert.Contains("no such socket", e.Message);
    }
}
