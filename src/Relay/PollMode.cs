namespace VirtioForwarder.Relay;

/// <summary>How a worker waits when there is no traffic.</summary>
public enum PollMode
{
    /// <summary>Spin briefly, then sleep on the guests' kicks and the ports' fds: an idle daemon uses no CPU.</summary>
    Adaptive,
    /// <summary>Never sleep: lowest latency, one whole CPU per worker.</summary>
    Busy,
}
