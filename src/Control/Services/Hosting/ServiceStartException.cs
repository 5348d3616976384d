namespace VirtioForwarder.Control.Services.Hosting;

/// <summary>A service could not bind its endpoint; the daemon exits 255 (docs/control-contract.md §1, §8.3).</summary>
public sealed class ServiceStartException(string endpoint, string reason)
    : Exception($"cannot serve ZeroMQ endpoint {endpoint}: {reason}")
{
    public string Endpoint { get; } = endpoint;
}
