namespace VirtioForwarder.Control.Services;

/// <summary>
/// One of upstream's four ZeroMQ services (docs/control-contract.md §3–6): a function from the
/// bytes of one request frame to the bytes of its reply frame. Every input, empty or garbage
/// included, gets a reply (§1).
/// </summary>
public interface IControlService
{
    /// <summary>For log lines: "port control", "stats", "core scheduler", "config".</summary>
    string Name { get; }

    /// <param name="stopping">Cut short any wait inside the handler (the stats delay) at shutdown.</param>
    byte[] Handle(byte[] request, CancellationToken stopping);

    /// <summary>The service's reply to a request it could not decode (§3.1, §4.1, §5, §6).</summary>
    byte[] UndecodableReply { get; }
}
