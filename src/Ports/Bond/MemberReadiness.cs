using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// The bond's one readiness fd over its members' fds: an epoll instance, itself pollable, that is
/// readable while a watched member's fd is (a member may have several: its queues a bond queue
/// reads). Only the members the bond receives from are watched, so a down member whose fd
/// reports an error forever does not keep the relay awake.
/// </summary>
internal sealed unsafe class MemberReadiness : IDisposable
{
    private readonly int[][] _fds;
    private readonly bool[] _watched;

    /// <summary>Over <paramref name="memberFds"/>: each member's fds, by member index.</summary>
    public MemberReadiness(IReadOnlyList<int[]> memberFds)
    {
        _fds = [.. memberFds];
        _watched = new bool[_fds.Length];
        Fd = (int)Errno.Check(Libc.EpollCreate1(Libc.EPOLL_CLOEXEC), "epoll_create1");
    }

    public int Fd { get; private set; }

    /// <summary>Watches exactly the members listed (by index).</summary>
    public void WatchOnly(ReadOnlySpan<int> members)
    {
        for (int i = 0; i < _fds.Length; i++)
        {
            bool wanted = members.Contains(i);
            if (wanted == _watched[i]) continue;
            var ev = new EpollEvent { Events = Libc.EPOLLIN, Data = (ulong)i };
            int op = wanted ? Libc.EPOLL_CTL_ADD : Libc.EPOLL_CTL_DEL;
            foreach (int fd in _fds[i]) Errno.Check(Libc.EpollCtl(Fd, op, fd, &ev), $"epoll_ctl({op}, member {i})");
            _watched[i] = wanted;
        }
    }

    public void Dispose()
    {
        if (Fd < 0) return;
        Libc.Close(Fd);
        Fd = -1;
    }
}
