using VirtioForwarder.Virtqueue;

namespace VirtioForwarder.Relay;

/// <summary>
/// Turns a queue's guest kicks on before a worker sleeps and off when it polls again: a polling
/// worker needs no kicks, and suppressing them spares the guest a VM exit per batch
/// (virtio 1.2 §2.7.10, used buffer notification suppression).
/// </summary>
internal static class KickControl
{
    public static void Arm(GuestQueue q, List<int> waitFds)
    {
        if (!q.TryEnter()) return;
        try
        {
            if (!q.IsLive) return;
            q.SetKickWanted(true);
            if (q.Kick is { } kick) waitFds.Add(kick.Fd);
        }
        finally { q.Exit(); }
    }

    public static void Disarm(GuestQueue q)
    {
        if (!q.TryEnter()) return;
        try
        {
            if (!q.IsLive) return;
            q.SetKickWanted(false);
            q.Kick?.Drain();
        }
        finally { q.Exit(); }
    }
}
