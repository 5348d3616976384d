namespace VirtioForwarder.Platform;

/// <summary>
/// A single-threaded epoll loop for control work: vhost-user sockets, reconnect timers and
/// requests posted from other threads. Handlers run one at a time on the loop thread, so the
/// state they touch needs no locks. Handlers may add and remove fds; an exception in one is
/// logged and does not stop the loop.
/// </summary>
public sealed unsafe class EventLoop : IDisposable
{
    private readonly int _epoll;
    private readonly EventFd _wake = EventFd.Create();
    private readonly Dictionary<int, Action> _handlers = new();
    private readonly Queue<Action> _posted = new();
    private readonly PriorityQueue<Action, long> _timers = new();
    private readonly Lock _postGate = new();
    private Thread? _thread;
    private volatile bool _stopping;

    public EventLoop()
    {
        _epoll = (int)Errno.Check(Libc.EpollCreate1(Libc.EPOLL_CLOEXEC), "epoll_create1");
        Add(_wake.Fd, () => _wake.Drain());
    }

    public bool IsLoopThread => Thread.CurrentThread == _thread;

    /// <summary>Calls <paramref name="onReadable"/> on the loop thread whenever <paramref name="fd"/> is readable or hung up.</summary>
    public void Add(int fd, Action onReadable)
    {
        var ev = new EpollEvent { Events = Libc.EPOLLIN | Libc.EPOLLRDHUP, Data = (ulong)fd };
        Errno.Check(Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_ADD, fd, &ev), $"epoll_ctl(ADD {fd})");
        _handlers[fd] = onReadable;
    }

    public void Remove(int fd)
    {
        if (_handlers.Remove(fd)) Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_DEL, fd, null);
    }

    /// <summary>Runs <paramref name="action"/> on the loop thread soon. Safe from any thread.</summary>
    public void Post(Action action)
    {
        lock (_postGate) _posted.Enqueue(action);
        _wake.Signal();
    }

    /// <summary>Runs <paramref name="action"/> on the loop thread after <paramref name="delay"/>. Safe from any thread.</summary>
    public void After(TimeSpan delay, Action action)
    {
        long due = Environment.TickCount64 + (long)delay.TotalMilliseconds;
        Post(() => _timers.Enqueue(action, due));
    }

    /// <summary>Runs <paramref name="action"/> on the loop thread and waits for it (immediately if already there).</summary>
    public void Invoke(Action action)
    {
        if (IsLoopThread || _thread is null) { action(); return; }
        using var done = new ManualResetEventSlim();
        Exception? failure = null;
        Post(() => { try { action(); } catch (Exception e) { failure = e; } finally { done.Set(); } });
        done.Wait();
        if (failure is not null) throw new InvalidOperationException(failure.Message, failure);
    }

    public void Start(string name = "control")
    {
        _thread = new Thread(Run) { Name = name, IsBackground = true };
        _thread.Start();
    }

    public void Stop()
    {
        _stopping = true;
        _wake.Signal();
        if (_thread is not null && !IsLoopThread) _thread.Join();
    }

    private void Run()
    {
        const int MaxEvents = 64;
        var events = stackalloc EpollEvent[MaxEvents];
        while (!_stopping)
        {
            int n = Libc.EpollWait(_epoll, events, MaxEvents, NextTimeout());
            if (n < 0 && Errno.Last != Errno.EINTR) { Log.Error($"epoll_wait: {Errno.Describe(Errno.Last)}"); break; }
            for (int i = 0; i < n; i++)
                if (_handlers.TryGetValue((int)events[i].Data, out var handler)) Guard(handler);
            RunPosted();
            RunDueTimers();
        }
    }

    private int NextTimeout()
    {
        if (!_timers.TryPeek(out _, out long due)) return -1;
        return (int)Math.Clamp(due - Environment.TickCount64, 0, int.MaxValue);
    }

    private void RunPosted()
    {
        while (true)
        {
            Action? next;
            lock (_postGate) if (!_posted.TryDequeue(out next)) return;
            Guard(next);
        }
    }

    private void RunDueTimers()
    {
        long now = Environment.TickCount64;
        while (_timers.TryPeek(out var action, out long due) && due <= now)
        {
            _timers.Dequeue();
            Guard(action);
        }
    }

    private static void Guard(Action handler)
    {
        try { handler(); }
        catch (Exception e) { Log.Error($"control handler failed: {e}"); }
    }

    public void Dispose()
    {
        Stop();
        _wake.Dispose();
        Libc.Close(_epoll);
    }
}
